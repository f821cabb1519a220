from django.urls import reverse


def test_anonymous_visitor_is_sent_to_login(client, huangpu_key_place):
    response = client.get(reverse("places:detail", args=[huangpu_key_place.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_huangpu_user_gets_404_for_a_pudong_place_page(
    client_for, huangpu_dispatcher, pudong_key_place
):
    response = client_for(huangpu_dispatcher).get(
        reverse("places:detail", args=[pudong_key_place.pk])
    )
    assert response.status_code == 404
    assert "夜间有人露宿" not in response.content.decode()


def test_huangpu_user_reads_the_internal_risk_notes_of_a_huangpu_place(
    client_for, huangpu_dispatcher, huangpu_key_place
):
    response = client_for(huangpu_dispatcher).get(
        reverse("places:detail", args=[huangpu_key_place.pk])
    )
    assert response.status_code == 200
    assert "出口 3 处积水" in response.content.decode()


def test_place_list_shows_only_the_users_district(
    client_for, huangpu_dispatcher, huangpu_key_place, pudong_key_place
):
    body = client_for(huangpu_dispatcher).get(reverse("places:list")).content.decode()
    assert "人民广场地下通道" in body
    assert "世纪大道地下通道" not in body


def test_place_list_filters_by_kind_and_answers_htmx_with_the_table_only(
    client_for, city_admin, huangpu_key_place
):
    response = client_for(city_admin).get(
        reverse("places:list"), {"kind": "station"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert "<html" not in body
    assert "黄浦区救助管理站" in body
    assert "人民广场地下通道" not in body


def test_a_malformed_district_code_gets_a_message_not_an_error(client_for, city_admin):
    response = client_for(city_admin).get(reverse("places:list"), {"district": "31<script>"})
    assert response.status_code == 422
    assert "区代码为 6 位数字" in response.content.decode()
    response = client_for(city_admin).get(reverse("places:list"), {"district": "999999"})
    assert "没有这个区代码" in response.content.decode()


def test_place_list_query_count_does_not_grow_with_rows(
    client_for, city_admin, django_assert_max_num_queries
):
    client = client_for(city_admin)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("places:list"))
    assert response.status_code == 200


def test_reporter_cannot_open_the_place_list(client_for, reporter):
    assert client_for(reporter).get(reverse("places:list")).status_code == 403


def test_city_admin_home_counts_places_per_district(client_for, city_admin, huangpu_key_place):
    response = client_for(city_admin).get(reverse("core:home"))
    rows = {r["district"].code: r for r in response.context["district_rows"]}
    assert len(rows) == 16
    assert rows["310101"]["total"] >= 2  # the district station and the underpass
