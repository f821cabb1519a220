"""Background work of the stations; each task only calls a service."""

from __future__ import annotations

from django_tasks import task

from warmwinter.stations import alerts


@task()
def review_station_care() -> int:
    """Alerts on daily care, rosters, night rounds, stays and visits, once a day per kind."""
    return alerts.review_all()
