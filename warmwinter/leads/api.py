"""Leads (求助线索): intake from every channel, triage, duplicates, lifecycle, time limits."""

import hashlib
import json
from datetime import datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from warmwinter.accounts.auth import request_user
from warmwinter.accounts.scoping import get_visible_or_404
from warmwinter.audit.models import AuditAction
from warmwinter.audit.services import audit_record
from warmwinter.core.validation import api_field
from warmwinter.leads import lifecycle, selectors, services
from warmwinter.leads.models import Lead, LeadChannel, LeadStatus, UrgencySignal
from warmwinter.pagination import BoundedLimitOffsetPagination
from warmwinter.places.models import OrgLevel, OrgUnit, Place
from warmwinter.places.validators import Lat, Lng

router = Router()

MachineChannel = Literal[
    "grid", "video_patrol", "12345", "110", "service_point", "social_force", "patrol"
]


class LeadOut(Schema):
    id: int
    tracking_code: str
    channel: str
    status: str
    status_label: str
    priority: int
    district_code: str = Field(..., alias="district.code")
    district_name: str = Field(..., alias="district.name")
    org_unit_code: str = Field(..., alias="org_unit.code")
    org_unit_name: str = Field(..., alias="org_unit.name")
    location_source: str
    lat: float
    lng: float
    received_at: datetime
    due_at: datetime | None
    is_overdue: bool
    team_id: int | None

    @staticmethod
    def resolve_status_label(obj: Lead) -> str:
        return str(LeadStatus(obj.status).label)

    @classmethod
    def of(cls, lead: Lead) -> "LeadOut":
        """The same as validating `lead` (a test keeps them equal), built directly: intake
        answers every report with it, and the attribute getter costs more than the rest."""
        return cls.model_construct(
            id=lead.pk,
            tracking_code=lead.tracking_code,
            channel=lead.channel,
            status=lead.status,
            status_label=cls.resolve_status_label(lead),
            priority=lead.priority,
            district_code=lead.district.code,
            district_name=lead.district.name,
            org_unit_code=lead.org_unit.code,
            org_unit_name=lead.org_unit.name,
            location_source=lead.location_source,
            lat=lead.lat,
            lng=lead.lng,
            received_at=lead.received_at,
            due_at=lead.due_at,
            is_overdue=lead.is_overdue,
            team_id=lead.team_id,
        )


class LeadDetailOut(LeadOut):
    description: str
    people_count: int
    signals: list[str]
    priority_score: int
    priority_reasons: list[tuple[str, int]]
    address: str
    reporter_phone_masked: str
    recording_ref: str
    outcome: str
    outcome_note: str
    cancel_reason: str
    merged_into_code: str | None
    needs_ambulance: bool = Field(..., description="紧急情形危及生命：先拨打 120")
    ambulance_called: bool | None = Field(None, description="是否已拨打 120（未记录为 null）")
    ambulance_recorded_by: str | None = None
    ambulance_recorded_at: datetime | None = None

    @staticmethod
    def resolve_ambulance_recorded_by(obj: Lead) -> str | None:
        by = obj.ambulance_recorded_by
        return by.username if by is not None else None

    @staticmethod
    def resolve_reporter_phone_masked(obj: Lead) -> str:
        return obj.masked_phone

    @staticmethod
    def resolve_merged_into_code(obj: Lead) -> str | None:
        return obj.merged_into.tracking_code if obj.merged_into else None


class IntakeIn(Schema):
    channel: MachineChannel = Field("grid", description="来源渠道，默认一网统管")
    lat: Lat | None = None
    lng: Lng | None = None
    datum: Literal["wgs84", "gcj02"] = Field("wgs84", description="坐标系")
    place_id: int | None = Field(None, description="地点 ID（可代替坐标）")
    district_code: Annotated[str, Field(pattern=r"^[0-9]{6}$")] | None = Field(
        None, description="指定所在区（可选，覆盖按位置判定）"
    )
    address: Annotated[str, api_field(Lead, "address")] = ""
    description: Annotated[str, api_field(Lead, "description")] = ""
    people_count: Annotated[int, api_field(Lead, "people_count")] = 1
    signals: list[UrgencySignal] = Field(default_factory=list, max_length=10)
    reporter_name: Annotated[str, api_field(Lead, "reporter_name")] = ""
    reporter_phone: Annotated[str, api_field(Lead, "reporter_phone", pattern=r"^[0-9+\- ]*$")] = ""
    received_at: datetime | None = Field(None, description="平台接收时间（默认现在）")


class LeadFilter(Schema):
    status: LeadStatus | Literal["open"] | None = None


class CancelIn(Schema):
    reason: Annotated[str, api_field(Lead, "cancel_reason", min_length=1)]


class MergeIn(Schema):
    into_id: int


class DuplicateOut(Schema):
    lead: LeadOut
    distance_m: float
    minutes_apart: int


@router.post(
    "/intake",
    response={200: LeadOut, 201: LeadOut},
    summary="机器接入：一网统管等平台推送线索（Idempotency-Key 必填）",
)
def intake(
    request: HttpRequest,
    payload: IntakeIn,
    idempotency_key: Annotated[
        str,
        Header(
            alias="Idempotency-Key",
            min_length=8,
            max_length=80,
            description="同一条线索重试时使用同一个键：只会生成一条线索，重放返回 200",
        ),
    ],
) -> Any:
    user = request_user(request)
    place = (
        get_visible_or_404(Place.objects.active(), user, pk=payload.place_id)
        if payload.place_id
        else None
    )
    district = None
    if payload.district_code:
        district = OrgUnit.objects.filter(
            level=OrgLevel.DISTRICT, code=payload.district_code
        ).first()
        if district is None:
            raise HttpError(422, _("没有代码为 %(c)s 的区") % {"c": payload.district_code})
    report = services.LeadReport(
        channel=payload.channel,
        lat=payload.lat,
        lng=payload.lng,
        datum=payload.datum,
        place=place,
        district=district,
        address=payload.address,
        description=payload.description,
        people_count=payload.people_count,
        signals=[str(s) for s in payload.signals],
        reporter_name=payload.reporter_name,
        reporter_phone=payload.reporter_phone,
        received_at=payload.received_at,
    )
    try:
        lead, created = services.lead_receive(
            report=report,
            by=user,
            idempotency_key=f"api:{user.pk}:{idempotency_key}",
            fingerprint=_fingerprint(payload),
        )
    except services.IdempotencyConflictError as exc:
        raise HttpError(409, str(exc)) from None
    return Status(201 if created else 200, LeadOut.of(lead))


def _fingerprint(payload: IntakeIn) -> str:
    """SHA-256 of the body as parsed (defaults filled, keys sorted): the same report sent with
    its fields in another order or with a default spelled out is the same submission."""
    canonical = json.dumps(
        payload.model_dump(mode="json"), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


@router.get("", response=list[LeadOut], summary="线索列表（按权限范围）")
@paginate(BoundedLimitOffsetPagination)
def list_leads(request: HttpRequest, filters: Query[LeadFilter]) -> Any:
    return selectors.leads_for(user=request_user(request), status=filters.status)


@router.get("/{int:lead_id}", response=LeadDetailOut, summary="线索详情")
def get_lead(request: HttpRequest, lead_id: int) -> Any:
    user = request_user(request)
    lead = selectors.lead_for(user, lead_id)
    audit_record(actor=user, action=AuditAction.VIEW, target=lead)
    return lead


@router.get("/{int:lead_id}/duplicates", response=list[DuplicateOut], summary="疑似重复线索")
def lead_duplicates(request: HttpRequest, lead_id: int) -> Any:
    user = request_user(request)
    return selectors.likely_duplicates(selectors.lead_for(user, lead_id), user=user)


def _conflict(exc: lifecycle.LeadConflictError) -> HttpError:
    return HttpError(409, str(exc))


@router.post("/{int:lead_id}/cancel", response=LeadDetailOut, summary="取消线索（须说明原因）")
def cancel_lead(request: HttpRequest, lead_id: int, payload: CancelIn) -> Any:
    user = request_user(request)
    lead = selectors.lead_for(user, lead_id)
    try:
        return lifecycle.lead_cancel(lead=lead, by=user, reason=payload.reason)
    except lifecycle.LeadConflictError as exc:
        raise _conflict(exc) from None


@router.post("/{int:lead_id}/merge", response=LeadDetailOut, summary="合并到另一条线索")
def merge_lead(request: HttpRequest, lead_id: int, payload: MergeIn) -> Any:
    user = request_user(request)
    lead = selectors.lead_for(user, lead_id)
    into = selectors.lead_for(user, payload.into_id)
    try:
        return lifecycle.lead_merge(lead=lead, into=into, by=user)
    except lifecycle.LeadConflictError as exc:
        raise _conflict(exc) from None


__all__ = ["router", "LeadOut", "LeadDetailOut", "LeadChannel"]
