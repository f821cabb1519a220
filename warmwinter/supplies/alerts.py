"""Reserve alerts: stock below target at the current level, shortfalls after a level rise, and
batches near expiry. Alerts are rows here (listed at /supplies/alerts/) and, for new ones, a
notification to the district's administrators through the notifications app."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from warmwinter.accounts.roles import Role
from warmwinter.core import clock
from warmwinter.places.models import OrgLevel, OrgUnit
from warmwinter.supplies import rules, selectors
from warmwinter.supplies.models import (
    AlertKind,
    Item,
    LevelSeen,
    StockAlert,
    StockBalance,
    Warehouse,
)
from warmwinter.weather.levels import ResponseLevel
from warmwinter.weather.selectors import current_level

SHORTFALL_KINDS = (AlertKind.BELOW_TARGET, AlertKind.LEVEL_RAISED)


def level_for_warehouse(warehouse: Warehouse) -> ResponseLevel:
    """The level whose targets apply: the warehouse's district's; a city-level store backs every
    district, so it follows the highest of them."""
    district = warehouse.org_unit.district
    if district is not None:
        return current_level(district)
    return max(
        (current_level(d) for d in OrgUnit.objects.filter(level=OrgLevel.DISTRICT)),
        default=ResponseLevel.NORMAL,
    )


def _raise(
    *,
    kind: str,
    warehouse: Warehouse,
    item: Item,
    quantity: Decimal,
    message: str,
    level: int | None = None,
    batch: Any = None,
) -> tuple[StockAlert, bool]:
    """Open an alert, or refresh the open one for the same cause. Returns (alert, is_new)."""
    lookup: dict[str, Any] = {"warehouse": warehouse, "item": item, "resolved_at__isnull": True}
    if kind in SHORTFALL_KINDS:
        lookup["kind__in"] = SHORTFALL_KINDS
    else:
        lookup.update(kind=kind, batch=batch)
    existing = StockAlert.objects.select_for_update().filter(**lookup).first()
    if existing is not None:
        upgraded = kind == AlertKind.LEVEL_RAISED and existing.kind != kind
        StockAlert.objects.filter(pk=existing.pk).update(
            kind=kind if upgraded else existing.kind,
            quantity=quantity,
            level=level,
            message=message[:200],
        )
        return existing, upgraded
    alert = StockAlert.objects.create(
        kind=kind,
        warehouse=warehouse,
        item=item,
        batch=batch,
        level=level,
        quantity=quantity,
        message=message[:200],
        raised_at=timezone.now(),
    )
    return alert, True


def _shortfall_message(s: selectors.Shortfall) -> str:
    return _(
        "%(w)s：%(item)s 低于%(level)s储备目标 %(target)s%(unit)s，现有 %(have)s，缺 %(miss)s"
    ) % {
        "w": s.warehouse.name,
        "item": s.item.name,
        "level": ResponseLevel(s.level).label,
        "target": rules.fmt_quantity(s.target),
        "unit": s.item.unit,
        "have": rules.fmt_quantity(s.usable),
        "miss": rules.fmt_quantity(s.missing),
    }


def _notify(unit: OrgUnit, alerts: list[StockAlert], *, urgent: bool) -> None:
    if not alerts:
        return
    try:
        from warmwinter.notifications.services import notify, recipients_for
    except ImportError:  # the notifications app is optional: the alert rows stay regardless
        return
    roles = [Role.DISTRICT_ADMIN] if unit.level == OrgLevel.DISTRICT else [Role.CITY_ADMIN]
    head = alerts[0].message
    title = (
        _("%(unit)s 有 %(n)s 条物资提醒") % {"unit": unit.name, "n": len(alerts)}
        if len(alerts) > 1
        else head
    )
    notify(
        recipients=recipients_for(org_unit=unit, roles=roles),
        title=title,
        body="\n".join(a.message for a in alerts[:20]),
        url=reverse("supplies:alerts"),
        urgency="warning" if urgent else "info",
        source="supplies",
    )


def check_below_target(
    *, warehouse: Warehouse, items: Iterable[Item], notify: bool = True
) -> list[StockAlert]:
    """After stock leaves a warehouse: alert for each item now below its current-level target.
    Precondition: inside the transaction of the movement."""
    level = level_for_warehouse(warehouse)
    item_ids = {i.pk for i in items}
    new = []
    for s in selectors.reserve_position(warehouse.org_unit, level, warehouse=warehouse):
        if s.item.pk not in item_ids or s.missing <= 0:
            continue
        alert, is_new = _raise(
            kind=AlertKind.BELOW_TARGET,
            warehouse=warehouse,
            item=s.item,
            quantity=s.missing,
            message=_shortfall_message(s),
            level=level,
        )
        if is_new:
            new.append(alert)
    if notify:
        _notify(warehouse.org_unit.district or warehouse.org_unit, new, urgent=False)
    return new


def review_reserves(district: OrgUnit, *, level: int | None = None) -> list[StockAlert]:
    """Compare a district's stock with its targets at `level` (default: its current level) and
    alert. Shortfalls found when the level has risen since the last review are LEVEL_RAISED
    alerts (urgent); shortfalls that are gone are resolved. Also raises near-expiry alerts.
    Returns the alerts that are new (or newly upgraded)."""
    level = current_level(district) if level is None else level
    now = timezone.now()
    with transaction.atomic():
        seen = LevelSeen.objects.select_for_update().filter(district=district).first()
        rose = seen is not None and level > seen.level
        kind = AlertKind.LEVEL_RAISED if rose else AlertKind.BELOW_TARGET
        shortfalls = selectors.shortfalls_for(district, level)
        new: list[StockAlert] = []
        short_pairs = set()
        for s in shortfalls:
            short_pairs.add((s.warehouse.pk, s.item.pk))
            alert, is_new = _raise(
                kind=kind,
                warehouse=s.warehouse,
                item=s.item,
                quantity=s.missing,
                message=_shortfall_message(s),
                level=level,
            )
            if is_new:
                new.append(alert)
        stale = [
            a.pk
            for a in StockAlert.objects.filter(
                kind__in=SHORTFALL_KINDS,
                resolved_at__isnull=True,
                warehouse__org_unit__path__startswith=district.path,
            ).only("pk", "warehouse_id", "item_id")
            if (a.warehouse_id, a.item_id) not in short_pairs
        ]
        StockAlert.objects.filter(pk__in=stale).update(resolved_at=now)
        new += _review_expiry(Q(org_unit__path__startswith=district.path))
        LevelSeen.objects.update_or_create(
            district=district, defaults={"level": level, "reviewed_at": now}
        )
        _notify(district, new, urgent=rose)
    return new


def on_level_changed(*, district: OrgUnit, old: int, new: int) -> list[StockAlert]:
    """The weather app's hook: a district's response level changed from `old` to `new`."""
    with transaction.atomic():
        LevelSeen.objects.update_or_create(
            district=district, defaults={"level": old, "reviewed_at": timezone.now()}
        )
        return review_reserves(district, level=new)


def _city_level_q(prefix: str = "") -> Q:
    """Warehouses of no district: the city's own and the city-level stations'."""
    level, parent_level = f"{prefix}org_unit__level", f"{prefix}org_unit__parent__level"
    return Q(**{level: OrgLevel.CITY}) | Q(**{level: OrgLevel.STATION, parent_level: OrgLevel.CITY})


def _review_expiry(where: Q) -> list[StockAlert]:
    """Near-expiry (and expired, still on hand) batches of the warehouses `where` selects."""
    today = clock.local_date()
    warn = selectors.expiry_warning_days()
    warehouse_ids = Warehouse.objects.active().filter(where).values("pk")
    balances = StockBalance.objects.filter(
        warehouse__in=warehouse_ids,
        quantity__gt=0,
        batch__expires_on__isnull=False,
        batch__expires_on__lte=today + timedelta(days=warn),
    ).select_related("warehouse", "item", "batch")
    new = []
    live = set()
    for b in balances:
        expires_on = b.batch.expires_on
        assert expires_on is not None  # noqa: S101 - filtered above
        live.add((b.warehouse_id, b.batch_id))
        message = (
            _("%(w)s：%(item)s 批次 %(batch)s 已于 %(d)s 过期，%(n)s%(unit)s 待报损")
            if rules.is_expired(expires_on, today)
            else _("%(w)s：%(item)s 批次 %(batch)s 将于 %(d)s 过期，尚有 %(n)s%(unit)s")
        ) % {
            "w": b.warehouse.name,
            "item": b.item.name,
            "batch": b.batch.code,
            "d": expires_on.isoformat(),
            "n": rules.fmt_quantity(b.quantity),
            "unit": b.item.unit,
        }
        alert, is_new = _raise(
            kind=AlertKind.NEAR_EXPIRY,
            warehouse=b.warehouse,
            item=b.item,
            batch=b.batch,
            quantity=b.quantity,
            message=message,
        )
        if is_new:
            new.append(alert)
    stale = [
        a.pk
        for a in StockAlert.objects.filter(
            kind=AlertKind.NEAR_EXPIRY, resolved_at__isnull=True, warehouse__in=warehouse_ids
        ).only("pk", "warehouse_id", "batch_id")
        if (a.warehouse_id, a.batch_id) not in live
    ]
    StockAlert.objects.filter(pk__in=stale).update(resolved_at=timezone.now())
    return new


def review_all() -> int:
    """Review every district, then the city-level stores; returns how many alerts are new."""
    count = 0
    for district in OrgUnit.objects.filter(level=OrgLevel.DISTRICT).order_by("code"):
        count += len(review_reserves(district))
    city = OrgUnit.objects.filter(level=OrgLevel.CITY).first()
    if city is None:
        return count
    with transaction.atomic():
        new: list[StockAlert] = []
        for warehouse in (
            Warehouse.objects.active().filter(_city_level_q()).select_related("org_unit")
        ):
            targeted = Item.objects.filter(reservetarget__warehouse=warehouse).distinct()
            new += check_below_target(warehouse=warehouse, items=targeted, notify=False)
        new += _review_expiry(_city_level_q())
        _notify(city, new, urgent=False)
    return count + len(new)
