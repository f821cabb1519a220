"""Background work of leads; each task calls one service."""

from typing import Any

from django_tasks import task

from warmwinter.leads import alerts, lifecycle, services


@task()
def escalate_overdue_leads() -> int:
    return services.escalate_overdue()


@task()
def auto_dispatch_lead(lead_id: int) -> None:
    lifecycle.auto_dispatch(lead_id=lead_id)


@task()
def follow_level_change(district_id: int, from_level: int, to_level: int) -> int:
    return services.leads_follow_level(
        district_id=district_id, from_level=from_level, to_level=to_level
    )


def on_level_changed(
    sender: Any, *, district_id: int, from_level: int, to_level: int, **kwargs: Any
) -> None:
    """weather's `level_changed` (after its commit): re-triage in the background, as a
    district may have many open leads."""
    follow_level_change.enqueue(district_id, from_level, to_level)


@task()
def alert_team(lead_id: int, round_: int = 1) -> int:
    return alerts.alert_team(lead_id=lead_id, round_=round_)


@task()
def chase_unaccepted_leads() -> int:
    return lifecycle.chase_unaccepted()
