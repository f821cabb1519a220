from io import StringIO
from unittest import mock

from django.core.management import call_command

from warmwinter.core.schedule import Periodic, enqueue_due, periodic_tasks


def test_the_schedule_escalates_overdue_leads_every_minute_by_default():
    schedule = {p.task: p.every_s for p in periodic_tasks()}
    assert schedule["warmwinter.leads.tasks.escalate_overdue_leads"] == 60


def test_a_task_is_enqueued_when_its_interval_comes_round():
    schedule = [Periodic("a.b", 60), Periodic("c.d", 300)]
    with mock.patch("warmwinter.core.schedule.import_string") as load:
        assert enqueue_due(elapsed_s=120, schedule=schedule) == ["a.b"]
        assert enqueue_due(elapsed_s=300, schedule=schedule) == ["a.b", "c.d"]
        assert enqueue_due(elapsed_s=61, schedule=schedule) == []
    assert load.return_value.enqueue.call_count == 3


def test_run_schedule_once_puts_every_periodic_task_on_the_queue(db):
    from django_tasks_db.models import DBTaskResult

    out = StringIO()
    call_command("run_schedule", "--once", stdout=out)
    queued = set(DBTaskResult.objects.values_list("task_path", flat=True))
    assert "warmwinter.leads.tasks.escalate_overdue_leads" in queued
    assert "enqueued" in out.getvalue()


def test_the_database_worker_runs_what_the_schedule_enqueued(transactional_db):
    from django_tasks_db.models import DBTaskResult

    call_command("load_reference_data", stdout=StringIO())
    call_command("run_schedule", "--once", stdout=StringIO())
    with mock.patch("warmwinter.weather.tasks.fetch_feed", return_value=b""):
        call_command(
            "db_worker",
            "--batch",
            "--no-startup-delay",
            "--interval",
            "0",
            stdout=StringIO(),
            stderr=StringIO(),
        )
    statuses = dict(DBTaskResult.objects.values_list("task_path", "status"))
    assert statuses["warmwinter.leads.tasks.escalate_overdue_leads"] == "SUCCESSFUL"
    assert statuses["warmwinter.weather.tasks.refresh_levels"] == "SUCCESSFUL"
