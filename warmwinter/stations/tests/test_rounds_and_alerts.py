"""Night rounds (值班巡查) with the windows nobody walked flagged, and the background alerts of
daily care: missing health checks and disinfection, roster gaps a week ahead, stays past the
limit, overdue visits — each sent once a day to the station's staff."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from warmwinter.accounts.roles import Role
from warmwinter.core import clock
from warmwinter.notifications.models import Notification
from warmwinter.stations import alerts, rules, services
from warmwinter.stations.models import NightRound

SH = clock.SHANGHAI


def test_a_night_has_round_windows_every_two_hours_from_22_to_6():
    windows = rules.night_windows(date(2026, 1, 20))
    assert [(a.hour, b.hour) for a, b in windows] == [(22, 0), (0, 2), (2, 4), (4, 6)]


def test_a_window_without_a_round_is_flagged_once_it_is_over():
    rounds = [datetime(2026, 1, 20, 22, 30, tzinfo=SH), datetime(2026, 1, 21, 3, 10, tzinfo=SH)]
    at_3 = datetime(2026, 1, 21, 3, 0, tzinfo=SH)
    missing = rules.missing_rounds(rounds, night_of=date(2026, 1, 20), now=at_3)
    assert [(a.hour, b.hour) for a, b in missing] == [(0, 2)]
    morning = datetime(2026, 1, 21, 8, 0, tzinfo=SH)
    missing = rules.missing_rounds(rounds, night_of=date(2026, 1, 20), now=morning)
    assert [(a.hour, b.hour) for a, b in missing] == [(0, 2), (4, 6)]


def test_a_round_is_recorded_and_last_nights_gaps_show_on_the_rounds_page(
    client_for, station_worker
):
    client = client_for(station_worker)
    response = client.post(
        "/stations/s/S310000-1/rounds/", {"note": "各区安静", "issues": "3 号床咳嗽，已测体温"}
    )
    assert response.status_code == 302
    entry = NightRound.objects.get()
    assert entry.by == station_worker and entry.issues.startswith("3 号床")
    page = client.get("/stations/s/S310000-1/rounds/").content.decode()
    assert "各区安静" in page
    # Nobody walked the whole of last night.
    assert "夜间巡查缺失" in page


def test_a_round_cannot_be_dated_in_the_future(client_for, station_worker):
    later = clock.local() + timedelta(hours=3)
    response = client_for(station_worker).post(
        "/stations/s/S310000-1/rounds/", {"at": later.strftime("%Y-%m-%dT%H:%M")}
    )
    assert response.status_code == 422
    assert "巡查时间不能晚于现在" in response.content.decode()
    assert not NightRound.objects.exists()


def test_the_auditor_reads_rounds_but_cannot_record_one(client_for, auditor):
    client = client_for(auditor)
    assert client.get("/stations/s/S310000-1/rounds/").status_code == 200
    assert client.post("/stations/s/S310000-1/rounds/", {"note": "x"}).status_code == 403


@pytest.fixture
def leader(make_user):
    return make_user("station1_leader", Role.STATION_LEADER, "S310000-1")


def _at(hour, day=None):
    day = day or clock.local_date()
    return datetime.combine(day, datetime.min.time(), tzinfo=SH) + timedelta(hours=hour)


def test_alerts_go_to_the_station_staff_once_a_day(station_worker, leader, admit, male_zone):
    admission = admit()
    admit(
        new_person={"name": "王五", "sex": "male", "age_estimate": 50},
        admitted_at=timezone.now() - timedelta(days=12),
    )
    station = admission.station
    now = _at(19)
    kinds = {a.kind for a in alerts.station_alerts(station, now=now)}
    assert {"health", "disinfection", "roster", "rounds", "stay"} <= kinds
    assert alerts.review_station(station, now=now) == len(kinds)
    health = Notification.objects.filter(recipient=station_worker, source__contains="health")
    assert health.count() == 1 and "2 人未做健康监测" in health.get().title
    stay = Notification.objects.get(recipient=leader, source__contains=":stay:")
    assert "王五" in stay.body
    assert not Notification.objects.filter(recipient=station_worker, source__contains=":stay:")
    # The next run the same day says nothing new.
    assert alerts.review_station(station, now=now + timedelta(minutes=15)) == 0


def test_nothing_is_said_about_health_checks_before_ten(station_worker, admit):
    admission = admit()
    kinds = {a.kind for a in alerts.station_alerts(admission.station, now=_at(8))}
    assert "health" not in kinds
    services.health_check_record(
        by=station_worker, admission=admission, temperature=Decimal("36.5")
    )
    kinds = {a.kind for a in alerts.station_alerts(admission.station, now=_at(11))}
    assert "health" not in kinds


def test_an_overdue_visit_is_an_alert(station_worker, admit):
    admission = admit()
    services.discharge(
        by=station_worker, admission=admission, reason="to_hospital", destination="瑞金医院"
    )
    later = timezone.now() + timedelta(days=31)
    found = [a for a in alerts.station_alerts(admission.station, now=later) if a.kind == "visits"]
    assert found and "瑞金医院" in found[0].body


def test_the_task_reviews_every_station(settings, station_worker, admit, time_machine):
    from warmwinter.stations.tasks import review_station_care

    time_machine.move_to(_at(11))  # health checks are due by 10:00

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    admit()
    result = review_station_care.enqueue()
    assert (result.return_value or 0) >= 1
    assert Notification.objects.filter(recipient=station_worker).exists()


def test_the_schedule_runs_the_station_review():
    from django.conf import settings

    assert any(
        path == "warmwinter.stations.tasks.review_station_care"
        for path, _every in settings.PERIODIC_TASKS
    )
