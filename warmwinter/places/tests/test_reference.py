from warmwinter.places.models import OrgLevel, OrgUnit, Place, PlaceKind
from warmwinter.places.reference import load_reference_data


def test_shanghai_has_sixteen_districts_under_the_city(reference):
    districts = OrgUnit.objects.filter(level=OrgLevel.DISTRICT)
    assert districts.count() == 16
    assert {d.parent.code for d in districts.select_related("parent")} == {"310000"}
    assert districts.get(code="310115").name == "浦东新区"


def test_every_street_sits_in_the_district_its_code_names(reference):
    streets = OrgUnit.objects.filter(level=OrgLevel.STREET).select_related("parent")
    assert streets.count() == 234
    for street in streets:
        assert street.code[:6] == street.parent.code
        assert street.path == f"310000/{street.parent.code}/{street.code}/"


def test_two_city_stations_and_one_station_per_district(reference):
    stations = OrgUnit.objects.filter(level=OrgLevel.STATION)
    assert stations.filter(parent__level=OrgLevel.CITY).count() == 2
    assert stations.filter(parent__level=OrgLevel.DISTRICT).count() == 16
    assert Place.objects.filter(kind=PlaceKind.STATION, is_public=True).count() == 18


def test_key_places_carry_the_kinds_of_the_notice(reference):
    station_square = Place.objects.get(name="上海火车站南广场")
    assert station_square.key_place_type == "station_square"
    assert station_square.org_unit.code == "310106"
    assert station_square.h3_cell


def test_loading_reference_data_twice_changes_nothing(reference):
    before = (OrgUnit.objects.count(), Place.objects.count())
    load_reference_data()
    assert (OrgUnit.objects.count(), Place.objects.count()) == before
