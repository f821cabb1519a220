"""Nobody slips through after a refusal (issue 14): every refusal is followed up, whatever the
advice was; a follow-up is done only with a visit record; misses in a row go to the dispatcher;
a person left in a hospital from the street is visited like a station's outside care."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from warmwinter.core import clock
from warmwinter.notifications.models import Notification
from warmwinter.patrols import services
from warmwinter.patrols.models import FollowUp
from warmwinter.places.models import OrgUnit, Place, PlaceKind
from warmwinter.stations import rules as station_rules
from warmwinter.supplies.selectors import on_hand
from warmwinter.weather.levels import ResponseLevel
from warmwinter.weather.models import LevelCause, LevelEvent


@pytest.fixture
def level(db):
    def set_to(to: ResponseLevel, code: str = "310101") -> None:
        LevelEvent.objects.create(
            district=OrgUnit.objects.get(code=code),
            from_level=0,
            to_level=to,
            cause=LevelCause.MANUAL,
            reason="寒潮",
        )

    return set_to


@pytest.fixture
def refusal(encounter_input, catalogue, huangpu_mobile):
    def make(**fields):
        data = {
            "willingness": "refuses",
            "disposition": "supplies",
            "help_contact_left": True,
            "items": [("instant-food", Decimal(1)), ("cotton-coat", Decimal(1))],
        } | fields
        return encounter_input(**data)

    return make


def test_an_elderly_man_who_cannot_give_his_name_and_refuses_an_escort_is_followed_up_within_2_h_at_level_ii(
    huangpu_patrol, huangpu_team, huangpu_dispatcher, refusal, level
):
    level(ResponseLevel.II)
    result = services.encounter_record(
        by=huangpu_patrol,
        data=refusal(
            flags=["elderly", "cannot_give_info"],
            deviation_reason="老人坚决不肯跟我们走",
        ),
    )
    encounter = result.encounter
    assert encounter.suggested == "escort_station" and encounter.deviated
    follow_up = FollowUp.objects.get(encounter=encounter)
    assert follow_up.due_at == encounter.occurred_at + timedelta(hours=2)
    assert follow_up.vulnerable and follow_up.team == huangpu_team
    assert Notification.objects.filter(
        recipient=huangpu_dispatcher, title="特殊困难人员不愿接受救助", body__contains="老年人"
    ).exists()


def test_a_refusal_of_an_ill_woman_at_level_iv_notifies_the_district_at_once(
    huangpu_patrol, huangpu_team, huangpu_admin, huangpu_dispatcher, refusal, level
):
    level(ResponseLevel.IV)
    result = services.encounter_record(
        by=huangpu_patrol,
        data=refusal(flags=["ill"], new_person=services.NewPerson(sex="female", features="红围巾")),
    )
    follow_up = FollowUp.objects.get(encounter=result.encounter)
    assert follow_up.due_at == result.encounter.occurred_at + timedelta(hours=4)
    for who in (huangpu_admin, huangpu_dispatcher):
        note = Notification.objects.get(recipient=who, title="特殊困难人员不愿接受救助")
        assert "患病" in note.body and "人民广场地下通道" in note.body


def test_a_man_who_says_no_while_guided_to_the_station_is_followed_up_too(
    huangpu_patrol, huangpu_team, encounter_input
):
    result = services.encounter_record(
        by=huangpu_patrol,
        data=encounter_input(
            willingness="refuses",
            disposition="guide_station",
            deviation_reason="愿意自己走去救助站",
        ),
    )
    assert FollowUp.objects.filter(encounter=result.encounter).exists()


def test_a_follow_up_cannot_be_marked_done_without_a_visit_record(
    huangpu_patrol, huangpu_team, refusal
):
    follow_up = FollowUp.objects.get(
        encounter=services.encounter_record(by=huangpu_patrol, data=refusal()).encounter
    )
    with pytest.raises(ValidationError) as found:
        services.follow_up_done(
            follow_up=follow_up, by=huangpu_patrol, visit=services.VisitInput(found=True)
        )
    assert set(found.value.message_dict) >= {"state", "willingness"}
    with pytest.raises(ValidationError) as missed:
        services.follow_up_done(
            follow_up=follow_up,
            by=huangpu_patrol,
            visit=services.VisitInput(found=False, note="没看到"),
        )
    assert "定位签到" in missed.value.message_dict["lat"][0]
    follow_up.refresh_from_db()
    assert follow_up.done_at is None


def test_found_again_with_a_coat_and_still_refusing_is_followed_up_again(
    huangpu_patrol, huangpu_team, refusal, huangpu_mobile, catalogue
):
    follow_up = FollowUp.objects.get(
        encounter=services.encounter_record(by=huangpu_patrol, data=refusal()).encounter
    )
    done, _ = services.follow_up_done(
        follow_up=follow_up,
        by=huangpu_patrol,
        visit=services.VisitInput(
            found=True,
            state="咳嗽，衣服单薄",
            willingness="refuses",
            items=[("cotton-coat", Decimal(1))],
        ),
    )
    assert done.found and done.items.get().item == catalogue.coat
    assert on_hand(huangpu_mobile, catalogue.coat) == Decimal(8)  # 1 at the kerb, 1 now
    assert done.next.done_at is None and done.next.misses == 0


def test_not_found_twice_escalates_to_the_dispatcher(
    huangpu_patrol, huangpu_team, huangpu_dispatcher, refusal
):
    first = FollowUp.objects.get(
        encounter=services.encounter_record(by=huangpu_patrol, data=refusal()).encounter
    )
    lat, lng = first.where

    def not_found(follow_up: FollowUp) -> FollowUp:
        done, _changed = services.follow_up_done(
            follow_up=follow_up,
            by=huangpu_patrol,
            visit=services.VisitInput(
                found=False, note="通道里没有人，问了保安", lat=lat + 0.001, lng=lng, accuracy=20
            ),
        )
        return done.next

    with pytest.raises(ValidationError, match="超出 300 米"):
        services.follow_up_done(
            follow_up=first,
            by=huangpu_patrol,
            visit=services.VisitInput(found=False, note="通道里没有人", lat=lat + 0.01, lng=lng),
        )
    second = not_found(first)
    assert second.misses == 1 and second.priority == "normal"
    assert not Notification.objects.filter(title="后续跟踪连续未找到本人").exists()
    third = not_found(second)
    assert third.misses == 2 and third.priority == "high"
    assert Notification.objects.get(
        recipient=huangpu_dispatcher, title="后续跟踪连续未找到本人"
    ).body.startswith(first.person.display_name)
    away = FollowUp.objects.get(pk=first.pk).checkin_away_m
    assert away is not None and away < 300  # checked in at the place


def test_an_escort_to_hospital_picks_ruijin_and_the_person_gets_visits_on_the_outside_care_schedule(
    huangpu_patrol, huangpu_team, encounter_input, hospital
):
    ruijin = hospital("瑞金医院")
    station = Place.objects.filter(kind=PlaceKind.STATION).first()
    asked = {"flags": ["critically_ill"], "disposition": "hospital", "escort_members": "李队员"}
    for wrong in ({"escort_destination": "瑞金医院"}, {"escort_to_id": station.pk}):
        with pytest.raises(ValidationError) as exc:
            services.encounter_record(by=huangpu_patrol, data=encounter_input(**asked, **wrong))
        assert exc.value.message_dict["escort_to"] == ["送医须选择送往的医院"]
    encounter = services.encounter_record(
        by=huangpu_patrol, data=encounter_input(**asked, escort_to_id=ruijin.pk)
    ).encounter
    assert encounter.escort_to == ruijin
    arrived = services.escort_arrived(
        encounter=encounter, by=huangpu_patrol, arrived_at=None, handover_to="急诊 陈护士"
    )
    visit = FollowUp.objects.get(encounter=encounter, kind="hospital_visit")
    assert visit.place == ruijin and visit.place_label == "瑞金医院"
    schedule = station_rules.next_visit_due(
        last=clock.local_date(arrived.escort_arrived_at),
        every_days=station_rules.visit_every_days(),
    )
    assert clock.local_date(visit.due_at) == schedule  # a month, like a station's discharge
    done, _ = services.follow_up_done(
        follow_up=visit,
        by=huangpu_patrol,
        visit=services.VisitInput(found=True, state="病情稳定", willingness="unknown"),
    )
    assert clock.local_date(done.next.due_at) == clock.local_date(done.done_at) + timedelta(
        days=station_rules.visit_every_days()
    )


def test_the_phone_records_a_not_found_visit_with_its_check_in(
    client_for, huangpu_patrol, huangpu_team, refusal
):
    first = FollowUp.objects.get(
        encounter=services.encounter_record(by=huangpu_patrol, data=refusal()).encounter
    )
    phone = client_for(huangpu_patrol)
    url = f"/api/v1/patrols/follow-ups/{first.pk}/done"
    no_gps = phone.post(url, {"found": False, "note": "桥下无人"}, content_type="application/json")
    assert no_gps.status_code == 422
    lat, lng = first.where
    body = {"found": False, "note": "桥下无人", "lat": lat, "lng": lng, "accuracy": 15}
    assert phone.post(url, body, content_type="application/json").status_code == 200
    (listed,) = phone.get("/api/v1/patrols/follow-ups").json()
    assert listed["misses"] == 1 and listed["place_name"] == "人民广场地下通道"
