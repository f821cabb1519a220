"""「健康监测、日常消毒、值班巡查」「领导带班和24小时值班制度」."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from warmwinter.core import clock
from warmwinter.stations import rules, selectors, services

SH = clock.SHANGHAI


def _at(day, hour):
    return datetime.combine(day, time(hour), tzinfo=SH)


def test_coverage_gaps_find_the_hours_nobody_is_on_duty():
    d = date(2025, 12, 1)
    shifts = [
        (_at(d, 0), _at(d, 8)),
        (_at(d, 8), _at(d, 16)),
        (_at(d, 18), _at(d + timedelta(days=1), 0)),
    ]
    assert rules.coverage_gaps(shifts, start=_at(d, 0), end=_at(d + timedelta(days=1), 0)) == [
        (_at(d, 16), _at(d, 18))
    ]


def test_full_24_hour_cover_has_no_gaps():
    d = date(2025, 12, 1)
    shifts = [(_at(d, 0), _at(d, 12)), (_at(d, 6), _at(d + timedelta(days=1), 0))]
    assert rules.coverage_gaps(shifts, start=_at(d, 0), end=_at(d + timedelta(days=1), 0)) == []


def test_every_day_needs_a_leader_on_duty():
    d = date(2025, 12, 1)
    leaders = [(_at(d, 8), _at(d, 20))]
    assert rules.days_without_leader(leaders, days=[d, d + timedelta(days=1)]) == [
        d + timedelta(days=1)
    ]


def test_a_fever_or_hypothermia_is_abnormal():
    assert rules.health_abnormal(temperature=Decimal("37.5"))
    assert rules.health_abnormal(temperature=Decimal("34.8"))
    assert not rules.health_abnormal(temperature=Decimal("36.6"))


def test_people_without_todays_health_check_and_abnormal_checks_are_flagged(
    admit, station_worker, station1
):
    first = admit()
    second = admit(new_person={"name": "王五", "sex": "male"})
    services.health_check_record(by=station_worker, admission=first, temperature=Decimal("38.1"))
    care = selectors.daily_care(station1)
    assert care.missing_checks == [second]
    assert [c.admission for c in care.abnormal_checks] == [first]


def test_zones_not_disinfected_today_are_flagged(male_zone, station_worker, station1, client_for):
    assert selectors.daily_care(station1).zones_not_disinfected == [male_zone]
    response = client_for(station_worker).post(
        "/stations/s/S310000-1/disinfection/", {"zone": male_zone.pk, "note": "含氯消毒液擦拭"}
    )
    assert response.status_code == 302
    assert selectors.daily_care(station1).zones_not_disinfected == []


def test_roster_gaps_are_flagged_a_week_ahead(station1, station_worker, station_leader):
    care = selectors.daily_care(station1)
    assert len(care.days_without_leader) == 7
    assert care.roster_gaps  # nobody rostered at all
    start = datetime.combine(clock.local_date(), time.min, tzinfo=timezone.get_current_timezone())
    for i in range(7):
        day = start + timedelta(days=i)
        services.duty_shift_add(
            by=station_worker,
            station=station1,
            user=station_worker,
            starts_at=day,
            ends_at=day + timedelta(hours=24),
        )
        services.duty_shift_add(
            by=station_worker,
            station=station1,
            user=station_leader,
            starts_at=day + timedelta(hours=8),
            ends_at=day + timedelta(hours=20),
            is_leader=True,
        )
    care = selectors.daily_care(station1)
    assert care.roster_gaps == [] and care.days_without_leader == []


def test_only_a_leader_can_lead_a_shift_and_only_station_staff_are_rostered(
    station1, station_worker, s2_worker
):
    now = timezone.now()
    with pytest.raises(ValidationError):
        services.duty_shift_add(
            by=station_worker,
            station=station1,
            user=station_worker,
            starts_at=now,
            ends_at=now + timedelta(hours=8),
            is_leader=True,
        )
    with pytest.raises(ValidationError):
        services.duty_shift_add(
            by=station_worker,
            station=station1,
            user=s2_worker,
            starts_at=now,
            ends_at=now + timedelta(hours=8),
        )


def test_roster_and_health_pages(client_for, station_worker, auditor, admit):
    admission = admit()
    client = client_for(station_worker)
    assert (
        client.post(
            f"/stations/admissions/{admission.pk}/health/", {"temperature": "36.5"}
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"/stations/admissions/{admission.pk}/health/", {"temperature": "60"}
        ).status_code
        == 422
    )
    page = client.get("/stations/s/S310000-1/roster/")
    assert page.status_code == 200 and "无带班领导的日期" in page.content.decode()
    bad = client.post(
        "/stations/s/S310000-1/roster/",
        {"user": station_worker.pk, "starts_at": "2025-12-01T20:00", "ends_at": "2025-12-01T08:00"},
    )
    assert bad.status_code == 422 and "结束时间须晚于开始时间" in bad.content.decode()
    ok = client.post(
        "/stations/s/S310000-1/roster/",
        {"user": station_worker.pk, "starts_at": "2025-12-01T08:00", "ends_at": "2025-12-01T20:00"},
    )
    assert ok.status_code == 302
    assert (
        client_for(auditor)
        .post(
            "/stations/s/S310000-1/roster/",
            {
                "user": station_worker.pk,
                "starts_at": "2025-12-01T08:00",
                "ends_at": "2025-12-01T20:00",
            },
        )
        .status_code
        == 403
    )
    assert (
        client_for(auditor)
        .post(f"/stations/admissions/{admission.pk}/health/", {"temperature": "36.5"})
        .status_code
        == 403
    )
