"""Scope, the full ID number and the audit trail, from the outside (pages and API)."""

from datetime import timedelta

from django.utils import timezone

from warmwinter.audit.models import AuditEvent
from warmwinter.people import services
from warmwinter.people.models import Person, TimelineKind


def api(client, token, method, path, **kwargs):
    return getattr(client, method)(
        f"/api/v1/people{path}", HTTP_AUTHORIZATION=f"Bearer {token}", **kwargs
    )


def test_a_district_admin_sees_the_full_id_number_on_page_and_api(
    huangpu_person, huangpu_admin, client_for, token_for
):
    client = client_for(huangpu_admin)
    page = client.get(f"/people/{huangpu_person.pk}/").content.decode()
    assert huangpu_person.id_number in page
    data = api(client, token_for(huangpu_admin), "get", f"/persons/{huangpu_person.pk}").json()
    assert data["id_number"] == huangpu_person.id_number


def test_a_dispatcher_sees_only_the_masked_id_number_on_page_and_api(
    huangpu_person, huangpu_dispatcher, client_for, token_for
):
    client = client_for(huangpu_dispatcher)
    page = client.get(f"/people/{huangpu_person.pk}/").content.decode()
    assert huangpu_person.id_number not in page
    assert "3101**********" in page
    data = api(client, token_for(huangpu_dispatcher), "get", f"/persons/{huangpu_person.pk}").json()
    assert data["id_number"] == huangpu_person.id_number_masked
    listed = api(client, token_for(huangpu_dispatcher), "get", "/persons").json()
    assert huangpu_person.id_number not in str(listed)


def test_the_auditor_sees_only_the_masked_id_number(huangpu_person, auditor, client_for):
    page = client_for(auditor).get(f"/people/{huangpu_person.pk}/").content.decode()
    assert huangpu_person.id_number not in page


def test_a_masked_role_can_still_find_a_file_by_its_exact_id_number(
    huangpu_person, huangpu_dispatcher, client_for
):
    # posted, so that the number never lands in a URL, a log line or the browser history
    html = client_for(huangpu_dispatcher).post("/people/", {"q": huangpu_person.id_number}).content
    assert f"/people/{huangpu_person.pk}/" in html.decode()
    assert html.decode().count(huangpu_person.id_number) == 1  # only echoed in the search box


def test_a_search_for_a_number_with_a_superscript_digit_finds_nothing_instead_of_failing(
    huangpu_person, huangpu_dispatcher, client_for
):
    typed = huangpu_person.id_number[:16] + "²" + huangpu_person.id_number[17]
    response = client_for(huangpu_dispatcher).post("/people/", {"q": typed})
    assert response.status_code == 200
    assert f"/people/{huangpu_person.pk}/" not in response.content.decode()


def test_search_finds_a_file_by_typed_pinyin(huangpu_person, huangpu_dispatcher, client_for):
    html = client_for(huangpu_dispatcher).get("/people/", {"q": "zhang jianguo"}).content.decode()
    assert f"/people/{huangpu_person.pk}/" in html


def test_every_view_of_a_file_is_in_the_audit_trail(
    huangpu_person, huangpu_dispatcher, client_for, token_for
):
    client = client_for(huangpu_dispatcher)
    client.get(f"/people/{huangpu_person.pk}/")
    api(client, token_for(huangpu_dispatcher), "get", f"/persons/{huangpu_person.pk}")
    views = AuditEvent.objects.filter(
        actor=huangpu_dispatcher, action="view", target_id=str(huangpu_person.pk)
    )
    assert sorted(views.values_list("via", flat=True)) == ["api", "page"]


def test_huangpu_cannot_see_a_pudong_file_page_or_api(
    pudong_person, huangpu_dispatcher, client_for, token_for
):
    client = client_for(huangpu_dispatcher)
    assert client.get(f"/people/{pudong_person.pk}/").status_code == 404
    response = api(client, token_for(huangpu_dispatcher), "get", f"/persons/{pudong_person.pk}")
    assert response.status_code == 404
    assert (
        api(
            client, token_for(huangpu_dispatcher), "get", f"/persons/{pudong_person.pk}/timeline"
        ).status_code
        == 404
    )


def test_pudong_cannot_see_a_huangpu_file_page_or_api(
    huangpu_person, pudong_patrol, client_for, token_for
):
    client = client_for(pudong_patrol)
    assert client.get(f"/people/{huangpu_person.pk}/").status_code == 404
    response = api(client, token_for(pudong_patrol), "get", f"/persons/{huangpu_person.pk}")
    assert response.status_code == 404


def test_a_person_seen_in_two_districts_is_visible_to_both_for_their_own_events(
    huangpu_person, pudong_patrol, huangpu_admin, unit, client_for, token_for
):
    services.timeline_record(
        person=huangpu_person,
        kind=TimelineKind.ENCOUNTER,
        at=timezone.now() - timedelta(hours=5),
        summary="浦东巡查：在世纪大道地下通道发现",
        by=pudong_patrol,
    )
    services.timeline_record(
        person=huangpu_person,
        kind=TimelineKind.SERVICE,
        at=timezone.now() - timedelta(hours=2),
        summary="黄浦：送医",
        by=huangpu_admin,
    )
    pudong = client_for(pudong_patrol)
    page = pudong.get(f"/people/{huangpu_person.pk}/").content.decode()
    assert "浦东巡查" in page and "黄浦：送医" not in page
    timeline = api(
        pudong, token_for(pudong_patrol), "get", f"/persons/{huangpu_person.pk}/timeline"
    ).json()
    assert [e["summary"] for e in timeline["items"]] == ["浦东巡查：在世纪大道地下通道发现"]
    huangpu = client_for(huangpu_admin).get(f"/people/{huangpu_person.pk}/").content.decode()
    assert "浦东巡查" in huangpu and "黄浦：送医" in huangpu


def test_a_unit_that_only_met_the_person_cannot_edit_the_file(
    huangpu_person, pudong_patrol, client_for, token_for
):
    services.timeline_record(
        person=huangpu_person,
        kind=TimelineKind.ENCOUNTER,
        at=timezone.now(),
        summary="x",
        by=pudong_patrol,
    )
    client = client_for(pudong_patrol)
    assert client.get(f"/people/{huangpu_person.pk}/edit/").status_code == 403
    response = api(
        client,
        token_for(pudong_patrol),
        "patch",
        f"/persons/{huangpu_person.pk}",
        data={"name": "x"},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_a_reporter_has_no_access_to_person_files(huangpu_person, reporter, client_for, token_for):
    client = client_for(reporter)
    assert client.get("/people/").status_code == 403
    assert (
        api(client, token_for(reporter), "get", f"/persons/{huangpu_person.pk}").status_code == 403
    )


def test_a_bad_id_number_over_the_api_is_refused_in_chinese_and_changes_nothing(
    huangpu_dispatcher, client_for, token_for
):
    before = Person.objects.count()
    response = api(
        client_for(huangpu_dispatcher),
        token_for(huangpu_dispatcher),
        "post",
        "/persons",
        data={"name": "王五", "id_number": "310101197003151230"},
        content_type="application/json",
    )
    assert response.status_code in (400, 422)
    assert "校验位" in response.json()["detail"]
    assert Person.objects.count() == before


def test_an_unknown_person_is_filed_at_once_with_minimal_data_over_the_api(
    huangpu_dispatcher, client_for, token_for
):
    response = api(
        client_for(huangpu_dispatcher),
        token_for(huangpu_dispatcher),
        "post",
        "/persons",
        data={"features": "穿红色羽绒服，约 50 岁"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["person"]["identity_status"] == "unknown"
    assert body["person"]["display_name"] == "无名氏"


def test_the_create_page_files_a_person(huangpu_dispatcher, client_for):
    response = client_for(huangpu_dispatcher).post(
        "/people/new/",
        {"name": "赵六", "sex": "male", "identity_status": "claimed", "age_estimate": "45"},
    )
    assert response.status_code == 302
    person = Person.objects.get(name="赵六")
    assert person.org_unit.code == "310101" and person.birth_year_estimated


def test_candidates_api_gives_reasons(huangpu_person, huangpu_dispatcher, client_for, token_for):
    response = api(
        client_for(huangpu_dispatcher),
        token_for(huangpu_dispatcher),
        "get",
        "/candidates",
        data={"name": "張建國", "sex": "male", "age": 55},
    )
    assert response.status_code == 200
    first = response.json()[0]
    assert first["person_id"] == huangpu_person.pk
    assert any("繁简" in r for r in first["reasons"])


def test_candidates_api_rejects_bad_coordinates(huangpu_dispatcher, client_for, token_for):
    response = api(
        client_for(huangpu_dispatcher),
        token_for(huangpu_dispatcher),
        "get",
        "/candidates",
        data={"name": "张", "lat": "nan", "lng": "121"},
    )
    assert response.status_code == 422


def test_focus_groups_are_counted_per_district(
    make_person, city_admin, client_for, token_for, django_assert_max_num_queries
):
    make_person("310101", name="甲", focus_groups=["rough_sleeping", "begging"])
    make_person("310101002", name="乙", focus_groups=["rough_sleeping"])
    make_person("310115", name="丙", focus_groups=["street_child"])
    client = client_for(city_admin)
    rows = {
        r["district_code"]: r
        for r in api(client, token_for(city_admin), "get", "/focus-groups").json()
    }
    assert rows["310101"]["counts"]["rough_sleeping"] == 2
    assert rows["310101"]["counts"]["begging"] == 1
    assert rows["310115"]["counts"]["street_child"] == 1
    with django_assert_max_num_queries(12):
        assert client.get("/people/focus/", {"group": "rough_sleeping"}).status_code == 200


def test_the_search_page_does_not_query_per_row(
    make_person, city_admin, client_for, django_assert_max_num_queries
):
    for i in range(8):
        make_person("310101", name=f"王{i}", focus_groups=["rough_sleeping"])
    client = client_for(city_admin)
    with django_assert_max_num_queries(12):
        assert client.get("/people/", {"q": "王"}).status_code == 200


def test_the_candidates_panel_ignores_nonsense_input(huangpu_dispatcher, client_for):
    response = client_for(huangpu_dispatcher).get(
        "/people/candidates/", {"name": "张", "age": "abc", "lat": "nan", "lng": "inf"}
    )
    assert response.status_code == 200
