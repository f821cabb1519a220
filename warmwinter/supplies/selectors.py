"""Reads of stock, movements, transfers, reserves and alerts. Always scoped by the user."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum

from warmwinter.accounts.permissions import Actor
from warmwinter.accounts.scoping import get_visible_or_404, visible_to
from warmwinter.core import clock, rulebook
from warmwinter.places.models import OrgLevel, OrgUnit
from warmwinter.supplies import rules
from warmwinter.supplies.models import (
    Batch,
    Item,
    MovementKind,
    ReserveTarget,
    StockAlert,
    StockBalance,
    StockMovement,
    Transfer,
    TransferStatus,
    Warehouse,
    WarehouseKind,
)

_THOUSANDTH = Decimal("0.001")


def _exact(total: Decimal | None) -> Decimal:
    """A summed quantity at the ledger's precision. SQLite sums decimals as floats; every
    quantity has at most 3 decimals, so rounding to 0.001 restores the exact sum."""
    return Decimal(total or 0).quantize(_THOUSANDTH)


def expiry_warning_days() -> int:
    """Batches expiring within this many days are near expiry (the rulebook's
    supplies.expiry_warning)."""
    return rulebook.integer("supplies.expiry_warning")


def items() -> QuerySet[Item]:
    return Item.objects.active()


def item_by_code(code: str) -> Item | None:
    return Item.objects.active().filter(code=code).first()


def warehouses_for(
    *, user: Actor, kind: str | None = None, district: OrgUnit | None = None
) -> QuerySet[Warehouse]:
    qs = visible_to(
        Warehouse.objects.active().select_related("org_unit", "org_unit__parent", "holder"), user
    )
    if kind:
        qs = qs.filter(kind=kind)
    if district is not None:
        qs = qs.filter(org_unit__path__startswith=district.path)
    return qs


def warehouse_for(user: Actor, pk: Any) -> Warehouse:
    return get_visible_or_404(Warehouse.objects.active().select_related("org_unit"), user, pk=pk)


def mobile_warehouses_for(user: Actor) -> list[Warehouse]:
    """The mobile stock a patrol member carries: the ones they hold first, then their district's."""
    qs = warehouses_for(user=user, kind=WarehouseKind.MOBILE)
    return sorted(qs, key=lambda w: (w.holder_id != user.pk, w.code))


@dataclass
class BatchStock:
    batch: Batch
    quantity: Decimal
    expired: bool
    near_expiry: bool


@dataclass
class ItemStock:
    item: Item
    on_hand: Decimal = Decimal(0)
    usable: Decimal = Decimal(0)
    batches: list[BatchStock] = field(default_factory=list)


def stock_of(warehouse: Warehouse, *, include_empty: bool = False) -> list[ItemStock]:
    """On hand per item in one warehouse, with its batches (oldest expiry first). One query."""
    today = clock.local_date()
    warn = expiry_warning_days()
    qs = (
        StockBalance.objects.filter(warehouse=warehouse)
        .select_related("item", "batch")
        .order_by("item__category", "item__code", "batch__expires_on", "batch_id")
    )
    if not include_empty:
        qs = qs.filter(quantity__gt=0)
    result: dict[int, ItemStock] = {}
    for b in qs:
        row = result.setdefault(b.item_id, ItemStock(item=b.item))
        expired = rules.is_expired(b.batch.expires_on, today)
        row.on_hand += b.quantity
        if not expired:
            row.usable += b.quantity
        row.batches.append(
            BatchStock(
                batch=b.batch,
                quantity=b.quantity,
                expired=expired,
                near_expiry=rules.near_expiry(b.batch.expires_on, today, warn),
            )
        )
    return list(result.values())


def on_hand(warehouse: Warehouse, item: Item) -> Decimal:
    total = StockBalance.objects.filter(warehouse=warehouse, item=item).aggregate(s=Sum("quantity"))
    return _exact(total["s"])


def ledger_sum(warehouse: Warehouse, item: Item) -> Decimal:
    """On hand as the ledger says it: the sum of every movement. Must equal `on_hand`."""
    total = StockMovement.objects.filter(warehouse=warehouse, item=item).aggregate(
        s=Sum("quantity")
    )
    return _exact(total["s"])


def movements_for(
    *,
    user: Actor,
    warehouse: Warehouse | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    kind: str | None = None,
    district: OrgUnit | None = None,
) -> QuerySet[StockMovement]:
    qs = visible_to(
        StockMovement.objects.select_related(
            "warehouse", "warehouse__org_unit", "item", "batch", "recorded_by", "shelter"
        ),
        user,
    )
    if warehouse is not None:
        qs = qs.filter(warehouse=warehouse)
    if district is not None:
        qs = qs.filter(warehouse__org_unit__path__startswith=district.path)
    if since is not None:
        qs = qs.filter(occurred_at__gte=since)
    if until is not None:
        qs = qs.filter(occurred_at__lt=until)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def issues_for_person(*, user: Actor, person_ref: str) -> QuerySet[StockMovement]:
    """What a person was given (their file's supplies), within the user's scope."""
    return movements_for(user=user, kind=MovementKind.ISSUE).filter(person_ref=person_ref)


def issues_for_document(*, user: Actor, ref_type: str, ref_id: str) -> QuerySet[StockMovement]:
    """What was given in one encounter or admission, within the user's scope."""
    return movements_for(user=user, kind=MovementKind.ISSUE).filter(
        ref_type=ref_type, ref_id=ref_id
    )


def _district_code(path: str) -> str:
    parts = path.split("/")
    return parts[1] if len(parts) > 2 else ""


def given_per_district(
    *, user: Actor, since: datetime | None = None, until: datetime | None = None
) -> list[dict[str, Any]]:
    """Items issued per district (the district of the issuing warehouse), one grouped query.
    City-level warehouses are grouped under the city."""
    rows = (
        movements_for(user=user, kind=MovementKind.ISSUE, since=since, until=until)
        .values("warehouse__org_unit__path", "item_id")
        .annotate(total=Sum("quantity"))
        .order_by()
    )
    names = dict(OrgUnit.objects.filter(level=OrgLevel.DISTRICT).values_list("code", "name"))
    by_unit: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    for row in rows:
        code = _district_code(row["warehouse__org_unit__path"])
        by_unit[(code if code in names else "", row["item_id"])] -= _exact(row["total"])
    item_map = {i.pk: i for i in Item.objects.filter(pk__in={k[1] for k in by_unit})}
    result = [
        {
            "district_code": code,
            "district": names.get(code, ""),
            "item": item_map[item_id],
            "quantity": qty,
        }
        for (code, item_id), qty in by_unit.items()
    ]
    result.sort(key=lambda r: (r["district_code"], r["item"].category, r["item"].code))
    return result


def transfers_for(user: Actor, *, status: str | None = None) -> QuerySet[Transfer]:
    """Transfers whose sending or receiving warehouse the user can see."""
    visible = warehouses_for(user=user).values("pk")
    qs = Transfer.objects.select_related(
        "from_warehouse", "to_warehouse", "sent_by", "received_by"
    ).filter(Q(from_warehouse__in=visible) | Q(to_warehouse__in=visible))
    if status:
        qs = qs.filter(status=status)
    return qs


def transfer_for(user: Actor, pk: Any) -> Transfer:
    try:
        return transfers_for(user).get(pk=pk)
    except (Transfer.DoesNotExist, ValueError, TypeError):
        from django.http import Http404

        raise Http404 from None


def in_transit_count(user: Actor) -> int:
    return transfers_for(user, status=TransferStatus.IN_TRANSIT).count()


def alerts_for(*, user: Actor, open_only: bool = True) -> QuerySet[StockAlert]:
    qs = visible_to(
        StockAlert.objects.select_related("warehouse", "warehouse__org_unit", "item", "batch"), user
    )
    if open_only:
        qs = qs.filter(resolved_at__isnull=True)
    return qs


def targets_for(*, user: Actor, warehouse: Warehouse | None = None) -> QuerySet[ReserveTarget]:
    qs = visible_to(ReserveTarget.objects.select_related("warehouse", "item"), user)
    if warehouse is not None:
        qs = qs.filter(warehouse=warehouse)
    return qs.order_by("warehouse__code", "item__code", "level")


@dataclass(frozen=True)
class Shortfall:
    warehouse: Warehouse
    item: Item
    level: int
    target: Decimal
    usable: Decimal

    @property
    def missing(self) -> Decimal:
        return self.target - self.usable


def _usable_by_pair(warehouse_ids: list[int], today: date) -> dict[tuple[int, int], Decimal]:
    rows = (
        StockBalance.objects.filter(warehouse_id__in=warehouse_ids, quantity__gt=0)
        .filter(Q(batch__expires_on__isnull=True) | Q(batch__expires_on__gte=today))
        .values("warehouse_id", "item_id")
        .annotate(total=Sum("quantity"))
        .order_by()
    )
    return {(r["warehouse_id"], r["item_id"]): _exact(r["total"]) for r in rows}


def _targets_at(warehouse_ids: list[int], level: int) -> dict[tuple[int, int], Decimal]:
    by_pair: dict[tuple[int, int], dict[int, Decimal]] = defaultdict(dict)
    rows = ReserveTarget.objects.filter(warehouse_id__in=warehouse_ids).values_list(
        "warehouse_id", "item_id", "level", "quantity"
    )
    for warehouse_id, item_id, lvl, qty in rows:
        by_pair[(warehouse_id, item_id)][lvl] = qty
    found = {pair: rules.effective_target(levels, level) for pair, levels in by_pair.items()}
    return {pair: t for pair, t in found.items() if t is not None}


def reserve_position(
    unit: OrgUnit, level: int, *, warehouse: Warehouse | None = None
) -> list[Shortfall]:
    """For every target of the warehouses under `unit` (or of one `warehouse`) at `level`:
    target and usable stock (expired batches do not count). Four queries at most."""
    if warehouse is not None:
        warehouses = {warehouse.pk: warehouse}
    else:
        warehouses = {
            w.pk: w
            for w in Warehouse.objects.active()
            .filter(org_unit__path__startswith=unit.path)
            .select_related("org_unit")
        }
    targets = _targets_at(list(warehouses), level)
    item_map = {i.pk: i for i in Item.objects.filter(pk__in={k[1] for k in targets})}
    usable = _usable_by_pair(list(warehouses), clock.local_date())
    result = [
        Shortfall(
            warehouse=warehouses[warehouse_id],
            item=item_map[item_id],
            level=level,
            target=target,
            usable=usable.get((warehouse_id, item_id), Decimal(0)),
        )
        for (warehouse_id, item_id), target in targets.items()
    ]
    result.sort(key=lambda s: (s.warehouse.code, s.item.category, s.item.code))
    return result


def shortfalls_for(district: OrgUnit, level: int) -> list[Shortfall]:
    """Where the warehouses of `district` hold less than their targets at `level`.
    The weather app (or a task) calls this when a district's level changes."""
    return [s for s in reserve_position(district, level) if s.missing > 0]


@dataclass(frozen=True)
class PlanLine:
    from_warehouse: Warehouse
    to_warehouse: Warehouse
    item: Item
    quantity: Decimal


def transfer_plan(district: OrgUnit, level: int) -> list[PlanLine]:
    """A suggested set of transfers covering the district's shortfalls at `level` from stock
    above its own target: the district's other warehouses first, then the city store."""
    warehouses = {
        w.pk: w
        for w in Warehouse.objects.active()
        .filter(Q(org_unit__path__startswith=district.path) | Q(kind=WarehouseKind.CITY))
        .select_related("org_unit")
    }
    ids = list(warehouses)
    targets = _targets_at(ids, level)
    usable = _usable_by_pair(ids, clock.local_date())
    city = {pk for pk, w in warehouses.items() if w.kind == WarehouseKind.CITY}
    needs = [
        rules.Need(w, i, t - usable.get((w, i), Decimal(0)))
        for (w, i), t in targets.items()
        if w not in city and t > usable.get((w, i), Decimal(0))
    ]
    if not needs:
        return []
    surpluses = [
        rules.Surplus(w, i, qty - targets.get((w, i), Decimal(0)), priority=int(w in city))
        for (w, i), qty in usable.items()
        if qty > targets.get((w, i), Decimal(0))
    ]
    item_map = {i.pk: i for i in Item.objects.filter(pk__in={n.item_id for n in needs})}
    return [
        PlanLine(
            from_warehouse=warehouses[p.from_warehouse_id],
            to_warehouse=warehouses[p.to_warehouse_id],
            item=item_map[p.item_id],
            quantity=p.quantity,
        )
        for p in rules.plan_transfers(needs, surpluses)
    ]
