"""Validate once: a capacity out of bounds is refused alike by the API and the service, with the
same sentence, and no place is stored."""

from typing import Any

import pytest

from warmwinter.conftest import api_post, refused_by_api, refused_by_service
from warmwinter.places import services
from warmwinter.places.models import Place

SHELTER: dict[str, Any] = {
    "kind": "temp_shelter",
    "name": "新天地临时救助点",
    "lat": 31.2200,
    "lng": 121.4750,
}


@pytest.mark.parametrize(
    ("capacity", "message"), [(-1, "不能小于 0"), (100_001, "不能大于 100000")]
)
@pytest.mark.parametrize("way", ["api", "service"])
def test_a_capacity_out_of_bounds_is_refused_alike_by_the_api_and_the_service(
    way, capacity, message, huangpu_admin, unit, client_for, token_for
):
    if way == "api":
        data = {**SHELTER, "org_unit_code": "310101013", "capacity": capacity}
        answer = api_post(
            client_for(huangpu_admin), token_for(huangpu_admin), "/api/v1/places", data
        )
        refused_by_api(answer, "capacity", message)
    else:
        with refused_by_service("capacity", message):
            services.place_create(
                by=huangpu_admin, org_unit=unit("310101013"), capacity=capacity, **SHELTER
            )
    assert not Place.objects.filter(name=SHELTER["name"]).exists()
