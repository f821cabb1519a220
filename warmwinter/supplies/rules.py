"""The reserve rules as pure functions: which target applies at a level, what is short, and how
surplus elsewhere could cover it. 「要加强救助物资储备，确保救助物资品类齐全、数量充足、质量可靠」."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal


def effective_target(targets_by_level: Mapping[int, Decimal], level: int) -> Decimal | None:
    """The target in force at `level`: the row for that level, else the nearest lower level's.
    None when no target is set at or below it."""
    applicable = [lvl for lvl in targets_by_level if lvl <= level]
    if not applicable:
        return None
    return targets_by_level[max(applicable)]


def is_whole(quantity: Decimal) -> bool:
    return quantity == quantity.to_integral_value()


def near_expiry(expires_on: date | None, today: date, warning_days: int) -> bool:
    return expires_on is not None and today <= expires_on <= today + timedelta(days=warning_days)


def is_expired(expires_on: date | None, today: date) -> bool:
    return expires_on is not None and expires_on < today


@dataclass(frozen=True)
class Need:
    warehouse_id: int
    item_id: int
    quantity: Decimal


@dataclass(frozen=True)
class Surplus:
    warehouse_id: int
    item_id: int
    quantity: Decimal
    #: Lower is asked first: the same district before the city store.
    priority: int = 0


@dataclass(frozen=True)
class PlannedTransfer:
    from_warehouse_id: int
    to_warehouse_id: int
    item_id: int
    quantity: Decimal


def plan_transfers(needs: Iterable[Need], surpluses: Iterable[Surplus]) -> list[PlannedTransfer]:
    """Cover each need from the surpluses of the same item, nearest (priority) and largest first.
    Needs are served largest first. What cannot be covered stays uncovered."""
    left: dict[tuple[int, int], Decimal] = {}
    order: dict[int, list[Surplus]] = {}
    for s in surpluses:
        if s.quantity > 0:
            left[(s.warehouse_id, s.item_id)] = s.quantity
            order.setdefault(s.item_id, []).append(s)
    for candidates in order.values():
        candidates.sort(key=lambda s: (s.priority, -s.quantity, s.warehouse_id))
    plan: list[PlannedTransfer] = []
    for need in sorted(needs, key=lambda n: (-n.quantity, n.warehouse_id, n.item_id)):
        wanted = need.quantity
        for s in order.get(need.item_id, []):
            if wanted <= 0:
                break
            if s.warehouse_id == need.warehouse_id:
                continue
            available = left[(s.warehouse_id, s.item_id)]
            take = min(available, wanted)
            if take <= 0:
                continue
            plan.append(PlannedTransfer(s.warehouse_id, need.warehouse_id, need.item_id, take))
            left[(s.warehouse_id, s.item_id)] = available - take
            wanted -= take
    return plan


def fmt_quantity(quantity: Decimal) -> str:
    """A quantity as people write it: 300, 2.5 (never 3E+2 or 2.500)."""
    text = format(quantity.normalize(), "f")
    return "0" if text in ("-0", "0") else text
