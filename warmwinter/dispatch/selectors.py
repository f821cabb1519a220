"""Reads for dispatch: teams on duty, their load, suggestions, the board."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from warmwinter.accounts.scoping import get_visible_or_404, visible_to
from warmwinter.dispatch.models import DistrictDispatch, Team
from warmwinter.leads.models import OPEN_STATUSES, Lead, LeadStatus
from warmwinter.places import geo

#: Metres of extra distance one open lead in hand counts as, when ranking teams.
LOAD_PENALTY_M_DEFAULT = 1000

ACTIVE_STATUSES = (LeadStatus.DISPATCHED, LeadStatus.ACCEPTED, LeadStatus.ON_SCENE)


def teams_for(*, user: Any) -> QuerySet[Team]:
    return visible_to(
        Team.objects.active().select_related("district", "base_place"), user
    ).prefetch_related("members")


def team_for(user: Any, pk: Any) -> Team:
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


def suggestions_for(lead: Lead, *, now: datetime | None = None) -> list[Suggestion]:
    """Teams of the lead's district, available ones first (on duty and under their load
    limit), each group ranked by distance plus a penalty per lead already in hand."""
    penalty = getattr(settings, "DISPATCH_LOAD_PENALTY_M", LOAD_PENALTY_M_DEFAULT)
    here = geo.LatLng(lead.lat, lead.lng)
    result = []
    for team in teams_with_load(lead.district_id, now=now):
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


def leads_for_member(user: Any) -> QuerySet[Lead]:
    """The open leads assigned to the teams `user` belongs to (the patrol's phone page)."""
    return (
        Lead.objects.filter(team__members=user, status__in=ACTIVE_STATUSES)
        .select_related("team", "district", "org_unit", "place")
        .order_by("priority", "received_at")
    )


def board_leads(
    *, user: Any, district: Any = None, priority: int | None = None, overdue_only: bool = False
) -> QuerySet[Lead]:
    qs = visible_to(Lead.objects.filter(status__in=OPEN_STATUSES), user).select_related(
        "district", "org_unit", "team", "place"
    )
    if district is not None:
        qs = qs.filter(org_unit__path__startswith=district.path)
    if priority:
        qs = qs.filter(priority=priority)
    if overdue_only:
        qs = qs.filter(due_at__lt=timezone.now())
    return qs.order_by("priority", "due_at", "received_at")


def board_counters(*, user: Any, district: Any = None) -> dict[str, Any]:
    qs = visible_to(Lead.objects.filter(status__in=OPEN_STATUSES), user)
    if district is not None:
        qs = qs.filter(org_unit__path__startswith=district.path)
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


def top_suggestions(leads: list[Lead], *, now: datetime | None = None) -> dict[int, Suggestion]:
    """For the board: the best available team per waiting lead, with one query for the teams
    of all districts involved (not one per row)."""
    waiting = [lead for lead in leads if lead.status == LeadStatus.RECEIVED]
    if not waiting:
        return {}
    penalty = getattr(settings, "DISPATCH_LOAD_PENALTY_M", LOAD_PENALTY_M_DEFAULT)
    by_district: dict[int, list[Team]] = {}
    for team in teams_with_load_in({lead.district_id for lead in waiting}, now=now):
        by_district.setdefault(team.district_id, []).append(team)
    result: dict[int, Suggestion] = {}
    for lead in waiting:
        here = geo.LatLng(lead.lat, lead.lng)
        best: Suggestion | None = None
        for team in by_district.get(lead.district_id, []):
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
