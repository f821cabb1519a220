from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from warmwinter.accounts.auth import request_user
from warmwinter.accounts.models import User
from warmwinter.accounts.permissions import require
from warmwinter.accounts.roles import Capability
from warmwinter.accounts.scoping import get_visible_or_404
from warmwinter.audit.models import AuditAction
from warmwinter.audit.services import audit_record
from warmwinter.core import clock
from warmwinter.core.validation import api_field
from warmwinter.pagination import BoundedLimitOffsetPagination
from warmwinter.people.selectors import person_for
from warmwinter.places.models import OrgUnit, Place, PlaceKind
from warmwinter.places.selectors import district_by_code
from warmwinter.supplies import selectors, services
from warmwinter.supplies.models import (
    Batch,
    Item,
    MovementKind,
    ReceiptSource,
    RecipientKind,
    ReserveTarget,
    StockMovement,
    Transfer,
    TransferStatus,
    Warehouse,
    WarehouseKind,
)
from warmwinter.supplies.validators import QUANTITY
from warmwinter.weather.levels import ResponseLevel
from warmwinter.weather.selectors import current_level

router = Router()

#: A quantity and an item code as the API takes them (the patrol app's encounters too).
Quantity = Annotated[Decimal, api_field(QUANTITY, description="数量（正数；整件物资须为整数）")]
ItemCode = Annotated[str, api_field(Item, "code", pattern=r"^[-a-z0-9_]+$", description="物资代码")]
DistrictCode = Annotated[str, Field(pattern=r"^\d{6}$", description="区代码，如 310101")]
BatchCode = Annotated[str, api_field(Batch, "code")]
Reason = Annotated[str, api_field(StockMovement, "reason")]


def _item(code: str) -> Item:
    item = selectors.item_by_code(code)
    if item is None:
        raise HttpError(422, _("没有代码为 %(code)s 的物资") % {"code": code})
    return item


def _batch(item: Item, code: str | None) -> Batch | None:
    if not code:
        return None
    batch = Batch.objects.filter(item=item, code=code).first()
    if batch is None:
        raise HttpError(422, _("%(item)s 没有批次 %(code)s") % {"item": item.name, "code": code})
    return batch


def _district(user: User, code: str | None) -> OrgUnit:
    """The district asked for (must be visible), or the user's own."""
    if code:
        district = district_by_code(code)
        if district is None:
            raise HttpError(422, _("没有代码为 %(code)s 的区") % {"code": code})
        return get_visible_or_404(OrgUnit.objects.all(), user, pk=district.pk)
    own = user.org_unit.district if user.org_unit else None
    if own is None:
        raise HttpError(422, _("请指定区代码"))
    return own


class ItemOut(Schema):
    code: str
    name: str
    category: str
    unit: str
    whole_units: bool
    shelf_life_days: int | None


class WarehouseOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    kind_label: str
    org_unit_code: str = Field(..., alias="org_unit.code")
    org_unit_name: str = Field(..., alias="org_unit.name")
    holder_label: str

    @staticmethod
    def resolve_kind_label(obj: Warehouse) -> str:
        return str(obj.get_kind_display())


class BatchStockOut(Schema):
    batch: str
    expires_on: date | None
    quantity: Decimal
    expired: bool
    near_expiry: bool


class ItemStockOut(Schema):
    item: ItemOut
    on_hand: Decimal
    usable: Decimal
    batches: list[BatchStockOut]


class WarehouseStockOut(Schema):
    warehouse: WarehouseOut
    stock: list[ItemStockOut]


class MovementOut(Schema):
    id: int
    voucher: str
    kind: str
    warehouse_code: str = Field(..., alias="warehouse.code")
    item_code: str = Field(..., alias="item.code")
    batch: str = Field(..., alias="batch.code")
    quantity: Decimal
    occurred_at: datetime
    source_kind: str
    source: str
    recipient_kind: str
    recipient_label: str
    ref_type: str
    ref_id: str
    person_ref: str
    transfer_id: int | None
    reason: str


class ReceiptIn(Schema):
    warehouse_id: int
    item: ItemCode
    quantity: Quantity
    source_kind: ReceiptSource
    source: Annotated[str, api_field(StockMovement, "source", min_length=1)]
    batch: BatchCode = ""
    expires_on: date | None = None
    note: Reason = ""


class LineIn(Schema):
    item: ItemCode
    quantity: Quantity
    batch: BatchCode | None = None


class IssueIn(Schema):
    warehouse_id: int
    lines: Annotated[list[LineIn], Field(min_length=1, max_length=30)]
    recipient_kind: RecipientKind = RecipientKind.PERSON
    recipient_label: Annotated[str, api_field(StockMovement, "recipient_label")] = ""
    shelter_id: int | None = None
    ref_type: Annotated[
        str, api_field(StockMovement, "ref_type", description="来源单据，如 patrols.encounter")
    ] = ""
    ref_id: Annotated[str, api_field(StockMovement, "ref_id")] = ""
    person_id: int | None = Field(None, description="人员档案编号：发放记入该档案的时间线")
    person_ref: Annotated[
        str, api_field(StockMovement, "person_ref", description="其他档案引用，如 app.model:12")
    ] = ""
    occurred_at: datetime | None = None
    note: Reason = ""


class TransferIn(Schema):
    from_warehouse_id: int
    to_warehouse_id: int
    lines: Annotated[list[LineIn], Field(min_length=1, max_length=30)]
    note: Annotated[str, api_field(Transfer, "note")] = ""


class TransferOut(Schema):
    id: int
    status: str
    from_warehouse: WarehouseOut
    to_warehouse: WarehouseOut
    sent_at: datetime
    received_at: datetime | None
    note: str


class CorrectionIn(Schema):
    warehouse_id: int
    item: ItemCode
    batch: Annotated[str, api_field(Batch, "code", min_length=1)]
    kind: Literal["adjustment", "write_off"]
    direction: Literal["increase", "decrease"] = "decrease"
    quantity: Quantity
    reason: Annotated[str, api_field(StockMovement, "reason", min_length=1)]


class TargetIn(Schema):
    warehouse_id: int
    item: ItemCode
    level: ResponseLevel
    quantity: Annotated[Decimal, api_field(ReserveTarget, "quantity")]


class PositionOut(Schema):
    warehouse: WarehouseOut
    item: ItemOut
    level: int
    target: Decimal
    usable: Decimal
    missing: Decimal


class PlanLineOut(Schema):
    from_warehouse: WarehouseOut
    to_warehouse: WarehouseOut
    item: ItemOut
    quantity: Decimal


class ReserveQuery(Schema):
    district: DistrictCode | None = None
    level: ResponseLevel | None = Field(None, description="默认为该区当前响应等级")


class AlertOut(Schema):
    id: int
    kind: str
    warehouse: WarehouseOut
    item: ItemOut
    level: int | None
    quantity: Decimal
    message: str
    raised_at: datetime
    resolved_at: datetime | None


class MovementQuery(Schema):
    warehouse_id: int | None = None
    kind: MovementKind | None = None
    since: datetime | None = None
    until: datetime | None = None


class GivenOut(Schema):
    district_code: str
    district: str
    item: ItemOut
    quantity: Decimal


@router.get("/items", response=list[ItemOut], summary="物资目录")
def list_items(request: HttpRequest) -> Any:
    require(request_user(request), Capability.VIEW_SUPPLIES)
    return selectors.items()


@router.get("/warehouses", response=list[WarehouseOut], summary="仓库（按权限范围）")
@paginate(BoundedLimitOffsetPagination)
def list_warehouses(
    request: HttpRequest, kind: WarehouseKind | None = None, district: DistrictCode | None = None
) -> Any:
    user = require(request_user(request), Capability.VIEW_SUPPLIES)
    unit = _district(user, district) if district else None
    return selectors.warehouses_for(user=user, kind=kind, district=unit)


@router.get("/warehouses/{int:warehouse_id}", response=WarehouseStockOut, summary="仓库库存")
def get_warehouse(request: HttpRequest, warehouse_id: int) -> Any:
    user = require(request_user(request), Capability.VIEW_SUPPLIES)
    warehouse = selectors.warehouse_for(user, warehouse_id)
    stock = [
        {
            "item": s.item,
            "on_hand": s.on_hand,
            "usable": s.usable,
            "batches": [
                {
                    "batch": b.batch.code,
                    "expires_on": b.batch.expires_on,
                    "quantity": b.quantity,
                    "expired": b.expired,
                    "near_expiry": b.near_expiry,
                }
                for b in s.batches
            ],
        }
        for s in selectors.stock_of(warehouse)
    ]
    return {"warehouse": warehouse, "stock": stock}


@router.get("/movements", response=list[MovementOut], summary="库存流水")
@paginate(BoundedLimitOffsetPagination)
def list_movements(request: HttpRequest, filters: Query[MovementQuery]) -> Any:
    user = require(request_user(request), Capability.VIEW_SUPPLIES)
    warehouse = (
        selectors.warehouse_for(user, filters.warehouse_id) if filters.warehouse_id else None
    )
    return selectors.movements_for(
        user=user,
        warehouse=warehouse,
        kind=filters.kind,
        since=clock.aware(filters.since) if filters.since else None,
        until=clock.aware(filters.until) if filters.until else None,
    )


@router.post("/receipts", response={201: MovementOut}, summary="入库（捐赠或采购）")
def create_receipt(request: HttpRequest, payload: ReceiptIn) -> Any:
    user = request_user(request)
    warehouse = selectors.warehouse_for(user, payload.warehouse_id)
    movement = services.stock_receive(
        by=user,
        warehouse=warehouse,
        item=_item(payload.item),
        quantity=payload.quantity,
        source_kind=payload.source_kind,
        source=payload.source,
        batch_code=payload.batch,
        expires_on=payload.expires_on,
        note=payload.note,
    )
    return Status(201, movement)


def _lines(payload_lines: list[LineIn]) -> list[services.Line]:
    lines = []
    for line in payload_lines:
        item = _item(line.item)
        lines.append(services.Line(item, line.quantity, _batch(item, line.batch)))
    return lines


@router.post(
    "/issues", response={201: list[MovementOut]}, summary="发放（给受助人员或临时救助场所）"
)
def create_issue(request: HttpRequest, payload: IssueIn) -> Any:
    user = request_user(request)
    warehouse = selectors.warehouse_for(user, payload.warehouse_id)
    shelter = (
        get_visible_or_404(
            Place.objects.active().filter(kind=PlaceKind.TEMP_SHELTER), user, pk=payload.shelter_id
        )
        if payload.shelter_id is not None
        else None
    )
    person = person_for(user, payload.person_id) if payload.person_id is not None else None
    movements = services.stock_issue(
        by=user,
        warehouse=warehouse,
        person=person,
        lines=_lines(payload.lines),
        recipient_kind=payload.recipient_kind,
        recipient_label=payload.recipient_label,
        shelter=shelter,
        ref_type=payload.ref_type,
        ref_id=payload.ref_id,
        person_ref=payload.person_ref,
        occurred_at=payload.occurred_at,
        note=payload.note,
    )
    return Status(201, movements)


@router.get("/transfers", response=list[TransferOut], summary="调拨单")
@paginate(BoundedLimitOffsetPagination)
def list_transfers(request: HttpRequest, status: TransferStatus | None = None) -> Any:
    user = require(request_user(request), Capability.VIEW_SUPPLIES)
    return selectors.transfers_for(user, status=status)


@router.post("/transfers", response={201: TransferOut}, summary="调拨出库（在途）")
def create_transfer(request: HttpRequest, payload: TransferIn) -> Any:
    user = request_user(request)
    source = selectors.warehouse_for(user, payload.from_warehouse_id)
    target = Warehouse.objects.active().filter(pk=payload.to_warehouse_id).first()
    if target is None:
        raise HttpError(422, _("调入仓库不存在或已停用"))
    transfer = services.stock_transfer_send(
        by=user,
        from_warehouse=source,
        to_warehouse=target,
        lines=_lines(payload.lines),
        note=payload.note,
    )
    return Status(201, transfer)


@router.post(
    "/transfers/{int:transfer_id}/receive", response=list[MovementOut], summary="调拨签收入库"
)
def receive_transfer(request: HttpRequest, transfer_id: int) -> Any:
    user = request_user(request)
    transfer = selectors.transfer_for(user, transfer_id)
    # Only the receiving side signs: its warehouse must be in the user's scope.
    selectors.warehouse_for(user, transfer.to_warehouse_id)
    return services.stock_transfer_receive(by=user, transfer=transfer)


@router.post("/corrections", response={201: MovementOut}, summary="盘点调整或报损核销")
def create_correction(request: HttpRequest, payload: CorrectionIn) -> Any:
    user = request_user(request)
    warehouse = selectors.warehouse_for(user, payload.warehouse_id)
    item = _item(payload.item)
    batch = _batch(item, payload.batch)
    assert batch is not None  # noqa: S101 - batch is required by the schema
    movement = services.stock_correct(
        by=user,
        warehouse=warehouse,
        batch=batch,
        kind=payload.kind,
        quantity=payload.quantity,
        reason=payload.reason,
        increase=payload.direction == "increase",
    )
    return Status(201, movement)


@router.put("/targets", response=PositionOut, summary="设置储备目标（仓库 × 物资 × 响应等级）")
def set_target(request: HttpRequest, payload: TargetIn) -> Any:
    user = request_user(request)
    warehouse = selectors.warehouse_for(user, payload.warehouse_id)
    item = _item(payload.item)
    services.target_set(
        by=user, warehouse=warehouse, item=item, level=payload.level, quantity=payload.quantity
    )
    for s in selectors.reserve_position(warehouse.org_unit, payload.level):
        if s.warehouse.pk == warehouse.pk and s.item.pk == item.pk:
            return s
    raise HttpError(500, "target not found after save")  # pragma: no cover


def _position(
    request: HttpRequest, query: ReserveQuery
) -> tuple[OrgUnit, int, list[selectors.Shortfall]]:
    user = require(request_user(request), Capability.VIEW_SUPPLIES)
    district = _district(user, query.district)
    level = query.level if query.level is not None else current_level(district)
    return district, level, selectors.reserve_position(district, level)


@router.get("/reserves", response=list[PositionOut], summary="储备对照（目标与可用库存）")
def reserves(request: HttpRequest, query: Query[ReserveQuery]) -> Any:
    return _position(request, query)[2]


@router.get("/shortfalls", response=list[PositionOut], summary="储备缺口")
def shortfalls(request: HttpRequest, query: Query[ReserveQuery]) -> Any:
    user = require(request_user(request), Capability.VIEW_SUPPLIES)
    district = _district(user, query.district)
    level = query.level if query.level is not None else current_level(district)
    return selectors.shortfalls_for(district, level)


@router.get("/transfer-plan", response=list[PlanLineOut], summary="补足缺口的调拨建议")
def transfer_plan(request: HttpRequest, query: Query[ReserveQuery]) -> Any:
    user = require(request_user(request), Capability.VIEW_SUPPLIES)
    district = _district(user, query.district)
    level = query.level if query.level is not None else current_level(district)
    return selectors.transfer_plan(district, level)


@router.get("/alerts", response=list[AlertOut], summary="物资提醒（缺口、临期）")
@paginate(BoundedLimitOffsetPagination)
def list_alerts(request: HttpRequest, include_resolved: bool = False) -> Any:
    user = require(request_user(request), Capability.VIEW_SUPPLIES)
    return selectors.alerts_for(user=user, open_only=not include_resolved)


@router.get("/given", response=list[GivenOut], summary="各区发放统计")
def given(
    request: HttpRequest, since: datetime | None = None, until: datetime | None = None
) -> Any:
    user = require(request_user(request), Capability.VIEW_SUPPLIES)
    return selectors.given_per_district(
        user=user,
        since=clock.aware(since) if since else None,
        until=clock.aware(until) if until else None,
    )


@router.get("/person-issues", response=list[MovementOut], summary="某人员档案领取的物资")
def person_issues(
    request: HttpRequest,
    person_ref: Annotated[str, api_field(StockMovement, "person_ref", min_length=1)],
) -> Any:
    user = require(request_user(request), Capability.VIEW_SUPPLIES)
    found = list(selectors.issues_for_person(user=user, person_ref=person_ref))
    # What a person was given is part of their file: reading it is audited.
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        detail={"person_ref": person_ref, "supplies_issues": len(found)},
    )
    return found
