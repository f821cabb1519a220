"""xlsx exports: stock on hand, movements for a period, items given per district. Every export
is audited (who took which data out, for which period)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from warmwinter.accounts.permissions import Actor
from warmwinter.audit.models import AuditAction
from warmwinter.audit.services import audit_record
from warmwinter.core import clock
from warmwinter.supplies import selectors
from warmwinter.supplies.models import StockBalance

#: Above this many ledger lines a movement export asks for a shorter period.
MAX_ROWS = 100_000


class ExportTooLargeError(Exception):
    pass


def _sheet(wb: Workbook, title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    ws: Worksheet = wb.active  # type: ignore[assignment]
    ws.title = title
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    ws.freeze_panes = "A2"
    for i, _h in enumerate(header, start=1):
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = 16


def _bytes(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _local(dt: datetime) -> str:
    return clock.local(dt).strftime("%Y-%m-%d %H:%M")


def stock_on_hand_xlsx(*, user: Actor) -> bytes:
    """Every positive balance the user may see, by warehouse, item and batch."""
    today = clock.local_date()
    balances = (
        StockBalance.objects.filter(
            warehouse__in=selectors.warehouses_for(user=user).values("pk"), quantity__gt=0
        )
        .select_related("warehouse", "warehouse__org_unit", "item", "batch")
        .order_by("warehouse__code", "item__category", "item__code", "batch__expires_on")
    )
    wb = Workbook()
    _sheet(
        wb,
        _("库存"),
        [
            _("仓库代码"),
            _("仓库"),
            _("所属单位"),
            _("物资"),
            _("类别"),
            _("单位"),
            _("批次"),
            _("有效期至"),
            _("结存"),
            _("状态"),
        ],
        (
            [
                b.warehouse.code,
                b.warehouse.name,
                b.warehouse.org_unit.name,
                b.item.name,
                str(b.item.get_category_display()),
                b.item.unit,
                b.batch.code,
                b.batch.expires_on,
                float(b.quantity),
                _("已过期") if b.batch.expires_on and b.batch.expires_on < today else _("可用"),
            ]
            for b in balances
        ),
    )
    audit_record(
        actor=user, action=AuditAction.EXPORT, target=user.org_unit, detail={"export": "stock"}
    )
    return _bytes(wb)


def movements_xlsx(
    *, user: Actor, since: datetime | None, until: datetime | None, kind: str | None = None
) -> bytes:
    qs = selectors.movements_for(user=user, since=since, until=until, kind=kind).order_by(
        "occurred_at", "id"
    )
    if qs.count() > MAX_ROWS:
        raise ExportTooLargeError(_("流水超过 %(n)s 条，请缩短期间") % {"n": MAX_ROWS})
    wb = Workbook()
    _sheet(
        wb,
        _("流水"),
        [
            _("时间"),
            _("单据号"),
            _("类型"),
            _("仓库"),
            _("物资"),
            _("单位"),
            _("批次"),
            _("数量"),
            _("来源"),
            _("受领人"),
            _("来源单据"),
            _("原因/备注"),
            _("登记人"),
        ],
        (
            [
                _local(m.occurred_at),
                m.voucher,
                str(m.get_kind_display()),
                m.warehouse.name,
                m.item.name,
                m.item.unit,
                m.batch.code,
                float(m.quantity),
                m.source,
                m.recipient_label,
                f"{m.ref_type}:{m.ref_id}" if m.ref_type else "",
                m.reason,
                str(m.recorded_by) if m.recorded_by else "",
            ]
            for m in qs.iterator(chunk_size=2000)
        ),
    )
    audit_record(
        actor=user,
        action=AuditAction.EXPORT,
        target=user.org_unit,
        detail={
            "export": "movements",
            "since": since.isoformat() if since else "",
            "until": until.isoformat() if until else "",
            "kind": kind or "",
        },
    )
    return _bytes(wb)


def given_per_district_xlsx(
    *, user: Actor, since: datetime | None, until: datetime | None
) -> bytes:
    rows = selectors.given_per_district(user=user, since=since, until=until)
    wb = Workbook()
    _sheet(
        wb,
        _("各区发放"),
        [_("区代码"), _("区"), _("物资"), _("单位"), _("发放数量")],
        (
            [
                r["district_code"] or "310000",
                r["district"] or _("市级"),
                r["item"].name,
                r["item"].unit,
                float(r["quantity"]),
            ]
            for r in rows
        ),
    )
    audit_record(
        actor=user,
        action=AuditAction.EXPORT,
        target=user.org_unit,
        detail={
            "export": "given_per_district",
            "since": since.isoformat() if since else "",
            "until": until.isoformat() if until else "",
        },
    )
    return _bytes(wb)
