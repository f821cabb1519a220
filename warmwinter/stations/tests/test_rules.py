"""通知 五：「入站安检、分类救助、分区管理」 — classification, read like the clauses."""

from datetime import date
from decimal import Decimal

from warmwinter.stations import rules
from warmwinter.stations.models import ZoneKind
from warmwinter.stations.rules import MentalSign, StayState, Symptom


def test_a_15_year_old_girl_goes_to_the_minors_zone():
    verdict = rules.classify(sex="female", age=15, temperature=Decimal("36.6"))
    assert verdict.zone_kind == ZoneKind.MINOR
    assert not verdict.send_to_hospital


def test_an_80_year_old_man_goes_to_the_elderly_zone():
    verdict = rules.classify(sex="male", age=80)
    assert verdict.zone_kind == ZoneKind.ELDERLY


def test_a_man_with_fever_and_cough_is_isolated():
    verdict = rules.classify(
        sex="male", age=35, temperature=Decimal("38.2"), symptoms=[Symptom.COUGH]
    )
    assert verdict.zone_kind == ZoneKind.ISOLATION
    assert not verdict.send_to_hospital


def test_a_cough_without_fever_is_only_observed():
    verdict = rules.classify(
        sex="male", age=35, temperature=Decimal("36.8"), symptoms=[Symptom.COUGH]
    )
    assert verdict.zone_kind == ZoneKind.OBSERVATION


def test_a_woman_with_signs_of_acute_mental_illness_goes_to_mental_health_observation():
    verdict = rules.classify(
        sex="female", age=42, mental_signs=[MentalSign.HALLUCINATION, MentalSign.AGITATION]
    )
    assert verdict.zone_kind == ZoneKind.MENTAL_HEALTH
    assert not verdict.send_to_hospital


def test_acute_mental_illness_with_self_harm_is_sent_to_hospital():
    verdict = rules.classify(sex="female", age=42, mental_signs=[MentalSign.SELF_HARM])
    assert verdict.zone_kind == ZoneKind.MENTAL_HEALTH
    assert verdict.send_to_hospital


def test_high_fever_or_chest_pain_suggests_hospital():
    assert rules.classify(sex="male", age=30, temperature=Decimal("39.5")).send_to_hospital
    assert rules.classify(sex="male", age=30, symptoms=[Symptom.CHEST_PAIN]).send_to_hospital


def test_injuries_need_observation_even_for_a_minor():
    verdict = rules.classify(sex="female", age=15, injuries="左臂擦伤")
    assert verdict.zone_kind == ZoneKind.OBSERVATION


def test_healthy_adults_are_separated_by_sex():
    assert rules.classify(sex="female", age=30).zone_kind == ZoneKind.FEMALE
    assert rules.classify(sex="male", age=30).zone_kind == ZoneKind.MALE
    assert rules.classify(sex="unknown", age=None).zone_kind == ZoneKind.MALE


def test_age_thresholds_are_18_and_60():
    assert rules.classify(sex="male", age=17).zone_kind == ZoneKind.MINOR
    assert rules.classify(sex="male", age=18).zone_kind == ZoneKind.MALE
    assert rules.classify(sex="male", age=59).zone_kind == ZoneKind.MALE
    assert rules.classify(sex="male", age=60).zone_kind == ZoneKind.ELDERLY


def test_a_stay_is_capped_at_ten_days():
    assert rules.stay_until(date(2025, 12, 1)) == date(2025, 12, 11)


def test_stay_state_warns_two_days_ahead_and_flags_past_the_limit():
    until = date(2025, 12, 11)
    assert rules.stay_state(until=until, today=date(2025, 12, 5)) == StayState.OK
    assert rules.stay_state(until=until, today=date(2025, 12, 9)) == StayState.NEAR
    assert rules.stay_state(until=until, today=date(2025, 12, 12)) == StayState.OVER


def test_visits_are_monthly_by_default_and_configurable(set_rule):
    assert rules.visit_every_days() == 30
    set_rule("stations.visit_every", 14)
    assert rules.next_visit_due(
        last=date(2025, 12, 1), every_days=rules.visit_every_days()
    ) == date(2025, 12, 15)


def test_capacity_alert_when_a_tenth_or_fewer_beds_are_free():
    assert rules.capacity_alert(free=1, total=10)
    assert not rules.capacity_alert(free=2, total=10)
    assert not rules.capacity_alert(free=0, total=0)


def test_a_stay_is_limited_by_the_rules_in_force_on_the_day_it_began(add_rule_version):
    """Next winter's notice may change the limit: a stay begun before keeps its own."""
    add_rule_version(date(2030, 12, 1), {"stations.stay_limit": 12})
    assert rules.stay_until(date(2030, 11, 30)) == date(2030, 12, 10)
    assert rules.stay_until(date(2030, 12, 1)) == date(2030, 12, 13)
