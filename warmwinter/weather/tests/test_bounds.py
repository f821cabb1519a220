"""Validate once: a forecast minimum out of bounds is refused alike by the API and the service,
with the same sentence, and no forecast is stored."""

from decimal import Decimal

import pytest

from warmwinter.conftest import api_post, refused_by_api, refused_by_service
from warmwinter.core import clock
from warmwinter.weather import services
from warmwinter.weather.models import Forecast

IMPLAUSIBLE = "气温超出合理范围（-40 至 45 °C）"


@pytest.mark.parametrize("min_temp_c", ["-40.1", "45.5"])
@pytest.mark.parametrize("way", ["api", "service"])
def test_a_forecast_out_of_bounds_is_refused_alike_by_the_api_and_the_service(
    way, min_temp_c, city_admin, pudong, client_for, token_for
):
    night = clock.tonight()
    if way == "api":
        data = {"district_code": "310115", "night": night.isoformat(), "min_temp_c": min_temp_c}
        answer = api_post(
            client_for(city_admin), token_for(city_admin), "/api/v1/weather/forecasts", data
        )
        refused_by_api(answer, "min_temp_c", IMPLAUSIBLE)
    else:
        with refused_by_service("min_temp_c", IMPLAUSIBLE):
            services.forecast_record(
                night=night, min_temp_c=Decimal(min_temp_c), district=pudong, by=city_admin
            )
    assert not Forecast.objects.exists()
