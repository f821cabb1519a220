"""Which district a point lies in, from the district boundaries shipped in
`places/data/district_boundaries.geojson` (see `boundary_source.py` for where they come from),
and how far it is from the nearest other district's border.

The 16 polygons are read once, on first use, into an STRtree; they are projected to a local
metric plane (equirectangular around Shanghai's latitude, < 1 % error across the city) so that
distances come out in metres. The boundaries are precise to about 100 m (the source's
quantisation), which is why a point near a border is also shown to the neighbour.
"""

from __future__ import annotations

import json
import math
import threading
from dataclasses import dataclass
from pathlib import Path

import shapely
from shapely import STRtree
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

DATA_FILE = Path(__file__).resolve().parent / "data" / "district_boundaries.geojson"

_REF_LAT = 31.2
_M_PER_DEG_LAT = 110_574.0
_M_PER_DEG_LNG = 111_320.0 * math.cos(math.radians(_REF_LAT))


@dataclass(frozen=True)
class Hit:
    """The district (division code) a point lies in and, if another district's border is
    within the distance asked for, that district and how far its border is."""

    code: str
    neighbour: str | None = None
    neighbour_m: float | None = None


@dataclass(frozen=True)
class _Boundaries:
    codes: tuple[str, ...]
    shapes: tuple[BaseGeometry, ...]
    tree: STRtree
    #: Every edge of every boundary, with the index of its district: distance to a short
    #: segment is cheap, to a whole polygon is not.
    edge_owner: tuple[int, ...]
    edges: STRtree


_lock = threading.Lock()
_loaded: _Boundaries | None = None


def _project(geom: BaseGeometry) -> BaseGeometry:
    return shapely.transform(geom, lambda xy: xy * (_M_PER_DEG_LNG, _M_PER_DEG_LAT))


def _point(lat: float, lng: float) -> Point:
    return Point(lng * _M_PER_DEG_LNG, lat * _M_PER_DEG_LAT)


def _load() -> _Boundaries:
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    codes, shapes = [], []
    for feature in data["features"]:
        geom = _project(shape(feature["geometry"]))
        shapely.prepare(geom)
        codes.append(str(feature["properties"]["code"]))
        shapes.append(geom)
    edges, owners = [], []
    for i, geom in enumerate(shapes):
        for ring in shapely.get_parts(geom.boundary):
            xy = shapely.get_coordinates(ring)
            edges.extend(shapely.linestrings(list(zip(xy[:-1], xy[1:], strict=True))))
            owners.extend([i] * (len(xy) - 1))
    return _Boundaries(tuple(codes), tuple(shapes), STRtree(shapes), tuple(owners), STRtree(edges))


def _boundaries() -> _Boundaries:
    global _loaded
    if _loaded is None:
        with _lock:
            if _loaded is None:
                _loaded = _load()
    return _loaded


def district_codes() -> tuple[str, ...]:
    """The districts that have a boundary."""
    return _boundaries().codes


def locate(lat: float, lng: float, *, border_m: float) -> Hit | None:
    """The district whose polygon holds the WGS-84 point, with the nearest other district whose
    border is within `border_m` metres; None outside every polygon (at sea, beyond the city).

    Where two polygons overlap (the source's quantisation), the point belongs to the one it lies
    deepest in, and the other is its neighbour at 0 m."""
    b = _boundaries()
    here = _point(lat, lng)
    inside = [int(i) for i in b.tree.query(here, predicate="within")]
    if not inside:
        return None
    if len(inside) > 1:
        inside.sort(key=lambda i: -b.shapes[i].boundary.distance(here))
    own = inside[0]
    nearest: dict[int, float] = dict.fromkeys(inside[1:], 0.0)
    near = b.edges.query(here, predicate="dwithin", distance=border_m)
    for edge, d in zip(near, shapely.distance(b.edges.geometries.take(near), here), strict=True):
        owner = b.edge_owner[int(edge)]
        nearest[owner] = min(float(d), nearest.get(owner, math.inf))
    neighbours = [(d, b.codes[i]) for i, d in nearest.items() if b.codes[i] != b.codes[own]]
    if not neighbours:
        return Hit(b.codes[own])
    distance, code = min(neighbours)
    return Hit(b.codes[own], code, round(distance, 1))
