"""Reads of leads. Pages and the API both come through here; every read is scoped."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from warmwinter.accounts.permissions import Actor
from warmwinter.accounts.scoping import visible_to
from warmwinter.core import rulebook
from warmwinter.leads.models import OPEN_STATUSES, Lead, LeadStatus
from warmwinter.places import geo
from warmwinter.places.models import Place, PlaceKind
from warmwinter.places.selectors import public_places


def _base() -> QuerySet[Lead]:
    return Lead.objects.select_related("district", "org_unit", "team", "place", "merged_into")


def _visible(qs: QuerySet[Lead], user: Actor) -> QuerySet[Lead]:
    """The leads in `user`'s scope, and the ones they entered themselves.

    A hotline operator acts for the rescue station, whose scope holds no leads (a lead belongs
    to the street or district it falls in), yet must reopen the calls they recorded wherever
    those fell; so may anyone who entered a lead. What they may do to it is still decided by
    their capabilities (a hotline operator only reads; a dispatcher who entered a lead of
    another district may cancel their own entry, but can only dispatch it to a team they see,
    and a team must be of the lead's district)."""
    in_scope = visible_to(qs, user)
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return in_scope
    return in_scope | qs.filter(created_by=user)


def leads_for(*, user: Actor, status: str | None = None, q: str = "") -> QuerySet[Lead]:
    qs = _visible(_base(), user)
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(tracking_code__iexact=q.strip()) | qs.filter(description__icontains=q)
    return qs.order_by("-received_at")


def lead_for(user: Actor, pk: Any) -> Lead:
    """The lead `pk` if `user` may see it (in scope, or entered by them), else 404."""
    try:
        return _visible(_base(), user).get(pk=pk)
    except (Lead.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def lead_by_tracking_code(code: str) -> Lead | None:
    """For the public tracking page and Open311: the caller shows only the status."""
    return Lead.objects.select_related("merged_into", "district").filter(tracking_code=code).first()


def leads_received_between(start: datetime, end: datetime, *, limit: int) -> list[Lead]:
    """For the Open311 list, newest first: the caller shows only the status."""
    return list(
        Lead.objects.select_related("merged_into", "district")
        .filter(received_at__gte=start, received_at__lt=end)
        .order_by("-received_at", "-pk")[:limit]
    )


def public_status(lead: Lead) -> Lead:
    """A merged lead is followed to the one it joined: its reporter sees that one's progress."""
    seen = {lead.pk}
    while lead.status == LeadStatus.MERGED and lead.merged_into is not None:
        nxt = Lead.objects.select_related("merged_into", "district").get(pk=lead.merged_into.pk)
        if nxt.pk in seen:
            break
        seen.add(nxt.pk)
        lead = nxt
    return lead


@dataclass(frozen=True)
class Duplicate:
    lead: Lead
    distance_m: float
    minutes_apart: int


def likely_duplicates(lead: Lead, *, user: Actor) -> list[Duplicate]:
    """Other leads (not merged or cancelled) within the rulebook's duplicate radius (150 m) and
    window (2 h) of this one: likely the same person reported twice."""
    radius = rulebook.integer("leads.duplicate_radius")
    window = rulebook.duration("leads.duplicate_window")
    candidates = (
        _visible(_base(), user)
        .exclude(pk=lead.pk)
        .exclude(status__in=[LeadStatus.MERGED, LeadStatus.CANCELLED])
        .filter(
            h3_cell__in=geo.h3_disk_for_radius(lead.lat, lead.lng, radius),
            received_at__gte=lead.received_at - window,
            received_at__lte=lead.received_at + window,
        )
    )
    here = geo.LatLng(lead.lat, lead.lng)
    found = []
    for other in candidates:
        d = geo.distance_m(here, geo.LatLng(other.lat, other.lng))
        if d <= radius:
            minutes = abs(int((other.received_at - lead.received_at).total_seconds() // 60))
            found.append(Duplicate(other, d, minutes))
    found.sort(key=lambda x: (x.distance_m, x.minutes_apart))
    return found


def merged_into_this(lead: Lead) -> QuerySet[Lead]:
    return lead.merged_leads.select_related("district").prefetch_related("photos")


def caller_history(*, user: Actor, phone: str, limit: int = 10) -> list[Lead]:
    """Earlier leads from the same number, newest first, city-wide.

    Deliberately not narrowed by `visible_to`: the hotline (TAKE_CALLS) answers for the whole
    city, and a repeat caller must be recognised whichever district their last call went to.
    Callers (views) must check TAKE_CALLS.
    """
    from warmwinter.accounts.roles import Capability

    phone = phone.strip()
    if len(phone) < 5 or not user.can(Capability.TAKE_CALLS):
        return []
    return list(_base().filter(reporter_phone=phone).order_by("-received_at")[:limit])


def recorded_by(*, user: Actor, limit: int = 10) -> QuerySet[Lead]:
    """The leads this user entered (the hotline console's "recently recorded")."""
    return _base().filter(created_by=user).order_by("-received_at")[:limit]


def nearest_public_station(lat: float, lng: float) -> Place | None:
    """The nearest rescue station whose address is public, for the reporter's answer."""
    here = geo.LatLng(lat, lng)
    stations = list(public_places().filter(kind=PlaceKind.STATION))
    if not stations:
        return None
    return min(stations, key=lambda p: geo.distance_m(here, geo.LatLng(p.lat, p.lng)))


def landmarks(q: str = "", *, limit: int = 20) -> QuerySet[Place]:
    """Public places a citizen may pick as a landmark."""
    qs = public_places()
    if q:
        qs = qs.filter(name__icontains=q)
    return qs.order_by("name")[:limit]


def hotline_place_search(q: str, *, limit: int = 15) -> QuerySet[Place]:
    """City-wide place search for the hotline console (the hotline answers the whole city;
    callers check TAKE_CALLS)."""
    from django.db.models import Q

    return (
        Place.objects.active()
        .filter(Q(name__icontains=q) | Q(address__icontains=q))
        .select_related("org_unit")
        .order_by("name")[:limit]
    )


# --- the hotline's "already reported" -------------------------------------------------------


@dataclass(frozen=True)
class OpenLeadRow:
    """What a hotline operator is told about an open lead anywhere in the city: where, when and
    how far along, never who (no reporter, description, phone or person)."""

    tracking_code: str
    district: str
    place: str
    received_at: datetime
    status: str
    distance_m: float | None


def city_open_leads(*, near: geo.LatLng | None = None, limit: int = 100) -> list[OpenLeadRow]:
    """Open leads of every channel in the whole city (callers check VIEW_CITY_OPEN_LEADS),
    newest first; with `near`, only those within the rulebook's `leads.already_reported_radius`,
    nearest first."""
    qs = Lead.objects.open().select_related("district", "org_unit", "place")
    if near is not None:
        radius = rulebook.integer("leads.already_reported_radius")
        qs = qs.filter(h3_cell__in=geo.h3_disk_for_radius(near.lat, near.lng, radius))
    rows = []
    for lead in qs.order_by("-received_at")[: limit if near is None else None]:
        distance = None
        if near is not None:
            distance = geo.distance_m(near, geo.LatLng(lead.lat, lead.lng))
            if distance > radius:
                continue
        where = " · ".join(
            x
            for x in (lead.place.name if lead.place else "", lead.address, lead.org_unit.name)
            if x
        )
        rows.append(
            OpenLeadRow(
                lead.tracking_code,
                lead.district.name,
                where,
                lead.received_at,
                str(lead.get_status_display()),
                distance,
            )
        )
    if near is not None:
        rows.sort(key=lambda r: r.distance_m or 0.0)
    return rows[:limit]
