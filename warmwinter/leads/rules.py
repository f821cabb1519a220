"""The notice's rules for leads as pure functions: triage, time limits, "120 first" and what
proves a team found nobody at the place.

「救助热线全天畅通，求助线索响应及时」: a lead is scored from its urgency signals, the hour (nights
are colder and lonelier) and the weather response level of its district; the score gives a
priority, and each priority has time limits for dispatch, acceptance and arrival, scaled by the
weather level. Points, night hours, thresholds and limits are rules of the rulebook
(`core/rulebook`, group `leads`), read for the day of the report.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils.translation import gettext as _

from warmwinter.core import clock, rulebook

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
    """Whether the night bonus applies at `at` (from 20:00 to 07:00 by default)."""
    local = clock.local(at)
    start, end = rulebook.integers("leads.night_hours", on=local.date())
    return local.hour >= start or local.hour < end


def triage(
    *,
    signals: list[str],
    signal_labels: dict[str, str],
    people_count: int,
    at: datetime,
    weather_boost: int,
    weather_label: str = "",
) -> Triage:
    day = clock.local_date(at)
    points_by_signal = rulebook.table("leads.signal_points", on=day)
    reasons: list[tuple[str, int]] = []
    if is_night(at):
        reasons.append((_("夜间"), rulebook.integer("leads.night_points", on=day)))
    for signal in signals:
        points = int(points_by_signal.get(signal, 0))
        if points:
            reasons.append((signal_labels.get(signal, signal), points))
    if people_count >= rulebook.integer("leads.crowd_from", on=day):
        reasons.append((_("多人"), rulebook.integer("leads.crowd_points", on=day)))
    if weather_boost:
        reasons.append((weather_label or _("寒潮响应"), weather_boost))
    score = sum(points for _label, points in reasons)
    # ≥ the first threshold → priority 1 (紧急), ≥ the second → 2 (较急), otherwise 3 (一般)
    p1, p2 = rulebook.integers("leads.priority_thresholds", on=day)
    priority = 1 if score >= p1 else 2 if score >= p2 else 3
    return Triage(score=score, priority=priority, reasons=reasons)


STAGES = ("dispatch", "accept", "on_scene")

#: An open lead's current stage by its status, and the field holding the moment that stage
#: began (its time limit runs from there). Closed, cancelled and merged leads have none.
STAGE_OF_STATUS = {
    "received": ("dispatch", "received_at"),
    "dispatched": ("accept", "dispatched_at"),
    "accepted": ("on_scene", "accepted_at"),
}


def time_limit(*, priority: int, stage: str, factor: float) -> timedelta:
    """How long the `stage` ("dispatch", "accept", "on_scene") of a lead of `priority` may take."""
    # minutes per priority: (dispatched within, accepted within, on scene within)
    limits = {int(p): within for p, within in rulebook.table("leads.time_limits").items()}
    minutes = limits.get(priority, limits[max(limits)])[STAGES.index(stage)]
    return timedelta(minutes=max(1.0, minutes * factor))


#: Signals that mean danger to life: whoever sees the lead calls 120 first, before a team is
#: even sent (「危重病人」 go to hospital, section 四; a person lying still or who cannot be woken
#: on a freezing night may be hypothermic). A classification, not a number: it lives here, beside
#: the triage that scores the same signals, rather than in the rulebook's numeric tables.
LIFE_DANGER_SIGNALS = frozenset({"lying_still", "unresponsive", "injured_ill"})


def needs_ambulance(signals: Iterable[str]) -> bool:
    """Whether a lead with these urgency signals needs 120 (急救) called first."""
    return any(s in LIFE_DANGER_SIGNALS for s in signals)


def nobody_found_refusal(*, distance_m: float, accuracy_m: float, on: date | None = None) -> str:
    """Why a "nobody found" check-in does not prove the team was at the lead's place, or "".

    The fix must be within `leads.nobody_found_radius` of the place, and no vaguer than
    `leads.nobody_found_accuracy` (a fix 1 km wide proves nothing)."""
    radius = rulebook.integer("leads.nobody_found_radius", on=on)
    sharpest = rulebook.integer("leads.nobody_found_accuracy", on=on)
    if distance_m > radius:
        return _("签到位置距线索地点 %(n)d 米，超过 %(m)d 米：请到达现场后再签到") % {
            "n": round(distance_m),
            "m": radius,
        }
    if accuracy_m > sharpest:
        return _("定位误差 %(n)d 米，超过 %(m)d 米：请到开阔处重新定位") % {
            "n": round(accuracy_m),
            "m": sharpest,
        }
    return ""


def accept_alert_limits(*, priority: int, factor: float) -> tuple[timedelta, timedelta]:
    """After a dispatch without acceptance: when the team is alerted again, and when the lead
    goes back to the dispatcher's board as 「未接单」 (both from the dispatch)."""
    limits = {int(p): pair for p, pair in rulebook.table("leads.accept_alerts").items()}
    again, back = limits.get(priority, limits[max(limits)])
    return (
        timedelta(minutes=max(1.0, again * factor)),
        timedelta(minutes=max(1.0, back * factor)),
    )
