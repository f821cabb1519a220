"""Background work of leads; each task calls one service."""

from django_tasks import task

from warmwinter.leads import services


@task()
def escalate_overdue_leads() -> int:
    return services.escalate_overdue()
