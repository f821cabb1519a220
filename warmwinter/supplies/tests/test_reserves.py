"""Reserves: 「要加强救助物资储备，确保救助物资品类齐全、数量充足、质量可靠」 — targets per level,
shortfall alerts (also when the level rises), near-expiry alerts, and a transfer plan."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest

from warmwinter.accounts.roles import Role
from warmwinter.core import clock
from warmwinter.notifications.models import Notification
from warmwinter.supplies import alerts, rules, selectors, services
from warmwinter.supplies.models import AlertKind, ReserveTarget, StockAlert
from warmwinter.weather.levels import ResponseLevel

D = Decimal


# --- the rules, as pure functions -------------------------------------------------------


def test_a_level_without_its_own_target_uses_the_nearest_lower_levels_target():
    targets: dict[int, Decimal] = {ResponseLevel.NORMAL: D(10), ResponseLevel.III: D(30)}
    assert rules.effective_target(targets, ResponseLevel.NORMAL) == 10
    assert rules.effective_target(targets, ResponseLevel.IV) == 10
    assert rules.effective_target(targets, ResponseLevel.III) == 30
    assert rules.effective_target(targets, ResponseLevel.I) == 30
    only_iii: dict[int, Decimal] = {ResponseLevel.III: D(5)}
    assert rules.effective_target(only_iii, ResponseLevel.NORMAL) is None


def test_a_batch_is_near_expiry_within_the_warning_window_and_expired_after_its_date():
    today = date(2026, 1, 10)
    assert rules.near_expiry(date(2026, 1, 20), today, 30)
    assert not rules.near_expiry(date(2026, 3, 1), today, 30)
    assert rules.is_expired(date(2026, 1, 9), today)
    assert not rules.is_expired(date(2026, 1, 10), today)
    assert not rules.is_expired(None, today)


def test_the_plan_takes_from_the_district_before_the_city_and_never_more_than_the_surplus():
    needs = [rules.Need(1, 7, D(30)), rules.Need(2, 7, D(5))]
    surpluses = [
        rules.Surplus(9, 7, D(100), priority=1),  # the city store
        rules.Surplus(3, 7, D(20), priority=0),  # another warehouse in the district
    ]
    plan = rules.plan_transfers(needs, surpluses)
    assert plan == [
        rules.PlannedTransfer(3, 1, 7, D(20)),
        rules.PlannedTransfer(9, 1, 7, D(10)),
        rules.PlannedTransfer(9, 2, 7, D(5)),
    ]


def test_the_plan_leaves_a_need_uncovered_when_nobody_has_surplus():
    assert rules.plan_transfers([rules.Need(1, 7, D(3))], [rules.Surplus(2, 8, D(50))]) == []


# --- targets, shortfalls and alerts -----------------------------------------------------


@pytest.fixture
def pudong_targets(catalogue, warehouses):
    def target(w, item, level, qty):
        ReserveTarget.objects.create(warehouse=w, item=item, level=level, quantity=D(qty))

    target(warehouses.pudong, catalogue.quilt, ResponseLevel.NORMAL, 20)
    target(warehouses.pudong, catalogue.quilt, ResponseLevel.III, 60)
    target(warehouses.pudong, catalogue.coat, ResponseLevel.NORMAL, 10)
    target(warehouses.pudong_mobile, catalogue.coat, ResponseLevel.NORMAL, 4)
    target(warehouses.pudong_mobile, catalogue.coat, ResponseLevel.III, 8)
    return warehouses


def test_shortfalls_compare_usable_stock_with_the_targets_of_the_given_level(
    unit, catalogue, pudong_targets, receive
):
    w = pudong_targets
    receive(w.pudong, catalogue.quilt, 30)
    receive(w.pudong, catalogue.coat, 10)
    receive(w.pudong_mobile, catalogue.coat, 5)
    pudong = unit("310115")
    assert selectors.shortfalls_for(pudong, ResponseLevel.NORMAL) == []
    short = {
        (s.warehouse.code, s.item.code): s.missing
        for s in selectors.shortfalls_for(pudong, ResponseLevel.III)
    }
    assert short == {("pd", "quilt"): 30, ("pd-m1", "cotton-coat"): 3}


def test_expired_stock_does_not_count_towards_a_target(unit, catalogue, pudong_targets, receive):
    receive(
        pudong_targets.pudong,
        catalogue.coat,
        10,
        expires_on=clock.local_date() - timedelta(days=1),
        days_ago=3,
    )
    short = selectors.shortfalls_for(unit("310115"), ResponseLevel.NORMAL)
    assert [(s.item.code, s.missing) for s in short if s.warehouse.code == "pd"] == [
        ("quilt", 20),
        ("cotton-coat", 10),
    ]


def test_raising_a_districts_level_produces_shortfall_alerts_against_its_targets(
    settings, unit, catalogue, pudong_targets, receive, pudong_admin
):
    w = pudong_targets
    receive(w.pudong, catalogue.quilt, 30)
    receive(w.pudong, catalogue.coat, 10)
    receive(w.pudong_mobile, catalogue.coat, 5)
    pudong = unit("310115")
    settings.WEATHER_DEFAULT_LEVEL = ResponseLevel.NORMAL
    assert alerts.review_reserves(pudong) == []  # enough stock for the normal level

    settings.WEATHER_DEFAULT_LEVEL = ResponseLevel.III  # a cold wave: the level rises
    new = alerts.review_reserves(pudong)
    assert {(a.kind, a.warehouse.code, a.item.code, a.quantity) for a in new} == {
        (AlertKind.LEVEL_RAISED, "pd", "quilt", 30),
        (AlertKind.LEVEL_RAISED, "pd-m1", "cotton-coat", 3),
    }
    note = Notification.objects.get(recipient=pudong_admin)
    assert note.urgency == "warning"
    assert "2" in note.title and note.url == "/supplies/alerts/"
    # Reviewing again at the same level repeats nothing.
    assert alerts.review_reserves(pudong) == []
    assert StockAlert.objects.filter(resolved_at__isnull=True).count() == 2


def test_the_weather_hook_reports_shortfalls_of_the_new_level(
    unit, catalogue, pudong_targets, receive
):
    receive(pudong_targets.pudong, catalogue.quilt, 30)
    new = alerts.on_level_changed(
        district=unit("310115"), old=ResponseLevel.NORMAL, new=ResponseLevel.III
    )
    assert {(a.kind, a.item.code) for a in new} >= {(AlertKind.LEVEL_RAISED, "quilt")}


def test_a_shortfall_alert_is_resolved_once_stock_is_back_to_target(
    settings, unit, catalogue, pudong_targets, receive
):
    settings.WEATHER_DEFAULT_LEVEL = ResponseLevel.NORMAL
    pudong = unit("310115")
    receive(pudong_targets.pudong, catalogue.quilt, 5)
    alerts.review_reserves(pudong)
    alert = StockAlert.objects.get(item=catalogue.quilt)
    receive(pudong_targets.pudong, catalogue.quilt, 15)
    alerts.review_reserves(pudong)
    alert.refresh_from_db()
    assert alert.resolved_at is not None


def test_an_issue_that_takes_a_warehouse_below_target_raises_an_alert(
    catalogue, pudong_targets, receive, pudong_patrol, pudong_admin
):
    receive(pudong_targets.pudong_mobile, catalogue.coat, 5)
    services.stock_issue(
        by=pudong_patrol,
        warehouse=pudong_targets.pudong_mobile,
        lines=[services.Line(catalogue.coat, D(2))],
        recipient_kind="person",
        recipient_label="拒绝入站",
    )
    alert = StockAlert.objects.get()
    assert alert.kind == AlertKind.BELOW_TARGET
    assert alert.quantity == 1
    assert "低于" in alert.message and "棉大衣" in alert.message
    assert Notification.objects.filter(recipient=pudong_admin).count() == 1


def test_batches_near_expiry_are_alerted(unit, catalogue, warehouses, receive):
    receive(
        warehouses.pudong,
        catalogue.food,
        40,
        batch="FOOD-SOON",
        expires_on=clock.local_date() + timedelta(days=5),
    )
    receive(warehouses.pudong, catalogue.water, 40, batch="WATER-LATER")
    new = alerts.review_reserves(unit("310115"))
    assert [(a.kind, a.batch.code) for a in new] == [(AlertKind.NEAR_EXPIRY, "FOOD-SOON")]
    assert "将于" in new[0].message


def test_how_near_expiry_is_alerted_is_the_rulebooks(
    unit, catalogue, warehouses, receive, set_rule
):
    in_20_days = clock.local_date() + timedelta(days=20)
    receive(warehouses.pudong, catalogue.food, 40, batch="FOOD-20D", expires_on=in_20_days)
    set_rule("supplies.expiry_warning", 14)
    assert alerts.review_reserves(unit("310115")) == []
    set_rule("supplies.expiry_warning", 30)
    assert [a.batch.code for a in alerts.review_reserves(unit("310115"))] == ["FOOD-20D"]


def test_the_transfer_plan_covers_a_shortfall_from_the_city_store(
    unit, catalogue, pudong_targets, warehouses, receive
):
    receive(warehouses.city, catalogue.quilt, 100)
    receive(warehouses.pudong, catalogue.quilt, 30)
    plan = selectors.transfer_plan(unit("310115"), ResponseLevel.III)
    quilts = [
        (p.from_warehouse.code, p.to_warehouse.code, p.quantity)
        for p in plan
        if p.item.code == "quilt"
    ]
    assert quilts == [("city", "pd", 30)]


def test_the_reserve_page_shows_shortfalls_and_the_plan(
    client_for, pudong_admin, catalogue, pudong_targets, warehouses, receive
):
    receive(warehouses.city, catalogue.quilt, 100)
    page = client_for(pudong_admin).get(f"/supplies/reserves/?level={ResponseLevel.III.value}")
    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="plan-table"' in body
    assert "市救助物资储备库" in body


# --- editing targets --------------------------------------------------------------------


def test_a_district_admin_sets_a_target_for_their_own_warehouse_only(
    client_for, pudong_admin, catalogue, warehouses
):
    client = client_for(pudong_admin)
    ok = client.put(
        "/api/v1/supplies/targets",
        json.dumps(
            {"warehouse_id": warehouses.pudong.pk, "item": "quilt", "level": 3, "quantity": 50}
        ),
        content_type="application/json",
    )
    assert ok.status_code == 200, ok.content
    assert D(ok.json()["missing"]) == 50
    other = client.put(
        "/api/v1/supplies/targets",
        json.dumps(
            {"warehouse_id": warehouses.huangpu.pk, "item": "quilt", "level": 3, "quantity": 50}
        ),
        content_type="application/json",
    )
    assert other.status_code == 404
    page = client.post(
        "/supplies/reserves/targets/",
        {"warehouse": warehouses.huangpu.pk, "item": catalogue.quilt.pk, "level": 3, "quantity": 5},
    )
    assert page.status_code == 422
    assert 'data-testid="target-form"' in page.content.decode()  # shown again, with why
    assert "选择一个有效的选项" in page.content.decode()
    assert not ReserveTarget.objects.filter(warehouse=warehouses.huangpu).exists()


def test_a_patrol_member_cannot_edit_targets(client_for, make_user, catalogue, warehouses):
    patrol = make_user("pd_patrol2", Role.PATROL_MEMBER, "310115", "police")
    response = client_for(patrol).put(
        "/api/v1/supplies/targets",
        json.dumps(
            {"warehouse_id": warehouses.pudong.pk, "item": "quilt", "level": 0, "quantity": 5}
        ),
        content_type="application/json",
    )
    assert response.status_code == 403


def test_a_fractional_target_for_a_whole_unit_is_refused(
    client_for, pudong_admin, warehouses, catalogue
):
    response = client_for(pudong_admin).put(
        "/api/v1/supplies/targets",
        json.dumps(
            {"warehouse_id": warehouses.pudong.pk, "item": "quilt", "level": 0, "quantity": 2.5}
        ),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "须为整数" in response.json()["detail"]


def test_the_city_admin_turns_the_plan_into_transfers_in_transit(
    client_for, city_admin, unit, catalogue, pudong_targets, warehouses, receive
):
    from warmwinter.supplies.models import Transfer, TransferStatus

    receive(warehouses.city, catalogue.quilt, 100)
    receive(warehouses.pudong, catalogue.quilt, 30)
    response = client_for(city_admin).post(
        "/supplies/reserves/plan/", {"district": "310115", "level": ResponseLevel.III.value}
    )
    assert response.status_code == 302
    transfer = Transfer.objects.get(from_warehouse=warehouses.city, to_warehouse=warehouses.pudong)
    assert transfer.status == TransferStatus.IN_TRANSIT
    assert selectors.on_hand(warehouses.city, catalogue.quilt) == 70


def test_a_district_admin_cannot_send_the_city_stores_part_of_the_plan(
    client_for, pudong_admin, catalogue, pudong_targets, warehouses, receive
):
    from warmwinter.supplies.models import Transfer

    receive(warehouses.city, catalogue.quilt, 100)
    response = client_for(pudong_admin).post(
        "/supplies/reserves/plan/", {"district": "310115", "level": ResponseLevel.III.value}
    )
    assert response.status_code == 302
    assert not Transfer.objects.exists()
    assert selectors.on_hand(warehouses.city, catalogue.quilt) == 100


def test_the_review_task_and_command_raise_alerts_for_the_current_level(
    settings, catalogue, pudong_targets, receive
):
    from django.core.management import call_command

    from warmwinter.supplies.tasks import review_district_reserves, review_supply_reserves

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.WEATHER_DEFAULT_LEVEL = ResponseLevel.NORMAL
    receive(pudong_targets.pudong, catalogue.quilt, 5)
    new_alerts = review_district_reserves.enqueue("310115").return_value
    assert new_alerts is not None and new_alerts >= 1
    assert StockAlert.objects.filter(item=catalogue.quilt, resolved_at__isnull=True).exists()
    settings.WEATHER_DEFAULT_LEVEL = ResponseLevel.III
    review_supply_reserves.enqueue()
    assert StockAlert.objects.get(item=catalogue.quilt).kind == AlertKind.LEVEL_RAISED
    call_command("review_supplies", "--district", "310115")


def test_a_cold_wave_warning_for_pudong_makes_the_supplies_review_its_reserves(
    settings,
    unit,
    catalogue,
    pudong_targets,
    receive,
    django_capture_on_commit_callbacks,
    time_machine,
):
    """The weather app enqueues the review when a district's level rises: no one has to ask."""
    from datetime import datetime
    from pathlib import Path

    from warmwinter.core import clock
    from warmwinter.weather.services import warning_ingest

    # The fixture warning was issued then and names no expiry: it is in force for a day.
    time_machine.move_to(datetime(2026, 1, 20, 16, 5, tzinfo=clock.SHANGHAI))

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    receive(pudong_targets.pudong, catalogue.quilt, 30)
    cap = Path(__file__).parents[2] / "weather/tests/fixtures/cold_wave_orange_pudong_oasis.xml"
    with django_capture_on_commit_callbacks(execute=True):
        warning_ingest(data=cap.read_bytes(), via="cli")
    # 30 quilts cover the normal target (20) but not the raised level's (60): an open alert.
    raised = StockAlert.objects.filter(resolved_at__isnull=True)
    assert {(a.warehouse.code, a.item.code) for a in raised} >= {("pd", "quilt")}
