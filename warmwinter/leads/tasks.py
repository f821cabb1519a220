"""Background work of leads; each task calls one service."""

from django_tasks import task

from warmwinter.leads import lifecycle, services


@task()
def escalate_overdue_leads() -> int:
    return services.escalate_overdue()


@task()
def auto_dispatch_lead(lead_id: int) -> None:
    lifecycle.auto_dispatch(lead_id=lead_id)
