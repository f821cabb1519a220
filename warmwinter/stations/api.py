"""Rescue stations: admission, zones and beds, daily care, services, discharge."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from warmwinter.accounts.auth import request_user
from warmwinter.accounts.permissions import Actor, require
from warmwinter.accounts.roles import Capability
from warmwinter.audit.models import AuditAction
from warmwinter.audit.services import audit_record
from warmwinter.core.validation import api_field
from warmwinter.pagination import BoundedLimitOffsetPagination
from warmwinter.people.models import Person, Sex
from warmwinter.people.selectors import person_for
from warmwinter.people.validators import AGE_ESTIMATE
from warmwinter.stations import selectors, services
from warmwinter.stations.models import (
    Admission,
    AdmissionStatus,
    AidDecision,
    AidDecisionReason,
    BroughtBy,
    DischargeReason,
    DistressCategory,
    NightRound,
    PlacementStep,
    PlacementStepKind,
    SecurityItem,
    ServiceCase,
    ServiceKind,
    ServiceStep,
    StayExtension,
    Visit,
)
from warmwinter.stations.rules import MentalSign, Symptom

router = Router()

StationCode = Annotated[str, Field(pattern=r"^[0-9A-Za-z-]{2,24}$")]


class BedOut(Schema):
    id: int
    label: str
    zone: str
    zone_kind: str
    occupied_by_admission: int | None = None


class ZoneOut(Schema):
    id: int
    name: str
    kind: str
    free: int
    beds: list[BedOut]


class BoardOut(Schema):
    station: str
    total: int
    free: int
    capacity_alert: bool
    zones: list[ZoneOut]
    unplaced_admissions: list[int]


class AdmissionOut(Schema):
    id: int
    station: str = Field(..., alias="station.code")
    shelter_id: int | None = Field(None, description="临时救助场所（地点编号）")
    person_id: int
    person_name: str = Field(..., alias="person.display_name")
    admitted_at: datetime
    brought_by: str
    escort_note: str
    category: str
    first_receiver: str = Field(..., alias="first_receiver.username")
    security_checks: list[str]
    held_items: str
    held_items_seal: str
    held_items_signed: bool
    temperature: Decimal | None
    injuries: str
    symptoms: list[str]
    mental_signs: list[str]
    zone_kind: str
    hospital_suggested: bool
    classification_reasons: list[str]
    status: str
    stay_until: date
    discharged_at: datetime | None
    discharge_reason: str
    discharge_destination: str
    next_visit_due: date | None


class NewPersonIn(Schema):
    name: Annotated[str, api_field(Person, "name")] = ""
    sex: Sex = Sex.UNKNOWN
    age_estimate: Annotated[int, api_field(AGE_ESTIMATE)] | None = None


class AdmissionIn(Schema):
    station: StationCode | None = Field(None, description="救助管理站代码（与 shelter_id 二选一）")
    shelter_id: Annotated[int, Field(ge=1)] | None = Field(None, description="临时救助场所编号")
    brought_by: BroughtBy
    category: DistressCategory
    escort_note: Annotated[str, api_field(Admission, "escort_note")] = ""
    person_id: Annotated[int, Field(ge=1)] | None = Field(None, description="已有档案编号")
    new_person: NewPersonIn | None = Field(None, description="新建档案（先行救助可只填性别）")
    security_checks: list[SecurityItem] = []
    held_items: Annotated[str, api_field(Admission, "held_items")] = ""
    held_items_seal: Annotated[str, api_field(Admission, "held_items_seal")] = ""
    held_items_signed: bool = False
    temperature: Annotated[Decimal, api_field(Admission, "temperature")] | None = None
    injuries: Annotated[str, api_field(Admission, "injuries")] = ""
    symptoms: list[Symptom] = []
    mental_signs: list[MentalSign] = []


class BedIn(Schema):
    bed_id: Annotated[int, Field(ge=1)]


class DischargeIn(Schema):
    reason: DischargeReason
    destination: Annotated[str, api_field(Admission, "discharge_destination")] = ""
    note: Annotated[str, api_field(Admission, "discharge_note")] = ""
    visit_every_days: Annotated[int, api_field(Admission, "visit_every_days")] | None = None


@router.get("/stations/{code}/board", response=BoardOut, summary="床位看板")
def board(request: HttpRequest, code: StationCode) -> Any:
    user = require(request_user(request), Capability.VIEW_STATIONS)
    station = selectors.station_for(user, code)
    b = selectors.bed_board(station)
    return {
        "station": station.code,
        "total": b.total,
        "free": b.free,
        "capacity_alert": b.alert,
        "zones": [
            {
                "id": row.zone.pk,
                "name": row.zone.name,
                "kind": row.zone.kind,
                "free": row.free,
                "beds": [
                    {
                        "id": bed.pk,
                        "label": bed.label,
                        "zone": row.zone.name,
                        "zone_kind": row.zone.kind,
                        "occupied_by_admission": who.pk if who else None,
                    }
                    for bed, who in row.beds
                ],
            }
            for row in b.zones
        ],
        "unplaced_admissions": [a.pk for a in b.unplaced],
    }


@router.get("/admissions", response=list[AdmissionOut], summary="入站记录（按权限范围）")
@paginate(BoundedLimitOffsetPagination)
def list_admissions(
    request: HttpRequest, station: StationCode | None = None, status: AdmissionStatus | None = None
) -> Any:
    user = require(request_user(request), Capability.VIEW_STATIONS)
    qs = selectors.admissions_for(
        user=user, station=selectors.station_for(user, station) if station else None
    )
    if status:
        qs = qs.filter(status=status)
    with transaction.atomic():
        audit_record(actor=user, action=AuditAction.VIEW, detail={"list": "admissions"})
    return qs


@router.get("/admissions/{int:admission_id}", response=AdmissionOut, summary="入站记录详情")
def get_admission(request: HttpRequest, admission_id: int) -> Any:
    user = require(request_user(request), Capability.VIEW_STATIONS)
    admission = selectors.admission_for(user, admission_id)
    with transaction.atomic():
        audit_record(actor=user, action=AuditAction.VIEW, target=admission)
    return admission


def _person_or_new(user: Actor, payload: Any) -> tuple[Any, dict[str, Any] | None]:
    """An existing file the user may see (`person_id`), or the fields of a new one."""
    if payload.person_id is not None:
        try:
            return person_for(user, payload.person_id), None
        except Http404:
            raise HttpError(422, _("没有这份档案或无权查看")) from None
    data = payload.new_person.dict() if payload.new_person else {}
    return None, {k: v for k, v in data.items() if v not in ("", None)}


@router.post("/admissions", response={201: AdmissionOut}, summary="办理入站")
def create_admission(request: HttpRequest, payload: AdmissionIn) -> Any:
    user = request_user(request)
    if (payload.station is None) == (payload.shelter_id is None):
        raise HttpError(422, _("请填写救助管理站代码或临时救助场所编号（二选一）"))
    shelter = selectors.shelter_for(user, payload.shelter_id) if payload.shelter_id else None
    station = shelter.org_unit if shelter else selectors.station_for(user, payload.station or "")
    person, new_person = _person_or_new(user, payload)
    admission = services.admission_create(
        by=user,
        station=station,
        shelter=shelter,
        person=person,
        new_person=new_person,
        **payload.dict(exclude={"station", "shelter_id", "person_id", "new_person"}),
    )
    return Status(201, admission)


@router.post("/admissions/{int:admission_id}/bed", response=AdmissionOut, summary="安排床位")
def assign_bed(request: HttpRequest, admission_id: int, payload: BedIn) -> Any:
    user = request_user(request)
    admission = selectors.admission_for(user, admission_id)
    bed = selectors.bed_for(user, payload.bed_id)
    try:
        services.bed_assign(by=user, admission=admission, bed=bed)
    except ValidationError as exc:
        raise HttpError(409, "；".join(exc.messages)) from None
    return admission


@router.post("/admissions/{int:admission_id}/discharge", response=AdmissionOut, summary="办理离站")
def discharge(request: HttpRequest, admission_id: int, payload: DischargeIn) -> Any:
    user = request_user(request)
    admission = selectors.admission_for(user, admission_id)
    return services.discharge(by=user, admission=admission, **payload.dict())


class ServiceStepOut(Schema):
    at: datetime
    note: str
    by: str = Field(..., alias="by.username")


class ServiceOut(Schema):
    id: int
    admission_id: int
    kind: str
    status: str
    owner: str = Field(..., alias="owner.username")
    destination: str
    transport: str
    escort: str
    handover_to: str
    outcome: str
    closed_at: datetime | None
    steps: list[ServiceStepOut]

    @staticmethod
    def resolve_steps(obj: ServiceCase) -> Any:
        return list(obj.steps.select_related("by"))


ServiceDestination = Annotated[str, api_field(ServiceCase, "destination")]
ServiceTransport = Annotated[str, api_field(ServiceCase, "transport")]
ServiceEscort = Annotated[str, api_field(ServiceCase, "escort")]
ServiceHandoverTo = Annotated[str, api_field(ServiceCase, "handover_to")]


class ServiceIn(Schema):
    kind: ServiceKind
    destination: ServiceDestination = ""
    transport: ServiceTransport = ""
    escort: ServiceEscort = ""
    handover_to: ServiceHandoverTo = ""


class ServiceStepIn(Schema):
    note: Annotated[str, api_field(ServiceStep, "note", min_length=1)]
    destination: ServiceDestination = ""
    transport: ServiceTransport = ""
    escort: ServiceEscort = ""
    handover_to: ServiceHandoverTo = ""


class ServiceCloseIn(Schema):
    outcome: Annotated[str, api_field(ServiceCase, "outcome", min_length=1)]
    done: bool = True


@router.post(
    "/admissions/{int:admission_id}/services", response={201: ServiceOut}, summary="新增救助服务"
)
def open_service(request: HttpRequest, admission_id: int, payload: ServiceIn) -> Any:
    user = request_user(request)
    admission = selectors.admission_for(user, admission_id)
    return Status(201, services.service_open(by=user, admission=admission, **payload.dict()))


@router.post("/services/{int:service_id}/steps", response=ServiceOut, summary="记录服务进展")
def service_step(request: HttpRequest, service_id: int, payload: ServiceStepIn) -> Any:
    user = request_user(request)
    case = selectors.service_for(user, service_id)
    services.service_step(by=user, case=case, **payload.dict())
    return selectors.service_for(user, service_id)


@router.post("/services/{int:service_id}/close", response=ServiceOut, summary="结束救助服务")
def service_close(request: HttpRequest, service_id: int, payload: ServiceCloseIn) -> Any:
    user = request_user(request)
    case = selectors.service_for(user, service_id)
    return services.service_close(by=user, case=case, **payload.dict())


class ExtendIn(Schema):
    until: date
    reason: Annotated[str, api_field(StayExtension, "reason", min_length=1)]


class VisitIn(Schema):
    physical_state: Annotated[str, api_field(Visit, "physical_state", min_length=1)]
    mental_state: Annotated[str, api_field(Visit, "mental_state", min_length=1)]
    note: Annotated[str, api_field(Visit, "note")] = ""


class VisitOut(Schema):
    id: int
    admission_id: int
    visited_at: datetime
    physical_state: str
    mental_state: str
    by: str = Field(..., alias="by.username")


@router.post(
    "/admissions/{int:admission_id}/extend",
    response=AdmissionOut,
    summary="延长在站期限（带班领导）",
)
def extend_stay(request: HttpRequest, admission_id: int, payload: ExtendIn) -> Any:
    user = request_user(request)
    admission = selectors.admission_for(user, admission_id)
    services.stay_extend(by=user, admission=admission, **payload.dict())
    return selectors.admission_for(user, admission_id)


@router.post(
    "/admissions/{int:admission_id}/visits",
    response={201: VisitOut},
    summary="记录走访（当面了解）",
)
def record_visit(request: HttpRequest, admission_id: int, payload: VisitIn) -> Any:
    user = request_user(request)
    admission = selectors.admission_for(user, admission_id)
    return Status(201, services.visit_record(by=user, admission=admission, **payload.dict()))


@router.get("/stays/near-limit", response=list[AdmissionOut], summary="在站期限临近或已超期")
def stays_near_limit(request: HttpRequest, station: StationCode | None = None) -> Any:
    user = require(request_user(request), Capability.VIEW_STATIONS)
    return selectors.stays_near_limit(
        user=user, station=selectors.station_for(user, station) if station else None
    )


@router.get("/visits/overdue", response=list[AdmissionOut], summary="逾期未走访（送医、站外托养）")
def visits_overdue(request: HttpRequest, station: StationCode | None = None) -> Any:
    user = require(request_user(request), Capability.VIEW_STATIONS)
    return selectors.visits_overdue(
        user=user, station=selectors.station_for(user, station) if station else None
    )


# --- decisions (不予救助、终止救助) -------------------------------------------------------------


class DecisionOut(Schema):
    id: int
    kind: str
    station: str = Field(..., alias="station.code")
    person_id: int
    admission_id: int | None
    reason: str
    detail: str
    decided_by: str = Field(..., alias="decided_by.username")
    decided_at: datetime
    notice_pdf: str

    @staticmethod
    def resolve_notice_pdf(obj: Any) -> str:
        return f"{obj.get_absolute_url()}?format=pdf"


class RefusalIn(Schema):
    person_id: Annotated[int, Field(ge=1)] | None = Field(None, description="已有档案编号")
    new_person: NewPersonIn | None = None
    reason: AidDecisionReason
    detail: Annotated[str, api_field(AidDecision, "detail", min_length=1)]


class TerminationIn(Schema):
    reason: AidDecisionReason
    detail: Annotated[str, api_field(AidDecision, "detail", min_length=1)]


@router.post(
    "/stations/{code}/refusals", response={201: DecisionOut}, summary="不予救助（带班领导）"
)
def refuse(request: HttpRequest, code: StationCode, payload: RefusalIn) -> Any:
    user = request_user(request)
    station = selectors.station_for(user, code)
    person, new_person = _person_or_new(user, payload)
    decision = services.aid_refuse(
        by=user,
        station=station,
        person=person,
        new_person=new_person,
        reason=payload.reason,
        detail=payload.detail,
    )
    return Status(201, decision)


@router.post(
    "/admissions/{int:admission_id}/terminate",
    response={201: DecisionOut},
    summary="终止救助（带班领导；同时办理离站）",
)
def terminate(request: HttpRequest, admission_id: int, payload: TerminationIn) -> Any:
    user = request_user(request)
    admission = selectors.admission_for(user, admission_id)
    return Status(201, services.aid_terminate(by=user, admission=admission, **payload.dict()))


@router.get("/decisions/{int:decision_id}", response=DecisionOut, summary="救助决定详情")
def get_decision(request: HttpRequest, decision_id: int) -> Any:
    user = require(request_user(request), Capability.VIEW_STATIONS)
    decision = selectors.decision_for(user, decision_id)
    with transaction.atomic():
        audit_record(actor=user, action=AuditAction.VIEW, target=decision)
    return decision


# --- night rounds and long stays ------------------------------------------------------------


class RoundIn(Schema):
    at: datetime | None = Field(None, description="补记时填写；默认现在")
    note: Annotated[str, api_field(NightRound, "note")] = ""
    issues: Annotated[str, api_field(NightRound, "issues")] = ""


class RoundOut(Schema):
    id: int
    at: datetime
    note: str
    issues: str
    by: str = Field(..., alias="by.username")


class RoundsOut(Schema):
    rounds: list[RoundOut]
    missing: list[tuple[datetime, datetime]]


@router.get("/stations/{code}/rounds", response=RoundsOut, summary="值班巡查（近三天）及缺失时段")
def list_rounds(request: HttpRequest, code: StationCode) -> Any:
    user = require(request_user(request), Capability.VIEW_STATIONS)
    station = selectors.station_for(user, code)
    now = timezone.now()
    return {
        "rounds": list(selectors.rounds_for(station, since=now - timedelta(days=3))),
        "missing": selectors.rounds_missing(station, now=now),
    }


@router.post("/stations/{code}/rounds", response={201: RoundOut}, summary="记录值班巡查")
def record_round(request: HttpRequest, code: StationCode, payload: RoundIn) -> Any:
    user = request_user(request)
    station = selectors.station_for(user, code)
    return Status(201, services.night_round_record(by=user, station=station, **payload.dict()))


class PlacementStepOut(Schema):
    kind: str
    done_on: date
    note: str


class PlacementOut(Schema):
    admission_id: int = Field(..., alias="admission.pk")
    person_id: int = Field(..., alias="admission.person_id")
    person_name: str = Field(..., alias="admission.person.display_name")
    days_in_station: int = Field(..., alias="admission.days_in_station")
    done: list[PlacementStepOut]
    next_step: str | None


class PlacementStepIn(Schema):
    kind: PlacementStepKind
    done_on: date | None = None
    note: Annotated[str, api_field(PlacementStep, "note")] = ""


@router.get(
    "/stations/{code}/long-stays",
    response=list[PlacementOut],
    summary="长期滞留人员（身份不明）及安置进展",
)
def long_stays(request: HttpRequest, code: StationCode) -> Any:
    user = require(request_user(request), Capability.VIEW_STATIONS)
    station = selectors.station_for(user, code)
    with transaction.atomic():
        audit_record(actor=user, action=AuditAction.VIEW, target=station, detail={"list": "long"})
    return selectors.placements(user=user, station=station)


@router.post(
    "/admissions/{int:admission_id}/placement",
    response={201: PlacementStepOut},
    summary="记录长期滞留人员安置步骤",
)
def placement_step(request: HttpRequest, admission_id: int, payload: PlacementStepIn) -> Any:
    user = request_user(request)
    admission = selectors.admission_for(user, admission_id)
    return Status(
        201, services.placement_step_record(by=user, admission=admission, **payload.dict())
    )
