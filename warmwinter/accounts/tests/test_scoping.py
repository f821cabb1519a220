from warmwinter.accounts.scoping import visible_to
from warmwinter.places.models import OrgUnit, Place


def test_city_admin_sees_places_in_every_district(city_admin, huangpu_key_place, pudong_key_place):
    names = set(visible_to(Place.objects.all(), city_admin).values_list("name", flat=True))
    assert {"人民广场地下通道", "世纪大道地下通道"} <= names


def test_district_user_sees_own_district_and_not_another(
    huangpu_dispatcher, huangpu_key_place, pudong_key_place
):
    visible = visible_to(Place.objects.all(), huangpu_dispatcher)
    assert visible.filter(pk=huangpu_key_place.pk).exists()
    assert not visible.filter(pk=pudong_key_place.pk).exists()


def test_district_user_sees_the_district_station_but_not_the_city_stations(huangpu_dispatcher):
    units = visible_to(OrgUnit.objects.filter(level="station"), huangpu_dispatcher)
    assert list(units.values_list("code", flat=True)) == ["S310101"]


def test_station_user_sees_only_their_station(station_worker, huangpu_key_place):
    visible = visible_to(Place.objects.all(), station_worker)
    assert list(visible.values_list("name", flat=True)) == ["上海市救助管理站"]


def test_reporter_sees_nothing_they_did_not_report(reporter, huangpu_key_place):
    # Places carry no reporter; leads (which do) will show a reporter their own.
    assert not visible_to(Place.objects.all(), reporter).exists()


def test_a_deactivated_user_sees_nothing(city_admin, huangpu_key_place):
    city_admin.is_active = False
    assert not visible_to(Place.objects.all(), city_admin).exists()


def test_a_prefix_code_does_not_leak_into_a_longer_code(make_user, unit, huangpu_key_place):
    # "310101/" must not match "3101010…/": paths end with a slash.
    user = make_user("x", "dispatcher", "310101")
    assert user.org_unit.path == "310000/310101/"
    assert not user.org_unit.contains(unit("310104"))


def test_a_token_records_its_last_use_at_most_once_a_minute(client, token_for, city_admin):
    from warmwinter.accounts.models import ApiToken

    raw = token_for(city_admin)
    client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    first = ApiToken.objects.get().last_used_at
    assert first is not None
    client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert ApiToken.objects.get().last_used_at == first
