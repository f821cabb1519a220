"""Long-stay people whose identity cannot be found (长期滞留人员): a list with their days in the
station, and the placement process step by step until they are placed."""

from datetime import timedelta

import pytest
from django.utils import timezone

from warmwinter.core import clock
from warmwinter.stations.models import PlacementStep


@pytest.fixture
def long_stay(admit):
    return admit(
        new_person={"aliases": "老哑巴", "sex": "male"},
        admitted_at=timezone.now() - timedelta(days=40),
    )


def test_the_long_stay_list_shows_days_in_station_and_the_next_step(
    client_for, station_worker, long_stay, admit
):
    admit(new_person={"name": "李四", "sex": "male"})
    page = client_for(station_worker).get("/stations/s/S310000-1/long-stay/").content.decode()
    row = page.split(f'data-testid="placement-{long_stay.pk}"')[1].split("</tr>")[0]
    assert "老哑巴" in row and ">40<" in row
    assert "采集 DNA 并入库比对" in row
    assert "李四" not in page


def test_steps_are_recorded_in_order_and_the_list_moves_on(client_for, station_worker, long_stay):
    client = client_for(station_worker)
    response = client.post(
        f"/stations/admissions/{long_stay.pk}/placement/", {"kind": "dna", "note": "已送检"}
    )
    assert response.status_code == 302
    step = PlacementStep.objects.get(admission=long_stay)
    assert step.kind == "dna" and step.by == station_worker and step.note == "已送检"
    page = client.get("/stations/s/S310000-1/long-stay/").content.decode()
    row = page.split(f'data-testid="placement-{long_stay.pk}"')[1].split("</tr>")[0]
    assert "人脸识别比对" in row
    detail = client.get(f"/stations/admissions/{long_stay.pk}/").content.decode()
    assert "已送检" in detail.split('data-testid="placement-steps"')[1]


def test_a_step_cannot_be_dated_tomorrow(client_for, station_worker, long_stay):
    tomorrow = clock.local_date() + timedelta(days=1)
    response = client_for(station_worker).post(
        f"/stations/admissions/{long_stay.pk}/placement/",
        {"kind": "dna", "done_on": tomorrow.isoformat()},
    )
    assert response.status_code == 422
    assert not PlacementStep.objects.exists()


def test_another_station_cannot_see_or_move_the_placement(client_for, s2_worker, long_stay):
    client = client_for(s2_worker)
    assert client.get("/stations/s/S310000-1/long-stay/").status_code == 404
    response = client.post(f"/stations/admissions/{long_stay.pk}/placement/", {"kind": "dna"})
    assert response.status_code == 404
    assert not PlacementStep.objects.exists()


def test_the_long_stay_page_makes_a_fixed_number_of_queries(
    client_for, station_worker, admit, django_assert_max_num_queries
):
    for n in range(5):
        admit(
            new_person={"aliases": f"无名{n}", "sex": "male"},
            admitted_at=timezone.now() - timedelta(days=20 + n),
        )
    client = client_for(station_worker)
    with django_assert_max_num_queries(16):
        assert client.get("/stations/s/S310000-1/long-stay/").status_code == 200


def test_a_step_from_the_list_goes_back_to_the_list(client_for, station_worker, long_stay):
    response = client_for(station_worker).post(
        f"/stations/admissions/{long_stay.pk}/placement/", {"kind": "dna", "from": "long_stay"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/stations/s/S310000-1/long-stay/"
