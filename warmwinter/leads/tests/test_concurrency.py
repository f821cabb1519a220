"""Two dispatchers at once, a double-tapped accept: one transition, a clean conflict for the
other. Real threads with their own database connections.

On PostgreSQL the service's SELECT … FOR UPDATE serialises them. On SQLite the project opens
every transaction with BEGIN IMMEDIATE (settings), which takes the database write lock at the
start of the transaction, so the second thread waits, then re-reads the committed state and
must refuse: the same guarantee, reached by a coarser lock; this test checks it on both.
"""

import threading

import pytest
from django.db import connection

from warmwinter.leads import lifecycle
from warmwinter.leads.lifecycle import LeadConflictError
from warmwinter.leads.models import Lead, LeadStatus

pytestmark = pytest.mark.django_db(transaction=True)


def _race(n: int, action) -> list[str]:
    return race_each([action] * n)


def race_each(actions: list) -> list[str]:
    """Run each action in its own thread, all released at once; what each ended in, sorted."""
    barrier = threading.Barrier(len(actions))
    results: list[str] = []

    def run(action) -> None:
        try:
            barrier.wait()
            action()
            results.append("ok")
        except LeadConflictError:
            results.append("conflict")
        except Exception as exc:  # noqa: BLE001 - reported in the assertion below
            results.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return sorted(results)


def test_two_dispatchers_racing_on_one_lead_make_one_dispatch(
    make_lead, huangpu_team, huangpu_dispatcher
):
    lead = make_lead()
    results = _race(
        4, lambda: lifecycle.lead_assign(lead=lead, team=huangpu_team, by=huangpu_dispatcher)
    )
    assert results == ["conflict", "conflict", "conflict", "ok"]
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.DISPATCHED
    assert lead.events.filter(to_status="dispatched").count() == 1


def test_a_double_tapped_accept_is_one_acceptance(
    make_lead, huangpu_team, huangpu_dispatcher, huangpu_patrol
):
    lead = make_lead()
    lifecycle.lead_assign(lead=lead, team=huangpu_team, by=huangpu_dispatcher)
    results = _race(2, lambda: lifecycle.lead_accept(lead=lead, by=huangpu_patrol))
    assert results == ["conflict", "ok"]
    assert lead.events.filter(to_status="accepted").count() == 1
