"""Validate once: a report of too many people, or a point off the globe, is refused alike by the
public page, the hotline console, the grid platform's API and the intake service, with the same
sentence, and nothing is stored."""

import pytest

from warmwinter.conftest import refused_by_api, refused_by_service, refused_on_page
from warmwinter.leads.models import Lead
from warmwinter.leads.services import LeadReport, lead_receive
from warmwinter.leads.tests.conftest import HUANGPU_POINT

PEOPLE = "人数须在 1 至 200 之间"
LAT, LNG = HUANGPU_POINT


def _intake(client, token, body):
    return client.post(
        "/api/v1/leads/intake",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "bounds-0001"},
    )


@pytest.mark.parametrize("people_count", [0, 201])
@pytest.mark.parametrize("way", ["public page", "hotline", "api", "service"])
def test_a_report_of_too_many_or_no_people_is_refused_alike_everywhere(
    way, people_count, client, client_for, hotline_operator, make_user, token_for, reference
):
    if way == "public page":
        page = client.post("/leads/report/", {"lat": LAT, "lng": LNG, "people_count": people_count})
        refused_on_page(page, PEOPLE)
    elif way == "hotline":
        page = client_for(hotline_operator).post(
            "/leads/hotline/",
            {
                "channel": "hotline",
                "lat": LAT,
                "lng": LNG,
                "people_count": people_count,
                "recording_ref": "REC-1",
            },
        )
        refused_on_page(page, PEOPLE)
    elif way == "api":
        token = token_for(make_user("grid", "dispatcher", "310000"))
        answer = _intake(client, token, {"lat": LAT, "lng": LNG, "people_count": people_count})
        refused_by_api(answer, "people_count", PEOPLE)
    else:
        report = LeadReport(channel="grid", lat=LAT, lng=LNG, people_count=people_count)
        with refused_by_service("people_count", PEOPLE):
            lead_receive(report=report)
    assert not Lead.objects.exists()


@pytest.mark.parametrize("way", ["public page", "api"])
def test_a_latitude_off_the_globe_is_refused_alike_by_the_page_and_the_api(
    way, client, make_user, token_for, reference
):
    if way == "public page":
        page = client.post("/leads/report/", {"lat": "91", "lng": LNG, "people_count": "1"})
        refused_on_page(page, "不能大于 90")
    else:
        token = token_for(make_user("grid", "dispatcher", "310000"))
        refused_by_api(_intake(client, token, {"lat": 91, "lng": LNG}), "lat", "不能大于 90")
    assert not Lead.objects.exists()
