import pytest

from warmwinter.accounts.roles import Role
from warmwinter.stations import services
from warmwinter.stations.models import BroughtBy, DistressCategory, ZoneKind


@pytest.fixture
def station1(unit):
    return unit("S310000-1")


@pytest.fixture
def station2(unit):
    return unit("S310000-2")


@pytest.fixture
def s2_worker(make_user):
    return make_user("s2", Role.STATION_WORKER, "S310000-2")


@pytest.fixture
def station_leader(make_user):
    return make_user("station1_leader", Role.STATION_LEADER, "S310000-1")


@pytest.fixture
def male_zone(station1, station_worker):
    zone = services.zone_create(
        by=station_worker, station=station1, kind=ZoneKind.MALE, name="男宾一区"
    )
    services.beds_add(by=station_worker, zone=zone, labels=["M1", "M2"])
    return zone


@pytest.fixture
def admit(station_worker, station1):
    def make(**kwargs):
        data = {
            "by": station_worker,
            "station": station1,
            "brought_by": BroughtBy.SELF,
            "category": DistressCategory.NO_WORK,
            "new_person": {"name": "李四", "sex": "male", "age_estimate": 40},
        }
        data.update(kwargs)
        return services.admission_create(**data)

    return make
