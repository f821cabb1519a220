"""Street patrols: the night's plan and routes, check-ins, encounters (街面处置) and follow-ups.

The patrol phone app uses these endpoints; its offline queue replays submissions with the
`client_uuid` minted when the form was filled in, so a replay never stores anything twice
(201 the first time, 200 with the same record after)."""

import json
from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.files import UploadedFile
from pydantic import ValidationError as PydanticValidationError

from warmwinter.accounts.auth import request_user
from warmwinter.accounts.permissions import require
from warmwinter.accounts.roles import Capability
from warmwinter.accounts.scoping import get_visible_or_404
from warmwinter.core import clock
from warmwinter.core.middleware import holds_nul, nul_message
from warmwinter.core.validation import api_field
from warmwinter.patrols import planning, rules, selectors, services
from warmwinter.patrols.models import Encounter, FollowUp, PatrolNight, PatrolStop
from warmwinter.people.models import Person
from warmwinter.people.validators import AGE_ESTIMATE
from warmwinter.places.selectors import district_for
from warmwinter.places.validators import Lat, Lng, OrgCode
from warmwinter.supplies.api import ItemCode, Quantity

router = Router()


# --- schemas ------------------------------------------------------------------------------


class StopOut(Schema):
    id: int
    seq: int
    label: str
    lat: float
    lng: float
    source: str
    reason: str
    priority: int
    required: bool
    window_start: datetime
    window_end: datetime
    planned_at: datetime | None
    result: str
    checked_in_at: datetime | None
    team_id: int | None = Field(None, alias="route.team_id")
    lead_id: int | None


class RouteOut(Schema):
    id: int
    team_id: int
    team_name: str = Field(..., alias="team.name")
    base_lat: float = Field(..., alias="team.lat")
    base_lng: float = Field(..., alias="team.lng")
    starts_at: datetime
    ends_at: datetime
    travel_min: int


class NightOut(Schema):
    id: int
    district_code: str = Field(..., alias="district.code")
    night: date
    level: int
    method: str
    solve_s: float
    planned_at: datetime | None
    note: str


class NightDetailOut(NightOut):
    routes: list[RouteOut]
    stops: list[StopOut]

    @staticmethod
    def resolve_routes(obj: PatrolNight) -> Any:
        return selectors.routes_of(obj)

    @staticmethod
    def resolve_stops(obj: PatrolNight) -> Any:
        return obj.stops.select_related("route").all()


class PlanIn(Schema):
    district_code: OrgCode
    night: date | None = None


class CheckInIn(Schema):
    client_uuid: UUID
    stop_id: int
    lat: Lat
    lng: Lng
    at: datetime | None = None
    nobody_found: bool = False


class NewPersonIn(Schema):
    name: Annotated[str, api_field(Person, "name")] = ""
    aliases: Annotated[str, api_field(Person, "aliases")] = ""
    sex: Annotated[str, Field(pattern="^(male|female|unknown|)$")] = ""
    age_estimate: Annotated[int, api_field(AGE_ESTIMATE)] | None = None
    features: Annotated[str, api_field(Person, "features")] = ""
    phone: Annotated[str, api_field(Person, "phone")] = ""


class ItemIn(Schema):
    code: ItemCode
    quantity: Quantity


class EncounterIn(Schema):
    client_uuid: UUID
    occurred_at: datetime | None = None
    lat: Lat
    lng: Lng
    place_name: Annotated[str, api_field(Encounter, "place_name")] = ""
    stop_id: int | None = None
    lead_id: int | None = None
    team_id: int | None = None
    person_id: int | None = None
    new_person: NewPersonIn = NewPersonIn()
    flags: Annotated[list[str], Field(max_length=len(rules.FLAG_NAMES))] = []
    willingness: Annotated[str, api_field(Encounter, "willingness")] = (
        rules.Willingness.UNKNOWN.value
    )
    disposition: Annotated[str, api_field(Encounter, "disposition")]
    deviation_reason: Annotated[str, api_field(Encounter, "deviation_reason")] = ""
    help_contact_left: bool = False
    escort_members: Annotated[str, api_field(Encounter, "escort_members")] = ""
    escort_to_id: int | None = None
    escort_destination: Annotated[str, api_field(Encounter, "escort_destination")] = ""
    household_street_code: OrgCode | Literal[""] = ""
    items: Annotated[list[ItemIn], Field(max_length=20)] = []
    warehouse_id: int | None = None
    note: Annotated[str, api_field(Encounter, "note")] = ""


class EncounterOut(Schema):
    id: int
    client_uuid: UUID
    created: bool = False
    person_id: int
    person_name: str = Field(..., alias="person.display_name")
    occurred_at: datetime
    suggested: str
    disposition: str
    deviation_reason: str
    lead_id: int | None
    follow_up_due: datetime | None = None
    conflicts: list[str] = []
    url: str

    @staticmethod
    def resolve_url(obj: Encounter) -> str:
        return obj.get_absolute_url()

    @staticmethod
    def resolve_follow_up_due(obj: Encounter) -> datetime | None:
        follow_up = obj.follow_ups.order_by("due_at").first()
        return follow_up.due_at if follow_up else None


class ArrivalIn(Schema):
    arrived_at: datetime | None = None
    handover_to: Annotated[str, api_field(Encounter, "handover_to", min_length=1)]


class FollowUpOut(Schema):
    id: int
    kind: str
    person_id: int
    person_name: str = Field(..., alias="person.display_name")
    place_name: str = Field(..., alias="place_label")
    lat: float
    lng: float
    due_at: datetime
    is_overdue: bool
    vulnerable: bool
    priority: str
    misses: int
    done_at: datetime | None
    found: bool | None
    state: str
    willingness: str
    note: str
    url: str

    @staticmethod
    def resolve_lat(obj: FollowUp) -> float:
        return obj.where[0]

    @staticmethod
    def resolve_lng(obj: FollowUp) -> float:
        return obj.where[1]

    @staticmethod
    def resolve_url(obj: FollowUp) -> str:
        return obj.get_absolute_url()


class VisitItemIn(Schema):
    code: ItemCode
    quantity: Quantity


class FollowUpDoneIn(Schema):
    """The visit record: found (state, willingness, items) or not (a GPS check-in and a note)."""

    client_uuid: UUID | None = None
    found: bool
    state: Annotated[str, api_field(FollowUp, "state")] = ""
    willingness: Literal["", "willing", "refuses", "unknown"] = ""
    note: Annotated[str, api_field(FollowUp, "note")] = ""
    items: list[VisitItemIn] = []
    warehouse_id: int | None = None
    lat: Lat | None = None
    lng: Lng | None = None
    accuracy: Annotated[float, Field(ge=0, le=10000)] | None = None
    at: datetime | None = None


class CandidateOut(Schema):
    person_id: int
    name: str
    score: float
    reasons: list[str]


class CandidateQuery(Schema):
    name: Annotated[str, api_field(Person, "name")] = ""
    sex: Annotated[str, api_field(Person, "sex")] = ""
    age: Annotated[int, api_field(AGE_ESTIMATE)] | None = None
    phone: Annotated[str, api_field(Person, "phone")] = ""
    lat: Lat | None = None
    lng: Lng | None = None


# --- plans --------------------------------------------------------------------------------


@router.get("/nights", response=list[NightOut], summary="巡查计划（按权限范围）")
def list_nights(request: HttpRequest) -> Any:
    user = require(request_user(request), Capability.VIEW_PATROLS)
    return selectors.nights_for(user=user).order_by("-night")[:60]


@router.get("/nights/{int:night_id}", response=NightDetailOut, summary="巡查计划详情：路线与点位")
def get_night(request: HttpRequest, night_id: int) -> Any:
    user = require(request_user(request), Capability.VIEW_PATROLS)
    return selectors.night_for(user, night_id)


@router.post("/nights", response={200: NightDetailOut}, summary="生成（或重新生成）一晚的巡查计划")
def plan_night(request: HttpRequest, payload: PlanIn) -> Any:
    user = request_user(request)
    district = district_for(user, payload.district_code)
    return planning.plan_night(district=district, night=payload.night or clock.tonight(), by=user)


# --- the phone app ------------------------------------------------------------------------


@router.get("/today", summary="巡查队员当晚所需：路线、点位、线索、回访任务、物资目录、处置规则")
def today(request: HttpRequest) -> Any:
    from warmwinter.supplies.models import Item
    from warmwinter.supplies.selectors import mobile_warehouses_for

    user = require(request_user(request), Capability.RECORD_ENCOUNTERS)
    t = selectors.today_for(user)
    district = (
        t.teams[0].district if t.teams else (user.org_unit.district if user.org_unit else None)
    )
    return {
        "night": t.night.isoformat(),
        "user": {"id": user.pk, "name": user.display_name or user.username},
        "teams": [
            {"id": team.pk, "name": team.name, "lat": team.lat, "lng": team.lng} for team in t.teams
        ],
        "routes": [RouteOut.from_orm(r).dict() for r in t.routes],
        "stops": [StopOut.from_orm(s).dict() for s in t.stops],
        "leads": [
            {
                "id": lead.pk,
                "code": lead.tracking_code,
                "status": lead.status,
                "status_label": lead.get_status_display(),
                "lat": lead.lat,
                "lng": lead.lng,
                "description": lead.description,
                "priority": lead.priority,
                "needs_ambulance": lead.needs_ambulance,
            }
            for lead in t.leads
        ],
        "follow_ups": [FollowUpOut.from_orm(f).dict() for f in t.follow_ups],
        "items": [
            {"code": i.code, "name": i.name, "unit": i.unit, "category": i.category}
            for i in Item.objects.active().order_by("category", "code")
        ],
        "warehouses": [{"id": w.pk, "name": w.name} for w in mobile_warehouses_for(user)],
        "destinations": [
            {"id": p.pk, "name": p.name, "kind": p.kind}
            for p in selectors.escort_destinations(district)
        ],
        "streets": [
            {"code": s.code, "name": f"{s.parent.name if s.parent else ''} {s.name}"}
            for s in selectors.streets()
        ],
        "flags": [{"name": n, "label": str(label)} for n, label in rules.ASSESSMENT_FLAGS],
        "willingness": [{"value": w.value, "label": str(w.label)} for w in rules.Willingness],
        "rules": rules.table_for_client(),
    }


@router.post("/checkins", response=StopOut, summary="到点签到（GPS 与时间），或登记「未发现」")
def check_in(request: HttpRequest, payload: CheckInIn) -> Any:
    user = request_user(request)
    stop = get_visible_or_404(
        PatrolStop.objects.select_related("route__team"), user, pk=payload.stop_id
    )
    try:
        stop, _changed = services.check_in(
            stop=stop,
            by=user,
            lat=payload.lat,
            lng=payload.lng,
            at=payload.at,
            nobody_found=payload.nobody_found,
            client_uuid=payload.client_uuid,
        )
    except services.SubmissionConflictError as exc:
        raise HttpError(409, str(exc)) from None
    return stop


def _parse_encounter(raw: str) -> EncounterIn:
    if len(raw) > 100_000:
        raise HttpError(413, _("提交内容过大"))
    try:
        data = json.loads(raw)
        if holds_nul(data):
            raise HttpError(422, nul_message())
        return EncounterIn.model_validate(data)
    except json.JSONDecodeError:
        raise NinjaValidationError(
            [{"type": "json_invalid", "loc": ["data"], "msg": "invalid json"}]
        ) from None
    except PydanticValidationError as exc:
        raise NinjaValidationError(
            [dict(e, loc=["data", *e["loc"]]) for e in exc.errors(include_url=False)]  # type: ignore[misc]
        ) from None


@router.post(
    "/encounters",
    response={200: EncounterOut, 201: EncounterOut},
    summary="登记街面处置（multipart：data 为 JSON，photos 为照片；client_uuid 相同的重放只存一次）",
)
def create_encounter(
    request: HttpRequest,
    data: Form[str],
    photos: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> Any:
    # Refused before the upload is read: the service checks again.
    user = require(request_user(request), Capability.RECORD_ENCOUNTERS)
    payload = _parse_encounter(data)
    fields = payload.dict(exclude={"new_person", "items"})
    try:
        result = services.encounter_record(
            by=user,
            data=services.EncounterInput(
                **fields,
                new_person=services.NewPerson(**payload.new_person.dict()),
                items=[(i.code, i.quantity) for i in payload.items],
                photos=list(photos or []),
            ),
        )
    except services.SubmissionConflictError as exc:
        raise HttpError(409, str(exc)) from None
    encounter = result.encounter
    encounter.created = result.created  # type: ignore[attr-defined]
    encounter.conflicts = result.conflicts  # type: ignore[attr-defined]
    return Status(201 if result.created else 200, encounter)


@router.get("/encounters/{int:encounter_id}", response=EncounterOut, summary="街面处置详情")
def get_encounter(request: HttpRequest, encounter_id: int) -> Any:
    from warmwinter.audit.models import AuditAction
    from warmwinter.audit.services import audit_record

    user = require(request_user(request), Capability.VIEW_PATROLS)
    encounter = selectors.encounter_for(user, encounter_id)
    audit_record(actor=user, action=AuditAction.VIEW, target=encounter, detail={"via": "api"})
    return encounter


@router.post(
    "/encounters/{int:encounter_id}/arrival", response=EncounterOut, summary="护送送达与交接"
)
def escort_arrival(request: HttpRequest, encounter_id: int, payload: ArrivalIn) -> Any:
    user = request_user(request)
    encounter = selectors.encounter_for(user, encounter_id)
    return services.escort_arrived(
        encounter=encounter, by=user, arrived_at=payload.arrived_at, handover_to=payload.handover_to
    )


@router.get("/follow-ups", response=list[FollowUpOut], summary="待办的后续跟踪")
def list_follow_ups(request: HttpRequest) -> Any:
    user = require(request_user(request), Capability.VIEW_PATROLS)
    return selectors.follow_ups_for(user=user)[:200]


@router.post("/follow-ups/{int:follow_up_id}/done", response=FollowUpOut, summary="完成后续跟踪")
def follow_up_done(request: HttpRequest, follow_up_id: int, payload: FollowUpDoneIn) -> Any:
    user = request_user(request)
    follow_up: FollowUp = selectors.follow_up_for(user, follow_up_id)
    try:
        done, _changed = services.follow_up_done(
            follow_up=follow_up,
            by=user,
            visit=services.VisitInput(
                found=payload.found,
                state=payload.state,
                willingness=payload.willingness,
                note=payload.note,
                items=[(i.code, i.quantity) for i in payload.items],
                warehouse_id=payload.warehouse_id,
                lat=payload.lat,
                lng=payload.lng,
                accuracy=payload.accuracy,
            ),
            at=payload.at,
            client_uuid=payload.client_uuid,
        )
    except services.SubmissionConflictError as exc:
        raise HttpError(409, str(exc)) from None
    return done


@router.get(
    "/candidates", response=list[CandidateOut], summary="现场比对：可能是同一人的档案及理由"
)
def candidates(request: HttpRequest, q: Query[CandidateQuery]) -> Any:
    from warmwinter.people.linkage import candidates_for, described_from
    from warmwinter.people.selectors import persons_for

    user = require(request_user(request), Capability.RECORD_ENCOUNTERS)
    described = described_from({"name": q.name, "sex": q.sex, "age": q.age, "phone": q.phone})
    described.lat, described.lng = q.lat, q.lng
    ranked = candidates_for(described, among=persons_for(user=user), limit=5)
    return [
        {
            "person_id": c.person.pk,
            "name": c.person.display_name,
            "score": c.score,
            "reasons": c.reasons,
        }
        for c in ranked
    ]
