"""Validate once: a height, an estimated age or a birth year out of bounds is refused alike by
the page, the API and the service, with the same sentence, and nothing is stored."""

import pytest

from warmwinter.conftest import api_post, refused_by_api, refused_by_service, refused_on_page
from warmwinter.people import services, tracing
from warmwinter.people.models import FamilyInquiry, Person, TracingNotice

HEIGHT = "身高应在 40–250 厘米之间"
AGE = "估计年龄应在 0–120 岁之间"
YEAR = "出生年份不可能"
WAYS = ["page", "api", "service"]


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("height_cm", 251, HEIGHT),
        ("height_cm", 39, HEIGHT),
        ("age_estimate", 121, AGE),
        ("age_estimate", -1, AGE),
    ],
)
def test_a_person_file_out_of_bounds_is_refused_alike_everywhere(
    way, field, value, message, huangpu_dispatcher, client_for, token_for
):
    before = Person.objects.count()
    data = {"name": "赵六", "sex": "male", "identity_status": "claimed", field: value}
    client = client_for(huangpu_dispatcher)
    if way == "page":
        refused_on_page(client.post("/people/new/", data), message)
    elif way == "api":
        answer = api_post(client, token_for(huangpu_dispatcher), "/api/v1/people/persons", data)
        refused_by_api(answer, field, message)
    else:
        with refused_by_service(field, message):
            services.person_create(
                by=huangpu_dispatcher, org_unit=huangpu_dispatcher.org_unit, **data
            )
    assert Person.objects.count() == before


@pytest.mark.parametrize("way", WAYS)
def test_a_changed_file_out_of_bounds_is_refused_alike_everywhere(
    way, huangpu_person, huangpu_admin, client_for, token_for
):
    client = client_for(huangpu_admin)
    if way == "page":
        page = client.post(
            f"/people/{huangpu_person.pk}/edit/",
            {"name": "张建国", "sex": "male", "identity_status": "verified", "height_cm": "300"},
        )
        refused_on_page(page, HEIGHT)
    elif way == "api":
        answer = client.patch(
            f"/api/v1/people/persons/{huangpu_person.pk}",
            {"height_cm": 300},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token_for(huangpu_admin)}",
        )
        refused_by_api(answer, "height_cm", HEIGHT)
    else:
        with refused_by_service("height_cm", HEIGHT):
            services.person_update(person=huangpu_person, by=huangpu_admin, height_cm=300)
    huangpu_person.refresh_from_db()
    assert huangpu_person.height_cm is None


@pytest.mark.parametrize("way", ["page", "service"])
@pytest.mark.parametrize(
    ("field", "value", "message"), [("height_cm", 251, HEIGHT), ("estimated_age", 121, AGE)]
)
def test_a_search_notice_out_of_bounds_is_refused_on_the_page_and_by_the_service(
    way, field, value, message, make_person, station_worker, client_for
):
    person = make_person("S310000-1", by=station_worker, sex="male")
    notice = TracingNotice.objects.get(person=person)
    data = {"sex": "male", "contact": "市救助站 021-00000000", field: value}
    if way == "page":
        refused_on_page(
            client_for(station_worker).post(f"/people/notices/{notice.pk}/", data), message
        )
    else:
        with refused_by_service(field, message):
            services.tracing_notice_update(notice=notice, by=station_worker, **data)
    notice.refresh_from_db()
    assert getattr(notice, field) is None


@pytest.mark.parametrize("way", WAYS)
def test_an_inquiry_with_an_impossible_birth_year_is_refused_alike_everywhere(
    way, city_admin, client_for, token_for
):
    data = {
        "sought_name": "王五",
        "sex": "male",
        "birth_year": 1899,
        "contact_name": "王丽",
        "contact_phone": "13900001111",
    }
    client = client_for(city_admin)
    if way == "page":
        refused_on_page(client.post("/people/inquiries/new/", data), YEAR)
    elif way == "api":
        answer = api_post(client, token_for(city_admin), "/api/v1/people/inquiries", data)
        refused_by_api(answer, "birth_year", YEAR)
    else:
        with refused_by_service("birth_year", YEAR):
            tracing.inquiry_create(by=city_admin, org_unit=city_admin.org_unit, **data)
    assert not FamilyInquiry.objects.exists()
