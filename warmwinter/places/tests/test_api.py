import json

import pytest

from warmwinter.audit.models import AuditEvent
from warmwinter.places import geo
from warmwinter.places.models import Place


def bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_huangpu_token_gets_404_for_a_pudong_place(
    client, token_for, huangpu_dispatcher, pudong_key_place
):
    response = client.get(
        f"/api/v1/places/{pudong_key_place.pk}", **bearer(token_for(huangpu_dispatcher))
    )
    assert response.status_code == 404
    assert response.json()["detail"] == "未找到，或不在您的查看范围内"


def test_huangpu_session_gets_404_for_a_pudong_place(
    client_for, huangpu_dispatcher, pudong_key_place
):
    response = client_for(huangpu_dispatcher).get(f"/api/v1/places/{pudong_key_place.pk}")
    assert response.status_code == 404


def test_huangpu_token_reads_a_huangpu_place_with_its_notes(
    client, token_for, huangpu_dispatcher, huangpu_key_place
):
    response = client.get(
        f"/api/v1/places/{huangpu_key_place.pk}", **bearer(token_for(huangpu_dispatcher))
    )
    assert response.status_code == 200
    assert response.json()["risk_notes"] == "出口 3 处积水"
    assert response.json()["org_unit_code"] == "310101002"


def test_list_is_scoped_and_paginated(client, token_for, huangpu_dispatcher, pudong_key_place):
    body = client.get("/api/v1/places?limit=100", **bearer(token_for(huangpu_dispatcher))).json()
    assert body["count"] >= 1
    assert all(item["org_unit_code"].startswith(("310101", "S310101")) for item in body["items"])


@pytest.mark.parametrize("token", ["ww_not-a-real-token", "garbage", "ww_" + "x" * 500])
def test_a_wrong_token_gets_401_in_chinese(client, token, reference):
    response = client.get("/api/v1/places", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 401
    assert "令牌无效" in response.json()["detail"]


def test_a_revoked_token_no_longer_works(client, token_for, city_admin):
    raw = token_for(city_admin)
    assert client.get("/api/v1/me", **bearer(raw)).status_code == 200
    city_admin.api_tokens.update(revoked_at="2026-01-01T00:00:00+08:00")
    assert client.get("/api/v1/me", **bearer(raw)).status_code == 401


def test_english_speakers_get_errors_in_english(client, reference):
    response = client.get("/api/v1/places", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    assert "token" in response.json()["detail"].lower()


def _create(client, token, **overrides):
    payload = {
        "kind": "help_point",
        "name": "新天地求助引导点",
        "org_unit_code": "310101013",
        "lat": 31.2200,
        "lng": 121.4750,
        "is_public": True,
    } | overrides
    return client.post(
        "/api/v1/places", json.dumps(payload), content_type="application/json", **bearer(token)
    )


def test_district_admin_creates_a_place_in_a_street_of_their_district(
    client, token_for, huangpu_admin
):
    response = _create(client, token_for(huangpu_admin))
    assert response.status_code == 201, response.content
    place = Place.objects.get(pk=response.json()["id"])
    assert place.h3_cell == geo.h3_cell(31.2200, 121.4750)
    event = AuditEvent.objects.get(action="create", target_id=str(place.pk))
    assert event.actor == huangpu_admin
    assert event.via == "api"


def test_gcj02_coordinates_from_a_map_app_are_stored_as_wgs84(client, token_for, huangpu_admin):
    gcj = geo.wgs84_to_gcj02(31.2200, 121.4750)
    response = _create(client, token_for(huangpu_admin), lat=gcj.lat, lng=gcj.lng, datum="gcj02")
    body = response.json()
    assert geo.distance_m(geo.LatLng(body["lat"], body["lng"]), geo.LatLng(31.22, 121.475)) < 0.05


def test_district_admin_cannot_create_in_another_district(client, token_for, huangpu_admin):
    response = _create(client, token_for(huangpu_admin), org_unit_code="310115009")
    assert response.status_code == 404
    assert not Place.objects.filter(name="新天地求助引导点").exists()


def test_auditor_is_read_only(client, token_for, auditor):
    response = _create(client, token_for(auditor), org_unit_code="310101013")
    assert response.status_code == 403
    assert response.json()["detail"] == "您的角色不能管理地点"


def test_coordinates_outside_shanghai_are_refused_with_a_clear_message(
    client, token_for, huangpu_admin
):
    response = _create(client, token_for(huangpu_admin), lat=39.9, lng=116.4)
    assert response.status_code == 422
    assert "不在上海市范围内" in response.json()["detail"]
    assert not Place.objects.filter(name="新天地求助引导点").exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"org_unit_code": "31/01"}, "org_unit_code", "格式不正确"),
        ({"lat": "north"}, "lat", "须为数字"),
        ({"lat": 95}, "lat", "不能大于 90"),
        ({"kind": "casino"}, "kind", "取值无效"),
        ({"name": "长" * 500}, "name", "内容太长"),
        ({"kind": "key_place"}, "key_place_type", "须选择点位类型"),
    ],
)
def test_malformed_input_gets_422_naming_the_field(
    client, token_for, huangpu_admin, overrides, field, message
):
    response = _create(client, token_for(huangpu_admin), **overrides)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert any(e["field"] == field and message in e["message"] for e in errors), errors


def test_a_body_that_is_not_json_gets_422(client, token_for, huangpu_admin):
    response = client.post(
        "/api/v1/places",
        "{not json",
        content_type="application/json",
        **bearer(token_for(huangpu_admin)),
    )
    assert response.status_code in (400, 422)
    assert response.json()["detail"]


def test_session_writes_need_the_csrf_token(huangpu_admin, reference):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(huangpu_admin)
    response = client.post("/api/v1/places", "{}", content_type="application/json")
    assert response.status_code == 403


def test_nearby_finds_the_underpass_from_a_gcj02_point(
    client, token_for, city_admin, huangpu_key_place
):
    gcj = geo.wgs84_to_gcj02(31.2318, 121.4748)
    response = client.get(
        "/api/v1/places/nearby",
        {"lat": gcj.lat, "lng": gcj.lng, "datum": "gcj02", "radius_m": 300},
        **bearer(token_for(city_admin)),
    )
    assert response.status_code == 200
    first = response.json()[0]
    assert first["place"]["name"] == "人民广场地下通道"
    assert first["distance_m"] < 50


def test_nearby_outside_shanghai_is_422(client, token_for, city_admin):
    response = client.get(
        "/api/v1/places/nearby", {"lat": 39.9, "lng": 116.4}, **bearer(token_for(city_admin))
    )
    assert response.status_code == 422


def test_org_unit_lookup_rejects_malformed_codes_and_scopes_the_rest(
    client, token_for, huangpu_dispatcher
):
    token = token_for(huangpu_dispatcher)
    assert (
        client.get("/api/v1/org-units/310101002", **bearer(token)).json()["name"] == "南京东路街道"
    )
    assert client.get("/api/v1/org-units/310115009", **bearer(token)).status_code == 404
    assert client.get("/api/v1/org-units/%3Cscript%3E", **bearer(token)).status_code == 422


def test_geojson_layer_holds_the_users_places(client_for, huangpu_dispatcher, huangpu_key_place):
    body = client_for(huangpu_dispatcher).get("/api/v1/places/geojson").json()
    names = {f["properties"]["name"] for f in body["features"]}
    assert "人民广场地下通道" in names
    assert "陆家嘴" not in names


def test_the_schema_and_interactive_docs_are_published(client, reference):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/places" in schema["paths"]
    assert "TokenAuth" in schema["components"]["securitySchemes"]
    assert client.get("/api/v1/docs").status_code in (200, 302)


def test_district_admin_adds_a_hospital_that_patrols_can_escort_to(
    client, client_for, token_for, huangpu_admin, huangpu_dispatcher
):
    response = _create(
        client,
        token_for(huangpu_admin),
        kind="hospital",
        name="瑞金医院",
        org_unit_code="310101",
        lat=31.2117,
        lng=121.4644,
        address="黄浦区瑞金二路197号",
        is_public=False,
    )
    assert response.status_code == 201, response.content
    listing = client_for(huangpu_dispatcher).get("/places/?kind=hospital").content.decode()
    assert "瑞金医院" in listing and "医疗机构（医院）" in listing
    from warmwinter.patrols.selectors import escort_destinations

    assert "瑞金医院" in [p.name for p in escort_destinations(None)]
