"""Reads of the weather response. Other apps call `current_level` and `level_effects` only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from warmwinter.accounts.permissions import Actor
from warmwinter.core import clock
from warmwinter.places.models import OrgUnit, Place, PlaceKind
from warmwinter.places.selectors import district_by_code, districts_visible_to
from warmwinter.weather import defaults, rules
from warmwinter.weather.levels import LevelEffects, ResponseLevel
from warmwinter.weather.models import (
    Forecast,
    LevelEffect,
    LevelEvent,
    PatrolRequirement,
    PlaceActivation,
    RuleSet,
    WarningLifetime,
    WeatherWarning,
)


def default_level() -> ResponseLevel:
    return ResponseLevel(settings.WEATHER_DEFAULT_LEVEL)


def latest_event(district: OrgUnit) -> LevelEvent | None:
    return (
        LevelEvent.objects.filter(district=district)
        .select_related("warning", "by", "ruleset")
        .order_by("-at", "-id")
        .first()
    )


def current_level(district: OrgUnit) -> ResponseLevel:
    """The response level in force for `district` now: the latest level event's, or the
    configured WEATHER_DEFAULT_LEVEL when nothing has happened yet."""
    level = (
        LevelEvent.objects.filter(district=district)
        .order_by("-at", "-id")
        .values_list("to_level", flat=True)
        .first()
    )
    return ResponseLevel(level) if level is not None else default_level()


def level_at(district: OrgUnit, moment: datetime) -> ResponseLevel:
    """The level that was in force for `district` at `moment` (from the event record)."""
    level = (
        LevelEvent.objects.filter(district=district, at__lte=moment)
        .order_by("-at", "-id")
        .values_list("to_level", flat=True)
        .first()
    )
    return ResponseLevel(level) if level is not None else default_level()


def ruleset_in_force() -> RuleSet | None:
    return RuleSet.objects.filter(published_at__isnull=False).order_by("-version").first()


def effects_for(level: ResponseLevel, ruleset: RuleSet | None = None) -> LevelEffects:
    ruleset = ruleset or ruleset_in_force()
    row = (
        LevelEffect.objects.filter(ruleset=ruleset, level=level).first()
        if ruleset is not None
        else None
    )
    if row is not None:
        return LevelEffects(
            level=level,
            lead_priority_boost=row.lead_priority_boost,
            time_limit_factor=float(row.time_limit_factor),
            shelters_open=row.shelters_open,
            stock_check=row.stock_check,
            notify_roles=tuple(row.notify_roles),
        )
    # No rules installed (a flushed test database): the shipped defaults still apply.
    boost, factor, shelters, stock, roles = defaults.EFFECTS[int(level)]
    return LevelEffects(level, boost, float(factor), shelters, stock, tuple(roles))


def _effects_key(district_id: int) -> str:
    return f"weather:effects:{district_id}"


def level_effects(district: OrgUnit) -> LevelEffects:
    """The effects of the district's current level. Lead intake reads this on every report, so
    it is cached for WEATHER_EFFECTS_CACHE_S seconds (a level change in this process clears it
    at once; other processes see it within the TTL)."""
    key = _effects_key(district.pk)
    effects: LevelEffects | None = cache.get(key)
    if effects is None:
        effects = effects_for(current_level(district))
        cache.set(key, effects, settings.WEATHER_EFFECTS_CACHE_S)
    return effects


def forget_cached_effects(district_id: int) -> None:
    cache.delete(_effects_key(district_id))


def warnings_in_force(
    *, district: OrgUnit | None = None, now: datetime | None = None
) -> QuerySet[WeatherWarning]:
    qs = WeatherWarning.objects.in_force(now).prefetch_related("districts")
    if district is not None:
        qs = qs.covering(district)
    return qs.order_by("-issued_at", "-id")


def recent_warnings(*, district: OrgUnit | None = None, limit: int = 50) -> list[WeatherWarning]:
    qs = WeatherWarning.objects.prefetch_related("districts").select_related("refers_to")
    if district is not None:
        qs = qs.filter(Q(whole_city=True) | Q(districts=district)).distinct()
    return list(qs.order_by("-issued_at", "-id")[:limit])


def forecast_for(district: OrgUnit, night: date) -> Forecast | None:
    """The latest forecast for `night` that covers `district` (its own or the city's)."""
    return (
        Forecast.objects.filter(night=night)
        .filter(Q(district=district) | Q(district__isnull=True))
        .order_by("-received_at", "-id")
        .first()
    )


def level_timeline(district: OrgUnit, *, since: datetime | None = None) -> list[LevelEvent]:
    """The district's level changes since `since`, by default since the preparation of this
    winter's campaign began."""
    since = since or clock.day_bounds(clock.campaign_of().preparation_start)[0]
    return list(
        LevelEvent.objects.filter(district=district, at__gte=since)
        .select_related("warning", "by", "ruleset")
        .order_by("-at", "-id")
    )


def open_shelters(district: OrgUnit) -> QuerySet[PlaceActivation]:
    """Shelters and help points that the response switched to open and that are still open."""
    return (
        PlaceActivation.objects.filter(district=district, closed_at__isnull=True)
        .select_related("place", "place__org_unit", "opened_by_event")
        .order_by("place__kind", "place__name")
    )


def district_for(user: Actor, code: str) -> OrgUnit:
    """The district `code` if `user` may follow its response, else 404. A user sees the
    districts in their scope and the district their own unit lies in (a district station)."""
    district = district_by_code(code)
    if district is None:
        raise Http404
    if districts_visible_to(user).filter(pk=district.pk).exists():
        return district
    own = getattr(getattr(user, "org_unit", None), "district", None)
    if own is not None and own.pk == district.pk and user.is_active:
        return district
    raise Http404


def home_district(user: Actor) -> OrgUnit | None:
    unit = getattr(user, "org_unit", None)
    return unit.district if unit is not None else None


@dataclass(frozen=True)
class DistrictLevel:
    district: OrgUnit
    level: ResponseLevel
    event: LevelEvent | None
    #: The warnings in force over the district now: why it is at its level (none: "无生效预警").
    warnings: tuple[WeatherWarning, ...] = ()


def recent_level_events(districts_qs: QuerySet[OrgUnit], *, limit: int = 20) -> list[LevelEvent]:
    return list(
        LevelEvent.objects.filter(district__in=districts_qs)
        .select_related("district", "by")
        .order_by("-at", "-id")[:limit]
    )


def district_levels(districts_qs: QuerySet[OrgUnit]) -> list[DistrictLevel]:
    """Each of `districts_qs` with its level, the event that set it and the warnings in force
    over it (four queries)."""
    latest = LevelEvent.objects.filter(district=OuterRef("pk")).order_by("-at", "-id")
    districts = list(
        districts_qs.order_by("code").annotate(latest_event_id=Subquery(latest.values("id")[:1]))
    )
    events = LevelEvent.objects.select_related("warning").in_bulk(
        [d.latest_event_id for d in districts if d.latest_event_id]  # type: ignore[attr-defined]
    )
    in_force = list(warnings_in_force())
    result = []
    for d in districts:
        event = events.get(d.latest_event_id)  # type: ignore[attr-defined]
        level = ResponseLevel(event.to_level) if event else default_level()
        covering = tuple(
            w for w in in_force if w.whole_city or any(x.pk == d.pk for x in w.districts.all())
        )
        result.append(DistrictLevel(d, level, event, covering))
    return result


@dataclass(frozen=True)
class RequiredPatrol:
    place: Place
    visits: int
    window: str
    slots: list[datetime]


def required_patrols(
    district: OrgUnit, *, night: date | None = None, level: ResponseLevel | None = None
) -> tuple[ResponseLevel, list[RequiredPatrol]]:
    """The patrols the district's level requires of each of its places on `night` (tonight by
    default). For a night already begun in the past, the level in force at 22:00 that night
    counts; for tonight and later nights, the level in force now. Where a kind-wide and a
    type-specific row both match a place, the more frequent one applies."""
    night = night or clock.tonight()
    if level is None:
        night_start = clock.night_bounds(night)[0]
        past = night < clock.tonight() and night_start <= timezone.now()
        level = level_at(district, night_start) if past else current_level(district)
    ruleset = ruleset_in_force()
    requirements = list(
        PatrolRequirement.objects.filter(ruleset=ruleset, level=level).order_by("place_kind")
    )
    if not requirements:
        return level, []
    places = (
        Place.objects.active()
        .filter(
            org_unit__path__startswith=district.path,
            kind__in={r.place_kind for r in requirements},
        )
        .select_related("org_unit")
        .order_by("kind", "name", "id")
    )
    result = []
    for place in places:
        matching = [
            r
            for r in requirements
            if r.place_kind == place.kind
            and (not r.key_place_type or r.key_place_type == place.key_place_type)
        ]
        if not matching:
            continue
        best = max(matching, key=lambda r: (r.visits_per_night, bool(r.key_place_type)))
        result.append(
            RequiredPatrol(
                place=place,
                visits=best.visits_per_night,
                window=f"{best.window_start:%H:%M}–{best.window_end:%H:%M}",
                slots=rules.patrol_slots(
                    night,
                    visits=best.visits_per_night,
                    start=best.window_start,
                    end=best.window_end,
                ),
            )
        )
    return level, result


@dataclass(frozen=True)
class RulesView:
    ruleset: RuleSet | None
    warning_rules: list[Any]
    forecast_rules: list[Any]
    effects: list[Any]
    patrols: list[Any]
    lifetimes: list[Any]


def rules_in_force() -> RulesView:
    ruleset = ruleset_in_force()
    if ruleset is None:
        return RulesView(None, [], [], [], [], [])
    return RulesView(
        ruleset,
        list(ruleset.warning_rules.order_by("warning_type", "level")),
        list(ruleset.forecast_rules.all()),
        list(ruleset.effects.order_by("level")),
        list(ruleset.patrol_requirements.order_by("level", "place_kind", "key_place_type")),
        list(ruleset.warning_lifetimes.all()),
    )


def shelter_kinds() -> list[str]:
    return [PlaceKind.TEMP_SHELTER, PlaceKind.HELP_POINT]


def forecast_threshold_rows(ruleset: RuleSet | None) -> list[tuple[Decimal, int]]:
    if ruleset is None:
        return [(Decimal(t), level) for t, level, _ in defaults.FORECAST_RULES]
    return [(r.night_min_at_or_below_c, r.level) for r in ruleset.forecast_rules.all()]


def warning_level_key(ruleset: RuleSet | None) -> dict[tuple[str, str], int]:
    if ruleset is None:
        return {(t, c): level for t, c, level, *_ in defaults.WARNING_RULES}
    return {(r.warning_type, r.colour): r.level for r in ruleset.warning_rules.all()}


def warning_by_id(pk: int) -> WeatherWarning:
    """Warnings are public information once issued: any user who may read the response may
    read any warning."""
    warning = WeatherWarning.objects.prefetch_related("districts").filter(pk=pk).first()
    if warning is None:
        raise Http404
    return warning


def districts_qs(district: OrgUnit) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(pk=district.pk)


def warning_lifetime(ruleset: RuleSet | None, warning_type: str) -> timedelta:
    """How long a warning of `warning_type` whose message names no expiry stays in force under
    `ruleset` (the shipped defaults where it has no row; a day for a type nobody listed)."""
    row = (
        WarningLifetime.objects.filter(ruleset=ruleset, warning_type=warning_type).first()
        if ruleset is not None
        else None
    )
    if row is not None:
        return timedelta(hours=row.hours)
    hours = {t: h for t, h, _source in defaults.LIFETIMES}
    return timedelta(hours=hours.get(warning_type, 24))
