"""The two-step escalation (督办) shared by everything with a deadline: past due, the district's
supervisors are told; still past due the rulebook's `escalation.city_after` later, the city is."""

from __future__ import annotations

from datetime import datetime

from warmwinter.core import clock, rulebook
from warmwinter.places.models import OrgLevel, OrgUnit


def escalate_step(
    *,
    level: int,
    due_at: datetime,
    now: datetime,
    district: OrgUnit,
    title: str,
    body: str,
    url: str,
    source: str,
) -> int:
    """Notify the next level up if it is due; return the new escalation level (0 none,
    1 district, 2 city) — unchanged when nothing was due."""
    from warmwinter.accounts.roles import Role
    from warmwinter.notifications.services import notify, recipients_for

    if due_at >= now or level >= 2:
        return level
    if level == 0:
        new_level, unit, roles = 1, district, [Role.DISTRICT_ADMIN]
    elif due_at + rulebook.duration("escalation.city_after", on=clock.local_date(now)) <= now:
        city = OrgUnit.objects.filter(level=OrgLevel.CITY).first()
        if city is None:
            return level
        new_level, unit, roles = 2, city, [Role.CITY_ADMIN]
    else:
        return level
    notify(
        recipients=recipients_for(org_unit=unit, roles=roles),
        title=title,
        body=body,
        url=url,
        urgency="urgent" if new_level == 2 else "warning",
        source=source,
    )
    return new_level
