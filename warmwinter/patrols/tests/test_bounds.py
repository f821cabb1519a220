"""Validate once: a key place's risk or time on site out of bounds is refused alike by the key
places page and the service, with the same sentence; a patrol's guess of an age likewise by the
encounter API and the person files it opens."""

import pytest

from warmwinter.conftest import refused_by_api, refused_by_service, refused_on_page
from warmwinter.patrols import services
from warmwinter.patrols.models import Encounter, PlaceWatch
from warmwinter.patrols.tests.test_api import body, post_encounter
from warmwinter.people.models import Person

AGE = "估计年龄应在 0–120 岁之间"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("risk", 0, "不能小于 1"), ("risk", 6, "不能大于 5"), ("dwell_min", 121, "不能大于 120")],
)
@pytest.mark.parametrize("way", ["page", "service"])
def test_a_watch_out_of_bounds_is_refused_alike_on_the_page_and_by_the_service(
    way, field, value, message, huangpu_dispatcher, huangpu_key_place, client_for
):
    data = {"risk": 3, "watch_from": "21:00", "watch_until": "05:00", "dwell_min": 15}
    data[field] = value
    if way == "page":
        page = client_for(huangpu_dispatcher).post(
            "/patrols/key-places/", {"place": huangpu_key_place.pk, **data}, follow=True
        )
        refused_on_page(page, message)
    else:
        with refused_by_service(field, message):
            services.place_watch_set(place=huangpu_key_place, by=huangpu_dispatcher, **data)
    assert not PlaceWatch.objects.exists()


@pytest.mark.parametrize("way", ["api", "service"])
def test_an_impossible_age_of_the_person_met_is_refused_alike_by_the_api_and_the_service(
    way, huangpu_patrol, huangpu_team, client_for, encounter_input
):
    people = Person.objects.count()
    if way == "api":
        data = body(new_person={"name": "", "sex": "male", "age_estimate": 121})
        answer = post_encounter(client_for(huangpu_patrol), data)
        refused_by_api(answer, "data.new_person.age_estimate", AGE)
    else:
        data = encounter_input(new_person=services.NewPerson(sex="male", age_estimate=121))
        with refused_by_service("age_estimate", AGE):
            services.encounter_record(by=huangpu_patrol, data=data)
    assert not Encounter.objects.exists()
    assert Person.objects.count() == people
