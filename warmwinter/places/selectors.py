"""Reads of places and org units. Pages and the API both come through here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from warmwinter.accounts.permissions import Actor
from warmwinter.accounts.scoping import get_visible_or_404, visible_to
from warmwinter.places import geo
from warmwinter.places.models import OrgLevel, OrgUnit, Place, PlaceKind


def places_for(
    *, user: Actor, kind: str | None = None, district: OrgUnit | None = None, q: str = ""
) -> QuerySet[Place]:
    qs = visible_to(Place.objects.active().select_related("org_unit", "org_unit__parent"), user)
    if kind:
        qs = qs.filter(kind=kind)
    if district is not None:
        qs = qs.filter(org_unit__path__startswith=district.path)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(address__icontains=q))
    return qs


def place_for(user: Actor, pk: Any) -> Place:
    return get_visible_or_404(Place.objects.active().select_related("org_unit"), user, pk=pk)


def public_places(*, district: OrgUnit | None = None) -> QuerySet[Place]:
    """Places approved for the public: station addresses, open shelters, help points."""
    qs = Place.objects.active().filter(is_public=True).select_related("org_unit")
    if district is not None:
        qs = qs.filter(org_unit__path__startswith=district.path)
    return qs


@dataclass(frozen=True)
class NearbyPlace:
    place: Place
    distance_m: float


def places_near(
    queryset: QuerySet[Place], *, lat: float, lng: float, radius_m: float, limit: int = 20
) -> list[NearbyPlace]:
    """The places of `queryset` within `radius_m` of a WGS-84 point, nearest first.

    h3 cells narrow the candidates with an indexed lookup; the exact distance decides.
    """
    here = geo.LatLng(lat, lng)
    found = [
        NearbyPlace(p, geo.distance_m(here, geo.LatLng(p.lat, p.lng)))
        for p in queryset.filter(h3_cell__in=geo.h3_disk_for_radius(lat, lng, radius_m))
    ]
    found = [n for n in found if n.distance_m <= radius_m]
    found.sort(key=lambda n: n.distance_m)
    return found[:limit]


def districts() -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(level=OrgLevel.DISTRICT).order_by("code")


def district_by_code(code: str) -> OrgUnit | None:
    return OrgUnit.objects.filter(level=OrgLevel.DISTRICT, code=code).first()


def districts_visible_to(user: Actor) -> QuerySet[OrgUnit]:
    """The districts `user` may see, by code: all of them for a city-level user, their own for
    a district user, none for a unit below a district (a station, a street) or a reporter.
    The one answer to "which districts may this user see"; every page, form and API asks it."""
    return visible_to(districts(), user)


def district_for(user: Actor, code: str) -> OrgUnit:
    """The district `code` if `user` may see it, else 404 (never 403)."""
    return get_visible_or_404(districts(), user, code=code)


def place_counts_by_district(*, user: Actor) -> list[dict[str, Any]]:
    """Per visible district: how many places of each kind. One grouped query."""
    rows = places_for(user=user).values("org_unit__path", "kind").annotate(n=Count("id")).order_by()
    by_code: dict[str, dict[str, int]] = {}
    for row in rows:
        parts = row["org_unit__path"].split("/")
        district_code = parts[1] if len(parts) > 2 else ""
        counts = by_code.setdefault(district_code, {})
        counts[row["kind"]] = counts.get(row["kind"], 0) + row["n"]
    result = []
    for d in districts_visible_to(user):
        counts = by_code.get(d.code, {})
        result.append(
            {
                "district": d,
                "counts": [counts.get(k, 0) for k in PlaceKind.values],
                "total": sum(counts.values()),
            }
        )
    return result
