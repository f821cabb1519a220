"""Writes of the stock ledger: receipts, issues, transfers, adjustments, write-offs, targets.

Every write goes through `_post`, which locks the balance row, refuses to go below zero and
appends the ledger line, all in the caller's transaction. Callers validate everything before
the first `_post`, and run inside `transaction.atomic()`, so a refused line leaves nothing
half-written.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from warmwinter.accounts.permissions import Actor, may, require
from warmwinter.accounts.roles import Capability
from warmwinter.audit.models import AuditAction
from warmwinter.audit.services import audit_record
from warmwinter.core import clock
from warmwinter.core.validation import refusal
from warmwinter.places.models import Place, PlaceKind
from warmwinter.supplies import rules
from warmwinter.supplies.models import (
    Batch,
    Item,
    MovementKind,
    ReceiptSource,
    RecipientKind,
    ReserveTarget,
    StockBalance,
    StockMovement,
    Transfer,
    TransferStatus,
    Warehouse,
)
from warmwinter.supplies.validators import QUANTITY, TARGET_QUANTITY


@dataclass(frozen=True)
class Line:
    """One item of an issue or a transfer; `batch` pins a batch, else oldest expiry first."""

    item: Item
    quantity: Decimal
    batch: Batch | None = None


def _voucher(prefix: str) -> str:
    return f"{prefix}{clock.local_date():%Y%m%d}-{secrets.token_hex(4).upper()}"


def _in_use(warehouse: Warehouse) -> None:
    if warehouse.is_archived:
        raise ValidationError(_("仓库 %(w)s 已停用") % {"w": warehouse.name})


def checked_quantity(item: Item, raw: Any, *, field: str = "quantity") -> Decimal:
    """A quantity within the typed bound (`validators.QUANTITY`, as the page and the API say
    it) that the item's unit allows; ValidationError otherwise."""
    try:
        quantity = raw if isinstance(raw, Decimal) else Decimal(str(raw))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("数量须为数字")}) from None
    if not quantity.is_finite():
        raise ValidationError({field: _("数量须为数字")})
    refused = refusal(QUANTITY, quantity)
    if refused is not None:
        raise ValidationError({field: refused})
    if quantity != quantity.quantize(Decimal("0.001")):
        raise ValidationError({field: _("数量最多保留 3 位小数")})
    if item.whole_units and not rules.is_whole(quantity):
        raise ValidationError(
            {
                field: _("%(item)s 以“%(unit)s”计，数量须为整数")
                % {"item": item.name, "unit": item.unit}
            }
        )
    return quantity


def _locked_balances(warehouse: Warehouse, item: Item) -> list[StockBalance]:
    """Lock every balance row of (warehouse, item), in a fixed order so that two writers never
    deadlock. Precondition: inside transaction.atomic()."""
    return list(
        StockBalance.objects.select_for_update()
        .filter(warehouse=warehouse, item=item)
        .select_related("batch")
        .order_by("batch_id")
    )


def _balance_row(warehouse: Warehouse, batch: Batch) -> StockBalance:
    """The locked balance row of a batch in a warehouse, created at zero if new."""
    try:
        with transaction.atomic():
            StockBalance.objects.get_or_create(
                warehouse=warehouse, batch=batch, defaults={"item_id": batch.item_id}
            )
    except IntegrityError:
        pass  # a concurrent writer created it first; lock theirs
    return StockBalance.objects.select_for_update().get(warehouse=warehouse, batch=batch)


def _post(
    *,
    balance: StockBalance,
    delta: Decimal,
    kind: str,
    voucher: str,
    by: Actor,
    occurred_at: datetime,
    **fields: Any,
) -> StockMovement:
    """Apply `delta` to a locked balance row and append its ledger line.
    Precondition: the caller holds the row lock (select_for_update) inside transaction.atomic()."""
    new_quantity = balance.quantity + delta
    if new_quantity < 0:
        raise ValidationError(
            _("库存不足：%(item)s 批次 %(batch)s 现有 %(have)s，不能减少 %(want)s")
            % {
                "item": balance.item,
                "batch": balance.batch,
                "have": balance.quantity,
                "want": -delta,
            }
        )
    balance.quantity = new_quantity
    balance.save(update_fields=["quantity"])
    return StockMovement.objects.create(
        voucher=voucher,
        kind=kind,
        warehouse_id=balance.warehouse_id,
        item_id=balance.item_id,
        batch=balance.batch,
        quantity=delta,
        occurred_at=occurred_at,
        recorded_by=by if getattr(by, "is_authenticated", False) else None,
        **fields,
    )


def _take(
    *,
    warehouse: Warehouse,
    line: Line,
    kind: str,
    voucher: str,
    by: Actor,
    occurred_at: datetime,
    **fields: Any,
) -> list[StockMovement]:
    """Take `line` out of `warehouse`: the pinned batch, or unexpired batches oldest expiry first.
    Expired batches are never taken. Precondition: inside transaction.atomic()."""
    today = clock.local_date()
    balances = _locked_balances(warehouse, line.item)
    if line.batch is not None:
        if rules.is_expired(line.batch.expires_on, today):
            raise ValidationError(
                _("批次 %(batch)s 已于 %(date)s 过期，不能发放或调出")
                % {"batch": line.batch.code, "date": line.batch.expires_on}
            )
        balances = [b for b in balances if b.batch_id == line.batch.pk]
    usable = [
        b for b in balances if b.quantity > 0 and not rules.is_expired(b.batch.expires_on, today)
    ]
    usable.sort(
        key=lambda b: (b.batch.expires_on is None, b.batch.expires_on or date.max, b.batch_id)
    )
    available = sum((b.quantity for b in usable), Decimal(0))
    if available < line.quantity:
        expired = sum(
            (b.quantity for b in balances if rules.is_expired(b.batch.expires_on, today)),
            Decimal(0),
        )
        message = _(
            "%(w)s 的 %(item)s 可用数量不足：需要 %(want)s%(unit)s，现有 %(have)s%(unit)s"
        ) % {
            "w": warehouse.name,
            "item": line.item.name,
            "want": rules.fmt_quantity(line.quantity),
            "have": rules.fmt_quantity(available),
            "unit": line.item.unit,
        }
        if expired > 0:
            message += _("（另有 %(n)s%(unit)s 已过期，不能发放）") % {
                "n": rules.fmt_quantity(expired),
                "unit": line.item.unit,
            }
        raise ValidationError(message)
    wanted = line.quantity
    posted = []
    for balance in usable:
        if wanted <= 0:
            break
        take = min(balance.quantity, wanted)
        posted.append(
            _post(
                balance=balance,
                delta=-take,
                kind=kind,
                voucher=voucher,
                by=by,
                occurred_at=occurred_at,
                **fields,
            )
        )
        wanted -= take
    return posted


def _merged(lines: Sequence[Line]) -> list[Line]:
    if not lines:
        raise ValidationError(_("请至少填写一种物资"))
    merged: dict[tuple[int, int | None], Line] = {}
    for line in lines:
        checked_quantity(line.item, line.quantity)
        if line.batch is not None and line.batch.item_id != line.item.pk:
            raise ValidationError(
                _("批次 %(b)s 不属于 %(item)s") % {"b": line.batch, "item": line.item}
            )
        key = (line.item.pk, line.batch.pk if line.batch else None)
        if key in merged:
            merged[key] = Line(line.item, merged[key].quantity + line.quantity, line.batch)
        else:
            merged[key] = line
    # Lock in one global order (item, batch) so that two issues of the same items never deadlock.
    return [merged[key] for key in sorted(merged, key=lambda k: (k[0], k[1] or 0))]


def stock_receive(
    *,
    by: Actor,
    warehouse: Warehouse,
    item: Item,
    quantity: Any,
    source_kind: str,
    source: str,
    batch_code: str = "",
    expires_on: date | None = None,
    occurred_at: datetime | None = None,
    note: str = "",
) -> StockMovement:
    """Receive a donation or purchase into `warehouse` as one batch. An item with a shelf life
    and no stated expiry expires `shelf_life_days` after receipt."""
    require(by, Capability.MANAGE_SUPPLIES, within=warehouse.org_unit)
    _in_use(warehouse)
    qty = checked_quantity(item, quantity)
    if source_kind not in ReceiptSource.values:
        raise ValidationError({"source_kind": _("来源类型须为捐赠或采购")})
    if not source.strip():
        raise ValidationError({"source": _("请填写捐赠方或供应商")})
    occurred_at = clock.aware(occurred_at) if occurred_at else timezone.now()
    if occurred_at > timezone.now() + timedelta(minutes=5):
        raise ValidationError({"occurred_at": _("入库时间不能晚于现在")})
    if expires_on is None and item.shelf_life_days:
        expires_on = clock.local_date(occurred_at) + timedelta(days=item.shelf_life_days)
    voucher = _voucher("RK")
    code = batch_code.strip() or voucher
    with transaction.atomic():
        batch, created = Batch.objects.get_or_create(
            item=item, code=code, defaults={"expires_on": expires_on}
        )
        if not created and expires_on is not None and batch.expires_on != expires_on:
            raise ValidationError(
                {
                    "batch_code": _("批次 %(b)s 已登记有效期 %(d)s，与本次填写的不一致")
                    % {"b": code, "d": batch.expires_on or _("无")}
                }
            )
        movement = _post(
            balance=_balance_row(warehouse, batch),
            delta=qty,
            kind=MovementKind.RECEIPT,
            voucher=voucher,
            by=by,
            occurred_at=occurred_at,
            source_kind=source_kind,
            source=source.strip()[:120],
            reason=note[:200],
        )
        audit_record(
            actor=by,
            action=AuditAction.CREATE,
            target=warehouse,
            detail={"voucher": voucher, "kind": "receipt", "item": item.code, "quantity": str(qty)},
        )
    return movement


def stock_issue(
    *,
    by: Actor,
    warehouse: Warehouse,
    lines: Sequence[Line],
    recipient_kind: str,
    recipient_label: str = "",
    shelter: Place | None = None,
    ref_type: str = "",
    ref_id: str = "",
    person_ref: str = "",
    person: Any = None,
    occurred_at: datetime | None = None,
    note: str = "",
) -> list[StockMovement]:
    """Issue items to a person (「对不愿入站接受救助的人员，要提供必要的食品和御寒物资」) or to a
    shelter, all lines or none. Expired batches are refused; stock never goes below zero.

    `person` is a people.Person the caller fetched through the user's scope: the issue is then
    recorded on that file's timeline (一人一档) in the same transaction."""
    require(by, Capability.ISSUE_SUPPLIES, within=warehouse.org_unit)
    _in_use(warehouse)
    if person is not None:
        person_ref = f"{person._meta.label_lower}:{person.pk}"
    merged = _merged(lines)
    fields: dict[str, Any] = {"recipient_kind": recipient_kind, "reason": note.strip()[:200]}
    if recipient_kind == RecipientKind.PERSON:
        if not recipient_label.strip() and not person_ref.strip():
            raise ValidationError({"recipient_label": _("请填写受领人（可写体貌特征或临时编号）")})
        fields["recipient_label"] = recipient_label.strip()[:120]
    elif recipient_kind == RecipientKind.SHELTER:
        if shelter is None or shelter.kind != PlaceKind.TEMP_SHELTER:
            raise ValidationError({"shelter": _("请选择临时救助场所")})
        fields["shelter"] = shelter
        fields["recipient_label"] = shelter.name[:120]
    else:
        raise ValidationError({"recipient_kind": _("发放对象须为受助人员或临时救助场所")})
    if bool(ref_type.strip()) != bool(ref_id.strip()):
        raise ValidationError({"ref_id": _("来源单据类型和编号须同时填写")})
    fields.update(ref_type=ref_type.strip()[:60], ref_id=ref_id.strip()[:64])
    fields["person_ref"] = person_ref.strip()[:80]
    occurred_at = clock.aware(occurred_at) if occurred_at else timezone.now()
    if occurred_at > timezone.now() + timedelta(minutes=5):
        raise ValidationError({"occurred_at": _("发放时间不能晚于现在")})
    voucher = _voucher("FF")
    with transaction.atomic():
        posted: list[StockMovement] = []
        for line in merged:
            posted += _take(
                warehouse=warehouse,
                line=line,
                kind=MovementKind.ISSUE,
                voucher=voucher,
                by=by,
                occurred_at=occurred_at,
                **fields,
            )
        audit_record(
            actor=by,
            action=AuditAction.CREATE,
            target=warehouse,
            detail={
                "voucher": voucher,
                "kind": "issue",
                "recipient": fields["recipient_label"],
                "person_ref": fields["person_ref"],
                "ref": f"{fields['ref_type']}:{fields['ref_id']}" if fields["ref_type"] else "",
                "lines": [[ln.item.code, str(ln.quantity)] for ln in merged],
            },
        )
        if person is not None:
            _record_on_timeline(person, by=by, warehouse=warehouse, lines=merged, at=occurred_at)
        from warmwinter.supplies.alerts import check_below_target

        check_below_target(warehouse=warehouse, items=[ln.item for ln in merged])
    return posted


def _record_on_timeline(
    person: Any, *, by: Actor, warehouse: Warehouse, lines: Sequence[Line], at: datetime
) -> None:
    from warmwinter.people.models import TimelineKind
    from warmwinter.people.services import timeline_record

    given = "、".join(
        f"{ln.item.name} {rules.fmt_quantity(ln.quantity)}{ln.item.unit}" for ln in lines
    )
    timeline_record(
        person=person,
        kind=TimelineKind.SUPPLY,
        at=at,
        summary=_("领取物资：%(given)s（%(w)s）") % {"given": given, "w": warehouse.name},
        by=by,
        org_unit=warehouse.org_unit,
    )


def stock_transfer_send(
    *,
    by: Actor,
    from_warehouse: Warehouse,
    to_warehouse: Warehouse,
    lines: Sequence[Line],
    note: str = "",
) -> Transfer:
    """Send stock to another warehouse: it leaves now and is in transit until received."""
    require(by, Capability.MANAGE_SUPPLIES, within=from_warehouse.org_unit)
    _in_use(from_warehouse)
    if from_warehouse.pk == to_warehouse.pk:
        raise ValidationError({"to_warehouse": _("调入仓库不能与调出仓库相同")})
    if to_warehouse.is_archived:
        raise ValidationError({"to_warehouse": _("调入仓库已停用")})
    merged = _merged(lines)
    now = timezone.now()
    voucher = _voucher("DB")
    with transaction.atomic():
        transfer = Transfer.objects.create(
            from_warehouse=from_warehouse,
            to_warehouse=to_warehouse,
            sent_at=now,
            sent_by=by,
            note=note.strip()[:200],
        )
        for line in merged:
            _take(
                warehouse=from_warehouse,
                line=line,
                kind=MovementKind.TRANSFER_OUT,
                voucher=voucher,
                by=by,
                occurred_at=now,
                transfer=transfer,
                reason=note.strip()[:200],
            )
        audit_record(
            actor=by,
            action=AuditAction.CREATE,
            target=transfer,
            detail={"voucher": voucher, "to": to_warehouse.code},
        )
    return transfer


def stock_transfer_receive(*, by: Actor, transfer: Transfer) -> list[StockMovement]:
    """Receive a transfer into its destination, batch by batch as it was sent. Twice is refused."""
    require(by, Capability.ISSUE_SUPPLIES, within=transfer.to_warehouse.org_unit)
    _in_use(transfer.to_warehouse)
    now = timezone.now()
    with transaction.atomic():
        claimed = Transfer.objects.filter(pk=transfer.pk, status=TransferStatus.IN_TRANSIT).update(
            status=TransferStatus.RECEIVED, received_at=now, received_by=by
        )
        if claimed != 1:
            raise ValidationError(_("该调拨单已签收"))
        outgoing = list(
            transfer.movements.filter(kind=MovementKind.TRANSFER_OUT)
            .select_related("batch")
            .order_by("batch_id")
        )
        voucher = _voucher("DR")
        posted = [
            _post(
                balance=_balance_row(transfer.to_warehouse, out.batch),
                delta=-out.quantity,
                kind=MovementKind.TRANSFER_IN,
                voucher=voucher,
                by=by,
                occurred_at=now,
                transfer=transfer,
            )
            for out in outgoing
        ]
        transfer.refresh_from_db()
        audit_record(
            actor=by, action=AuditAction.UPDATE, target=transfer, detail={"received": True}
        )
    return posted


def stock_correct(
    *,
    by: Actor,
    warehouse: Warehouse,
    batch: Batch,
    kind: str,
    quantity: Any,
    reason: str,
    increase: bool = False,
) -> StockMovement:
    """An adjustment after a stock count (up or down) or a write-off (damaged, expired: down),
    always with a reason."""
    require(by, Capability.MANAGE_SUPPLIES, within=warehouse.org_unit)
    _in_use(warehouse)
    if kind not in (MovementKind.ADJUSTMENT, MovementKind.WRITE_OFF):
        raise ValidationError({"kind": _("只能盘点调整或报损核销")})
    if kind == MovementKind.WRITE_OFF and increase:
        raise ValidationError({"kind": _("报损核销只能减少库存")})
    qty = checked_quantity(batch.item, quantity)
    if not reason.strip():
        raise ValidationError({"reason": _("请填写原因")})
    with transaction.atomic():
        movement = _post(
            balance=_balance_row(warehouse, batch),
            delta=qty if increase else -qty,
            kind=kind,
            voucher=_voucher("TZ" if kind == MovementKind.ADJUSTMENT else "BS"),
            by=by,
            occurred_at=timezone.now(),
            reason=reason.strip()[:200],
        )
        audit_record(
            actor=by,
            action=AuditAction.UPDATE,
            target=warehouse,
            detail={"kind": kind, "batch": batch.code, "delta": str(movement.quantity)},
        )
    return movement


def target_set(
    *, by: Actor, warehouse: Warehouse, item: Item, level: int, quantity: Any
) -> ReserveTarget:
    """Set the reserve target of an item in a warehouse at a response level."""
    require(by, Capability.MANAGE_SUPPLIES, within=warehouse.org_unit)
    _in_use(warehouse)
    from warmwinter.weather.levels import ResponseLevel

    if level not in ResponseLevel.values:
        raise ValidationError({"level": _("响应等级无效")})
    try:
        qty = Decimal(str(quantity))
    except (InvalidOperation, ValueError):
        raise ValidationError({"quantity": _("数量须为数字")}) from None
    if not qty.is_finite():
        raise ValidationError({"quantity": _("数量须为数字")})
    refused = refusal(TARGET_QUANTITY, qty)
    if refused is not None:
        raise ValidationError({"quantity": refused})
    if qty != 0:
        qty = checked_quantity(item, qty)
    with transaction.atomic():
        target, _created = ReserveTarget.objects.update_or_create(
            warehouse=warehouse,
            item=item,
            level=level,
            defaults={"quantity": qty, "modified_by": by},
        )
        audit_record(
            actor=by,
            action=AuditAction.UPDATE,
            target=warehouse,
            detail={"target": item.code, "level": level, "quantity": str(qty)},
        )
    return target


def transfers_from_plan(*, by: Actor, plan: Sequence[Any]) -> tuple[list[Transfer], int]:
    """Send the suggested transfers (selectors.transfer_plan) that `by` may send: one transfer per
    (from, to) pair. Returns the transfers made and how many plan lines were left to others
    (stock outside the user's unit, e.g. the city store for a district user)."""
    require(by, Capability.MANAGE_SUPPLIES)
    groups: dict[tuple[int, int], list[Any]] = {}
    skipped = 0
    for line in plan:
        if not may(by, Capability.MANAGE_SUPPLIES, within=line.from_warehouse.org_unit):
            skipped += 1
            continue
        groups.setdefault((line.from_warehouse.pk, line.to_warehouse.pk), []).append(line)
    made = []
    with transaction.atomic():
        for lines in groups.values():
            made.append(
                stock_transfer_send(
                    by=by,
                    from_warehouse=lines[0].from_warehouse,
                    to_warehouse=lines[0].to_warehouse,
                    lines=[Line(ln.item, ln.quantity) for ln in lines],
                    note=_("按储备缺口调拨建议"),
                )
            )
    return made, skipped
