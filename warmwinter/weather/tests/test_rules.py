"""The rules as data a reader can check, and the small pure functions that apply them."""

from datetime import date, datetime, time
from decimal import Decimal
from types import SimpleNamespace

import pytest

from warmwinter.core import clock
from warmwinter.weather import rules, selectors
from warmwinter.weather.levels import ResponseLevel

SHANGHAI = clock.SHANGHAI


def _row(ruleset, warning_type, colour):
    r = ruleset.warning_rules.get(warning_type=warning_type, colour=colour)
    return (
        r.window_hours,
        r.temp_drop_c,
        r.min_temp_c,
        ResponseLevel(r.level),
    )


@pytest.mark.django_db
def test_cold_wave_criteria_are_the_cma_2007_signal_criteria_with_their_source():
    """寒潮 blue: within 48 h the minimum falls ≥ 8 °C to ≤ 4 °C; yellow: within 24 h falls
    ≥ 10 °C to ≤ 4 °C; orange: ≥ 12 °C to ≤ 0 °C; red: ≥ 16 °C to ≤ 0 °C."""
    ruleset = selectors.ruleset_in_force()
    assert _row(ruleset, "cold_wave", "blue") == (48, Decimal(8), Decimal(4), ResponseLevel.IV)
    assert _row(ruleset, "cold_wave", "yellow") == (24, Decimal(10), Decimal(4), ResponseLevel.III)
    assert _row(ruleset, "cold_wave", "orange") == (24, Decimal(12), Decimal(0), ResponseLevel.II)
    assert _row(ruleset, "cold_wave", "red") == (24, Decimal(16), Decimal(0), ResponseLevel.I)
    for rule in ruleset.warning_rules.filter(warning_type="cold_wave"):
        assert "中国气象局令第16号" in rule.source and "2007" in rule.source


@pytest.mark.django_db
def test_road_icing_yellow_orange_red_are_within_12_6_and_2_hours():
    ruleset = selectors.ruleset_in_force()
    hours = [
        ruleset.warning_rules.get(warning_type="road_icing", colour=c).window_hours
        for c in ("yellow", "orange", "red")
    ]
    assert hours == [12, 6, 2]


@pytest.mark.django_db
def test_every_warning_rule_names_its_source():
    assert not selectors.ruleset_in_force().warning_rules.filter(source="").exists()


def test_the_highest_warning_decides_the_level():
    blue = SimpleNamespace(warning_type="cold_wave", colour="blue")
    orange = SimpleNamespace(warning_type="cold_wave", colour="orange")
    key = {("cold_wave", "blue"): 2, ("cold_wave", "orange"): 4}
    assert rules.level_for_warnings([blue, orange], key=key) == (ResponseLevel.II, orange)
    assert rules.level_for_warnings([], key=key) == (ResponseLevel.NORMAL, None)


def test_a_warning_without_a_rule_raises_nothing():
    fog = SimpleNamespace(warning_type="fog", colour="red")
    assert rules.level_for_warnings([fog], key={}) == (ResponseLevel.NORMAL, None)


@pytest.mark.parametrize(
    ("night_min", "level"),
    [
        (Decimal("0.1"), ResponseLevel.NORMAL),
        (Decimal("0"), ResponseLevel.PREPARE),
        (Decimal("-5"), ResponseLevel.PREPARE),
        (None, ResponseLevel.NORMAL),
    ],
)
def test_a_forecast_night_minimum_at_or_below_zero_means_prepare(night_min, level):
    assert rules.level_for_forecast(night_min, [(Decimal("0"), 1)]) == level


def test_two_visits_in_22_to_06_fall_at_22_and_02_the_next_morning():
    slots = rules.patrol_slots(date(2026, 1, 20), visits=2, start=time(22), end=time(6))
    assert slots == [
        datetime(2026, 1, 20, 22, tzinfo=SHANGHAI),
        datetime(2026, 1, 21, 2, tzinfo=SHANGHAI),
    ]


def test_the_small_hours_belong_to_the_night_before():
    assert clock.tonight(datetime(2026, 1, 21, 2, tzinfo=SHANGHAI)) == date(2026, 1, 20)
    assert clock.tonight(datetime(2026, 1, 21, 18, tzinfo=SHANGHAI)) == date(2026, 1, 21)
