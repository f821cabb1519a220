"""「对不愿入站接受救助的人员……做好后续跟踪」: every refusal is followed up, whatever the advice was;
the vulnerable sooner, and their district hears at once. Levels: 0 常态, 1 预备, 2 IV级, 3 III级,
4 II级, 5 I级."""

from datetime import timedelta
from typing import Any

import pytest

from warmwinter.patrols.rules import (
    Assessment,
    Disposition,
    Visit,
    Willingness,
    advise,
    check_visit,
    follow_up_plan,
    misses_escalate,
    table_for_client,
)

II, IV = 4, 2


def meet(*flags: str, willingness: str = Willingness.UNKNOWN) -> Assessment:
    return Assessment.from_flags(set(flags), willingness)


def test_an_elderly_man_who_refuses_is_followed_up_within_2_h_at_level_ii():
    man = meet("elderly", "cannot_give_info", willingness=Willingness.REFUSES)
    assert advise(man, level=II).disposition == Disposition.ESCORT_STATION  # the advice
    plan = follow_up_plan(man, Disposition.ESCORT_STATION, level=II)  # deviated, still refused
    assert plan is not None
    assert plan.after == timedelta(hours=2)
    assert plan.vulnerable and plan.notify_district


def test_an_ill_woman_who_refuses_at_level_iv_is_followed_up_in_4_h_and_the_district_told():
    plan = follow_up_plan(meet("ill", willingness=Willingness.REFUSES), "supplies", level=IV)
    assert plan is not None and plan.after == timedelta(hours=4) and plan.notify_district


def test_a_man_who_refuses_at_level_ii_is_followed_up_within_4_h_with_no_alarm():
    plan = follow_up_plan(meet(willingness=Willingness.REFUSES), "supplies", level=II)
    assert plan is not None and plan.after == timedelta(hours=4) and not plan.notify_district


@pytest.mark.parametrize("flag", ["elderly", "minor", "disabled", "critically_ill", "ill"])
def test_each_vulnerable_person_is_followed_up_sooner_than_anyone_else(flag):
    for level in range(6):
        them = follow_up_plan(meet(flag, willingness=Willingness.REFUSES), "hospital", level=level)
        anyone = follow_up_plan(meet(willingness=Willingness.REFUSES), "supplies", level=level)
        assert them is not None and anyone is not None and them.after < anyone.after


def test_supplies_recorded_for_someone_who_did_not_say_no_is_a_refusal_too():
    assert follow_up_plan(meet(), Disposition.SUPPLIES, level=0) is not None


def test_someone_who_comes_along_is_not_followed_up():
    assert follow_up_plan(meet(willingness=Willingness.WILLING), "guide_station", level=5) is None


def test_the_vulnerable_hours_are_the_rulebooks_and_the_phone_gets_the_same(set_rule):
    set_rule("patrols.follow_up_after_vulnerable", [6, 6, 3, 2, 1, 1])
    plan = follow_up_plan(meet("minor", willingness=Willingness.REFUSES), "supplies", level=IV)
    assert plan is not None and plan.after == timedelta(hours=3)
    table: dict[str, Any] = table_for_client()
    assert table["follow_up_hours_vulnerable"][IV] == 3
    assert "ill" in table["vulnerable_flags"]


def test_a_visit_that_found_the_person_says_how_they_are_and_what_they_want():
    errors = check_visit(Visit(found=True))
    assert set(errors) == {"state", "willingness"}
    assert check_visit(Visit(found=True, state="精神尚可，衣被单薄", willingness="refuses")) == {}


def test_not_found_needs_a_check_in_at_the_place_and_a_note(set_rule):
    assert set(check_visit(Visit(found=False))) == {"lat", "note"}
    far = Visit(found=False, note="桥洞下无人", has_position=True, away_m=900)
    assert "超出 300 米" in check_visit(far)["lat"]
    near = Visit(found=False, note="桥洞下无人", has_position=True, away_m=120)
    assert check_visit(near) == {}
    set_rule("patrols.follow_up_radius", 100)
    assert "lat" in check_visit(near)


def test_two_misses_in_a_row_escalate():
    assert not misses_escalate(1)
    assert misses_escalate(2)
