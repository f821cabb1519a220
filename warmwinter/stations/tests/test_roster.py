"""The station's duty roster (值班表) keeps the shift rules of `core/shifts.py`: one person is
never on duty twice at once, while two colleagues may overlap (that is how 24-hour cover with a
leader on the day shift works)."""

from datetime import date, time, timedelta
from functools import partial

import pytest
from django.core.exceptions import ValidationError

from warmwinter.accounts.roles import Role
from warmwinter.conftest import race
from warmwinter.core import clock
from warmwinter.stations import services
from warmwinter.stations.models import DutyShift

DAY = date(2027, 1, 21)
EIGHT = clock.at(DAY, time(8))


def _add(by, station, user, starts_at, hours, **kwargs):
    return services.duty_shift_add(
        by=by,
        station=station,
        user=user,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        **kwargs,
    )


def test_the_same_person_cannot_be_on_duty_twice_at_once(station1, station_worker):
    _add(station_worker, station1, station_worker, EIGHT, 12)
    with pytest.raises(ValidationError) as refused:
        _add(station_worker, station1, station_worker, EIGHT + timedelta(hours=11), 8)
    assert refused.value.message_dict["starts_at"] == [
        "station1_worker 在 01-21 08:00 – 01-21 20:00 已有班次，时间重叠"
    ]
    assert DutyShift.objects.filter(user=station_worker).count() == 1


def test_a_shift_inside_another_of_the_same_person_is_refused(station1, station_worker):
    _add(station_worker, station1, station_worker, EIGHT, 24)
    with pytest.raises(ValidationError):
        _add(station_worker, station1, station_worker, EIGHT + timedelta(hours=2), 2)
    assert DutyShift.objects.count() == 1


def test_two_colleagues_may_be_on_duty_at_the_same_time(station1, station_worker, station_leader):
    _add(station_worker, station1, station_worker, EIGHT, 24)
    _add(station_worker, station1, station_leader, EIGHT, 12, is_leader=True)
    assert DutyShift.objects.count() == 2


def test_one_persons_shifts_back_to_back_do_not_overlap(station1, station_worker):
    _add(station_worker, station1, station_worker, EIGHT, 12)
    _add(station_worker, station1, station_worker, EIGHT + timedelta(hours=12), 12)
    assert DutyShift.objects.count() == 2


def test_the_roster_page_refuses_an_overlapping_shift_of_the_same_person(
    client_for, station1, station_worker
):
    _add(station_worker, station1, station_worker, EIGHT, 12)
    response = client_for(station_worker).post(
        "/stations/s/S310000-1/roster/",
        {"user": station_worker.pk, "starts_at": "2027-01-21T19:00", "ends_at": "2027-01-22T07:00"},
    )
    assert response.status_code == 422
    assert "已有班次，时间重叠" in response.content.decode()
    assert DutyShift.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_colleagues_adding_overlapping_shifts_of_one_person_at_once_store_one(
    reference, make_user
):
    """Real threads with their own connections. On PostgreSQL the lock on the staff member's
    row serialises them; on SQLite every transaction begins IMMEDIATE (settings), a coarser
    lock with the same outcome. Either way the second writer must see the first's shift."""
    from warmwinter.places.models import OrgUnit

    station = OrgUnit.objects.get(code="S310000-1")
    on_duty = make_user("station1_worker", Role.STATION_WORKER, "S310000-1")
    writers = [make_user(f"station1_w{n}", Role.STATION_WORKER, "S310000-1") for n in range(4)]
    results = race(
        *(
            partial(_add, by, station, on_duty, EIGHT + timedelta(hours=hour), 12)
            for hour, by in enumerate(writers)
        )
    )
    assert results.count("ok") == 1, results
    assert "已有班次，时间重叠" in next(r for r in results if r != "ok")
    assert DutyShift.objects.filter(user=on_duty).count() == 1
