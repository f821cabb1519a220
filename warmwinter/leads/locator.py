"""Where a point falls: the district from the district boundaries (`places/boundaries.py`),
the street from the nearest known place of that district, from an index kept in process memory.

A point inside a district's polygon belongs to that district; one within the rule's border
distance of another district also names that neighbour. A point outside every polygon (at sea,
in the estuary) falls back to the district of the nearest place within 1.5 km, else of the
nearest district centre. Intake is the
hottest path of the system; asking the database for every place in ~170 h3 cells per report
cost more than the rest of the intake together, so the places (a few thousand rows that change
rarely) are indexed here by a coarse h3 cell and rebuilt every LEADS_LOCATOR_TTL_S seconds
(default 30): a place added a moment ago may take that long to be used.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import h3
from django.conf import settings

from warmwinter.places import boundaries, geo
from warmwinter.places.models import OrgLevel, OrgUnit, Place

#: h3 resolution 7 cells have ~1.2 km edges: the cell and its ring cover 1.5 km.
_RES = 7


@dataclass(frozen=True)
class _Entry:
    lat: float
    lng: float
    district_id: int
    street_id: int | None


@dataclass
class _Index:
    built: float
    cells: dict[str, list[_Entry]]
    units: dict[int, OrgUnit]
    centres: list[OrgUnit]


_lock = threading.Lock()
_index: _Index | None = None


def _build() -> _Index:
    units = {
        u.pk: u for u in OrgUnit.objects.filter(level__in=[OrgLevel.DISTRICT, OrgLevel.STREET])
    }
    # Every unit's district and street, from the parent chain (communities → street,
    # district stations → district).
    parents = dict(OrgUnit.objects.values_list("pk", "parent_id"))
    levels = dict(OrgUnit.objects.values_list("pk", "level"))

    def chain(pk: int | None) -> tuple[int | None, int | None]:
        street = None
        while pk is not None:
            if levels.get(pk) == OrgLevel.STREET:
                street = pk
            if levels.get(pk) == OrgLevel.DISTRICT:
                return pk, street
            pk = parents.get(pk)
        return None, None

    cells: dict[str, list[_Entry]] = {}
    for lat, lng, unit_id in Place.objects.active().values_list("lat", "lng", "org_unit_id"):
        district_id, street_id = chain(unit_id)
        if district_id is None:
            continue
        cell = str(h3.latlng_to_cell(lat, lng, _RES))
        cells.setdefault(cell, []).append(_Entry(lat, lng, district_id, street_id))
    centres = [
        u
        for u in units.values()
        if u.level == OrgLevel.DISTRICT and u.lat is not None and u.lng is not None
    ]
    return _Index(time.monotonic(), cells, units, sorted(centres, key=lambda u: u.code))


def _current() -> _Index:
    global _index
    ttl = float(settings.LEADS_LOCATOR_TTL_S)
    with _lock:
        if _index is None or time.monotonic() - _index.built >= ttl:
            _index = _build()
        return _index


@dataclass(frozen=True)
class Located:
    district: OrgUnit
    street: OrgUnit | None
    #: True when a known place within the radius decided; False for the nearest centre.
    by_place: bool
    #: True when the district's boundary decided (the point lies inside its polygon).
    by_boundary: bool = False
    #: Another district whose border is within the distance asked for (boundary only).
    neighbour: OrgUnit | None = None


def locate_in_district(
    lat: float, lng: float, *, border_m: float, radius_m: float = 1500
) -> Located:
    """The district whose boundary holds a WGS-84 point in Shanghai (and the neighbour whose
    border is within `border_m`), the street of the nearest known place of that district
    within `radius_m`; outside every boundary, `locate`'s nearest place or centre."""
    hit = boundaries.locate(lat, lng, border_m=border_m)
    if hit is None:
        return locate(lat, lng, radius_m=radius_m)
    index = _current()
    by_code = {u.code: u for u in index.centres}
    district = by_code.get(hit.code)
    if district is None:  # a boundary without its District row (reference data not loaded)
        return locate(lat, lng, radius_m=radius_m)
    street = next(
        (s for s in streets_near(lat, lng, radius_m=radius_m) if s.parent_id == district.pk),
        None,
    )
    neighbour = by_code.get(hit.neighbour) if hit.neighbour else None
    return Located(district, street, False, by_boundary=True, neighbour=neighbour)


def locate(lat: float, lng: float, *, radius_m: float = 1500) -> Located:
    """The district and street of the nearest known place within `radius_m` of a WGS-84
    point in Shanghai, else the district whose centre is nearest (no boundaries)."""
    index = _current()
    here = geo.LatLng(lat, lng)
    best: tuple[float, _Entry] | None = None
    for cell in h3.grid_disk(h3.latlng_to_cell(lat, lng, _RES), 1):
        for entry in index.cells.get(str(cell), ()):
            d = geo.distance_m(here, geo.LatLng(entry.lat, entry.lng))
            if d <= radius_m and (best is None or d < best[0]):
                best = (d, entry)
    if best is not None:
        entry = best[1]
        street = index.units.get(entry.street_id) if entry.street_id else None
        return Located(index.units[entry.district_id], street, True)
    nearest = min(
        index.centres,
        key=lambda u: geo.distance_m(here, geo.LatLng(u.lat, u.lng)),  # type: ignore[arg-type]
    )
    return Located(nearest, None, False)


def streets_near(lat: float, lng: float, *, radius_m: float = 1500) -> list[OrgUnit]:
    """Streets of the known places within `radius_m`, nearest first (for an explicit district)."""
    index = _current()
    here = geo.LatLng(lat, lng)
    found: list[tuple[float, int]] = []
    for cell in h3.grid_disk(h3.latlng_to_cell(lat, lng, _RES), 1):
        for entry in index.cells.get(str(cell), ()):
            d = geo.distance_m(here, geo.LatLng(entry.lat, entry.lng))
            if d <= radius_m and entry.street_id is not None:
                found.append((d, entry.street_id))
    found.sort()
    return [index.units[s] for _d, s in dict.fromkeys(found)]
