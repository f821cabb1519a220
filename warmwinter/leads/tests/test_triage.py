"""Triage: a priority from urgency signals, night hours and the weather response level,
explained on screen; likely duplicates (same place ~150 m, ~2 h) shown and mergeable."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from warmwinter.core import clock
from warmwinter.leads import rules
from warmwinter.leads.selectors import likely_duplicates
from warmwinter.weather.levels import LevelEffects, ResponseLevel

SH = clock.SHANGHAI
LABELS = {"child": "儿童", "lying_still": "躺卧不动", "drunk": "醉酒"}


def _triage(signals, hour, boost=0, people=1):
    return rules.triage(
        signals=signals,
        signal_labels=LABELS,
        people_count=people,
        at=datetime(2026, 1, 10, hour, 30, tzinfo=SH),
        weather_boost=boost,
        weather_label="III级响应（黄）",
    )


def test_a_child_lying_still_at_night_is_urgent_and_the_reasons_are_explained():
    result = _triage(["child", "lying_still"], hour=23)
    assert result.priority == 1
    assert result.explanation() == "夜间 +2, 儿童 +3, 躺卧不动 +4"


def test_a_drunk_adult_in_the_afternoon_is_routine():
    assert _triage(["drunk"], hour=15).priority == 3


def test_night_hours_are_shanghai_local_time():
    assert rules.is_night(datetime(2026, 1, 10, 13, 0, tzinfo=ZoneInfo("UTC")))  # 21:00 local
    assert not rules.is_night(datetime(2026, 1, 10, 3, 0, tzinfo=ZoneInfo("UTC")))  # 11:00


def test_the_weather_response_level_raises_the_priority():
    calm = _triage(["drunk"], hour=15)
    cold = _triage(["drunk"], hour=15, boost=3)
    assert cold.priority < calm.priority
    assert ("III级响应（黄）", 3) in cold.reasons


def test_time_limits_follow_priority_and_shrink_with_the_weather_factor(set_rule):
    assert rules.time_limit(priority=1, stage="dispatch", factor=1.0) == timedelta(minutes=5)
    assert rules.time_limit(priority=1, stage="on_scene", factor=0.5) == timedelta(minutes=15)
    set_rule("leads.time_limits", {"1": [2, 3, 20], "2": [4, 4, 30], "3": [8, 8, 60]})
    assert rules.time_limit(priority=1, stage="accept", factor=1.0) == timedelta(minutes=3)


@pytest.mark.django_db
def test_a_lead_takes_its_boost_and_time_factor_from_the_weather_interface(make_lead, monkeypatch):
    effects = LevelEffects(level=ResponseLevel.II, lead_priority_boost=5, time_limit_factor=0.5)
    monkeypatch.setattr("warmwinter.weather.selectors.level_effects", lambda district: effects)
    lead = make_lead(signals=["drunk"])
    assert lead.priority == 1
    assert [str(effects.level.label), 5] in lead.priority_reasons
    assert lead.time_limit_factor == 0.5
    limit = lead.due_at - lead.received_at
    assert limit == timedelta(minutes=2.5)


@pytest.mark.django_db
def test_two_reports_of_the_same_place_within_two_hours_are_likely_duplicates(
    make_lead, huangpu_dispatcher
):
    now = timezone.now()
    first = make_lead(lat=31.2320, lng=121.4750, received_at=now - timedelta(minutes=90))
    near = make_lead(lat=31.2329, lng=121.4752, received_at=now)  # ~100 m
    far = make_lead(lat=31.2360, lng=121.4750, received_at=now)  # ~450 m
    too_old = make_lead(lat=31.2320, lng=121.4750, received_at=now - timedelta(hours=3))
    found = [d.lead for d in likely_duplicates(near, user=huangpu_dispatcher)]
    assert first in found
    assert far not in found
    assert too_old not in found


@pytest.mark.django_db
def test_the_duplicate_radius_is_configurable(make_lead, huangpu_dispatcher, set_rule):
    a = make_lead(lat=31.2320, lng=121.4750)
    b = make_lead(lat=31.2360, lng=121.4750)
    assert likely_duplicates(a, user=huangpu_dispatcher) == []
    set_rule("leads.duplicate_radius", 600)
    assert [d.lead for d in likely_duplicates(a, user=huangpu_dispatcher)] == [b]
