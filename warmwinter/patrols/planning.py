"""A district's patrol plan for a night: which places, in what order, by which team.

The stops come from (a) the patrols the district's response level requires (weather app), (b)
places where people were found in the last two weeks, (c) open leads, and (d) the other key
places in their watch windows; the dispatcher may add or take off stops. The teams are those on
duty that night (dispatch shifts). `routing.plan_routes` (PyVRP) turns them into routes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from warmwinter.accounts.permissions import Actor, require
from warmwinter.accounts.roles import Capability
from warmwinter.audit.models import AuditAction
from warmwinter.audit.services import audit_record
from warmwinter.core import clock, rulebook
from warmwinter.core import shifts as shift_rules
from warmwinter.dispatch.models import Shift, Team
from warmwinter.leads.models import Lead, LeadStatus
from warmwinter.patrols import routing
from warmwinter.patrols.models import (
    PatrolNight,
    PatrolRoute,
    PatrolStop,
    PlaceWatch,
    StopResult,
    StopSource,
)
from warmwinter.places import geo
from warmwinter.places.models import OrgUnit, Place, PlaceKind

#: Finds are grouped by H3 cells of this resolution (about 170 m across).
RECENT_RESOLUTION = 9
LEAD_PRIORITY = {1: 100, 2: 90, 3: 75, 4: 60, 5: 50}
DEFAULT_DWELL = 10
#: A plan routes the teams on duty, and no shift is planned further ahead than this.
PLAN_MAX_AHEAD = shift_rules.MAX_AHEAD


@dataclass
class StopSpec:
    key: str
    label: str
    lat: float
    lng: float
    source: str
    reason: str
    priority: int
    required: bool
    window_start: datetime
    window_end: datetime
    dwell_min: int = DEFAULT_DWELL
    place: Place | None = None
    lead: Lead | None = None


def _watch_window(
    watch: PlaceWatch | None, start: datetime, end: datetime
) -> tuple[datetime, datetime]:
    if watch is None:
        return start, end
    begin, finish = clock.window_in_night(
        clock.local_date(start), watch.watch_from, watch.watch_until
    )
    return max(begin, start), min(finish, end)


def gather_stops(
    district: OrgUnit, night: date, *, now: datetime | None = None
) -> tuple[int, list[StopSpec]]:
    """What the night's plan should visit, with why. Returns the response level and the stops."""
    from warmwinter.people.models import TimelineEntry, TimelineKind
    from warmwinter.weather.selectors import required_patrols

    now = now or timezone.now()
    start, end = clock.night_bounds(night)
    level, required = required_patrols(district, night=night)
    # places where people were found lately (the rulebook's patrols.recent_finds: two weeks)
    recent_days = rulebook.integer("patrols.recent_finds", on=night)
    watches = {
        w.place_id: w
        for w in PlaceWatch.objects.filter(place__org_unit__path__startswith=district.path)
    }
    specs: list[StopSpec] = []
    covered_cells: set[str] = set()
    required_places: set[int] = set()
    for rp in required:
        place = rp.place
        watch = watches.get(place.pk)
        risk = watch.risk if watch else 3
        span = timedelta(hours=clock.NIGHT_HOURS) / max(rp.visits, 1)
        for i, slot in enumerate(rp.slots):
            w_start, w_end = slot, min(slot + min(span, timedelta(hours=2)), end)
            specs.append(
                StopSpec(
                    key=f"req:{place.pk}:{i}",
                    label=place.name,
                    lat=place.lat,
                    lng=place.lng,
                    source=StopSource.REQUIRED,
                    reason=_("响应等级要求每晚巡查 %(n)d 次（%(w)s）")
                    % {"n": rp.visits, "w": rp.window},
                    priority=min(100, 60 + 8 * risk),
                    required=True,
                    window_start=w_start,
                    window_end=w_end,
                    dwell_min=watch.dwell_min if watch else DEFAULT_DWELL,
                    place=place,
                )
            )
        required_places.add(place.pk)
        covered_cells.add(geo.h3_cell(place.lat, place.lng, RECENT_RESOLUTION))
    key_places = (
        Place.objects.active()
        .filter(kind=PlaceKind.KEY_PLACE, org_unit__path__startswith=district.path)
        .exclude(pk__in=required_places)
    )
    for place in key_places:
        watch = watches.get(place.pk)
        w_start, w_end = _watch_window(watch, start, end)
        risk = watch.risk if watch else 3
        specs.append(
            StopSpec(
                key=f"place:{place.pk}",
                label=place.name,
                lat=place.lat,
                lng=place.lng,
                source=StopSource.KEY_PLACE,
                reason=_("重点巡查点位（风险 %(r)d）") % {"r": risk},
                priority=15 + 8 * risk,
                required=False,
                window_start=w_start,
                window_end=w_end,
                dwell_min=watch.dwell_min if watch else DEFAULT_DWELL,
                place=place,
            )
        )
        covered_cells.add(geo.h3_cell(place.lat, place.lng, RECENT_RESOLUTION))
    seen = (
        TimelineEntry.objects.filter(
            kind__in=[TimelineKind.ENCOUNTER, TimelineKind.LEAD],
            at__gte=now - timedelta(days=recent_days),
            org_unit__path__startswith=district.path,
            lat__isnull=False,
            lng__isnull=False,
        )
        .values_list("lat", "lng", "place_name")
        .order_by("-at")[:2000]
    )
    cells: Counter[str] = Counter()
    where: dict[str, tuple[float, float, str]] = {}
    for lat, lng, name in seen:
        if lat is None or lng is None:
            continue
        cell = geo.h3_cell(lat, lng, RECENT_RESOLUTION)
        cells[cell] += 1
        where.setdefault(cell, (lat, lng, name))
    for cell, count in cells.most_common(30):
        if cell in covered_cells:
            continue
        lat, lng, name = where[cell]
        specs.append(
            StopSpec(
                key=f"recent:{cell}",
                label=name or _("近期发现点"),
                lat=lat,
                lng=lng,
                source=StopSource.RECENT,
                reason=_("近 %(d)d 天在此发现人员 %(n)d 次") % {"d": recent_days, "n": count},
                priority=min(90, 40 + 10 * count),
                required=False,
                window_start=start,
                window_end=end,
            )
        )
    leads = Lead.objects.filter(
        district=district,
        status__in=[LeadStatus.RECEIVED, LeadStatus.DISPATCHED, LeadStatus.ACCEPTED],
    ).order_by("priority", "received_at")[:50]
    for lead in leads:
        w_start = max(start, now)
        specs.append(
            StopSpec(
                key=f"lead:{lead.pk}",
                label=_("线索 %(code)s") % {"code": lead.tracking_code},
                lat=lead.lat,
                lng=lead.lng,
                source=StopSource.LEAD,
                reason=lead.description[:120],
                priority=LEAD_PRIORITY.get(lead.priority, 75),
                required=True,
                window_start=w_start,
                window_end=w_start + timedelta(hours=2),
                lead=lead,
            )
        )
    return int(level), specs


def teams_on_duty(
    district: OrgUnit, start: datetime, end: datetime
) -> list[tuple[Team, datetime, datetime]]:
    """Teams of the district with a shift overlapping the night, and the part of the night
    each covers."""
    shifts = (
        shift_rules.overlapping(
            Shift.objects.filter(team__district=district, team__archived_at__isnull=True),
            start,
            end,
        )
        .select_related("team")
        .order_by("team__name", "starts_at")
    )
    spans: dict[int, tuple[Team, datetime, datetime]] = {}
    for shift in shifts:
        team = shift.team
        s, e = max(shift.starts_at, start), min(shift.ends_at, end)
        if team.pk in spans:
            _t, s0, e0 = spans[team.pk]
            s, e = min(s, s0), max(e, e0)
        spans[team.pk] = (team, s, e)
    return list(spans.values())


def _minutes(moment: datetime, origin: datetime) -> int:
    return int((moment - origin).total_seconds() // 60)


def plan_night(
    *,
    district: OrgUnit,
    night: date,
    by: Actor,
    time_limit_s: float = 2.0,
    now: datetime | None = None,
) -> PatrolNight:
    """(Re)build the night's plan. Stops already worked (checked in, encounters) stay as they
    are; the dispatcher's own stops are kept and planned again with the rest."""
    require(by, Capability.PLAN_PATROLS, within=district)
    now = now or timezone.now()
    # Checked first: the night's hours of a date near the end of the calendar overflow it.
    if night > clock.local_date(now) + PLAN_MAX_AHEAD:
        raise ValidationError(
            _("最多只能提前 %(days)d 天编制巡查计划") % {"days": PLAN_MAX_AHEAD.days}
        )
    start, end = clock.night_bounds(night)
    if end <= now:
        raise ValidationError(_("这一晚已经过去，不能再编制计划"))
    duty = teams_on_duty(district, start, end)
    if not duty:
        raise ValidationError(_("这一晚该区没有在岗的救助分队：请先在调度中排班"))
    return _rebuild(district, night, duty, by=by, now=now, time_limit_s=time_limit_s)


def plan_follow_level(
    *, district_id: int, to_level: int, now: datetime | None = None
) -> PatrolNight | None:
    """System: tonight's plan of the district, if there is one and the night is not over, built
    again after its response level changed to `to_level`: worked stops stay, the stops the new
    level requires come in (as `plan_night` gathers them), and the district's dispatchers are
    told. Runs as a task after the level's commit (`patrols.tasks.replan_for_level`)."""
    from warmwinter.notifications.models import Urgency
    from warmwinter.notifications.services import notify, recipients_for
    from warmwinter.weather.levels import short_label

    now = now or timezone.now()
    night = clock.tonight(now)
    plan = (
        PatrolNight.objects.select_related("district")
        .filter(district_id=district_id, night=night)
        .first()
    )
    if plan is None:
        return None
    district = plan.district
    start, end = clock.night_bounds(night)
    duty = teams_on_duty(district, start, end)
    if end <= now or not duty:
        return None
    before = plan.level
    plan = _rebuild(district, night, duty, by=None, now=now, time_limit_s=2.0)
    notify(
        recipients=recipients_for(org_unit=district, roles=["dispatcher"]),
        title=_("%(d)s今夜巡查计划已按%(l)s重排")
        % {"d": district.name, "l": short_label(to_level)},
        body=_("已巡查的点位保留，按新响应等级补入必巡点位（原为%(b)s）")
        % {"b": short_label(before)},
        url=reverse("patrols:night", args=[plan.pk]),
        urgency=Urgency.URGENT if to_level > before else Urgency.INFO,
        source="patrols",
    )
    return plan


def _rebuild(
    district: OrgUnit,
    night: date,
    duty: list[tuple[Team, datetime, datetime]],
    *,
    by: Actor | None,
    now: datetime,
    time_limit_s: float,
) -> PatrolNight:
    """Gather the night's stops and solve the routes again, keeping what was worked and the
    dispatcher's own stops. `by` is None when the system re-plans (a level change)."""
    start, _end = clock.night_bounds(night)
    level, specs = gather_stops(district, night, now=now)
    with transaction.atomic():
        plan, _created = PatrolNight.objects.select_for_update().get_or_create(
            district=district, night=night, defaults={"created_by": by}
        )
        done = list(plan.stops.exclude(result=StopResult.PENDING))
        done_keys = {_key_of(s) for s in done}
        manual = [
            _spec_of(s)
            for s in plan.stops.filter(result=StopResult.PENDING, source=StopSource.MANUAL)
        ]
        specs = [s for s in specs + manual if s.key not in done_keys]
        plan.stops.filter(result=StopResult.PENDING).delete()
        _solve_and_store(plan, specs, duty, origin=start, now=now, time_limit_s=time_limit_s)
        plan.level = level
        plan.planned_at = now
        plan.modified_by = by
        plan.save()
        audit_record(
            actor=by,
            action=AuditAction.UPDATE,
            target=plan,
            detail={"stops": len(specs), "teams": len(duty), "level": level},
        )
    return plan


def _key_of(stop: PatrolStop) -> str:
    if stop.lead_id:
        return f"lead:{stop.lead_id}"
    return f"stop:{stop.pk}"


def _spec_of(stop: PatrolStop) -> StopSpec:
    return StopSpec(
        key=f"manual:{stop.pk}",
        label=stop.label,
        lat=stop.lat,
        lng=stop.lng,
        source=stop.source,
        reason=stop.reason,
        priority=stop.priority,
        required=stop.required,
        window_start=stop.window_start,
        window_end=stop.window_end,
        dwell_min=stop.dwell_min,
        place=stop.place,
        lead=stop.lead,
    )


def _solve_and_store(
    plan: PatrolNight,
    specs: list[StopSpec],
    duty: list[tuple[Team, datetime, datetime]],
    *,
    origin: datetime,
    now: datetime,
    time_limit_s: float,
) -> None:
    begin = max(origin, now)
    horizon = clock.NIGHT_HOURS * 60
    live = [s for s in specs if s.window_end > begin]
    stops = [
        routing.Stop(
            key=s.key,
            lat=s.lat,
            lng=s.lng,
            window_start=max(0, _minutes(max(s.window_start, begin), origin)),
            window_end=min(horizon, _minutes(s.window_end, origin)),
            service_min=s.dwell_min,
            priority=max(1, min(100, s.priority)),
            required=s.required,
        )
        for s in live
    ]
    stops = [s for s in stops if s.window_end >= s.window_start]
    keep = {s.key for s in stops}
    live = [s for s in live if s.key in keep]
    teams = [
        routing.Team(
            key=str(team.pk),
            lat=team.lat,
            lng=team.lng,
            shift_start=max(0, _minutes(max(s, begin), origin)),
            shift_end=min(horizon, _minutes(e, origin)),
        )
        for team, s, e in duty
    ]
    teams = [t for t in teams if t.shift_end > t.shift_start]
    result = routing.plan_routes(stops, teams, time_limit_s=time_limit_s, seed=plan.pk or 0)
    routes: dict[str, PatrolRoute] = {
        str(team.pk): PatrolRoute.objects.update_or_create(
            night=plan, team=team, defaults={"starts_at": s, "ends_at": e, "travel_min": 0}
        )[0]
        for team, s, e in duty
    }
    by_key = {s.key: s for s in live}
    placed: dict[str, tuple[PatrolRoute, int, int]] = {}
    for r in result.routes:
        routes[r.team_key].travel_min = r.travel_min
        routes[r.team_key].save(update_fields=["travel_min"])
        for seq, visit in enumerate(r.visits, start=1):
            placed[visit.stop_key] = (routes[r.team_key], seq, visit.arrive_min)
    rows = []
    for key, spec in by_key.items():
        where = placed.get(key)
        arrive = where[2] if where else None
        rows.append(
            PatrolStop(
                night=plan,
                route=where[0] if where else None,
                seq=where[1] if where else 0,
                place=spec.place,
                lead=spec.lead,
                label=spec.label[:120],
                lat=spec.lat,
                lng=spec.lng,
                source=spec.source,
                reason=spec.reason[:200],
                priority=spec.priority,
                required=spec.required,
                window_start=spec.window_start,
                window_end=spec.window_end,
                dwell_min=spec.dwell_min,
                planned_at=origin + timedelta(minutes=arrive) if arrive is not None else None,
            )
        )
    PatrolStop.objects.bulk_create(rows)
    _keep_dispatched_leads_with_their_team(plan, routes)
    plan.method = result.method[:40]
    plan.solve_s = round(result.solve_s, 3)
    unassigned = len(result.unassigned) + (len(specs) - len(live))
    plan.note = (
        _("%(n)d 个点位未能排入路线（时间窗或班次不够），请调整") % {"n": unassigned}
        if unassigned
        else ""
    )


def _keep_dispatched_leads_with_their_team(
    plan: PatrolNight, routes: dict[str, PatrolRoute]
) -> None:
    """A lead already dispatched to a team stays that team's, whatever the joint solve chose:
    its stop moves to the team's route, and both routes are ordered again."""
    touched: set[int] = set()
    for stop in plan.stops.filter(lead__team__isnull=False).select_related("lead", "route"):
        own = routes.get(str(stop.lead.team_id))  # type: ignore[union-attr]
        if own is None or stop.route_id == own.pk:
            continue
        if stop.route_id is not None:
            touched.add(stop.route_id)
        stop.route = own
        stop.save(update_fields=["route"])
        touched.add(own.pk)
    for route in PatrolRoute.objects.filter(pk__in=touched).select_related("team", "night"):
        resequence(route)


def stop_add(
    *, plan: PatrolNight, place: Place, by: Actor, required: bool = True, note: str = ""
) -> PatrolStop:
    """The dispatcher adds a place to the night; the plan is solved again."""
    require(by, Capability.PLAN_PATROLS, within=plan.district)
    if not place.org_unit.path.startswith(plan.district.path):
        raise ValidationError({"place": _("只能添加本区的地点")})
    start, end = clock.night_bounds(plan.night)
    watch = PlaceWatch.objects.filter(place=place).first()
    w_start, w_end = _watch_window(watch, start, end)
    with transaction.atomic():
        stop = PatrolStop.objects.create(
            night=plan,
            place=place,
            label=place.name,
            lat=place.lat,
            lng=place.lng,
            source=StopSource.MANUAL,
            reason=(note or _("调度员添加"))[:200],
            priority=80,
            required=required,
            window_start=w_start,
            window_end=w_end,
            dwell_min=watch.dwell_min if watch else DEFAULT_DWELL,
        )
        audit_record(actor=by, action=AuditAction.CREATE, target=stop, detail={"place": place.pk})
    plan_night(district=plan.district, night=plan.night, by=by)
    return PatrolStop.objects.filter(night=plan, place=place, source=StopSource.MANUAL).latest("id")


def stop_remove(*, stop: PatrolStop, by: Actor, reason: str) -> None:
    """The dispatcher takes a stop not yet worked off the night, with a reason."""
    require(by, Capability.PLAN_PATROLS, within=stop.night.district)
    if stop.done:
        raise ValidationError(_("已签到的点位不能移除"))
    if not reason.strip():
        raise ValidationError({"reason": _("请说明移除理由")})
    with transaction.atomic():
        audit_record(
            actor=by,
            action=AuditAction.ARCHIVE,
            target=stop,
            detail={"label": stop.label, "reason": reason.strip()[:200]},
        )
        route = stop.route
        stop.delete()
        if route is not None:
            resequence(route)


def stop_assign(*, stop: PatrolStop, route: PatrolRoute | None, by: Actor) -> PatrolStop:
    """Move a stop to another team's route (or off the routes); both routes are re-ordered."""
    require(by, Capability.PLAN_PATROLS, within=stop.night.district)
    if stop.done:
        raise ValidationError(_("已签到的点位不能调整"))
    if route is not None and route.night_id != stop.night_id:
        raise ValidationError({"route": _("只能调到同一晚的路线")})
    with transaction.atomic():
        old = stop.route
        stop.route = route
        stop.source = StopSource.MANUAL if stop.source == StopSource.MANUAL else stop.source
        stop.save(update_fields=["route"])
        for r in {old, route} - {None}:
            resequence(r)  # type: ignore[arg-type]
        audit_record(
            actor=by,
            action=AuditAction.UPDATE,
            target=stop,
            detail={"route": route.pk if route else None, "from": old.pk if old else None},
        )
    stop.refresh_from_db()
    return stop


def resequence(route: PatrolRoute, *, time_limit_s: float = 0.5) -> None:
    """Order one team's pending stops again (the dispatcher's assignment is kept: every stop on
    the route must be visited; one that no longer fits stays on the route, last, unplanned)."""
    plan = route.night
    origin, _end = clock.night_bounds(plan.night)
    begin = max(origin, timezone.now())
    horizon = clock.NIGHT_HOURS * 60
    pending = list(route.stops.filter(result=StopResult.PENDING))
    stops = [
        routing.Stop(
            key=str(s.pk),
            lat=s.lat,
            lng=s.lng,
            window_start=max(0, _minutes(max(s.window_start, begin), origin)),
            window_end=max(0, min(horizon, _minutes(s.window_end, origin))),
            service_min=s.dwell_min,
            priority=max(1, min(100, s.priority)),
            required=True,
        )
        for s in pending
    ]
    team = routing.Team(
        key=str(route.team_id),
        lat=route.team.lat,
        lng=route.team.lng,
        shift_start=max(0, _minutes(max(route.starts_at, begin), origin)),
        shift_end=min(horizon, _minutes(route.ends_at, origin)),
    )
    stops = [s for s in stops if s.window_end >= s.window_start]
    result = routing.plan_routes(stops, [team], time_limit_s=time_limit_s) if stops else None
    order: dict[int, tuple[int, int | None]] = {}
    if result is not None and result.routes:
        for seq, visit in enumerate(result.routes[0].visits, start=1):
            order[int(visit.stop_key)] = (seq, visit.arrive_min)
        route.travel_min = result.routes[0].travel_min
        route.save(update_fields=["travel_min"])
    last = len(order)
    for s in pending:
        seq, arrive = order.get(s.pk, (last + 1, None))
        PatrolStop.objects.filter(pk=s.pk).update(
            seq=seq, planned_at=origin + timedelta(minutes=arrive) if arrive is not None else None
        )


def plans_for(*, user: Actor) -> Any:
    from warmwinter.accounts.scoping import visible_to

    return visible_to(PatrolNight.objects.select_related("district"), user)
