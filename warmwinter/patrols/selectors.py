"""Reads for street patrols, all narrowed to what the user may see."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from warmwinter.accounts.permissions import Actor
from warmwinter.accounts.scoping import get_visible_or_404, visible_to
from warmwinter.core import clock
from warmwinter.dispatch.models import Team
from warmwinter.patrols.models import Encounter, FollowUp, PatrolNight, PatrolRoute, PatrolStop
from warmwinter.places.models import OrgLevel, OrgUnit, Place, PlaceKind


def nights_for(*, user: Actor) -> QuerySet[PatrolNight]:
    return visible_to(PatrolNight.objects.select_related("district"), user)


def night_for(user: Actor, pk: Any) -> PatrolNight:
    return get_visible_or_404(PatrolNight.objects.select_related("district"), user, pk=pk)


def stop_for(user: Actor, pk: Any) -> PatrolStop:
    return get_visible_or_404(
        PatrolStop.objects.select_related("night__district", "route__team", "place", "lead"),
        user,
        pk=pk,
    )


def route_for(user: Actor, pk: Any) -> PatrolRoute:
    return get_visible_or_404(PatrolRoute.objects.select_related("team", "night"), user, pk=pk)


def routes_of(plan: PatrolNight) -> list[PatrolRoute]:
    return list(plan.routes.select_related("team").prefetch_related("stops"))


def encounters_for(*, user: Actor) -> QuerySet[Encounter]:
    return visible_to(
        Encounter.objects.select_related("district", "team", "person", "lead", "escort_to"), user
    )


def encounter_for(user: Actor, pk: Any) -> Encounter:
    return get_visible_or_404(
        Encounter.objects.select_related(
            "district", "team", "person", "lead", "escort_to", "household_street", "stop"
        ),
        user,
        pk=pk,
    )


def follow_ups_for(*, user: Actor, pending: bool = True) -> QuerySet[FollowUp]:
    qs = visible_to(FollowUp.objects.select_related("person", "team", "encounter", "place"), user)
    qs = qs.filter(done_at__isnull=True) if pending else qs
    # raised ones first ("high" sorts before "normal"), then by when they fall due
    return qs.order_by("priority", "due_at", "id")


def follow_up_for(user: Actor, pk: Any) -> FollowUp:
    return get_visible_or_404(
        FollowUp.objects.select_related("person", "encounter", "place", "district"), user, pk=pk
    )


@dataclass
class Today:
    """What a patrol member's phone needs for the night (and keeps for offline use)."""

    night: Any
    teams: list[Team]
    routes: list[PatrolRoute] = field(default_factory=list)
    stops: list[PatrolStop] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)
    leads: list[Any] = field(default_factory=list)


def today_for(user: Actor) -> Today:
    from warmwinter.dispatch.selectors import leads_for_member

    night = clock.tonight()
    teams = list(Team.objects.active().filter(members=user).select_related("district"))
    routes = list(
        PatrolRoute.objects.filter(night__night=night, team__in=teams)
        .select_related("team", "night")
        .order_by("team__name")
    )
    stops = list(
        PatrolStop.objects.filter(route__in=routes)
        .select_related("route__team", "lead", "place")
        .order_by("route__team__name", "seq")
    )
    follow_ups = list(
        follow_ups_for(user=user).filter(team__in=teams)
        | follow_ups_for(user=user).filter(team__isnull=True)
    )
    leads = list(leads_for_member(user)) if teams else []
    return Today(night, teams, routes, stops, follow_ups[:50], leads)


def escort_destinations(district: OrgUnit | None) -> QuerySet[Place]:
    """Stations, shelters and hospitals-as-places a team may take someone to."""
    qs = Place.objects.active().filter(kind__in=[PlaceKind.STATION, PlaceKind.TEMP_SHELTER])
    hospitals = Place.objects.active().filter(kind=PlaceKind.HOSPITAL)  # any in the city
    if district is not None:
        city_wide = Place.objects.active().filter(
            kind=PlaceKind.STATION, org_unit__level__in=[OrgLevel.CITY, OrgLevel.STATION]
        )
        qs = qs.filter(org_unit__path__startswith=district.path) | city_wide
    qs = qs | hospitals
    return qs.order_by("kind", "name")


def streets() -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(level=OrgLevel.STREET).select_related("parent").order_by("path")


def overdue_count(*, user: Actor) -> int:
    return follow_ups_for(user=user).filter(due_at__lt=timezone.now()).count()
