"""The staff pages and the phone app's shell, service worker and manifest."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal

import pytest

from warmwinter.audit.models import AuditEvent
from warmwinter.patrols import services
from warmwinter.patrols.models import FollowUp, PatrolNight


@pytest.fixture
def refused(huangpu_patrol, huangpu_team, huangpu_mobile, encounter_input):
    return services.encounter_record(
        by=huangpu_patrol,
        data=encounter_input(
            willingness="refuses",
            disposition="supplies",
            help_contact_left=True,
            items=[("instant-food", Decimal(1)), ("cotton-coat", Decimal(1))],
            new_person=services.NewPerson(name="<b>老王</b>"),
        ),
    ).encounter


def test_dispatcher_sees_plans_encounters_and_follow_ups(client_for, huangpu_dispatcher, refused):
    client = client_for(huangpu_dispatcher)
    assert "生成巡查计划" in client.get("/patrols/").content.decode()
    listing = client.get("/patrols/encounters/").content.decode()
    assert "&lt;b&gt;老王&lt;/b&gt;" in listing and "<b>老王</b>" not in listing  # escaped
    detail = client.get(f"/patrols/encounters/{refused.pk}/")
    assert detail.status_code == 200 and "方便食品" in detail.content.decode()
    assert AuditEvent.objects.filter(
        action="view", target_type="patrols.encounter", target_id=str(refused.pk)
    ).exists()
    assert "已超时" not in client.get("/patrols/follow-ups/").content.decode()


def test_a_follow_up_is_done_from_its_visit_page_only_with_a_visit_record(
    client_for, huangpu_patrol, refused
):
    follow_up = FollowUp.objects.get(encounter=refused)
    client = client_for(huangpu_patrol)
    listing = client.get("/patrols/follow-ups/").content.decode()
    assert f"/patrols/follow-ups/{follow_up.pk}/done/" in listing and "登记回访" in listing
    page = client.get(f"/patrols/follow-ups/{follow_up.pk}/done/")
    assert page.status_code == 200 and "定位签到" in page.content.decode()
    assert "<script>" not in page.content.decode()  # the geolocation is visit.js, a module
    empty = client.post(f"/patrols/follow-ups/{follow_up.pk}/done/", {"found": "1"})
    assert empty.status_code == 422 and "请填写见到本人时的现状" in empty.content.decode()
    missed = client.post(
        f"/patrols/follow-ups/{follow_up.pk}/done/", {"found": "0", "note": "无人"}
    )
    assert missed.status_code == 422 and "须在跟踪地点定位签到" in missed.content.decode()
    follow_up.refresh_from_db()
    assert follow_up.done_at is None
    done = client.post(
        f"/patrols/follow-ups/{follow_up.pk}/done/",
        {"found": "1", "state": "精神好", "willingness": "willing", "items": ["instant-food"]},
    )
    assert done.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.found and follow_up.done_at is not None
    assert follow_up.items.get().item.code == "instant-food"


def test_a_patrol_member_lands_on_the_phone_app(client_for, huangpu_patrol):
    client = client_for(huangpu_patrol)
    response = client.get("/patrols/")
    assert response.status_code == 302 and response["Location"] == "/patrols/app/"
    shell = client.get("/patrols/app/").content.decode()
    assert 'id="encounter-form"' in shell and "无法提供个人信息" in shell
    config = json.loads(
        shell.split('id="app-config" type="application/json">')[1].split("</script>")[0]
    )
    assert config["rules"]["rules"][0]["key"] == "hospital"


def test_service_worker_and_manifest(client):
    sw = client.get("/patrols/sw.js")
    assert sw.status_code == 200 and sw["Content-Type"].startswith("application/javascript")
    body = sw.content.decode()
    assert "/patrols/app/" in body and "patrols/app.js" in body
    manifest = json.loads(client.get("/patrols/manifest.webmanifest").content)
    assert manifest["start_url"] == "/patrols/app/" and manifest["display"] == "standalone"


def test_roles_without_patrol_work_are_refused(client_for, reporter, station_worker):
    assert client_for(reporter).get("/patrols/").status_code == 403
    assert client_for(station_worker).get("/patrols/app/").status_code == 403
    response = client_for(station_worker).post(
        "/api/v1/patrols/encounters", {"data": json.dumps({"client_uuid": str(uuid.uuid4())})}
    )
    assert response.status_code == 403


def test_the_auditor_reads_but_cannot_record(client_for, auditor, refused):
    client = client_for(auditor)
    assert client.get(f"/patrols/encounters/{refused.pk}/").status_code == 200
    assert client.get("/patrols/app/").status_code == 403


def test_the_dispatcher_sets_a_key_places_risk_and_hours(
    client_for, huangpu_dispatcher, huangpu_key_place, huangpu_patrol
):
    from warmwinter.patrols.models import PlaceWatch

    client = client_for(huangpu_dispatcher)
    page = client.get("/patrols/key-places/").content.decode()
    assert "人民广场地下通道" in page
    bad = client.post(
        "/patrols/key-places/",
        {
            "place": huangpu_key_place.pk,
            "risk": 9,
            "watch_from": "21:00",
            "watch_until": "05:00",
            "dwell_min": 15,
        },
        follow=True,
    )
    assert "风险等级" in bad.content.decode() and not PlaceWatch.objects.exists()
    client.post(
        "/patrols/key-places/",
        {
            "place": huangpu_key_place.pk,
            "risk": 5,
            "watch_from": "21:00",
            "watch_until": "05:00",
            "dwell_min": 15,
        },
    )
    watch = PlaceWatch.objects.get(place=huangpu_key_place)
    assert watch.risk == 5 and watch.watch_from.hour == 21
    # a patrol member reads but cannot change
    assert (
        client_for(huangpu_patrol)
        .post("/patrols/key-places/", {"place": huangpu_key_place.pk})
        .status_code
        == 403
    )


def test_planning_a_night_too_far_ahead_answers_with_the_reason(client_for, huangpu_dispatcher):
    r = client_for(huangpu_dispatcher).post(
        "/patrols/plan/", {"district": "310101", "night": "9999-12-31"}, follow=True
    )
    assert r.redirect_chain == [("/patrols/", 302)]
    assert "最多只能提前 60 天编制巡查计划" in r.content.decode()
    assert not PatrolNight.objects.exists()
