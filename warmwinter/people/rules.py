"""Rules about a person in someone else's care, shared by the station and the street.

「对站外托养人员和送医救治人员定期进行探视，当面了解掌握受助人员身体和精神状况」 (通知 五): whoever
left a person in a hospital or in outside care (站外托养) visits them on one schedule — the
station after a discharge, the patrol after an escort from the street to a hospital. Pure: the
period is the rulebook's `stations.visit_every`.
"""

from __future__ import annotations

from datetime import date, timedelta

from warmwinter.core import rulebook


def visit_every_days() -> int:
    """Visits to people in hospital or outside care: monthly."""
    return rulebook.integer("stations.visit_every")


def next_visit_due(*, last: date, every_days: int | None = None) -> date:
    """The day of the next visit: one period after `last` (the hand-over or the last visit)."""
    return last + timedelta(days=visit_every_days() if every_days is None else every_days)
