"""Input no view can use is refused before any view sees it, in the user's language and in each
interface's own error shape: a NUL character anywhere in the path, the query string or a form
field (PostgreSQL can neither compare nor store text with NUL: the page fuzz found a dozen
views that pass such a parameter on by hand, each a server error there), and a form post whose
body cannot be parsed (a server error wherever a view read the form)."""

import pytest

from warmwinter.leads.models import Lead

pytestmark = pytest.mark.django_db

MESSAGE = "输入中含有不允许的空字符（NUL），请删除后重新提交"


@pytest.mark.parametrize(
    "url",
    [
        "/dispatch/?district=%00",  # a filter the view reads by hand
        "/leads/hotline/places/?place_q=%00",  # a search term
        "/stations/s/%00/",  # a station code in the path
        "/weather/%00/",  # a district code in the path
    ],
)
def test_a_nul_in_a_page_address_is_refused_in_chinese(url, client_for, city_admin):
    response = client_for(city_admin).get(url)
    assert response.status_code == 400
    assert MESSAGE in response.content.decode()


def test_a_nul_in_a_public_tracking_code_is_refused(client, reference):
    for url in ("/leads/track/%00/", "/leads/track/?code=%00"):
        response = client.get(url)
        assert response.status_code == 400
        assert MESSAGE in response.content.decode()


def test_a_nul_in_a_form_field_is_refused_and_stores_nothing(client, reference):
    response = client.post(
        "/leads/report/",
        {"lat": "31.2320", "lng": "121.4750", "people_count": "1", "description": "桥下\x00有人"},
    )
    assert response.status_code == 400
    assert MESSAGE in response.content.decode()
    assert not Lead.objects.exists()


def test_the_api_refuses_a_nul_in_the_query_string_in_its_error_shape(
    city_admin, token_for, client
):
    response = client.get(
        "/api/v1/places?q=%00", headers={"Authorization": f"Bearer {token_for(city_admin)}"}
    )
    assert response.status_code == 422
    assert response.json() == {"detail": MESSAGE, "errors": [{"field": "q", "message": MESSAGE}]}


def test_open311_refuses_a_nul_in_its_error_shape(client, reference):
    for response in (
        client.get("/open311/v2/requests/%00.json"),
        client.get("/open311/v2/requests.json?service_request_id=%00"),
        client.post("/open311/v2/requests.json", {"service_code": "\x00"}),
    ):
        assert response.status_code == 400
        assert response.json() == [{"code": 400, "description": MESSAGE}]


def test_a_form_post_that_cannot_be_read_is_refused_in_chinese(client, reference):
    response = client.generic(
        "POST", "/leads/report/", b"lat=31.2&lng=121.4", content_type="multipart/form-data"
    )  # no boundary: the parts cannot be told apart
    assert response.status_code == 400
    assert "提交的内容格式有误，无法读取" in response.content.decode()
    assert not Lead.objects.exists()


def _intake(client, token, key, **body):
    import json

    return client.post(
        "/api/v1/leads/intake",
        json.dumps({"lat": 31.2320, "lng": 121.4750, **body}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
    )


@pytest.mark.parametrize(
    "body",
    [
        {"description": "桥下\x00有人"},
        {"description": "桥下有人", "address": "\x00"},
        {"description": "桥下有人", "signals": ["elderly\x00"]},
    ],
)
def test_the_api_refuses_a_nul_inside_a_json_body_and_stores_nothing(
    body, client, city_admin, token_for
):
    response = _intake(client, token_for(city_admin), "nul-key-1", **body)
    assert response.status_code == 422
    assert response.json()["detail"] == MESSAGE
    assert not Lead.objects.exists()


def test_a_json_body_that_only_spells_backslash_u0000_as_text_is_accepted(
    client, city_admin, token_for
):
    response = _intake(client, token_for(city_admin), "nul-key-2", description="路径 C:\\u0000")
    assert response.status_code == 201
    assert Lead.objects.get().description == "路径 C:\\u0000"


def test_a_patrol_encounter_document_holding_a_nul_is_refused():
    from ninja.errors import HttpError

    from warmwinter.patrols.api import _parse_encounter

    with pytest.raises(HttpError) as refused:
        _parse_encounter('{"note": "\\u0000"}')
    assert refused.value.status_code == 422
    assert str(refused.value) == MESSAGE


@pytest.mark.parametrize("body", ['{"lat": 31.2, "lng":', b'{"description": "\xff\xfe"}'])
def test_a_body_that_is_not_json_is_refused_in_chinese(body, client, city_admin, token_for):
    response = client.post(
        "/api/v1/leads/intake",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token_for(city_admin)}", "Idempotency-Key": "bad-json"},
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "请求内容不是有效的 JSON"
    assert not Lead.objects.exists()
