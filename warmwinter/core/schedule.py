"""Periodic work. django-tasks has no scheduler of its own, so `manage.py run_schedule` enqueues
these tasks on their intervals and the worker (`db_worker`) runs them like any other task.
`scripts/serve` starts it beside the web server and the worker; production runs it once
(a single process: two schedulers would enqueue everything twice)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Periodic:
    task: str  # dotted path of a django_tasks Task
    every_s: int


def periodic_tasks() -> list[Periodic]:
    return [Periodic(path, int(seconds)) for path, seconds in settings.PERIODIC_TASKS]


def enqueue_due(*, elapsed_s: int, schedule: list[Periodic]) -> list[str]:
    """Enqueue every task whose interval divides `elapsed_s`; returns their paths."""
    due = [p for p in schedule if elapsed_s % p.every_s == 0]
    for p in due:
        import_string(p.task).enqueue()
    return [p.task for p in due]
