"""The API of decisions, night rounds, long-stay placement and shelter admissions: the same
rules and the same scope as the pages."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from warmwinter.places.models import Place, PlaceKind
from warmwinter.stations.models import Admission, AidDecision


def _api(client, method, url, data=None):
    if method == "get":
        return client.get(f"/api/v1/stations{url}")
    return client.post(
        f"/api/v1/stations{url}", data=json.dumps(data or {}), content_type="application/json"
    )


def test_a_leader_refuses_and_terminates_through_the_api(client_for, station_leader, admit):
    client = client_for(station_leader)
    response = _api(
        client,
        "post",
        "/stations/S310000-1/refusals",
        {
            "new_person": {"name": "钱某", "sex": "male"},
            "reason": "not_in_need",
            "detail": "有车票",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "refuse" and body["decided_by"] == "station1_leader"
    assert body["notice_pdf"].endswith("?format=pdf")
    admission = admit()
    response = _api(
        client,
        "post",
        f"/admissions/{admission.pk}/terminate",
        {"reason": "violated_rules", "detail": "打架"},
    )
    assert response.status_code == 201
    admission.refresh_from_db()
    assert admission.discharge_reason == "terminated"
    assert _api(client, "get", f"/decisions/{response.json()['id']}").status_code == 200


def test_a_worker_cannot_decide_and_another_station_cannot_read(
    client_for, station_worker, s2_worker, station_leader, admit
):
    admission = admit()
    denied = _api(
        client_for(station_worker),
        "post",
        f"/admissions/{admission.pk}/terminate",
        {"reason": "violated_rules", "detail": "打架"},
    )
    assert denied.status_code == 403
    assert not AidDecision.objects.exists()
    decision = _api(
        client_for(station_leader),
        "post",
        f"/admissions/{admission.pk}/terminate",
        {"reason": "violated_rules", "detail": "打架"},
    ).json()
    assert _api(client_for(s2_worker), "get", f"/decisions/{decision['id']}").status_code == 404


def test_a_ground_that_does_not_fit_the_decision_is_refused(client_for, station_leader):
    response = _api(
        client_for(station_leader),
        "post",
        "/stations/S310000-1/refusals",
        {"new_person": {"sex": "male"}, "reason": "stay_ended", "detail": "x"},
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "reason", "message": "该理由不适用于此类决定"}]
    assert not AidDecision.objects.exists()


def test_rounds_and_long_stays_through_the_api(client_for, station_worker, s2_worker, admit):
    client = client_for(station_worker)
    assert _api(client, "post", "/stations/S310000-1/rounds", {"note": "安静"}).status_code == 201
    rounds = _api(client, "get", "/stations/S310000-1/rounds").json()
    assert rounds["rounds"][0]["note"] == "安静" and rounds["missing"]
    stay = admit(
        new_person={"aliases": "老哑巴", "sex": "male"},
        admitted_at=timezone.now() - timedelta(days=30),
    )
    assert (
        _api(client, "post", f"/admissions/{stay.pk}/placement", {"kind": "dna"}).status_code == 201
    )
    rows = _api(client, "get", "/stations/S310000-1/long-stays").json()
    assert rows[0]["days_in_station"] == 30 and rows[0]["next_step"] == "face"
    other = client_for(s2_worker)
    assert _api(other, "get", "/stations/S310000-1/long-stays").status_code == 404
    assert _api(other, "post", "/stations/S310000-1/rounds", {}).status_code == 404


@pytest.fixture
def shelter(unit):
    return Place.objects.create(
        kind=PlaceKind.TEMP_SHELTER,
        name="南京东路街道临时救助场所",
        org_unit=unit("310101002"),
        lat=31.2370,
        lng=121.4800,
        capacity=5,
    )


def test_a_shelter_admits_through_the_api(client_for, huangpu_admin, station_worker, shelter):
    payload = {"shelter_id": shelter.pk, "brought_by": "patrol", "category": "vagrant"}
    response = _api(client_for(huangpu_admin), "post", "/admissions", payload)
    assert response.status_code == 201, response.content
    assert response.json()["shelter_id"] == shelter.pk
    assert Admission.objects.get().shelter == shelter
    assert _api(client_for(station_worker), "post", "/admissions", payload).status_code == 404
    both = {**payload, "station": "S310000-1"}
    assert _api(client_for(huangpu_admin), "post", "/admissions", both).status_code == 422
