"""Background work of patrols; each task calls one service."""

from django_tasks import task

from warmwinter.patrols import services


@task()
def escalate_overdue_follow_ups() -> int:
    return services.escalate_overdue_follow_ups()
