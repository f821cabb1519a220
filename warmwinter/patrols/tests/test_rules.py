"""The notice's handling rules (section 四), one test per clause, then the combinations."""

from datetime import timedelta

import pytest

from warmwinter.patrols.rules import (
    Assessment,
    Disposition,
    Recorded,
    Willingness,
    advise,
    check_choice,
    table_for_client,
)


def meet(*flags: str, willingness: str = Willingness.UNKNOWN) -> Assessment:
    return Assessment.from_flags(set(flags), willingness)


def test_anyone_found_is_told_of_the_station_and_guided_there():
    advice = advise(meet(willingness=Willingness.WILLING))
    assert advice.disposition == Disposition.GUIDE_STATION
    assert Disposition.GUIDE_SHELTER in advice.acceptable  # a temporary shelter is as good
    assert "应告知其到救助管理机构接受救助" in advice.clauses[0]


@pytest.mark.parametrize("flag", ["critically_ill", "mental_disorder"])
def test_critically_ill_or_suspected_mental_disorder_is_escorted_to_hospital(flag):
    advice = advise(meet(flag, willingness=Willingness.REFUSES))
    assert advice.disposition == Disposition.HOSPITAL
    assert advice.acceptable == {Disposition.HOSPITAL}
    assert "医疗机构" in advice.clauses[0]


@pytest.mark.parametrize("flag", ["disabled", "minor", "elderly", "limited_mobility"])
def test_vulnerable_people_are_escorted_with_police_or_urban_management(flag):
    advice = advise(meet(flag, willingness=Willingness.WILLING))
    assert advice.disposition == Disposition.ESCORT_STATION
    assert advice.with_police_or_urban
    # never just "informed": guiding them is a deviation that needs a reason
    errors = check_choice(advice, Recorded(disposition=Disposition.GUIDE_STATION))
    assert "deviation_reason" in errors


def test_who_cannot_give_personal_information_is_rescued_first():
    advice = advise(meet("cannot_give_info", willingness=Willingness.WILLING))
    assert advice.rescue_first
    assert any("先行救助" in c for c in advice.clauses)


def test_who_refuses_gets_food_and_warmth_a_way_to_ask_for_help_and_a_follow_up():
    advice = advise(meet(willingness=Willingness.REFUSES), level=0)
    assert advice.disposition == Disposition.SUPPLIES
    assert advice.follow_up_after == timedelta(hours=24)
    errors = check_choice(advice, Recorded(disposition=Disposition.SUPPLIES))
    assert set(errors) == {"items", "help_contact_left"}
    only_food = Recorded(disposition=Disposition.SUPPLIES, food_given=True, help_contact_left=True)
    assert set(check_choice(advice, only_food)) == {"items"}  # food AND cold protection
    complete = Recorded(
        disposition=Disposition.SUPPLIES,
        food_given=True,
        warmth_given=True,
        help_contact_left=True,
    )
    assert check_choice(advice, complete) == {}


def test_follow_up_comes_sooner_under_higher_response_levels():
    hours = [
        advise(meet(willingness=Willingness.REFUSES), level=lv).follow_up_after or timedelta(0)
        for lv in range(6)
    ]
    assert hours == sorted(hours, reverse=True)
    assert hours[5] < hours[0]


def test_the_follow_up_hours_per_level_are_the_rulebooks_and_the_phone_gets_the_same(set_rule):
    refuses = meet(willingness=Willingness.REFUSES)
    assert advise(refuses, level=5).follow_up_after == timedelta(hours=2)  # I级: 2 hours
    set_rule("patrols.follow_up_after", [24, 24, 12, 6, 3, 1])
    assert advise(refuses, level=5).follow_up_after == timedelta(hours=1)
    assert table_for_client()["follow_up_hours"] == {0: 24, 1: 24, 2: 12, 3: 6, 4: 3, 5: 1}


def test_a_shanghai_resident_is_referred_to_the_household_street():
    advice = advise(meet("shanghai_resident", willingness=Willingness.WILLING))
    assert advice.refer_household_street
    errors = check_choice(advice, Recorded(disposition=Disposition.GUIDE_STATION))
    assert "household_street" in errors
    ok = Recorded(disposition=Disposition.GUIDE_STATION, household_street=True)
    assert check_choice(advice, ok) == {}


def test_an_escort_records_who_went_and_where():
    advice = advise(meet("critically_ill"))
    errors = check_choice(advice, Recorded(disposition=Disposition.HOSPITAL))
    assert set(errors) == {"escort_members", "escort_to"}
    done = Recorded(
        disposition=Disposition.HOSPITAL,
        escort_members="王警官、李队员",
        escort_to=True,
        escort_to_hospital=True,
    )
    assert check_choice(advice, done) == {}


def test_deviating_from_the_advice_needs_a_reason():
    advice = advise(meet(willingness=Willingness.WILLING))
    errors = check_choice(advice, Recorded(disposition=Disposition.NOT_NEEDED))
    assert "须说明理由" in errors["deviation_reason"]
    with_reason = Recorded(
        disposition=Disposition.NOT_NEEDED, deviation_reason="在等家人来接，已联系家属"
    )
    assert check_choice(advice, with_reason) == {}


# --- combinations ----------------------------------------------------------------------------


def test_a_refusing_elderly_person_is_still_escorted_not_left_with_supplies():
    advice = advise(meet("elderly", willingness=Willingness.REFUSES), level=3)
    assert advice.disposition == Disposition.ESCORT_STATION
    assert advice.follow_up_after is None
    leaving = Recorded(
        disposition=Disposition.SUPPLIES, food_given=True, warmth_given=True, help_contact_left=True
    )
    assert "deviation_reason" in check_choice(advice, leaving)


def test_a_child_who_cannot_give_a_name_is_escorted_and_a_file_opened():
    advice = advise(meet("minor", "cannot_give_info"))
    assert advice.disposition == Disposition.ESCORT_STATION
    assert advice.rescue_first


def test_a_critically_ill_minor_goes_to_hospital_first():
    assert advise(meet("minor", "critically_ill")).disposition == Disposition.HOSPITAL


def test_unknown_flags_are_refused():
    with pytest.raises(ValueError):
        Assessment.from_flags({"drunk_and_happy"}, Willingness.WILLING)
