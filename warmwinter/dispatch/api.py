"""Dispatch: teams on duty, suggestions, assignment, acceptance, the live board."""

from datetime import datetime
from typing import Annotated, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from warmwinter.accounts.auth import request_user
from warmwinter.core import clock
from warmwinter.core.validation import api_field
from warmwinter.dispatch import selectors, services
from warmwinter.leads import lifecycle
from warmwinter.leads.api import LeadDetailOut, LeadOut
from warmwinter.leads.lifecycle import CLOSE_THROUGH_ENCOUNTER, LeadConflictError
from warmwinter.leads.models import LeadCheckIn
from warmwinter.leads.selectors import lead_for
from warmwinter.leads.services import lead_record_ambulance_call

router = Router()


class TeamOut(Schema):
    id: int
    name: str
    district_code: str = Field(..., alias="district.code")
    lat: float
    lng: float
    max_load: int


class SuggestionOut(Schema):
    team: TeamOut
    distance_m: float
    load: int
    on_duty: bool
    available: bool


class AssignIn(Schema):
    team_id: int


class NobodyFoundIn(Schema):
    latitude: Annotated[float, api_field(LeadCheckIn, "lat")] = Field(
        ..., description="手机定位纬度（WGS-84）"
    )
    longitude: Annotated[float, api_field(LeadCheckIn, "lng")] = Field(
        ..., description="手机定位经度（WGS-84）"
    )
    accuracy_m: Annotated[float, api_field(LeadCheckIn, "accuracy_m")] = Field(
        ..., description="定位精度（米）"
    )
    note: Annotated[str, api_field(LeadCheckIn, "note")] = Field(
        ..., description="现场情况（必填）"
    )


class AmbulanceIn(Schema):
    called: bool = Field(..., description="是否已拨打 120")


class CountersOut(Schema):
    open: int
    overdue: int
    received: int
    p1: int
    p2: int
    p3: int


@router.get("/teams", response=list[TeamOut], summary="救助分队（按权限范围）")
def list_teams(request: HttpRequest) -> Any:
    return selectors.teams_for(user=request_user(request))


@router.get("/leads/{int:lead_id}/suggestions", response=list[SuggestionOut], summary="推荐分队")
def suggestions(request: HttpRequest, lead_id: int) -> Any:
    user = request_user(request)
    return selectors.suggestions_for(lead_for(user, lead_id), user=user)


@router.post("/leads/{int:lead_id}/assign", response=LeadDetailOut, summary="派单")
def assign(request: HttpRequest, lead_id: int, payload: AssignIn) -> Any:
    user = request_user(request)
    lead = lead_for(user, lead_id)
    team = selectors.team_for(user, payload.team_id)
    try:
        return lifecycle.lead_assign(lead=lead, team=team, by=user)
    except LeadConflictError as exc:
        raise HttpError(409, str(exc)) from None


def _team_step(request: HttpRequest, lead_id: int, step: str, **kwargs: Any) -> Any:
    user = request_user(request)
    lead = lead_for(user, lead_id)
    action: Any = {
        "accept": lifecycle.lead_accept,
        "arrive": lifecycle.lead_arrive,
        "nobody_found": lifecycle.lead_close_nobody_found,
    }[step]
    try:
        return action(lead=lead, by=user, **kwargs)
    except LeadConflictError as exc:
        raise HttpError(409, str(exc)) from None


@router.post("/leads/{int:lead_id}/accept", response=LeadDetailOut, summary="分队接单")
def accept(request: HttpRequest, lead_id: int) -> Any:
    return _team_step(request, lead_id, "accept")


@router.post("/leads/{int:lead_id}/arrive", response=LeadDetailOut, summary="分队到场")
def arrive(request: HttpRequest, lead_id: int) -> Any:
    return _team_step(request, lead_id, "arrive")


@router.post(
    "/leads/{int:lead_id}/close",
    response=LeadDetailOut,
    summary="（已停用）直接选择处置结果办结：一律 422",
    description="线索只能通过为它登记的街面处置（POST /api/v1/patrols/encounters，带 lead_id）"
    "或「现场未发现」签到（POST …/nobody-found）办结。",
)
def close(request: HttpRequest, lead_id: int) -> Any:
    lead_for(request_user(request), lead_id)  # out of scope is still 404
    raise DjangoValidationError({"outcome": str(CLOSE_THROUGH_ENCOUNTER)})


@router.post(
    "/leads/{int:lead_id}/nobody-found",
    response=LeadDetailOut,
    summary="现场未发现求助对象：签到（线索地点附近）并说明后办结",
)
def nobody_found(request: HttpRequest, lead_id: int, payload: NobodyFoundIn) -> Any:
    return _team_step(request, lead_id, "nobody_found", **payload.dict())


@router.post("/leads/{int:lead_id}/ambulance", response=LeadDetailOut, summary="记录是否已拨打 120")
def ambulance(request: HttpRequest, lead_id: int, payload: AmbulanceIn) -> Any:
    user = request_user(request)
    return lead_record_ambulance_call(lead=lead_for(user, lead_id), by=user, called=payload.called)


@router.get("/my-leads", response=list[LeadOut], summary="派给我所在分队的线索")
def my_leads(request: HttpRequest) -> Any:
    return selectors.leads_for_member(request_user(request))


@router.get("/counters", response=CountersOut, summary="调度大屏计数")
def counters(request: HttpRequest) -> Any:
    return selectors.board_counters(user=request_user(request))


class ShiftOut(Schema):
    id: int
    team_id: int
    starts_at: datetime
    ends_at: datetime


class ShiftIn(Schema):
    starts_at: datetime = Field(..., description="开始；不带时区的时间按北京时间")
    ends_at: datetime = Field(..., description="结束；须晚于开始，班次不超过 24 小时")


@router.get(
    "/teams/{int:team_id}/shifts", response=list[ShiftOut], summary="分队值班（未来 14 天）"
)
def team_shifts(request: HttpRequest, team_id: int) -> Any:
    return selectors.shifts_coming(selectors.team_for(request_user(request), team_id))


@router.post("/teams/{int:team_id}/shifts", response={201: ShiftOut}, summary="为分队添加值班班次")
def team_shift_add(request: HttpRequest, team_id: int, payload: ShiftIn) -> Any:
    user = request_user(request)
    team = selectors.team_for(user, team_id)
    shift = services.shift_add(
        team=team,
        starts_at=clock.aware(payload.starts_at),
        ends_at=clock.aware(payload.ends_at),
        by=user,
    )
    return Status(201, shift)


@router.delete(
    "/teams/{int:team_id}/shifts/{int:shift_id}",
    response={204: None},
    summary="删除尚未开始的班次",
)
def team_shift_remove(request: HttpRequest, team_id: int, shift_id: int) -> Any:
    user = request_user(request)
    team = selectors.team_for(user, team_id)
    services.shift_remove(shift=selectors.shift_for(user, team, shift_id), by=user)
    return Status(204, None)
