"""From the outside: a report through the public page, Open311 and the grid endpoint each lands
on the right district's board, goes through dispatch/accept/close, and its tracking code
shows the status (never personal data)."""

import json
from datetime import timedelta

import pytest
from django.test import Client

from warmwinter.leads.models import Lead, LeadChannel, LeadStatus, LocationSource

pytestmark = pytest.mark.django_db

PUBLIC = {
    "lat": "31.2320",
    "lng": "121.4750",
    "description": "人民广场地下通道有位老人躺着",
    "people_count": "1",
    "signals": ["elderly", "lying_still"],
    "reporter_phone": "13811112222",
}


def _board_codes(client):
    body = client.get("/dispatch/board/live/").content.decode()
    return body


def _dispatch_accept_close(lead, client_for, dispatcher, patrol, team):
    d = client_for(dispatcher)
    assert lead.tracking_code in _board_codes(d)
    assert d.post(f"/dispatch/leads/{lead.pk}/assign/", {"team": team.pk}).status_code == 302
    p = client_for(patrol)
    assert lead.tracking_code in p.get("/dispatch/my/").content.decode()
    assert p.post(f"/dispatch/leads/{lead.pk}/accept/").status_code == 302
    assert p.post(f"/dispatch/leads/{lead.pk}/arrive/").status_code == 302
    r = p.post(
        f"/dispatch/leads/{lead.pk}/nobody-found/",
        {"latitude": lead.lat, "longitude": lead.lng, "accuracy_m": "15", "note": "已在周边查找"},
    )
    assert r.status_code == 302
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CLOSED


def test_a_citizen_reports_without_login_and_gets_a_tracking_code_hotline_and_station(
    client, huangpu_key_place, huangpu_team, huangpu_dispatcher, huangpu_patrol, client_for
):
    response = client.post("/leads/report/", PUBLIC)
    assert response.status_code == 201
    lead = Lead.objects.get()
    body = response.content.decode()
    assert lead.tracking_code in body
    assert "021-12345678" in body
    assert "救助管理站" in body  # the nearest public station
    assert lead.channel == LeadChannel.PUBLIC_WEB
    assert lead.district.code == "310101"
    assert lead.reporter_phone == "13811112222"
    _dispatch_accept_close(lead, client_for, huangpu_dispatcher, huangpu_patrol, huangpu_team)

    track = client.get(f"/leads/track/{lead.tracking_code}/").content.decode()
    assert "已办结" in track
    assert "13811112222" not in track and "老人躺着" not in track and "2222" not in track


def test_the_public_page_accepts_a_landmark_instead_of_coordinates(client, reference):
    from warmwinter.places.models import Place

    landmark = Place.objects.filter(
        is_public=True, org_unit__path__startswith="310000/310115/"
    ).first()
    response = client.post("/leads/report/", {"place": landmark.pk, "people_count": "1"})
    assert response.status_code == 201
    lead = Lead.objects.get()
    assert lead.place == landmark
    assert lead.district.code == "310115"
    assert lead.location_source == LocationSource.PLACE


def test_gcj02_coordinates_are_converted_to_wgs84(client, huangpu_key_place):
    from warmwinter.places.geo import wgs84_to_gcj02

    g = wgs84_to_gcj02(31.2320, 121.4750)
    r = client.post("/leads/report/", {**PUBLIC, "lat": g.lat, "lng": g.lng, "datum": "gcj02"})
    assert r.status_code == 201
    lead = Lead.objects.get()
    assert abs(lead.lat - 31.2320) < 1e-6 and abs(lead.lng - 121.4750) < 1e-6


def test_the_same_public_submission_retried_with_its_client_uuid_is_one_lead(client, reference):
    data = {**PUBLIC, "client_uuid": "3b1f8a52-4a3c-4c1e-9d55-7c6b7d1f0a11"}
    first = client.post("/leads/report/", data)
    again = client.post("/leads/report/", data)
    assert first.status_code == again.status_code == 201
    assert Lead.objects.count() == 1


def test_the_public_page_is_rate_limited_per_client(client, reference, settings):
    settings.LEADS_PUBLIC_RATE = (2, 600)
    assert client.post("/leads/report/", PUBLIC).status_code == 201
    assert client.post("/leads/report/", PUBLIC).status_code == 201
    assert client.post("/leads/report/", PUBLIC).status_code == 429
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.post("/leads/report/", PUBLIC).status_code == 201
    assert Lead.objects.count() == 3


def test_a_forged_forwarded_header_does_not_escape_the_public_rate_limit(reference, settings):
    settings.LEADS_PUBLIC_RATE = (1, 600)
    client = Client(REMOTE_ADDR="10.0.0.7")
    assert client.post("/leads/report/", PUBLIC).status_code == 201
    forged = client.post("/leads/report/", PUBLIC, HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert forged.status_code == 429
    assert Lead.objects.count() == 1


def test_an_unknown_tracking_code_is_404(client, reference):
    assert client.get("/leads/track/ZZZZZZZZZZ/").status_code == 404


def test_a_merged_lead_s_tracking_code_follows_the_lead_it_joined(
    make_lead, huangpu_dispatcher, huangpu_team, client
):
    from warmwinter.leads.lifecycle import lead_assign, lead_merge

    first, second = make_lead(), make_lead()
    lead_merge(lead=second, into=first, by=huangpu_dispatcher)
    lead_assign(lead=first, team=huangpu_team, by=huangpu_dispatcher)
    assert "已派单" in client.get(f"/leads/track/{second.tracking_code}/").content.decode()


# --- Open311 GeoReport v2 -------------------------------------------------------------------


def test_open311_lists_the_service(client, reference):
    services = client.get("/open311/v2/services.json").json()
    assert services[0]["service_code"] == "person-in-cold"


def test_an_open311_client_reports_without_a_key_and_follows_the_status(
    client, pudong_key_place, pudong_team, pudong_dispatcher, pudong_patrol, client_for
):
    response = client.post(
        "/open311/v2/requests.json",
        {
            "service_code": "person-in-cold",
            "lat": "31.2286",
            "long": "121.5270",
            "description": "通道里有人",
            "phone": "13900001111",
            "first_name": "明",
        },
    )
    assert response.status_code == 201, response.content
    code = response.json()[0]["service_request_id"]
    lead = Lead.objects.get(tracking_code=code)
    assert lead.channel == LeadChannel.OPEN311
    assert lead.district.code == "310115"
    status = client.get(f"/open311/v2/requests/{code}.json").json()[0]
    assert status["status"] == "open" and status["status_notes"] == "已接收"
    _dispatch_accept_close(lead, client_for, pudong_dispatcher, pudong_patrol, pudong_team)
    status = client.get(f"/open311/v2/requests/{code}.json").json()[0]
    assert status["status"] == "closed"
    listed = client.get("/open311/v2/requests.json", {"service_request_id": f"{code},NOPE"}).json()
    assert [x["service_request_id"] for x in listed] == [code]
    everything = client.get("/open311/v2/requests.json").json()
    assert [x["service_request_id"] for x in everything] == [code]
    for shown in (status, everything):
        assert "13900001111" not in json.dumps(shown) and "通道里有人" not in json.dumps(shown)


def test_open311_needs_a_location_and_form_encoding(client, reference):
    r = client.post("/open311/v2/requests.json", {"service_code": "person-in-cold"})
    assert r.status_code == 400
    assert r.json()[0]["code"] == 400
    r = client.post(
        "/open311/v2/requests.json",
        json.dumps({"service_code": "person-in-cold", "lat": 31.23, "long": 121.47}),
        content_type="application/json",
    )
    assert r.status_code == 400
    r = client.post(
        "/open311/v2/requests.json", {"service_code": "x", "lat": "31.2", "long": "121.4"}
    )
    assert r.status_code == 400
    assert Lead.objects.count() == 0
    assert client.get("/open311/v2/requests/NOSUCHCODE.json").status_code == 404


def test_open311_posting_is_rate_limited(client, reference, settings):
    settings.LEADS_PUBLIC_RATE = (1, 600)
    data = {"service_code": "person-in-cold", "lat": "31.2286", "long": "121.5270"}
    assert client.post("/open311/v2/requests.json", data).status_code == 201
    assert client.post("/open311/v2/requests.json", data).status_code == 429


# --- the grid platform's JSON intake -------------------------------------------------------


@pytest.fixture
def grid_user(make_user):
    return make_user("grid_platform", "dispatcher", "310000")


def _intake(client, token, body, key="grid-0001-abcdef"):
    headers = {"Authorization": f"Bearer {token}"}
    if key:
        headers["Idempotency-Key"] = key
    return client.post(
        "/api/v1/leads/intake",
        body if isinstance(body, str) else json.dumps(body),
        content_type="application/json",
        headers=headers,
    )


def test_the_grid_platform_posts_a_lead_and_a_replay_with_the_same_key_is_the_same_lead(
    client,
    grid_user,
    token_for,
    huangpu_key_place,
    huangpu_team,
    huangpu_dispatcher,
    huangpu_patrol,
    client_for,
):
    token = token_for(grid_user)
    body = {"lat": 31.2320, "lng": 121.4750, "signals": ["child"], "description": "网格员上报"}
    first = _intake(client, token, body)
    assert first.status_code == 201, first.content
    replay = _intake(client, token, body)
    assert replay.status_code == 200
    assert replay.json()["id"] == first.json()["id"]
    assert Lead.objects.count() == 1
    lead = Lead.objects.get()
    assert lead.channel == LeadChannel.GRID
    assert first.json()["district_code"] == "310101"
    other = _intake(client, token, body, key="grid-0002-abcdef")
    assert other.status_code == 201 and Lead.objects.count() == 2
    Lead.objects.exclude(pk=lead.pk).get()
    _dispatch_accept_close(lead, client_for, huangpu_dispatcher, huangpu_patrol, huangpu_team)


def test_the_grid_intake_needs_a_key_and_a_token(client, grid_user, token_for, reference):
    body = {"lat": 31.2320, "lng": 121.4750}
    assert _intake(client, token_for(grid_user), body, key=None).status_code == 422
    assert (
        client.post(
            "/api/v1/leads/intake", json.dumps(body), content_type="application/json"
        ).status_code
        == 401
    )
    assert Lead.objects.count() == 0


def test_an_explicit_district_overrides_the_resolution(client, grid_user, token_for, reference):
    body = {"lat": 31.2320, "lng": 121.4750, "district_code": "310115"}
    r = _intake(client, token_for(grid_user), body)
    assert r.json()["district_code"] == "310115"
    assert Lead.objects.get().location_source == LocationSource.EXPLICIT


# --- hotline console and the reporters' quick form ------------------------------------------


def test_the_hotline_keeps_the_call_recording_reference_at_least_three_months(
    client_for, hotline_operator, huangpu_key_place
):
    c = client_for(hotline_operator)
    r = c.post(
        "/leads/hotline/",
        {
            "channel": "hotline",
            "reporter_phone": "13700000001",
            "lat": "31.2320",
            "lng": "121.4750",
            "datum": "wgs84",
            "people_count": "2",
            "recording_ref": "REC-20260110-0001",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    lead = Lead.objects.get()
    assert lead.recording_ref == "REC-20260110-0001"
    assert lead.recording_retain_until is not None
    assert lead.recording_retain_until >= (lead.received_at + timedelta(days=91)).date()
    history = c.get("/leads/hotline/caller/", {"reporter_phone": "13700000001"}).content.decode()
    assert lead.tracking_code in history
    assert "人民广场" in c.get("/leads/hotline/places/", {"place_q": "人民广场"}).content.decode()


def test_a_hotline_operator_reopens_the_calls_they_recorded_and_only_those(
    client_for, token_for, hotline_operator, make_user, make_lead, station_worker
):
    c = client_for(hotline_operator)
    r = c.post(
        "/leads/hotline/",
        {
            "channel": "hotline",
            "lat": "31.2320",
            "lng": "121.4750",
            "datum": "wgs84",
            "people_count": "1",
            "recording_ref": "REC-20260110-0002",
        },
    )
    assert r.status_code == 302
    mine = Lead.objects.get()
    assert c.get(f"/leads/{mine.pk}/").status_code == 200
    assert mine.tracking_code in c.get("/leads/").content.decode()
    api = Client(headers={"Authorization": f"Bearer {token_for(hotline_operator)}"})
    assert api.get(f"/api/v1/leads/{mine.pk}").status_code == 200
    # Another operator's call, and the same call for a colleague at the station: not theirs.
    other_operator = make_user("hotline2", "hotline_operator", "S310000-1")
    theirs = make_lead(by=other_operator, channel="hotline", recording_ref="REC-2")
    assert c.get(f"/leads/{theirs.pk}/").status_code == 404
    assert api.get(f"/api/v1/leads/{theirs.pk}").status_code == 404
    assert client_for(station_worker).get(f"/leads/{mine.pk}/").status_code == 404


def test_a_hotline_call_without_its_recording_reference_is_refused(
    client_for, hotline_operator, reference
):
    c = client_for(hotline_operator)
    r = c.post(
        "/leads/hotline/",
        {
            "channel": "hotline",
            "lat": "31.2320",
            "lng": "121.4750",
            "datum": "wgs84",
            "people_count": "1",
        },
    )
    assert r.status_code == 422
    assert Lead.objects.count() == 0


def test_a_reporter_uses_the_quick_form_and_then_sees_only_their_own_leads(
    client_for, reporter, make_lead
):
    other = make_lead(description="别人报告的")
    c = client_for(reporter)
    r = c.post(
        "/leads/new/",
        {
            "channel": "social_force",
            "lat": "31.2320",
            "lng": "121.4750",
            "people_count": "1",
            "description": "环卫工人发现",
        },
    )
    assert r.status_code == 302
    mine = Lead.objects.get(reported_by=reporter)
    page = c.get("/leads/").content.decode()
    assert mine.tracking_code in page and other.tracking_code not in page
    assert c.get(f"/leads/{other.pk}/").status_code == 404
    assert c.get("/leads/hotline/").status_code == 403


def test_a_point_inside_a_district_s_boundary_belongs_to_it(client, reference):
    from warmwinter.places.models import OrgUnit

    centre = OrgUnit.objects.get(code="310151")  # 崇明区
    assert centre.lat is not None
    r = client.post(
        "/leads/report/", {"lat": centre.lat + 0.05, "lng": centre.lng, "people_count": "1"}
    )
    assert r.status_code == 201
    lead = Lead.objects.get()
    assert lead.district == centre
    assert lead.location_source == LocationSource.BOUNDARY


def test_a_point_at_sea_falls_back_to_the_nearest_district_centre(client, reference):
    # East of Pudong's coast, outside every district boundary, still inside Shanghai's extent.
    r = client.post("/leads/report/", {"lat": "31.05", "lng": "122.10", "people_count": "1"})
    assert r.status_code == 201
    lead = Lead.objects.get()
    assert lead.district.code == "310115"
    assert lead.location_source == LocationSource.OUTSIDE_BOUNDARY


def test_a_point_next_to_a_street_s_place_resolves_district_and_street(client, huangpu_key_place):
    r = client.post("/leads/report/", {"lat": "31.2322", "lng": "121.4752", "people_count": "1"})
    assert r.status_code == 201
    lead = Lead.objects.get()
    assert lead.district.code == "310101"
    assert lead.org_unit == huangpu_key_place.org_unit  # 南京东路街道
    assert lead.location_source == LocationSource.BOUNDARY
