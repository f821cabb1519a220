"""How fast does a dispatched team hear of its lead? Dispatch → Web Push delivered.

A push service of our own (warmwinter/notifications/tests/push_endpoint.py: a real HTTP server
in a thread that checks the VAPID JWT and decrypts the RFC 8291 body with each device's keys)
stands in for the browser vendors'. A team of three patrols, each with a subscribed phone; N
leads (default 200) are received, then dispatched one by one through the real service
(`leads.lifecycle.lead_assign`), whose on-commit hook queues the `alert_team` task.

Task backend (--backend):
  worker     (default) production's path: django-tasks-db's DatabaseBackend, and a separate
             `manage.py db_worker` process polling at production's interval (1 s, as
             scripts/serve starts it) picks the task up and POSTs the pushes;
  immediate  django-tasks' ImmediateBackend, the one the tests use: the task runs in this
             process on commit, so the figure is the alert's own work (reading the team,
             signing, encrypting and POSTing to every phone) without the queue.

Prints p50/p95/max of dispatch → last phone of the team received, and whether p95 ≤ 2 s.
Run: .venv/bin/python bench/alert.py [--leads 200] [--members 3] [--backend worker|immediate]
Uses its own SQLite database in var/ (removed first).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB = ROOT / "var" / "bench-alert.sqlite3"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=200)
    parser.add_argument("--members", type=int, default=3)
    parser.add_argument("--backend", choices=("worker", "immediate"), default="worker")
    args = parser.parse_args()
    backend = {
        "worker": "django_tasks_db.DatabaseBackend",
        "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    }[args.backend]

    for suffix in ("", "-wal", "-shm"):
        Path(f"{DB}{suffix}").unlink(missing_ok=True)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "warmwinter.settings",
            "DATABASE_URL": f"sqlite:///{DB}",
            "TASKS_BACKEND": backend,
            "PUSH_ALLOW_LOCAL_ENDPOINTS": "1",
            "LOG_LEVEL": "WARNING",
        }
    )
    import django

    django.setup()
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    from warmwinter.accounts.models import User
    from warmwinter.dispatch.models import Shift, Team
    from warmwinter.notifications.tests.push_endpoint import PushEndpoint
    from warmwinter.places.models import OrgUnit
    from warmwinter.places.reference import load_reference_data

    call_command("migrate", verbosity=0)
    load_reference_data()
    huangpu = OrgUnit.objects.get(code="310101")
    dispatcher = User.objects.create(
        username="bench_dispatcher", role="dispatcher", org_unit=huangpu
    )
    team = Team.objects.create(
        name="黄浦一分队", district=huangpu, lat=31.23, lng=121.48, max_load=999
    )
    now = timezone.now()
    Shift.objects.create(
        team=team, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=8)
    )

    worker = None
    if args.backend == "worker":
        # The worker's own log goes to var/ (one line per task), not between the figures.
        log = (ROOT / "var" / "bench-alert-worker.log").open("w")
        worker = subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), "db_worker", "--queue-name", "default"],
            cwd=ROOT,
            env=os.environ.copy(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        with PushEndpoint() as service:
            latencies, leads, elapsed = _run(args, service, team, dispatcher, huangpu)
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
    _report(args, service, latencies, leads, elapsed)


def _run(args: argparse.Namespace, service: Any, team: Any, dispatcher: Any, huangpu: Any) -> Any:
    from warmwinter.accounts.models import User
    from warmwinter.leads.lifecycle import lead_assign
    from warmwinter.leads.services import LeadReport, lead_receive
    from warmwinter.notifications.services import push_subscribe

    for i in range(args.members):
        member = User.objects.create(
            username=f"bench_patrol_{i}", role="patrol_member", org_unit=huangpu
        )
        team.members.add(member)
        endpoint, device = service.device()
        push_subscribe(user=member, endpoint=endpoint, p256dh=device.p256dh, auth=device.auth)

    leads = [
        lead_receive(
            report=LeadReport(
                channel="grid",
                lat=31.2200 + (i % 40) * 0.0005,
                lng=121.4700 + (i // 40) * 0.0005,
                description=f"桥下有人 #{i}",
            ),
            by=None,
        )[0]
        for i in range(args.leads)
    ]

    latencies: list[float] = []
    started = time.perf_counter()
    for lead in leads:
        before = len(service.received)
        t0 = time.perf_counter()
        lead_assign(lead=lead, team=team, by=dispatcher)
        got = service.wait_for(before + args.members, timeout=10)[before:]
        if len(got) < args.members:
            print(f"lead {lead.pk}: only {len(got)} of {args.members} phones reached")
            continue
        if any(r.payload["lead"] != lead.pk for r in got):
            raise SystemExit(f"lead {lead.pk}: a phone got another lead")
        latencies.append(max(r.at for r in got) - t0)
    elapsed = time.perf_counter() - started
    return latencies, leads, elapsed


def _report(
    args: argparse.Namespace, service: Any, latencies: list[float], leads: list[Any], elapsed: float
) -> None:
    if service.refused:
        print("refused by the endpoint:", service.refused[:3])
    if not latencies:
        print("no alert arrived")
        return
    latencies.sort()
    p95 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))]
    print(
        f"{len(latencies)} of {len(leads)} dispatches alerted {args.members} phones each "
        f"(task backend: {args.backend}) in {elapsed:.1f} s"
    )
    print(
        f"dispatch → push received: p50 {statistics.median(latencies) * 1000:.0f} ms, "
        f"p95 {p95 * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms"
    )
    print(f"target p95 ≤ 2 s: {'met' if p95 <= 2.0 else 'NOT met'}")


if __name__ == "__main__":
    main()
