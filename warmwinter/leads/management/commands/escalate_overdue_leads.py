"""Cron-able: `manage.py escalate_overdue_leads` (e.g. every minute) escalates overdue leads."""

from typing import Any

from django.core.management.base import BaseCommand

from warmwinter.leads.services import escalate_overdue


class Command(BaseCommand):
    help = "督办超时线索：先通知区级管理员，仍超时再通知市级（可由 cron 每分钟运行）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--enqueue", action="store_true", help="放入后台任务队列，而不是直接运行"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            from warmwinter.leads.tasks import escalate_overdue_leads

            escalate_overdue_leads.enqueue()
            self.stdout.write("queued")
            return
        steps = escalate_overdue()
        self.stdout.write(f"escalated {steps}")
