"""Background work of dispatch; each task calls one service."""

from django_tasks import task

from warmwinter.dispatch import services


@task()
def auto_dispatch_lead(lead_id: int) -> None:
    services.auto_dispatch(lead_id=lead_id)
