"""Background reserve reviews. Each task only calls a service."""

from __future__ import annotations

from django_tasks import task

from warmwinter.places.models import OrgLevel, OrgUnit
from warmwinter.supplies import alerts


@task()
def review_supply_reserves() -> int:
    """Review every district's stock against its targets at its current level, and expiry."""
    return alerts.review_all()


@task()
def review_district_reserves(district_code: str) -> int:
    """Review one district (the weather app enqueues this when the district's level changes)."""
    district = OrgUnit.objects.get(level=OrgLevel.DISTRICT, code=district_code)
    return len(alerts.review_reserves(district))
