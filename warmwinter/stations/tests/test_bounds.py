"""Validate once: a temperature or a visit period out of bounds is refused alike by the station
pages, the API and the services, with the same sentence, and nothing is stored."""

from decimal import Decimal

import pytest

from warmwinter.conftest import refused_by_api, refused_by_service, refused_on_page
from warmwinter.people.models import Person
from warmwinter.stations import services
from warmwinter.stations.models import Admission, AdmissionStatus, HealthCheck

TEMPERATURE = "体温应在 30–45℃ 之间"
VISITS = "走访周期应在 1–365 天之间"
ADMISSION = {"brought_by": "self", "category": "robbed", "sex": "male"}


def _api(client, path, data):
    return client.post(f"/api/v1/stations{path}", data, content_type="application/json")


@pytest.mark.parametrize("temperature", ["29.9", "45.1"])
@pytest.mark.parametrize("way", ["page", "api", "service"])
def test_an_admission_temperature_out_of_bounds_is_refused_alike_everywhere(
    way, temperature, station_worker, station1, client_for
):
    people = Person.objects.count()
    client = client_for(station_worker)
    if way == "page":
        page = client.post(
            "/stations/s/S310000-1/admit/", {**ADMISSION, "temperature": temperature}
        )
        refused_on_page(page, TEMPERATURE)
    elif way == "api":
        answer = _api(
            client,
            "/admissions",
            {**ADMISSION, "station": "S310000-1", "temperature": temperature, "new_person": {}},
        )
        refused_by_api(answer, "temperature", TEMPERATURE)
    else:
        with refused_by_service("temperature", TEMPERATURE):
            services.admission_create(
                by=station_worker,
                station=station1,
                brought_by="self",
                category="robbed",
                new_person={},
                temperature=Decimal(temperature),
            )
    assert not Admission.objects.exists()
    assert Person.objects.count() == people


@pytest.mark.parametrize("way", ["page", "service"])
def test_a_daily_temperature_out_of_bounds_is_refused_alike_on_the_page_and_by_the_service(
    way, station_worker, admit, client_for
):
    admission = admit()
    if way == "page":
        page = client_for(station_worker).post(
            f"/stations/admissions/{admission.pk}/health/", {"temperature": "46"}
        )
        refused_on_page(page, TEMPERATURE)
    else:
        with refused_by_service("temperature", TEMPERATURE):
            services.health_check_record(
                by=station_worker, admission=admission, temperature=Decimal(46)
            )
    assert not HealthCheck.objects.exists()


@pytest.mark.parametrize("every_days", [0, 366])
@pytest.mark.parametrize("way", ["page", "api", "service"])
def test_a_visit_period_out_of_bounds_is_refused_alike_everywhere(
    way, every_days, station_worker, admit, client_for
):
    admission = admit()
    data = {
        "reason": "to_hospital",
        "destination": "市第六人民医院",
        "visit_every_days": every_days,
    }
    client = client_for(station_worker)
    if way == "page":
        page = client.post(f"/stations/admissions/{admission.pk}/discharge/", data)
        refused_on_page(page, VISITS)
    elif way == "api":
        answer = _api(client, f"/admissions/{admission.pk}/discharge", data)
        refused_by_api(answer, "visit_every_days", VISITS)
    else:
        with refused_by_service("visit_every_days", VISITS):
            services.discharge(by=station_worker, admission=admission, **data)
    admission.refresh_from_db()
    assert admission.status == AdmissionStatus.IN_STATION
