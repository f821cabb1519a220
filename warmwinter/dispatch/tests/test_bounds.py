"""Validate once: a team's load limit out of bounds is refused alike by the team page and the
service, with the same sentence, and no team is stored."""

import pytest

from warmwinter.conftest import HUANGPU, refused_by_service, refused_on_page
from warmwinter.dispatch import services
from warmwinter.dispatch.models import Team
from warmwinter.dispatch.tests.test_teams import team_data

LOAD = "同时处置上限须在 1 至 20 之间"


@pytest.mark.parametrize("max_load", [0, 21])
@pytest.mark.parametrize("way", ["page", "service"])
def test_a_load_limit_out_of_bounds_is_refused_alike_on_the_page_and_by_the_service(
    way, max_load, huangpu_dispatcher, unit, client_for
):
    if way == "page":
        page = client_for(huangpu_dispatcher).post(
            "/dispatch/teams/new/", team_data(unit(HUANGPU), max_load=str(max_load))
        )
        refused_on_page(page, LOAD)
    else:
        with refused_by_service("max_load", LOAD):
            services.team_create(
                by=huangpu_dispatcher,
                district=unit(HUANGPU),
                name="黄浦二分队",
                lat=31.2305,
                lng=121.4737,
                max_load=max_load,
            )
    assert not Team.objects.filter(name="黄浦二分队").exists()
