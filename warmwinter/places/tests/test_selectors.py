"""The one answer to "which districts may this user see" (`places/selectors.py`)."""

import pytest
from django.http import Http404

from warmwinter.conftest import HUANGPU, PUDONG
from warmwinter.places.selectors import district_for, districts_visible_to


def test_a_city_user_sees_all_sixteen_districts_in_code_order(city_admin):
    codes = list(districts_visible_to(city_admin).values_list("code", flat=True))
    assert len(codes) == 16
    assert codes == sorted(codes)


def test_a_district_user_sees_only_their_own_district(huangpu_dispatcher):
    assert [d.code for d in districts_visible_to(huangpu_dispatcher)] == [HUANGPU]


def test_a_station_worker_and_a_reporter_see_no_district(station_worker, reporter):
    assert not districts_visible_to(station_worker).exists()
    assert not districts_visible_to(reporter).exists()


def test_a_district_user_gets_their_district_by_code_and_404_for_another(huangpu_dispatcher):
    assert district_for(huangpu_dispatcher, HUANGPU).code == HUANGPU
    with pytest.raises(Http404):
        district_for(huangpu_dispatcher, PUDONG)


def test_an_unknown_or_non_district_code_is_404(city_admin):
    for code in ("999999", "310101002", ""):
        with pytest.raises(Http404):
            district_for(city_admin, code)
