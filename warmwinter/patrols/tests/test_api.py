"""The API the phone app uses, from the outside: multipart encounters with photos, replays,
check-ins, follow-ups, candidates — and bad input answered in Chinese with nothing stored."""

from __future__ import annotations

import io
import json
import uuid
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from warmwinter.audit.models import AuditEvent
from warmwinter.core import clock
from warmwinter.dispatch.models import Shift
from warmwinter.patrols import planning
from warmwinter.patrols.models import Encounter, PatrolStop
from warmwinter.people.models import Person
from warmwinter.people.services import person_create, timeline_record

UNDER_THE_BRIDGE = (31.2200, 121.4850)


def photo(size=(80, 60)):
    out = io.BytesIO()
    Image.new("RGB", size, (10, 90, 200)).save(out, format="JPEG")
    return SimpleUploadedFile("p.jpg", out.getvalue(), content_type="image/jpeg")


def body(**fields):
    data = {
        "client_uuid": str(uuid.uuid4()),
        "lat": UNDER_THE_BRIDGE[0],
        "lng": UNDER_THE_BRIDGE[1],
        "place_name": "老西门桥洞",
        "willingness": "willing",
        "disposition": "guide_station",
        "new_person": {"name": "", "age_estimate": 60, "sex": "male"},
    }
    data.update(fields)
    return data


@pytest.fixture
def patrol(client_for, huangpu_patrol, huangpu_team):
    return client_for(huangpu_patrol)


def post_encounter(client, data, photos=()):
    payload: dict = {"data": data if isinstance(data, str) else json.dumps(data)}
    if photos:
        payload["photos"] = list(photos)
    return client.post("/api/v1/patrols/encounters", payload)


def test_an_encounter_with_a_photo_and_its_replay(patrol):
    data = body(
        flags=["cannot_give_info", "elderly"],
        disposition="escort_station",
        escort_members="王警官",
        escort_to_id=None,
        escort_destination="黄浦区救助管理站",
    )
    first = post_encounter(patrol, data, [photo()])
    assert first.status_code == 201, first.json()
    answer = first.json()
    assert answer["created"] and answer["suggested"] == "escort_station"
    again = post_encounter(patrol, data, [photo()])
    assert again.status_code == 200 and again.json()["id"] == answer["id"]
    assert Encounter.objects.count() == 1 and Person.objects.count() == 1
    assert Encounter.objects.get().photos.count() == 1


@pytest.mark.parametrize(
    ("data", "status", "words"),
    [
        ("{not json", 422, "不是有效的 JSON"),
        (json.dumps({"lat": 31.2}), 422, "必填项"),
        (json.dumps(body(lat=39.9042, lng=116.4074)), 422, "上海"),
        (
            json.dumps(body(occurred_at=(timezone.now() + timedelta(days=1)).isoformat())),
            422,
            "不能晚于现在",
        ),
        (json.dumps(body(flags=["elderly"])), 422, "须说明理由"),
        (json.dumps(body(flags=["flying"])), 422, "评估项无效"),
    ],
)
def test_bad_encounters_are_refused_in_chinese_and_store_nothing(patrol, data, status, words):
    response = post_encounter(patrol, data)
    assert response.status_code == status
    assert words in response.json()["detail"], response.json()
    assert Encounter.objects.count() == 0 and Person.objects.count() == 0


def test_an_oversized_or_fake_photo_is_refused(patrol, settings):
    settings.PHOTO_MAX_BYTES = 2048
    too_big = post_encounter(patrol, body(), [photo((600, 600))])
    assert too_big.status_code == 422 and "照片太大" in too_big.json()["detail"]
    fake = SimpleUploadedFile("x.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")
    not_image = post_encounter(patrol, body(), [fake])
    assert not_image.status_code == 422 and "不是有效的图片" in not_image.json()["detail"]
    assert Encounter.objects.count() == 0 and Person.objects.count() == 0


def test_a_session_post_without_csrf_is_refused(huangpu_patrol, huangpu_team):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(huangpu_patrol)
    response = client.post("/api/v1/patrols/encounters", {"data": json.dumps(body())})
    assert response.status_code == 403
    assert Encounter.objects.count() == 0


@pytest.fixture
def stop_on_tonights_route(huangpu_dispatcher, huangpu_team, unit):
    night = clock.tonight()
    start, end = clock.night_bounds(night)
    Shift.objects.create(team=huangpu_team, starts_at=start, ends_at=end)
    from warmwinter.places.models import Place, PlaceKind

    Place.objects.create(
        kind=PlaceKind.KEY_PLACE, key_place_type="bridge_culvert", name="老西门桥洞",
        org_unit=unit("310101002"), lat=UNDER_THE_BRIDGE[0], lng=UNDER_THE_BRIDGE[1],
    )  # fmt: skip
    plan = planning.plan_night(
        district=unit("310101"), night=night, by=huangpu_dispatcher, now=start - timedelta(hours=1)
    )
    return PatrolStop.objects.filter(night=plan, label="老西门桥洞", route__isnull=False).first()


def test_check_in_at_the_place_and_not_50_km_away(patrol, stop_on_tonights_route):
    key = str(uuid.uuid4())
    far = patrol.post(
        "/api/v1/patrols/checkins",
        {"client_uuid": key, "stop_id": stop_on_tonights_route.pk, "lat": 31.05, "lng": 121.05},
        content_type="application/json",
    )
    assert far.status_code == 422 and "公里" in far.json()["detail"]
    stop_on_tonights_route.refresh_from_db()
    assert stop_on_tonights_route.checked_in_at is None
    here = {
        "client_uuid": key,
        "stop_id": stop_on_tonights_route.pk,
        "lat": 31.2201,
        "lng": 121.4851,
        "nobody_found": True,
    }
    ok = patrol.post("/api/v1/patrols/checkins", here, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["result"] == "nobody"
    again = patrol.post("/api/v1/patrols/checkins", here, content_type="application/json")
    assert again.status_code == 200
    assert AuditEvent.objects.filter(target_type="patrols.patrolstop").count() == 1


def test_an_encounter_that_reuses_another_patrols_submission_id_is_refused_with_409(
    patrol, client_for, make_user, huangpu_team
):
    """A submission id already used by someone else's encounter: 409, nothing stored, and
    nothing of the other encounter shown (it was a server error)."""
    from warmwinter.accounts.roles import Agency, Role

    colleague = make_user("huangpu_patrol2", Role.PATROL_MEMBER, "310101", Agency.POLICE)
    huangpu_team.members.add(colleague)
    data = body(place_name="老西门桥洞")
    assert post_encounter(patrol, data).status_code == 201
    taken = post_encounter(client_for(colleague), {**data, "place_name": "别处"})
    assert taken.status_code == 409
    assert "提交编号已被其他记录使用" in taken.json()["detail"]
    assert "老西门桥洞" not in taken.content.decode()
    assert Encounter.objects.count() == 1 and Person.objects.count() == 1


def test_a_check_in_replayed_for_another_stop_is_refused_with_409(
    patrol, stop_on_tonights_route, unit, huangpu_dispatcher
):
    key = str(uuid.uuid4())
    here = {
        "client_uuid": key,
        "stop_id": stop_on_tonights_route.pk,
        "lat": 31.2201,
        "lng": 121.4851,
    }
    assert (
        patrol.post("/api/v1/patrols/checkins", here, content_type="application/json").status_code
        == 200
    )
    other = PatrolStop.objects.create(
        night=stop_on_tonights_route.night, route=stop_on_tonights_route.route, label="复兴公园门口",
        lat=31.2260, lng=121.4700, window_start=stop_on_tonights_route.window_start,
        window_end=stop_on_tonights_route.window_end,
    )  # fmt: skip
    again = patrol.post(
        "/api/v1/patrols/checkins",
        {**here, "stop_id": other.pk, "lat": 31.2261, "lng": 121.4701},
        content_type="application/json",
    )
    assert again.status_code == 409
    other.refresh_from_db()
    assert other.checked_in_at is None


def test_a_check_in_is_refused_beyond_the_rulebooks_radius(
    patrol, stop_on_tonights_route, set_rule
):
    # ~560 m north of the bridge: within 500 m it is not, within 600 m it is
    there = {"stop_id": stop_on_tonights_route.pk, "lat": 31.2250, "lng": 121.4850}
    far = patrol.post(
        "/api/v1/patrols/checkins",
        {**there, "client_uuid": str(uuid.uuid4())},
        content_type="application/json",
    )
    assert far.status_code == 422 and "超出 500 米范围" in far.json()["detail"]
    set_rule("patrols.checkin_radius", 600)
    ok = patrol.post(
        "/api/v1/patrols/checkins",
        {**there, "client_uuid": str(uuid.uuid4())},
        content_type="application/json",
    )
    assert ok.status_code == 200


def test_today_gives_the_phone_what_it_needs(patrol, stop_on_tonights_route):
    today = patrol.get("/api/v1/patrols/today").json()
    assert any(s["label"] == "老西门桥洞" for s in today["stops"])
    assert today["teams"][0]["name"] == "黄浦一分队"
    assert {r["key"] for r in today["rules"]["rules"]} == {
        "hospital",
        "escort",
        "refuses",
        "inform",
    }
    assert today["streets"] and today["flags"]


def test_old_zhang_under_the_same_bridge_is_offered_first_with_reasons(
    patrol, huangpu_patrol, unit
):
    """Issue 5: a man who says "老张", sleeping under the same bridge as last week."""
    zhang, _w = person_create(
        by=huangpu_patrol,
        org_unit=unit("310101"),
        name="张建国",
        aliases="老张",
        sex="male",
        birth_year=1968,
    )
    other, _w = person_create(
        by=huangpu_patrol, org_unit=unit("310101"), name="张明", sex="male", birth_year=1990
    )
    timeline_record(
        person=zhang, kind="encounter", at=timezone.now() - timedelta(days=7), summary="街面发现",
        org_unit=unit("310101"), lat=UNDER_THE_BRIDGE[0], lng=UNDER_THE_BRIDGE[1], place_name="老西门桥洞",
    )  # fmt: skip
    found = patrol.get(
        "/api/v1/patrols/candidates",
        {
            "name": "老张",
            "sex": "male",
            "age": 58,
            "lat": UNDER_THE_BRIDGE[0],
            "lng": UNDER_THE_BRIDGE[1],
        },
    ).json()
    assert found[0]["person_id"] == zhang.pk
    assert any("附近" in r or "500" in r for r in found[0]["reasons"]), found[0]["reasons"]
    assert other.pk not in [c["person_id"] for c in found[:1]]


def test_a_huangpu_patrol_cannot_open_a_pudong_encounter(
    client_for, pudong_patrol, pudong_team, patrol
):
    made = post_encounter(client_for(pudong_patrol), body(lat=31.2286, lng=121.5270))
    assert made.status_code == 201, made.json()
    assert patrol.get(f"/api/v1/patrols/encounters/{made.json()['id']}").status_code == 404
    assert patrol.get(f"/patrols/encounters/{made.json()['id']}/").status_code == 404
