"""The stock ledger: balances are the sum of movements, never negative, nothing half-written."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from warmwinter.audit.models import AuditEvent
from warmwinter.core import clock
from warmwinter.supplies import selectors, services
from warmwinter.supplies.models import (
    MovementKind,
    StockBalance,
    StockMovement,
    TransferStatus,
)
from warmwinter.supplies.services import Line


def assert_ledger_balances(warehouse, item):
    assert selectors.on_hand(warehouse, item) == selectors.ledger_sum(warehouse, item)


def test_on_hand_equals_the_sum_of_movements_after_every_kind_of_movement(
    catalogue, warehouses, receive, city_admin, pudong_admin
):
    c, w = catalogue, warehouses
    receive(w.pudong, c.coat, 40, batch="COAT-A")
    receive(w.pudong, c.food, 100, batch="FOOD-A")
    services.stock_issue(
        by=pudong_admin,
        warehouse=w.pudong,
        lines=[Line(c.coat, Decimal(2)), Line(c.food, Decimal(3))],
        recipient_kind="person",
        recipient_label="世纪大道地下通道 男 约60岁",
    )
    transfer = services.stock_transfer_send(
        by=pudong_admin,
        from_warehouse=w.pudong,
        to_warehouse=w.pudong_mobile,
        lines=[Line(c.coat, Decimal(10))],
    )
    services.stock_transfer_receive(by=pudong_admin, transfer=transfer)
    batch = StockBalance.objects.get(warehouse=w.pudong, item=c.food).batch
    services.stock_correct(
        by=pudong_admin,
        warehouse=w.pudong,
        batch=batch,
        kind=MovementKind.WRITE_OFF,
        quantity=5,
        reason="包装破损",
    )
    services.stock_correct(
        by=pudong_admin,
        warehouse=w.pudong,
        batch=batch,
        kind=MovementKind.ADJUSTMENT,
        quantity=1,
        reason="盘点多出",
        increase=True,
    )
    for warehouse in (w.pudong, w.pudong_mobile):
        for item in (c.coat, c.food):
            assert_ledger_balances(warehouse, item)
    assert selectors.on_hand(w.pudong, c.coat) == 28
    assert selectors.on_hand(w.pudong_mobile, c.coat) == 10
    assert selectors.on_hand(w.pudong, c.food) == 93


def test_a_transfer_is_in_transit_until_received_and_cannot_be_received_twice(
    catalogue, warehouses, receive, pudong_admin
):
    receive(warehouses.pudong, catalogue.quilt, 20)
    transfer = services.stock_transfer_send(
        by=pudong_admin,
        from_warehouse=warehouses.pudong,
        to_warehouse=warehouses.pudong_mobile,
        lines=[Line(catalogue.quilt, Decimal(6))],
    )
    assert transfer.status == TransferStatus.IN_TRANSIT
    assert selectors.on_hand(warehouses.pudong, catalogue.quilt) == 14
    assert selectors.on_hand(warehouses.pudong_mobile, catalogue.quilt) == 0
    services.stock_transfer_receive(by=pudong_admin, transfer=transfer)
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.RECEIVED
    assert selectors.on_hand(warehouses.pudong_mobile, catalogue.quilt) == 6
    with pytest.raises(ValidationError, match="已签收"):
        services.stock_transfer_receive(by=pudong_admin, transfer=transfer)
    assert selectors.on_hand(warehouses.pudong_mobile, catalogue.quilt) == 6


def test_issuing_more_than_on_hand_is_refused_and_nothing_is_written(
    catalogue, warehouses, receive, pudong_admin
):
    receive(warehouses.pudong, catalogue.coat, 5)
    receive(warehouses.pudong, catalogue.food, 1)
    before = StockMovement.objects.count()
    with pytest.raises(ValidationError, match="可用数量不足"):
        services.stock_issue(
            by=pudong_admin,
            warehouse=warehouses.pudong,
            lines=[Line(catalogue.coat, Decimal(1)), Line(catalogue.food, Decimal(2))],
            recipient_kind="person",
            recipient_label="张某",
        )
    # The coat line came first and would have succeeded alone: it was rolled back with the rest.
    assert StockMovement.objects.count() == before
    assert selectors.on_hand(warehouses.pudong, catalogue.coat) == 5


def test_an_expired_batch_cannot_be_issued_with_a_clear_error(
    catalogue, warehouses, receive, pudong_admin
):
    yesterday = clock.local_date() - timedelta(days=1)
    receive(warehouses.pudong, catalogue.food, 10, batch="OLD", expires_on=yesterday, days_ago=200)
    before = StockMovement.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.stock_issue(
            by=pudong_admin,
            warehouse=warehouses.pudong,
            lines=[Line(catalogue.food, Decimal(1))],
            recipient_kind="person",
            recipient_label="李某",
        )
    assert "已过期" in str(exc.value)
    pinned = StockBalance.objects.get(warehouse=warehouses.pudong).batch
    with pytest.raises(ValidationError, match="已于 .* 过期"):
        services.stock_issue(
            by=pudong_admin,
            warehouse=warehouses.pudong,
            lines=[Line(catalogue.food, Decimal(1), pinned)],
            recipient_kind="person",
            recipient_label="李某",
        )
    assert StockMovement.objects.count() == before


def test_issue_takes_the_batch_that_expires_first(catalogue, warehouses, receive, pudong_admin):
    today = clock.local_date()
    receive(warehouses.pudong, catalogue.food, 5, batch="LATE", expires_on=today + timedelta(90))
    receive(warehouses.pudong, catalogue.food, 5, batch="SOON", expires_on=today + timedelta(10))
    moved = services.stock_issue(
        by=pudong_admin,
        warehouse=warehouses.pudong,
        lines=[Line(catalogue.food, Decimal(7))],
        recipient_kind="person",
        recipient_label="王某",
    )
    assert [(m.batch.code, m.quantity) for m in moved] == [("SOON", -5), ("LATE", -2)]


@pytest.mark.parametrize("quantity", ["-1", "0", "1.5", "0.0001", "NaN"])
def test_negative_zero_or_fractional_quantities_of_whole_units_are_refused(
    catalogue, warehouses, receive, pudong_admin, quantity
):
    receive(warehouses.pudong, catalogue.coat, 5)
    before = StockMovement.objects.count()
    with pytest.raises(ValidationError):
        services.stock_issue(
            by=pudong_admin,
            warehouse=warehouses.pudong,
            lines=[Line(catalogue.coat, Decimal(quantity))],
            recipient_kind="person",
            recipient_label="赵某",
        )
    assert StockMovement.objects.count() == before


def test_divisible_units_may_be_issued_in_fractions(catalogue, warehouses, receive, pudong_admin):
    receive(warehouses.pudong, catalogue.rice, "10.5")
    services.stock_issue(
        by=pudong_admin,
        warehouse=warehouses.pudong,
        lines=[Line(catalogue.rice, Decimal("2.5"))],
        recipient_kind="person",
        recipient_label="钱某",
    )
    assert selectors.on_hand(warehouses.pudong, catalogue.rice) == Decimal("8.0")


def test_issuing_from_another_districts_warehouse_is_refused(
    catalogue, warehouses, receive, huangpu_admin
):
    receive(warehouses.pudong, catalogue.coat, 5)
    with pytest.raises(PermissionDenied):
        services.stock_issue(
            by=huangpu_admin,
            warehouse=warehouses.pudong,
            lines=[Line(catalogue.coat, Decimal(1))],
            recipient_kind="person",
            recipient_label="孙某",
        )
    assert selectors.on_hand(warehouses.pudong, catalogue.coat) == 5


def test_the_ledger_cannot_be_edited_or_deleted(catalogue, warehouses, receive):
    movement = receive(warehouses.pudong, catalogue.coat, 5)
    with pytest.raises(RuntimeError):
        movement.save()
    with pytest.raises(RuntimeError):
        movement.delete()
    with pytest.raises(RuntimeError):
        StockMovement.objects.filter(pk=movement.pk).update(quantity=50)


def test_an_issue_to_a_person_is_audited_with_its_recipient(
    catalogue, warehouses, receive, pudong_patrol
):
    receive(warehouses.pudong_mobile, catalogue.coat, 3)
    services.stock_issue(
        by=pudong_patrol,
        warehouse=warehouses.pudong_mobile,
        lines=[Line(catalogue.coat, Decimal(1))],
        recipient_kind="person",
        recipient_label="拒绝入站 男 50岁",
        ref_type="patrols.encounter",
        ref_id="17",
        person_ref="people.person:5",
    )
    event = AuditEvent.objects.filter(actor=pudong_patrol).latest("at")
    assert event.detail["recipient"] == "拒绝入站 男 50岁"
    assert event.detail["person_ref"] == "people.person:5"
    assert event.org_unit.code == "310115"


def _race(n_threads, action):
    """Run `action` in n threads with their own connections, released together."""
    barrier = threading.Barrier(n_threads)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run():
        try:
            barrier.wait()
            action()
            result = "ok"
        except ValidationError:
            result = "refused"
        except Exception as exc:  # noqa: BLE001 - a thread's failure is reported by the assertion
            result = f"error: {exc!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run) for _ in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs row locks and concurrent writers: SQLite serialises writers (runs on PostgreSQL)",
)
@pytest.mark.parametrize(("stock", "threads"), [(1, 6), (3, 8)])
@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_of_the_last_units_never_drive_stock_negative(
    catalogue, warehouses, receive, pudong_patrol, stock, threads
):
    receive(warehouses.pudong_mobile, catalogue.coat, stock)

    def issue_one():
        services.stock_issue(
            by=pudong_patrol,
            warehouse=warehouses.pudong_mobile,
            lines=[Line(catalogue.coat, Decimal(1))],
            recipient_kind="person",
            recipient_label="并发测试",
        )

    outcomes = _race(threads, issue_one)
    assert sorted(outcomes) == ["ok"] * stock + ["refused"] * (threads - stock)
    assert selectors.on_hand(warehouses.pudong_mobile, catalogue.coat) == 0
    assert_ledger_balances(warehouses.pudong_mobile, catalogue.coat)
    issued = StockMovement.objects.filter(kind=MovementKind.ISSUE).count()
    assert issued == stock


@pytest.fixture
def ops_env(catalogue, warehouses, receive, pudong_admin):
    return catalogue, warehouses, receive, pudong_admin


# The fixtures are shared across examples on purpose: the ledger keeps growing, and the
# invariants must hold after every operation of every example.
@settings(
    max_examples=12,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    ops=st.lists(
        st.tuples(
            st.sampled_from(["receive", "issue", "write_off", "adjust_up", "transfer"]),
            st.sampled_from(["coat", "rice"]),
            st.decimals(min_value=Decimal("-3"), max_value=Decimal("40"), places=1),
        ),
        max_size=10,
    )
)
@pytest.mark.django_db
def test_whatever_is_tried_on_hand_is_the_sum_of_the_ledger_and_never_negative(ops_env, ops):
    catalogue, warehouses, receive, admin = ops_env
    w, other = warehouses.pudong, warehouses.pudong_mobile
    for op, code, quantity in ops:
        item = getattr(catalogue, code)
        try:
            if op == "receive":
                services.stock_receive(
                    by=admin,
                    warehouse=w,
                    item=item,
                    quantity=quantity,
                    source_kind="purchase",
                    source="供应商",
                )
            elif op == "issue":
                services.stock_issue(
                    by=admin,
                    warehouse=w,
                    lines=[Line(item, quantity)],
                    recipient_kind="person",
                    recipient_label="p",
                )
            elif op == "transfer":
                services.stock_transfer_send(
                    by=admin, from_warehouse=w, to_warehouse=other, lines=[Line(item, quantity)]
                )
            else:
                balance = StockBalance.objects.filter(warehouse=w, item=item).first()
                if balance is None:
                    continue
                services.stock_correct(
                    by=admin,
                    warehouse=w,
                    batch=balance.batch,
                    kind=MovementKind.WRITE_OFF if op == "write_off" else MovementKind.ADJUSTMENT,
                    quantity=quantity,
                    reason="盘点",
                    increase=op == "adjust_up",
                )
        except ValidationError:
            pass
        for item in (catalogue.coat, catalogue.rice):
            assert_ledger_balances(w, item)
    assert not StockBalance.objects.filter(quantity__lt=0).exists()
    for b in StockBalance.objects.filter(item=catalogue.coat):
        assert b.quantity == b.quantity.to_integral_value()  # whole units stay whole
