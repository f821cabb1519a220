"""A temporary shelter (临时救助场所) admits through the same machinery as a station, with
fewer steps: no beds, no in-station services, a short stay, and its capacity is a hard limit."""

import pytest

from warmwinter.core import clock
from warmwinter.places.models import Place, PlaceKind
from warmwinter.stations import services
from warmwinter.stations.models import Admission, BroughtBy, DistressCategory


@pytest.fixture
def shelter(unit):
    return Place.objects.create(
        kind=PlaceKind.TEMP_SHELTER,
        name="南京东路街道临时救助场所",
        org_unit=unit("310101002"),
        lat=31.2370,
        lng=121.4800,
        capacity=2,
    )


def _admit(by, shelter, name="陈一"):
    return services.admission_create(
        by=by,
        station=shelter.org_unit,
        shelter=shelter,
        brought_by=BroughtBy.PATROL,
        category=DistressCategory.VAGRANT_BEGGING,
        new_person={"name": name, "sex": "male", "age_estimate": 50},
    )


def test_the_district_admits_a_walk_in_at_its_shelter_through_the_page(
    client_for, huangpu_admin, shelter
):
    client = client_for(huangpu_admin)
    assert "南京东路街道临时救助场所" in client.get("/stations/").content.decode()
    page = client.get(f"/stations/shelters/{shelter.pk}/")
    assert page.status_code == 200 and "在场 0 / 容量 2" in page.content.decode()
    response = client.post(
        f"/stations/shelters/{shelter.pk}/admit/",
        {"brought_by": "self", "category": "vagrant", "name": "陈一", "sex": "male"},
    )
    admission = Admission.objects.get(person__name="陈一")
    assert response.status_code == 302
    assert admission.shelter == shelter and admission.station == shelter.org_unit
    assert (admission.stay_until - clock.local_date(admission.admitted_at)).days == 3
    detail = client.get(f"/stations/admissions/{admission.pk}/").content.decode()
    assert "南京东路街道临时救助场所" in detail
    assert 'data-testid="services"' not in detail and "安排床位" not in detail
    assert "陈一" in client.get(f"/stations/shelters/{shelter.pk}/").content.decode()


def test_a_full_shelter_refuses_with_a_clear_message(client_for, huangpu_admin, shelter):
    _admit(huangpu_admin, shelter, "陈一")
    _admit(huangpu_admin, shelter, "陈二")
    response = client_for(huangpu_admin).post(
        f"/stations/shelters/{shelter.pk}/admit/",
        {"brought_by": "self", "category": "vagrant", "name": "陈三", "sex": "male"},
    )
    assert response.status_code == 422
    assert "临时救助场所已满（容量 2 人）" in response.content.decode()
    assert not Admission.objects.filter(person__name="陈三").exists()


def test_a_shelter_stay_has_no_bed_and_no_services(huangpu_admin, shelter):
    from django.core.exceptions import ValidationError

    admission = _admit(huangpu_admin, shelter)
    with pytest.raises(ValidationError, match="不办理在站服务"):
        services.service_open(by=huangpu_admin, admission=admission, kind="counselling")
    # …but it ends like any stay: handed on to the station.
    services.discharge(
        by=huangpu_admin, admission=admission, reason="transferred", destination="上海市救助管理站"
    )
    admission.refresh_from_db()
    assert admission.status == "discharged"


def test_another_district_and_a_station_cannot_see_the_shelter(
    client_for, make_user, station_worker, shelter, huangpu_admin
):
    from warmwinter.accounts.roles import Role

    admission = _admit(huangpu_admin, shelter)
    pudong = make_user("pudong_admin", Role.DISTRICT_ADMIN, "310115")
    for user in (pudong, station_worker):
        client = client_for(user)
        assert client.get(f"/stations/shelters/{shelter.pk}/").status_code == 404
        assert client.get(f"/stations/shelters/{shelter.pk}/admit/").status_code == 404
        assert client.get(f"/stations/admissions/{admission.pk}/").status_code == 404


def test_only_a_temporary_shelter_admits(huangpu_admin, huangpu_key_place):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="不是在用的临时救助场所"):
        _admit(huangpu_admin, huangpu_key_place)


@pytest.mark.django_db(transaction=True)
def test_two_admissions_to_the_last_place_at_once_one_wins(reference, unit, make_user):
    from functools import partial

    from django.db import connection

    from warmwinter.accounts.roles import Role
    from warmwinter.conftest import race

    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    shelter = Place.objects.create(
        kind=PlaceKind.TEMP_SHELTER,
        name="外滩街道临时救助场所",
        org_unit=unit("310101002"),
        lat=31.2370,
        lng=121.4800,
        capacity=1,
    )
    users = [make_user(f"hp{n}", Role.DISTRICT_ADMIN, "310101") for n in (1, 2)]
    results = race(*(partial(_admit, u, shelter, n) for u, n in zip(users, "甲乙", strict=True)))
    assert results.count("ok") == 1
    assert "已满" in next(r for r in results if r != "ok")
    assert Admission.objects.filter(shelter=shelter).count() == 1


def test_shelter_stays_count_in_the_registration_statistics(client_for, huangpu_admin, shelter):
    from warmwinter.stations import statistics

    _admit(huangpu_admin, shelter)
    today = clock.local_date()
    rows = statistics.daily_rows(user=huangpu_admin, start=today, end=today)
    row = next(r for r in rows if r.shelter == shelter)
    assert (row.admitted, row.present, row.site_name) == (1, 1, "南京东路街道临时救助场所")
    page = client_for(huangpu_admin).get("/stations/statistics/")
    assert page.status_code == 200 and "南京东路街道临时救助场所" in page.content.decode()
