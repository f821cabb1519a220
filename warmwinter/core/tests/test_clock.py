"""The one clock: the patrol night, "tonight", Shanghai dates and the campaign, as the notice and
the people who plan the nights say them."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from warmwinter.core import clock


def shanghai(day: int, hour: int, minute: int = 0, month: int = 1) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=clock.SHANGHAI)


def test_the_night_of_20_january_runs_from_22_00_to_06_00_the_next_morning():
    assert clock.night_bounds(date(2026, 1, 20)) == (shanghai(20, 22), shanghai(21, 6))


@pytest.mark.parametrize(
    ("hour", "minute", "night"),
    [
        (0, 30, 20),  # the small hours belong to the night under way
        (5, 59, 20),
        (6, 0, 21),  # the night ended at 06:00: from now on "tonight" is this evening's
        (7, 30, 21),
        (13, 0, 21),
        (21, 59, 21),
        (23, 0, 21),
    ],
)
def test_tonight_is_the_night_under_way_until_six_then_this_evenings(hour, minute, night):
    assert clock.tonight(shanghai(21, hour, minute)) == date(2026, 1, night)


def test_the_morning_looks_back_at_last_night_and_from_22_00_at_tonight():
    assert clock.last_night_begun(shanghai(21, 8)) == date(2026, 1, 20)
    assert clock.last_night_begun(shanghai(21, 21, 59)) == date(2026, 1, 20)
    assert clock.last_night_begun(shanghai(21, 22)) == date(2026, 1, 21)
    assert clock.last_night_begun(shanghai(22, 2)) == date(2026, 1, 21)


def test_a_window_in_the_small_hours_falls_after_midnight_and_an_evening_one_runs_past_it():
    night = date(2026, 1, 20)
    assert clock.window_in_night(night, time(2), time(4)) == (shanghai(21, 2), shanghai(21, 4))
    assert clock.window_in_night(night, time(20), time(6)) == (shanghai(20, 20), shanghai(21, 6))


def test_dates_are_read_in_shanghai_whatever_the_servers_zone():
    late_utc = datetime(2026, 1, 20, 16, 30, tzinfo=UTC)  # 00:30 on the 21st in Shanghai
    assert clock.local_date(late_utc) == date(2026, 1, 21)
    assert clock.local(late_utc).hour == 0
    naive = datetime(2026, 1, 21, 0, 30)  # noqa: DTZ001 - what a client without a zone sends
    assert clock.aware(naive) == shanghai(21, 0, 30)
    assert clock.day_bounds(date(2026, 1, 21)) == (shanghai(21, 0), shanghai(22, 0))
    with pytest.raises(ValueError):
        clock.local(naive)  # a naive moment is refused, never guessed


def test_the_campaign_runs_from_1_december_to_15_march():
    campaign = clock.campaign_of(date(2026, 1, 20))
    assert (campaign.first_day, campaign.last_day) == (date(2025, 12, 1), date(2026, 3, 15))
    assert campaign.preparation_start == date(2025, 11, 1)
    assert date(2026, 3, 15) in campaign and date(2026, 3, 16) not in campaign
    # from July a date belongs to the winter ahead
    assert clock.campaign_of(date(2026, 7, 1)).first_day == date(2026, 12, 1)
    assert clock.campaign_of(date(2026, 6, 30)).first_day == date(2025, 12, 1)


def test_next_winters_notice_sets_its_campaign_and_its_preparation_already_reads_it(
    add_rule_version,
):
    add_rule_version(date(2030, 12, 1), {"campaign.last_day": [3, 31]})
    assert clock.campaign_of(date(2030, 1, 20)).last_day == date(2030, 3, 15)
    assert clock.campaign_of(date(2030, 11, 5)).last_day == date(2031, 3, 31)
    assert clock.campaign_of(date(2031, 3, 20)).last_day == date(2031, 3, 31)


def test_only_the_clock_defines_the_zone_and_the_night():
    """No module computes a rollover or a zone of its own (four did, and disagreed)."""
    root = Path(clock.__file__).resolve().parents[2]
    own = re.compile(r'ZoneInfo\("Asia/Shanghai"\)|def (tonight|night_of|current_night)\b')
    found = [
        str(path.relative_to(root))
        for folder in ("warmwinter", "bench")
        for path in (root / folder).rglob("*.py")
        if own.search(path.read_text(encoding="utf-8"))
    ]
    assert found == ["warmwinter/core/clock.py"]
