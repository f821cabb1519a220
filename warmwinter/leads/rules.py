"""The notice's rules for leads as pure functions: triage and time limits.

「救助热线全天畅通，求助线索响应及时」: a lead is scored from its urgency signals, the hour (nights
are colder and lonelier) and the weather response level of its district; the score gives a
priority, and each priority has time limits for dispatch, acceptance and arrival, scaled by the
weather level. Points and limits are settings (getattr with the defaults below).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils.translation import gettext as _

from warmwinter.core import clock

#: Points per urgency signal.
DEFAULT_SIGNAL_POINTS = {
    "lying_still": 4,
    "child": 3,
    "elderly": 2,
    "injured_ill": 3,
    "no_warm_clothing": 2,
    "drunk": 1,
    "mental": 1,
}
#: Night hours (local time): from 20:00 to 07:00 the night bonus applies.
DEFAULT_NIGHT_HOURS = (20, 7)
DEFAULT_NIGHT_POINTS = 2
#: Score thresholds: ≥ 6 → priority 1 (紧急), ≥ 3 → priority 2 (较急), otherwise 3 (一般).
DEFAULT_PRIORITY_THRESHOLDS = (6, 3)
#: Minutes per priority: (dispatched within, accepted within, on scene within).
DEFAULT_TIME_LIMITS = {1: (5, 5, 30), 2: (10, 10, 45), 3: (20, 15, 60)}

PRIORITY_LABELS = {1: "紧急", 2: "较急", 3: "一般"}


def priority_label(priority: int) -> str:
    return _(PRIORITY_LABELS.get(priority, "一般"))


@dataclass(frozen=True)
class Triage:
    score: int
    priority: int
    #: (label, points) in the order they were added, e.g. [("夜间", 2), ("儿童", 3)].
    reasons: list[tuple[str, int]]

    def explanation(self) -> str:
        return ", ".join(f"{label} {points:+d}" for label, points in self.reasons)


def is_night(at: datetime) -> bool:
    start, end = getattr(settings, "LEADS_NIGHT_HOURS", DEFAULT_NIGHT_HOURS)
    hour = at.astimezone(clock.SHANGHAI).hour
    return hour >= start or hour < end


def triage(
    *,
    signals: list[str],
    signal_labels: dict[str, str],
    people_count: int,
    at: datetime,
    weather_boost: int,
    weather_label: str = "",
) -> Triage:
    points_by_signal = getattr(settings, "LEADS_SIGNAL_POINTS", DEFAULT_SIGNAL_POINTS)
    reasons: list[tuple[str, int]] = []
    if is_night(at):
        reasons.append((_("夜间"), getattr(settings, "LEADS_NIGHT_POINTS", DEFAULT_NIGHT_POINTS)))
    for signal in signals:
        points = points_by_signal.get(signal, 0)
        if points:
            reasons.append((signal_labels.get(signal, signal), points))
    if people_count >= 3:
        reasons.append((_("多人"), 1))
    if weather_boost:
        reasons.append((weather_label or _("寒潮响应"), weather_boost))
    score = sum(points for _label, points in reasons)
    p1, p2 = getattr(settings, "LEADS_PRIORITY_THRESHOLDS", DEFAULT_PRIORITY_THRESHOLDS)
    priority = 1 if score >= p1 else 2 if score >= p2 else 3
    return Triage(score=score, priority=priority, reasons=reasons)


STAGES = ("dispatch", "accept", "on_scene")


def time_limit(*, priority: int, stage: str, factor: float) -> timedelta:
    """How long the `stage` ("dispatch", "accept", "on_scene") of a lead of `priority` may take."""
    limits = getattr(settings, "LEADS_TIME_LIMITS", DEFAULT_TIME_LIMITS)
    minutes = limits.get(priority, limits[max(limits)])[STAGES.index(stage)]
    return timedelta(minutes=max(1.0, minutes * factor))
