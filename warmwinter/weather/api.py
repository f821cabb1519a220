from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from warmwinter.accounts.auth import TokenAuth, request_user
from warmwinter.accounts.permissions import require
from warmwinter.accounts.roles import Capability
from warmwinter.core import clock
from warmwinter.core.validation import api_field
from warmwinter.pagination import BoundedLimitOffsetPagination
from warmwinter.places.selectors import districts_visible_to
from warmwinter.weather import selectors, services
from warmwinter.weather.levels import LevelEffects, ResponseLevel
from warmwinter.weather.models import Forecast, LevelEvent, WeatherWarning
from warmwinter.weather.parsing import WarningRejectedError

router = Router()

DistrictCode = Annotated[str, Field(pattern=r"^31\d{4}$", description="区代码，如 310115")]

#: How each kind of rejection answers: the sender's fault in form (400), in content (422).
REJECTION_STATUS = {
    "empty": 400,
    "too_large": 413,
    "hostile": 400,
    "malformed": 400,
    "unknown_type": 422,
    "unknown_area": 422,
    "not_actual": 422,
    "no_reference": 422,
    "conflict": 409,
}


class WarningOut(Schema):
    id: int
    identifier: str
    issuer: str
    msg_type: str
    warning_type: str
    warning_type_label: str
    type_code: str
    colour: str
    colour_label: str
    issued_at: datetime
    effective_at: datetime
    expires_at: datetime | None
    whole_city: bool
    district_codes: list[str]
    headline: str
    description: str
    source: str
    refers_to_id: int | None
    ended_at: datetime | None
    end_reason: str

    @staticmethod
    def resolve_warning_type_label(obj: WeatherWarning) -> str:
        return str(obj.get_warning_type_display())

    @staticmethod
    def resolve_colour_label(obj: WeatherWarning) -> str:
        return str(obj.get_colour_display())

    @staticmethod
    def resolve_district_codes(obj: WeatherWarning) -> list[str]:
        return sorted(d.code for d in obj.districts.all())


class WarningDetailOut(WarningOut):
    raw: str
    instruction: str


class LevelEventOut(Schema):
    id: int
    district_code: str = Field(..., alias="district.code")
    district_name: str = Field(..., alias="district.name")
    from_level: int
    from_label: str
    to_level: int
    to_label: str
    cause: str
    cause_label: str
    reason: str
    warning_id: int | None
    by: str
    at: datetime

    @staticmethod
    def resolve_from_label(obj: LevelEvent) -> str:
        return str(obj.get_from_level_display())

    @staticmethod
    def resolve_to_label(obj: LevelEvent) -> str:
        return str(obj.get_to_level_display())

    @staticmethod
    def resolve_cause_label(obj: LevelEvent) -> str:
        return str(obj.get_cause_display())

    @staticmethod
    def resolve_by(obj: LevelEvent) -> str:
        return obj.by.get_username() if obj.by else ""


class IngestOut(Schema):
    created: bool
    warning: WarningOut
    level_changes: list[LevelEventOut]


class EffectsOut(Schema):
    lead_priority_boost: int
    time_limit_factor: float
    shelters_open: bool
    stock_check: bool
    notify_roles: list[str]


class DistrictLevelOut(Schema):
    district_code: str
    district_name: str
    level: int
    level_label: str
    cause: str
    reason: str
    since: datetime | None
    effects: EffectsOut


class OpenShelterOut(Schema):
    place_id: int
    name: str
    kind: str
    opened_at: datetime


class DistrictWeatherOut(DistrictLevelOut):
    warnings_in_force: list[WarningOut]
    open_shelters: list[OpenShelterOut]
    timeline: list[LevelEventOut]


class RequiredPatrolOut(Schema):
    place_id: int
    place_name: str
    place_kind: str
    key_place_type: str
    org_unit_name: str
    lat: float
    lng: float
    visits: int
    window: str
    slots: list[datetime]


class RequiredPatrolsOut(Schema):
    district_code: str
    night: date
    level: int
    level_label: str
    patrols: list[RequiredPatrolOut]


class LevelSetIn(Schema):
    level: Annotated[
        int,
        Field(
            ge=min(ResponseLevel.values),
            le=max(ResponseLevel.values),
            description="0 常态、1 预备、2 IV、3 III、4 II、5 I",
        ),
    ]
    reason: Annotated[str, api_field(LevelEvent, "reason", min_length=1)]


class ForecastIn(Schema):
    district_code: DistrictCode | None = Field(None, description="空为全市")
    night: date
    min_temp_c: Annotated[Decimal, api_field(Forecast, "min_temp_c")]
    issuer: Annotated[str, api_field(Forecast, "issuer")] = ""


class ForecastOut(Schema):
    id: int
    night: date
    min_temp_c: float
    level_changes: list[LevelEventOut]


class WarningFilter(Schema):
    district: DistrictCode | None = None
    in_force: bool = False


def _effects_out(effects: LevelEffects) -> dict[str, Any]:
    return {
        "lead_priority_boost": effects.lead_priority_boost,
        "time_limit_factor": effects.time_limit_factor,
        "shelters_open": effects.shelters_open,
        "stock_check": effects.stock_check,
        "notify_roles": list(effects.notify_roles),
    }


def _district_level_out(dl: selectors.DistrictLevel) -> dict[str, Any]:
    return {
        "district_code": dl.district.code,
        "district_name": dl.district.name,
        "level": int(dl.level),
        "level_label": str(dl.level.label),
        "cause": dl.event.cause if dl.event else "",
        "reason": dl.event.reason if dl.event else _("尚无等级变更，按默认等级"),
        "since": dl.event.at if dl.event else None,
        "effects": _effects_out(selectors.effects_for(dl.level)),
    }


@router.post(
    "/warnings",
    auth=[TokenAuth()],
    response={200: IngestOut, 201: IngestOut},
    summary="推送气象预警（CAP 1.2 XML 或预警信号文本）",
    description=(
        "请求体为原始消息：OASIS CAP 1.2、国标 GB/T 35965.1 CAP，或预警信号文本。"
        "新入库返回 201；已收到过的同一预警返回 200 和已入库的预警。"
        "格式错误、含 DTD/实体（XXE、实体炸弹）、类型或区域无法识别的消息返回 4xx，不做任何变更。"
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/xml": {"schema": {"type": "string"}},
                "text/plain": {"schema": {"type": "string"}},
            },
        }
    },
)
def push_warning(request: HttpRequest) -> Any:
    user = request_user(request)
    try:
        result = services.warning_ingest(data=request.body, by=user, via="api")
    except WarningRejectedError as exc:
        raise HttpError(REJECTION_STATUS.get(exc.kind, 400), exc.message) from None
    body = {"created": result.created, "warning": result.warning, "level_changes": result.events}
    return Status(201 if result.created else 200, body)


@router.get("/warnings", response=list[WarningOut], summary="气象预警列表")
@paginate(BoundedLimitOffsetPagination)
def list_warnings(request: HttpRequest, filters: Query[WarningFilter]) -> Any:
    user = require(request_user(request), Capability.VIEW_WEATHER)
    district = selectors.district_for(user, filters.district) if filters.district else None
    if filters.in_force:
        return selectors.warnings_in_force(district=district)
    return selectors.recent_warnings(district=district, limit=500)


@router.get(
    "/warnings/{int:warning_id}", response=WarningDetailOut, summary="气象预警详情（含原文）"
)
def get_warning(request: HttpRequest, warning_id: int) -> Any:
    require(request_user(request), Capability.VIEW_WEATHER)
    warning = selectors.warning_by_id(warning_id)
    return warning


@router.get("/levels", response=list[DistrictLevelOut], summary="各区当前响应等级（按权限范围）")
def list_levels(request: HttpRequest) -> Any:
    user = require(request_user(request), Capability.VIEW_WEATHER)
    return [_district_level_out(dl) for dl in selectors.district_levels(districts_visible_to(user))]


@router.get("/levels/{code}", response=DistrictWeatherOut, summary="某区的响应等级、预警与措施")
def get_level(request: HttpRequest, code: DistrictCode) -> Any:
    user = require(request_user(request), Capability.VIEW_WEATHER)
    district = selectors.district_for(user, code)
    (dl,) = selectors.district_levels(selectors.districts_qs(district))
    return {
        **_district_level_out(dl),
        "warnings_in_force": list(selectors.warnings_in_force(district=district)),
        "open_shelters": [
            {
                "place_id": a.place_id,
                "name": a.place.name,
                "kind": a.place.kind,
                "opened_at": a.opened_at,
            }
            for a in selectors.open_shelters(district)
        ],
        "timeline": selectors.level_timeline(district),
    }


@router.post(
    "/levels/{code}", response={201: LevelEventOut}, summary="人工调整某区响应等级（市级管理员）"
)
def set_level(request: HttpRequest, code: DistrictCode, payload: LevelSetIn) -> Any:
    user = request_user(request)
    district = selectors.district_for(user, code)
    event = services.level_set_manually(
        district=district, level=payload.level, reason=payload.reason, by=user
    )
    return Status(201, event)


@router.get(
    "/required-patrols",
    response=RequiredPatrolsOut,
    summary="按响应等级计算的每个点位当夜应巡查次数与时间",
)
def required_patrols(
    request: HttpRequest, district: DistrictCode | None = None, night: date | None = None
) -> Any:
    user = require(request_user(request), Capability.VIEW_WEATHER)
    if district:
        unit = selectors.district_for(user, district)
    else:
        home = selectors.home_district(user)
        if home is None:
            raise HttpError(422, _("请用 district 参数指定区代码"))
        unit = home
    if night is not None and not date(2000, 1, 1) <= night <= date(2100, 1, 1):
        raise HttpError(422, _("日期超出范围"))
    level, patrols = selectors.required_patrols(unit, night=night)
    used_night = night or clock.tonight()
    return {
        "district_code": unit.code,
        "night": used_night,
        "level": int(level),
        "level_label": str(level.label),
        "patrols": [
            {
                "place_id": p.place.pk,
                "place_name": p.place.name,
                "place_kind": p.place.kind,
                "key_place_type": p.place.key_place_type,
                "org_unit_name": p.place.org_unit.name,
                "lat": p.place.lat,
                "lng": p.place.lng,
                "visits": p.visits,
                "window": p.window,
                "slots": p.slots,
            }
            for p in patrols
        ],
    }


@router.post("/forecasts", response={201: ForecastOut}, summary="录入夜间最低气温预报（预报规则）")
def create_forecast(request: HttpRequest, payload: ForecastIn) -> Any:
    user = request_user(request)
    district = (
        selectors.district_for(user, payload.district_code) if payload.district_code else None
    )
    if not date(2000, 1, 1) <= payload.night <= date(2100, 1, 1):
        raise HttpError(422, _("日期超出范围"))
    forecast, events = services.forecast_record(
        night=payload.night,
        min_temp_c=payload.min_temp_c,
        district=district,
        issuer=payload.issuer,
        by=user,
    )
    return Status(
        201,
        {
            "id": forecast.pk,
            "night": forecast.night,
            "min_temp_c": float(forecast.min_temp_c),
            "level_changes": events,
        },
    )


@router.get("/rules", summary="现行响应规则（预警→等级、预报阈值、各级措施、巡查频次）")
def current_rules(request: HttpRequest) -> dict[str, Any]:
    require(request_user(request), Capability.VIEW_WEATHER)
    view = selectors.rules_in_force()
    return {
        "version": view.ruleset.version if view.ruleset else None,
        "warning_rules": [
            {
                "warning_type": r.warning_type,
                "colour": r.colour,
                "level": r.level,
                "window_hours": r.window_hours,
                "temp_drop_c": float(r.temp_drop_c) if r.temp_drop_c is not None else None,
                "min_temp_c": float(r.min_temp_c) if r.min_temp_c is not None else None,
                "criterion": r.criterion,
                "source": r.source,
            }
            for r in view.warning_rules
        ],
        "forecast_rules": [
            {
                "night_min_at_or_below_c": float(r.night_min_at_or_below_c),
                "level": r.level,
                "source": r.source,
            }
            for r in view.forecast_rules
        ],
        "effects": [
            {
                "level": e.level,
                **_effects_out(selectors.effects_for(ResponseLevel(e.level), view.ruleset)),
            }
            for e in view.effects
        ],
        "patrols": [
            {
                "level": p.level,
                "place_kind": p.place_kind,
                "key_place_type": p.key_place_type,
                "visits_per_night": p.visits_per_night,
                "window": f"{p.window_start:%H:%M}–{p.window_end:%H:%M}",
            }
            for p in view.patrols
        ],
    }
