import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from warmwinter.audit.models import AuditEvent
from warmwinter.core import clock
from warmwinter.people.models import TimelineEntry, TimelineKind
from warmwinter.stations import selectors, services
from warmwinter.stations.models import (
    AdmissionStatus,
    BedAssignment,
    DischargeReason,
    ZoneKind,
)
from warmwinter.stations.rules import Symptom


def test_admitting_a_walk_in_files_the_person_and_puts_the_stay_on_their_timeline(
    admit, station_worker
):
    admission = admit(temperature=Decimal("38.4"), symptoms=[Symptom.COUGH])
    assert admission.first_receiver == station_worker
    assert admission.zone_kind == ZoneKind.ISOLATION
    assert admission.person.org_unit == admission.station
    assert admission.stay_until == clock.local_date() + timedelta(days=10)
    entry = TimelineEntry.objects.get(person=admission.person, kind=TimelineKind.ADMISSION)
    assert "上海市救助管理站" in entry.summary
    assert AuditEvent.objects.filter(action="create", target_id=str(admission.pk)).exists()


def test_an_unknown_person_is_admitted_first_and_identified_later(admit):
    admission = admit(new_person={})
    assert admission.person.display_name == "无名氏"


def test_held_items_must_be_sealed(admit):
    with pytest.raises(ValidationError) as exc:
        admit(held_items="手机一部、现金 200 元")
    assert "held_items_seal" in exc.value.message_dict


def test_a_person_cannot_be_admitted_twice_at_once(admit):
    first = admit()
    with pytest.raises(ValidationError):
        admit(person=first.person, new_person=None)


def test_the_auditor_cannot_admit(admit, auditor):
    with pytest.raises(PermissionDenied):
        admit(by=auditor)


def test_another_stations_worker_cannot_admit_here(admit, s2_worker):
    with pytest.raises(PermissionDenied):
        admit(by=s2_worker)


def test_a_bed_cannot_be_given_twice(admit, male_zone, station_worker):
    bed = male_zone.beds.get(label="M1")
    services.bed_assign(by=station_worker, admission=admit(), bed=bed)
    other = admit(new_person={"name": "王五", "sex": "male"})
    with pytest.raises(ValidationError) as exc:
        services.bed_assign(by=station_worker, admission=other, bed=bed)
    assert "已被其他工作人员安排给 李四" in exc.value.messages[0]


def test_moving_to_another_bed_frees_the_first(admit, male_zone, station_worker):
    admission = admit()
    m1, m2 = male_zone.beds.order_by("label")
    services.bed_assign(by=station_worker, admission=admission, bed=m1)
    services.bed_assign(by=station_worker, admission=admission, bed=m2)
    assert list(selectors.free_beds(admission.station)) == [m1]


def test_bed_board_shows_who_is_where_and_the_capacity_alert(
    admit, male_zone, station_worker, django_assert_max_num_queries
):
    admission = admit()
    services.bed_assign(by=station_worker, admission=admission, bed=male_zone.beds.get(label="M1"))
    admit(new_person={"name": "王五", "sex": "male"})
    with django_assert_max_num_queries(6):
        board = selectors.bed_board(admission.station)
    assert (board.total, board.free) == (2, 1)
    assert board.zones[0].beds[0][1] == admission
    assert [a.person.name for a in board.unplaced] == ["王五"]
    assert not board.alert


def test_discharge_to_hospital_starts_a_monthly_visit_schedule(admit, male_zone, station_worker):
    admission = admit()
    services.bed_assign(by=station_worker, admission=admission, bed=male_zone.beds.first())
    services.discharge(
        by=station_worker,
        admission=admission,
        reason=DischargeReason.TO_HOSPITAL,
        destination="上海市精神卫生中心",
    )
    admission.refresh_from_db()
    assert admission.status == AdmissionStatus.DISCHARGED
    assert admission.next_visit_due == clock.local_date() + timedelta(days=30)
    assert not BedAssignment.objects.filter(admission=admission, ended_at__isnull=True).exists()


def test_returning_home_has_no_visits(admit, station_worker):
    admission = services.discharge(
        by=station_worker, admission=admit(), reason=DischargeReason.RETURNED_HOME
    )
    assert admission.next_visit_due is None


def test_a_stay_beyond_ten_days_needs_the_leaders_approval_and_a_reason(
    admit, station_worker, station_leader
):
    admission = admit()
    later = admission.stay_until + timedelta(days=10)
    with pytest.raises(PermissionDenied):
        services.stay_extend(by=station_worker, admission=admission, until=later, reason="待寻亲")
    with pytest.raises(ValidationError):
        services.stay_extend(by=station_leader, admission=admission, until=later, reason=" ")
    services.stay_extend(by=station_leader, admission=admission, until=later, reason="等待家属来接")
    admission.refresh_from_db()
    assert admission.stay_until == later


def test_the_limit_a_leader_must_approve_going_beyond_is_the_rulebooks(
    admit, station_worker, station_leader, set_rule
):
    set_rule("stations.stay_limit", 7)
    admission = admit()
    assert admission.stay_until == clock.local_date() + timedelta(days=7)
    later = admission.stay_until + timedelta(days=3)
    with pytest.raises(PermissionDenied):
        services.stay_extend(by=station_worker, admission=admission, until=later, reason="待寻亲")
    services.stay_extend(by=station_leader, admission=admission, until=later, reason="待寻亲")
    admission.refresh_from_db()
    assert admission.stay_until == later


def test_stays_near_or_past_the_limit_are_listed(admit, station_worker):
    old = admit(admitted_at=timezone.now() - timedelta(days=11))
    admit(new_person={"name": "王五", "sex": "male"})
    found = selectors.stays_near_limit(user=station_worker)
    assert [a.pk for a in found] == [old.pk]
    assert found[0].stay_state == "over"


def _run_in_threads(*targets):
    threads = [threading.Thread(target=t) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


@pytest.mark.django_db(transaction=True)
def test_two_workers_assigning_the_last_bed_at_once_one_wins_and_the_other_is_told(
    reference, station1, station_worker, make_user
):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    from warmwinter.accounts.roles import Role
    from warmwinter.stations.models import BroughtBy, DistressCategory

    colleague = make_user("station1_worker2", Role.STATION_WORKER, "S310000-1")
    zone = services.zone_create(by=station_worker, station=station1, kind="male", name="男宾区")
    (bed,) = services.beds_add(by=station_worker, zone=zone, labels=["M9"])
    admissions = [
        services.admission_create(
            by=station_worker,
            station=station1,
            brought_by=BroughtBy.SELF,
            category=DistressCategory.NO_WORK,
            new_person={"name": name, "sex": "male"},
        )
        for name in ("甲", "乙")
    ]
    barrier = threading.Barrier(2)
    results: list[str] = []

    def worker(user, admission):
        def run():
            try:
                barrier.wait()
                services.bed_assign(by=user, admission=admission, bed=bed)
                results.append("ok")
            except ValidationError as exc:
                results.append(exc.messages[0])
            finally:
                connection.close()

        return run

    _run_in_threads(worker(station_worker, admissions[0]), worker(colleague, admissions[1]))
    assert results.count("ok") == 1
    loser = next(r for r in results if r != "ok")
    assert "请另选床位" in loser
    assert BedAssignment.objects.filter(bed=bed, ended_at__isnull=True).count() == 1
