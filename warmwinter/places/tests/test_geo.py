import math

import h3
import pytest

from warmwinter.places import geo

# Published pairs (WGS-84 → GCJ-02) used by the eviltransform implementations.
KNOWN = [
    ((31.1774276, 121.5272106), (31.17530398364597, 121.531541859215)),  # Shanghai
    ((22.543847, 113.912316), (22.540796131694766, 113.9171764808363)),  # Shenzhen
    ((39.911954, 116.377817), (39.91334545536069, 116.38404722455657)),  # Beijing
]


@pytest.mark.parametrize(("wgs", "gcj"), KNOWN)
def test_wgs84_to_gcj02_matches_published_points(wgs, gcj):
    out = geo.wgs84_to_gcj02(*wgs)
    assert out.lat == pytest.approx(gcj[0], abs=1e-7)
    assert out.lng == pytest.approx(gcj[1], abs=1e-7)


@pytest.mark.parametrize(("wgs", "gcj"), KNOWN)
def test_gcj02_from_a_map_app_converts_back_to_wgs84_within_a_centimetre(wgs, gcj):
    out = geo.gcj02_to_wgs84(*gcj)
    assert geo.distance_m(out, geo.LatLng(*wgs)) < 0.01


def test_the_gcj02_offset_in_shanghai_is_hundreds_of_metres():
    wgs = geo.LatLng(31.2304, 121.4737)
    offset = geo.distance_m(wgs, geo.wgs84_to_gcj02(wgs.lat, wgs.lng))
    assert 300 < offset < 800


def test_points_outside_china_are_not_shifted():
    assert geo.gcj02_to_wgs84(51.5, -0.12) == geo.LatLng(51.5, -0.12)


def test_people_square_is_in_shanghai_and_beijing_is_not():
    assert geo.in_shanghai(31.2304, 121.4737)
    assert not geo.in_shanghai(39.9, 116.4)
    assert not geo.in_shanghai(121.4737, 31.2304)  # swapped lat/lng


def test_check_in_shanghai_explains_swapped_coordinates():
    with pytest.raises(geo.OutsideServiceAreaError, match="不在上海市范围内"):
        geo.check_in_shanghai(121.47, 31.23)
    with pytest.raises(geo.OutsideServiceAreaError):
        geo.check_in_shanghai(math.nan, 121.47)


def test_unknown_datum_is_refused():
    with pytest.raises(ValueError, match="未知的坐标系"):
        geo.to_wgs84(31.2, 121.4, datum="bd09")


@pytest.mark.parametrize("radius_m", [50, 150, 500, 2000])
def test_h3_disk_covers_every_point_within_the_radius(settings, radius_m):
    settings.H3_RESOLUTION = 9
    centre = geo.LatLng(31.2304, 121.4737)
    cells = set(geo.h3_disk_for_radius(centre.lat, centre.lng, radius_m))
    for bearing in range(0, 360, 15):
        # A point just inside the circle in every direction.
        d = (radius_m * 0.999) / 6371008.8
        b = math.radians(bearing)
        lat1, lng1 = math.radians(centre.lat), math.radians(centre.lng)
        lat2 = math.asin(math.sin(lat1) * math.cos(d) + math.cos(lat1) * math.sin(d) * math.cos(b))
        lng2 = lng1 + math.atan2(
            math.sin(b) * math.sin(d) * math.cos(lat1),
            math.cos(d) - math.sin(lat1) * math.sin(lat2),
        )
        point = (math.degrees(lat2), math.degrees(lng2))
        assert h3.latlng_to_cell(*point, 9) in cells
