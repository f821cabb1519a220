"""Reads for dispatch: teams on duty, their load, suggestions, the board, the team pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import reduce
from operator import or_
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from warmwinter.accounts.models import User
from warmwinter.accounts.permissions import Actor
from warmwinter.accounts.roles import ROLE_CAPABILITIES, Capability
from warmwinter.accounts.scoping import get_visible_or_404, visible_to
from warmwinter.core import clock, rulebook
from warmwinter.core.shifts import overlapping
from warmwinter.dispatch.models import DistrictDispatch, Shift, Team
from warmwinter.leads.models import OPEN_STATUSES, Lead, LeadStatus
from warmwinter.places import geo
from warmwinter.places.models import OrgUnit, Place, PlaceKind

ACTIVE_STATUSES = (LeadStatus.DISPATCHED, LeadStatus.ACCEPTED, LeadStatus.ON_SCENE)


def teams_for(*, user: Actor) -> QuerySet[Team]:
    return visible_to(
        Team.objects.active().select_related("district", "base_place"), user
    ).prefetch_related("members")


def teams_list_for(*, user: Actor, now: datetime | None = None) -> QuerySet[Team]:
    """The teams page: each team with its members and, as `coming_shifts`, the shifts not yet
    over (current first)."""
    coming = Shift.objects.filter(ends_at__gt=now or timezone.now()).order_by("starts_at")
    return teams_for(user=user).prefetch_related(
        Prefetch("shifts", queryset=coming, to_attr="coming_shifts")
    )


def team_for(user: Actor, pk: Any) -> Team:
    return get_visible_or_404(Team.objects.active().select_related("district"), user, pk=pk)


def teams_with_load(district: Any, *, now: datetime | None = None) -> QuerySet[Team]:
    return teams_with_load_in({district}, now=now)


def teams_with_load_in(district_ids: Any, *, now: datetime | None = None) -> QuerySet[Team]:
    """Active teams of these districts, annotated with `load` (leads in hand) and `on_duty`."""
    now = now or timezone.now()
    return (
        Team.objects.active()
        .filter(district_id__in=list(district_ids))
        .annotate(
            load=Count("leads", filter=Q(leads__status__in=ACTIVE_STATUSES), distinct=True),
            on_duty=Count(
                "shifts",
                filter=Q(shifts__starts_at__lte=now, shifts__ends_at__gt=now),
                distinct=True,
            ),
        )
    )


@dataclass(frozen=True)
class Suggestion:
    team: Team
    distance_m: float
    load: int
    on_duty: bool
    available: bool
    score: float


def sending_district_id(lead: Lead, user: Actor | None) -> int:
    """Whose teams `user` would send: a border lead seen from the neighbour district's side is
    offered that district's teams (taking it makes it theirs); otherwise the lead's district."""
    unit = getattr(user, "org_unit", None)
    if (
        lead.is_border_lead
        and unit is not None
        and lead.neighbour_district is not None
        and unit.contains(lead.neighbour_district)
        and not unit.contains(lead.org_unit)
    ):
        return lead.neighbour_district.pk
    return lead.district_id


def suggestions_for(
    lead: Lead, *, user: Actor | None = None, now: datetime | None = None
) -> list[Suggestion]:
    """Teams of the lead's district (of the neighbour district for its dispatcher, see
    `sending_district_id`), available ones first (on duty and under their load limit), each
    group ranked by distance plus a penalty per lead already in hand (metres of extra distance,
    the rulebook's `dispatch.load_penalty`)."""
    penalty = rulebook.integer("dispatch.load_penalty")
    here = geo.LatLng(lead.lat, lead.lng)
    result = []
    for team in teams_with_load(sending_district_id(lead, user), now=now):
        distance = geo.distance_m(here, geo.LatLng(team.lat, team.lng))
        load = int(team.load)  # type: ignore[attr-defined]
        on_duty = bool(team.on_duty)  # type: ignore[attr-defined]
        available = on_duty and load < team.max_load
        result.append(
            Suggestion(team, distance, load, on_duty, available, distance + load * penalty)
        )
    result.sort(key=lambda s: (not s.available, s.score))
    return result


def auto_dispatch_on(district_id: int) -> bool:
    return DistrictDispatch.objects.filter(district_id=district_id, auto_dispatch=True).exists()


def auto_dispatch_cache_key(district_id: int) -> str:
    return f"dispatch:auto:{district_id}"


def auto_dispatch_enabled(district_id: int) -> bool:
    """Whether the district has auto-dispatch on. Every received lead asks, so the answer is
    cached for DISPATCH_AUTO_CACHE_S seconds (default 5); switching it through
    `auto_dispatch_set` clears the entry, other processes with their own in-memory cache follow
    within the TTL (a lead in between waits on the board for a dispatcher, as it would anyway).
    """
    ttl = settings.DISPATCH_AUTO_CACHE_S
    key = auto_dispatch_cache_key(district_id)
    on: bool | None = cache.get(key) if ttl > 0 else None
    if on is None:
        on = auto_dispatch_on(district_id)
        if ttl > 0:
            cache.set(key, on, ttl)
    return on


def leads_for_member(user: Actor) -> QuerySet[Lead]:
    """The open leads assigned to the teams `user` belongs to (the patrol's phone page)."""
    return (
        Lead.objects.filter(team__members=user, status__in=ACTIVE_STATUSES)
        .select_related("team", "district", "org_unit", "place", "ambulance_recorded_by")
        .order_by("priority", "received_at")
    )


def board_leads(
    *, user: Actor, district: Any = None, priority: int | None = None, overdue_only: bool = False
) -> QuerySet[Lead]:
    qs = visible_to(Lead.objects.filter(status__in=OPEN_STATUSES), user).select_related(
        "district", "org_unit", "team", "place", "neighbour_district", "ambulance_recorded_by"
    )
    if district is not None:
        qs = qs & Lead.objects.in_district(district)
    if priority:
        qs = qs.filter(priority=priority)
    if overdue_only:
        qs = qs.filter(due_at__lt=timezone.now())
    return qs.order_by("priority", "due_at", "received_at")


def board_counters(*, user: Actor, district: Any = None) -> dict[str, Any]:
    qs = visible_to(Lead.objects.filter(status__in=OPEN_STATUSES), user)
    if district is not None:
        qs = qs & Lead.objects.in_district(district)
    now = timezone.now()
    agg = qs.aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=Q(due_at__lt=now)),
        p1=Count("pk", filter=Q(priority=1)),
        p2=Count("pk", filter=Q(priority=2)),
        p3=Count("pk", filter=Q(priority=3)),
        received=Count("pk", filter=Q(status=LeadStatus.RECEIVED)),
    )
    return agg


def top_suggestions(
    leads: list[Lead], *, user: Actor | None = None, now: datetime | None = None
) -> dict[int, Suggestion]:
    """For the board: the best available team per waiting lead, with one query for the teams
    of all districts involved (not one per row)."""
    waiting = [lead for lead in leads if lead.status == LeadStatus.RECEIVED]
    if not waiting:
        return {}
    penalty = rulebook.integer("dispatch.load_penalty")
    sender = {lead.pk: sending_district_id(lead, user) for lead in waiting}
    by_district: dict[int, list[Team]] = {}
    for team in teams_with_load_in(set(sender.values()), now=now):
        by_district.setdefault(team.district_id, []).append(team)
    result: dict[int, Suggestion] = {}
    for lead in waiting:
        here = geo.LatLng(lead.lat, lead.lng)
        best: Suggestion | None = None
        for team in by_district.get(sender[lead.pk], []):
            load = int(team.load)  # type: ignore[attr-defined]
            if not team.on_duty or load >= team.max_load:  # type: ignore[attr-defined]
                continue
            distance = geo.distance_m(here, geo.LatLng(team.lat, team.lng))
            s = Suggestion(team, distance, load, True, True, distance + load * penalty)
            if best is None or s.score < best.score:
                best = s
        if best is not None:
            result[lead.pk] = best
    return result


# --- Team and shift management pages -------------------------------------------------------

#: The page lists the shifts of the coming fortnight and the last few that ended.
SHIFTS_AHEAD = timedelta(days=14)
SHIFTS_PAST = 3

#: Kinds of place a team may be based at (a key patrol place is somewhere it goes, not a base).
BASE_PLACE_KINDS = (
    PlaceKind.STATION,
    PlaceKind.TEMP_SHELTER,
    PlaceKind.HELP_POINT,
    PlaceKind.CIVIL_AFFAIRS_STATION,
)


def _within(districts: list[OrgUnit], field: str) -> Q:
    if not districts:
        return Q(pk__in=[])
    return reduce(or_, (Q(**{f"{field}__path__startswith": d.path}) for d in districts))


def base_places_for(*, user: Actor, districts: list[OrgUnit]) -> QuerySet[Place]:
    """Places in `districts` that `user` sees and a team may be based at."""
    return (
        visible_to(Place.objects.active().filter(kind__in=BASE_PLACE_KINDS), user)
        .filter(_within(districts, "org_unit"))
        .select_related("org_unit")
        .order_by("org_unit__path", "kind", "name")
    )


#: Roles that take dispatched leads on /dispatch/my/: the people a team is made of.
MEMBER_ROLES = tuple(
    role for role, caps in ROLE_CAPABILITIES.items() if Capability.HANDLE_LEADS in caps
)


def member_candidates(*, districts: list[OrgUnit], team: Team | None = None) -> QuerySet[User]:
    """Active patrol members of `districts`, plus the team's current members (so that one who
    has since moved away is shown, and refused, rather than silently dropped)."""
    eligible = Q(is_active=True, role__in=MEMBER_ROLES) & _within(districts, "org_unit")
    if team is not None and team.pk is not None:
        eligible |= Q(teams=team)
    return (
        User.objects.filter(eligible)
        .select_related("org_unit")
        .distinct()
        .order_by("org_unit__path", "agency", "username")
    )


def team_page_for(user: Actor, pk: Any) -> Team:
    """An active team for its management page, or 404 outside the user's scope."""
    return get_visible_or_404(
        Team.objects.active().select_related("district", "base_place"), user, pk=pk
    )


def shift_for(user: Actor, team: Team, pk: Any) -> Shift:
    return get_visible_or_404(
        Shift.objects.filter(team=team).select_related("team__district"), user, pk=pk
    )


def shifts_coming(team: Team, *, now: datetime | None = None) -> list[Shift]:
    """The team's shifts not yet over that start within the coming fortnight, soonest first."""
    now = now or timezone.now()
    return list(Shift.objects.filter(team=team, ends_at__gt=now, starts_at__lt=now + SHIFTS_AHEAD))


def shifts_past(team: Team, *, now: datetime | None = None) -> list[Shift]:
    """The team's last few shifts that have ended, latest first."""
    now = now or timezone.now()
    return list(
        Shift.objects.filter(team=team, ends_at__lte=now).order_by("-starts_at")[:SHIFTS_PAST]
    )


def shift_covering_tonight(team: Team, *, now: datetime | None = None) -> Shift | None:
    """The team's shift that covers tonight (the first one overlapping 22:00–06:00)."""
    start, end = clock.night_bounds(clock.tonight(now))
    return overlapping(Shift.objects.filter(team=team), start, end).order_by("starts_at").first()
