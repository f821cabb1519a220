import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from warmwinter.core.schedule import enqueue_due, periodic_tasks


class Command(BaseCommand):
    help = "按 settings.PERIODIC_TASKS 定时把任务放入队列（由 db_worker 执行）。Periodic task enqueuer."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="enqueue every task once and exit")

    def handle(self, *args: Any, once: bool, **options: Any) -> None:
        schedule = periodic_tasks()
        if once:
            for task in enqueue_due(elapsed_s=0, schedule=schedule):
                self.stdout.write(f"enqueued {task}")
            return
        elapsed = 0
        while True:
            enqueue_due(elapsed_s=elapsed, schedule=schedule)
            time.sleep(1)
            elapsed += 1
