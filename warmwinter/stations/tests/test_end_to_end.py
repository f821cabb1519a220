"""From a walk-in to going home with a ticket; and a hospital transfer nobody may forget."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from warmwinter.core import clock
from warmwinter.people.models import TimelineEntry
from warmwinter.stations.models import Admission, BedAssignment, ServiceCase


def _post(client, url, data):
    return client.post(
        f"/api/v1/stations{url}", data=json.dumps(data), content_type="application/json"
    )


def test_walk_in_is_admitted_bedded_helped_home_with_a_ticket_and_discharged(
    client_for, station_worker, male_zone
):
    client = client_for(station_worker)
    created = _post(
        client,
        "/admissions",
        {
            "station": "S310000-1",
            "brought_by": "self",
            "category": "robbed",
            "new_person": {"name": "孙七", "sex": "male", "age_estimate": 45},
            "security_checks": ["body_search", "baggage", "dangerous"],
            "held_items": "手机一部",
            "held_items_seal": "F-2025-0001",
            "held_items_signed": True,
            "temperature": "36.6",
        },
    ).json()
    assert created["zone_kind"] == "male"
    bed = male_zone.beds.get(label="M1")
    assert _post(client, f"/admissions/{created['id']}/bed", {"bed_id": bed.pk}).status_code == 200

    case = _post(
        client,
        f"/admissions/{created['id']}/services",
        {"kind": "assisted_return", "destination": "安徽省合肥市"},
    ).json()
    refused = _post(client, f"/services/{case['id']}/close", {"outcome": "已返乡"})
    assert refused.status_code == 422
    assert "车票" in refused.json()["detail"]
    step = _post(
        client,
        f"/services/{case['id']}/steps",
        {
            "note": "购得火车票",
            "transport": "G7201 上海虹桥—合肥南 12-05 09:12",
            "handover_to": "合肥市救助管理站",
        },
    ).json()
    assert [s["note"] for s in step["steps"]] == ["购得火车票"]
    closed = _post(client, f"/services/{case['id']}/close", {"outcome": "已送上火车，合肥站接站"})
    assert closed.json()["status"] == "done"

    gone = _post(
        client,
        f"/admissions/{created['id']}/discharge",
        {"reason": "returned_home", "destination": "安徽省合肥市"},
    ).json()
    assert gone["status"] == "discharged"
    assert gone["next_visit_due"] is None
    assert not BedAssignment.objects.filter(bed=bed, ended_at__isnull=True).exists()
    kinds = list(
        TimelineEntry.objects.filter(person_id=created["person_id"]).values_list("kind", flat=True)
    )
    assert {"admission", "service", "discharge"} <= set(kinds)
    page = client.get(f"/stations/admissions/{created['id']}/").content.decode()
    assert "G7201" in page and "返乡/返家" in page


def test_a_hospital_transfer_whose_monthly_visit_becomes_overdue_shows_on_the_station_home(
    client_for, station_worker, admit
):
    admission = admit(new_person={"name": "周八", "sex": "female", "age_estimate": 50})
    client = client_for(station_worker)
    response = client.post(
        f"/stations/admissions/{admission.pk}/discharge/",
        {"reason": "to_hospital", "destination": "上海市精神卫生中心"},
    )
    assert response.status_code == 302
    admission.refresh_from_db()
    assert admission.next_visit_due == clock.local_date() + timedelta(days=30)
    home = client.get("/stations/s/S310000-1/").content.decode()
    assert "上海市精神卫生中心" not in home  # not yet due

    # A month and a day pass without a visit.
    Admission.objects.filter(pk=admission.pk).update(
        discharged_at=timezone.now() - timedelta(days=31),
        next_visit_due=clock.local_date() - timedelta(days=1),
    )
    home = client.get("/stations/s/S310000-1/").content.decode()
    assert "上海市精神卫生中心" in home and "周八" in home

    visited = client.post(
        f"/stations/admissions/{admission.pk}/visit/",
        {"physical_state": "身体状况平稳", "mental_state": "情绪稳定，能简单交流"},
    )
    assert visited.status_code == 302
    admission.refresh_from_db()
    assert admission.next_visit_due == clock.local_date() + timedelta(days=30)
    assert "上海市精神卫生中心" not in client.get("/stations/s/S310000-1/").content.decode()


def test_discharge_to_hospital_without_a_hospital_is_refused(client_for, station_worker, admit):
    admission = admit()
    response = client_for(station_worker).post(
        f"/stations/admissions/{admission.pk}/discharge/", {"reason": "to_hospital"}
    )
    assert response.status_code == 422
    assert "送医或站外托养须填写医院或托养机构" in response.content.decode()
    admission.refresh_from_db()
    assert admission.status == "in_station"


@pytest.mark.parametrize("kind", ["counselling", "legal_aid", "employment", "tracing"])
def test_each_service_is_a_case_with_an_owner_steps_and_an_outcome(
    client_for, station_worker, admit, kind
):
    admission = admit()
    client = client_for(station_worker)
    assert (
        client.post(f"/stations/admissions/{admission.pk}/services/", {"kind": kind}).status_code
        == 302
    )
    case = ServiceCase.objects.get(admission=admission)
    assert case.owner == station_worker
    assert (
        client.post(f"/stations/services/{case.pk}/step/", {"note": "第一次面谈"}).status_code
        == 302
    )
    assert (
        client.post(
            f"/stations/services/{case.pk}/close/", {"outcome": "已完成", "done": "1"}
        ).status_code
        == 302
    )
    case.refresh_from_db()
    assert case.status == "done" and case.steps.count() == 1


def test_a_shanghai_resident_is_referred_to_the_household_street(client_for, station_worker, admit):
    admission = admit()
    client = client_for(station_worker)
    refused = client.post(
        f"/stations/admissions/{admission.pk}/services/", {"kind": "resident_referral"}
    )
    assert refused.status_code == 422
    ok = client.post(
        f"/stations/admissions/{admission.pk}/services/",
        {"kind": "resident_referral", "destination": "黄浦区南京东路街道"},
    )
    assert ok.status_code == 302


def test_the_leader_extends_a_stay_on_the_page(client_for, station_leader, station_worker, admit):
    admission = admit()
    until = (admission.stay_until + timedelta(days=5)).isoformat()
    assert (
        client_for(station_worker)
        .post(
            f"/stations/admissions/{admission.pk}/extend/", {"until": until, "reason": "等待寻亲"}
        )
        .status_code
        == 403
    )
    response = client_for(station_leader).post(
        f"/stations/admissions/{admission.pk}/extend/", {"until": until, "reason": "等待寻亲结果"}
    )
    assert response.status_code == 302
    admission.refresh_from_db()
    assert admission.stay_until.isoformat() == until


def test_api_lists_overdue_visits_and_records_a_visit_in_person(
    client_for, station_worker, s2_worker, admit
):
    admission = admit()
    client = client_for(station_worker)
    _post(
        client,
        f"/admissions/{admission.pk}/discharge",
        {"reason": "outside_care", "destination": "松江托养中心"},
    )
    Admission.objects.filter(pk=admission.pk).update(
        next_visit_due=clock.local_date() - timedelta(days=2)
    )
    overdue = client.get("/api/v1/stations/visits/overdue").json()
    assert [a["id"] for a in overdue] == [admission.pk]
    assert client_for(s2_worker).get("/api/v1/stations/visits/overdue").json() == []
    visit = _post(
        client,
        f"/admissions/{admission.pk}/visits",
        {"physical_state": "良好", "mental_state": "稳定"},
    )
    assert visit.status_code == 201
    assert client.get("/api/v1/stations/visits/overdue").json() == []


def test_api_extension_needs_the_leader(client_for, station_worker, station_leader, admit):
    admission = admit(admitted_at=timezone.now() - timedelta(days=9))
    near = client_for(station_worker).get("/api/v1/stations/stays/near-limit").json()
    assert [a["id"] for a in near] == [admission.pk]
    until = (admission.stay_until + timedelta(days=7)).isoformat()
    assert (
        _post(
            client_for(station_worker),
            f"/admissions/{admission.pk}/extend",
            {"until": until, "reason": "寻亲中"},
        ).status_code
        == 403
    )
    ok = _post(
        client_for(station_leader),
        f"/admissions/{admission.pk}/extend",
        {"until": until, "reason": "寻亲中"},
    )
    assert ok.status_code == 200 and ok.json()["stay_until"] == until
