"""Coordinates: WGS-84 inside, GCJ-02 converted at the edge, h3 cells for spatial lookups.

Map apps in China (Amap, Tencent, WeChat location) give GCJ-02, the obfuscated datum mandated
by GB 20263, offset from WGS-84 by roughly 500 m in Shanghai. There is no closed-form inverse;
we invert the published forward transform by fixed-point iteration, which converges to well
under a centimetre in a handful of steps.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import h3
from django.conf import settings
from django.utils.translation import gettext as _

# Krasovsky 1940 ellipsoid, as used by the GCJ-02 forward transform.
_A = 6378245.0
_EE = 0.00669342162296594323

# Shanghai's extent with a small margin: Chongming's north shore to Jinshan, Qingpu's west
# edge to the Yangshan deep-water port.
SHANGHAI_LAT = (30.60, 31.95)
SHANGHAI_LNG = (120.80, 122.30)


class OutsideServiceAreaError(ValueError):
    """The coordinates are valid but not in Shanghai."""


@dataclass(frozen=True)
class LatLng:
    lat: float
    lng: float


def _outside_china(lat: float, lng: float) -> bool:
    return not (72.004 <= lng <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _delta(lat: float, lng: float) -> tuple[float, float]:
    x, y = lng - 105.0, lat - 35.0
    d_lat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    d_lng = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    common = (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2 / 3
    d_lat += common
    d_lng += common
    d_lat += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2 / 3
    d_lng += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2 / 3
    d_lat += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2 / 3
    d_lng += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2 / 3
    rad_lat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    d_lng = (d_lng * 180.0) / (_A / sqrt_magic * math.cos(rad_lat) * math.pi)
    return d_lat, d_lng


def wgs84_to_gcj02(lat: float, lng: float) -> LatLng:
    if _outside_china(lat, lng):
        return LatLng(lat, lng)
    d_lat, d_lng = _delta(lat, lng)
    return LatLng(lat + d_lat, lng + d_lng)


def gcj02_to_wgs84(lat: float, lng: float) -> LatLng:
    """Invert the GCJ-02 transform: find the WGS-84 point whose GCJ-02 image is (lat, lng)."""
    if _outside_china(lat, lng):
        return LatLng(lat, lng)
    w_lat, w_lng = lat, lng
    for _step in range(30):
        g = wgs84_to_gcj02(w_lat, w_lng)
        err_lat, err_lng = g.lat - lat, g.lng - lng
        w_lat, w_lng = w_lat - err_lat, w_lng - err_lng
        if abs(err_lat) < 1e-10 and abs(err_lng) < 1e-10:
            break
    return LatLng(w_lat, w_lng)


def distance_m(a: LatLng, b: LatLng) -> float:
    """Great-circle distance in metres (haversine, mean Earth radius)."""
    r = 6371008.8
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lng - a.lng)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(min(1.0, math.sqrt(h)))


def in_shanghai(lat: float, lng: float) -> bool:
    return SHANGHAI_LAT[0] <= lat <= SHANGHAI_LAT[1] and SHANGHAI_LNG[0] <= lng <= SHANGHAI_LNG[1]


def check_in_shanghai(lat: float, lng: float) -> None:
    if not (math.isfinite(lat) and math.isfinite(lng)):
        raise OutsideServiceAreaError(_("坐标不是有效数字"))
    if not in_shanghai(lat, lng):
        raise OutsideServiceAreaError(
            _(
                "坐标 (%(lat).5f, %(lng).5f) 不在上海市范围内（请确认经纬度没有填反，坐标系选择正确）"
            )
            % {"lat": lat, "lng": lng}
        )


def to_wgs84(lat: float, lng: float, *, datum: str) -> LatLng:
    """Normalise an incoming point to WGS-84. `datum` is "wgs84" or "gcj02"."""
    if datum == "gcj02":
        return gcj02_to_wgs84(lat, lng)
    if datum == "wgs84":
        return LatLng(lat, lng)
    raise ValueError(_("未知的坐标系 %(datum)r（可用 wgs84 或 gcj02）") % {"datum": datum})


def h3_cell(lat: float, lng: float, resolution: int | None = None) -> str:
    return str(h3.latlng_to_cell(lat, lng, resolution or settings.H3_RESOLUTION))


def h3_disk_for_radius(lat: float, lng: float, radius_m: float) -> list[str]:
    """The cells at the index resolution that cover a circle of `radius_m` around a point.

    Used to pre-filter candidates with an indexed `IN` before the exact distance check.
    """
    res = settings.H3_RESOLUTION
    origin = h3_cell(lat, lng, res)
    # Cell sizes vary across the globe by a factor of two; measure the cells here, with a
    # margin for neighbours a little smaller than the origin.
    edge = 0.9 * min(h3.edge_length(e, unit="m") for e in h3.origin_to_directed_edges(origin))
    # Cell centres are √3·edge apart; one extra ring covers the edge of the circle.
    k = max(1, math.ceil(radius_m / (edge * math.sqrt(3))) + 1)
    return [str(c) for c in h3.grid_disk(origin, k)]
