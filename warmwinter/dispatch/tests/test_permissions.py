"""A Huangpu dispatcher can neither see nor dispatch a Pudong lead (404), by page and by API."""

import json

import pytest

from warmwinter.leads.models import Lead, LeadStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def pudong_lead(make_lead):
    return make_lead("pudong", description="浦东的线索")


def test_huangpu_dispatcher_gets_404_for_a_pudong_lead_page(
    pudong_lead, huangpu_dispatcher, client_for
):
    c = client_for(huangpu_dispatcher)
    assert c.get(f"/leads/{pudong_lead.pk}/").status_code == 404
    assert pudong_lead.tracking_code not in c.get("/leads/").content.decode()
    assert pudong_lead.tracking_code not in c.get("/dispatch/board/live/").content.decode()
    assert c.get("/dispatch/?district=310115").status_code == 404


def test_huangpu_dispatcher_cannot_dispatch_a_pudong_lead_by_page(
    pudong_lead, pudong_team, huangpu_team, huangpu_dispatcher, client_for
):
    c = client_for(huangpu_dispatcher)
    for team in (pudong_team, huangpu_team):
        r = c.post(f"/dispatch/leads/{pudong_lead.pk}/assign/", {"team": team.pk})
        assert r.status_code == 404
    assert Lead.objects.get(pk=pudong_lead.pk).status == LeadStatus.RECEIVED


def test_huangpu_dispatcher_gets_404_for_a_pudong_lead_by_api(
    pudong_lead, pudong_team, huangpu_dispatcher, token_for, client
):
    auth = {"Authorization": f"Bearer {token_for(huangpu_dispatcher)}"}
    assert client.get(f"/api/v1/leads/{pudong_lead.pk}", headers=auth).status_code == 404
    listed = client.get("/api/v1/leads", headers=auth).json()["items"]
    assert pudong_lead.pk not in [x["id"] for x in listed]
    r = client.post(
        f"/api/v1/dispatch/leads/{pudong_lead.pk}/assign",
        json.dumps({"team_id": pudong_team.pk}),
        content_type="application/json",
        headers=auth,
    )
    assert r.status_code == 404
    assert Lead.objects.get(pk=pudong_lead.pk).status == LeadStatus.RECEIVED


def test_a_dispatcher_cannot_send_a_lead_to_another_district_s_team(
    make_lead, pudong_team, city_admin, token_for, client
):
    lead = make_lead()  # Huangpu
    auth = {"Authorization": f"Bearer {token_for(city_admin)}"}
    r = client.post(
        f"/api/v1/dispatch/leads/{lead.pk}/assign",
        json.dumps({"team_id": pudong_team.pk}),
        content_type="application/json",
        headers=auth,
    )
    assert r.status_code == 422
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.RECEIVED


def test_pudong_dispatcher_dispatches_by_api_and_a_second_dispatch_is_409(
    pudong_lead, pudong_team, pudong_dispatcher, token_for, client
):
    auth = {"Authorization": f"Bearer {token_for(pudong_dispatcher)}"}
    url = f"/api/v1/dispatch/leads/{pudong_lead.pk}/assign"
    body = json.dumps({"team_id": pudong_team.pk})
    assert client.post(url, body, content_type="application/json", headers=auth).status_code == 200
    second = client.post(url, body, content_type="application/json", headers=auth)
    assert second.status_code == 409
    assert "已派单" in second.json()["detail"]


def test_a_patrol_member_accepts_and_closes_by_api(
    pudong_lead, pudong_team, pudong_dispatcher, pudong_patrol, token_for, client
):
    from warmwinter.leads.lifecycle import lead_assign

    lead_assign(lead=pudong_lead, team=pudong_team, by=pudong_dispatcher)
    auth = {"Authorization": f"Bearer {token_for(pudong_patrol)}"}
    mine = client.get("/api/v1/dispatch/my-leads", headers=auth).json()
    assert [x["id"] for x in mine] == [pudong_lead.pk]
    base = f"/api/v1/dispatch/leads/{pudong_lead.pk}"
    assert client.post(f"{base}/accept", headers=auth).status_code == 200
    assert client.post(f"{base}/accept", headers=auth).status_code == 409
    r = client.post(
        f"{base}/nobody-found",
        json.dumps({"latitude": pudong_lead.lat, "longitude": pudong_lead.lng}),
        content_type="application/json",
        headers=auth,
    )
    assert r.status_code == 422
    r = client.post(
        f"{base}/nobody-found",
        json.dumps(
            {
                "latitude": pudong_lead.lat,
                "longitude": pudong_lead.lng,
                "accuracy_m": 12,
                "note": "周边 200 米查找未见",
            }
        ),
        content_type="application/json",
        headers=auth,
    )
    assert r.status_code == 200 and r.json()["status"] == "closed"
    assert r.json()["outcome"] == "not_found"


def test_a_patrol_member_cannot_dispatch_and_an_auditor_cannot_act(
    make_lead, huangpu_team, huangpu_patrol, auditor, client_for
):
    lead = make_lead()
    r = client_for(huangpu_patrol).post(
        f"/dispatch/leads/{lead.pk}/assign/", {"team": huangpu_team.pk}
    )
    assert r.status_code == 403
    assert client_for(auditor).get(f"/leads/{lead.pk}/").status_code == 200
    assert client_for(auditor).post(f"/dispatch/leads/{lead.pk}/accept/").status_code == 403
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.RECEIVED
