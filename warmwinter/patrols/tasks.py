"""Background work of patrols; each task calls one service."""

from typing import Any

from django_tasks import task

from warmwinter.patrols import planning, services


@task()
def escalate_overdue_follow_ups() -> int:
    return services.escalate_overdue_follow_ups()


@task()
def replan_for_level(district_id: int, to_level: int) -> int | None:
    plan = planning.plan_follow_level(district_id=district_id, to_level=to_level)
    return plan.pk if plan is not None else None


def on_level_changed(sender: Any, *, district_id: int, to_level: int, **kwargs: Any) -> None:
    """weather's `level_changed` (after its commit): tonight's plan follows the new level."""
    replan_for_level.enqueue(district_id, to_level)
