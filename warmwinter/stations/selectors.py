"""Reads of the station, always through the user's scope."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from warmwinter.accounts.permissions import Actor
from warmwinter.accounts.scoping import get_visible_or_404, visible_to
from warmwinter.core import clock
from warmwinter.core.shifts import overlapping
from warmwinter.places.models import OrgLevel, OrgUnit, Place, PlaceKind
from warmwinter.places.selectors import public_places
from warmwinter.stations import rules
from warmwinter.stations.models import (
    Admission,
    AdmissionStatus,
    AidDecision,
    Bed,
    BedAssignment,
    Disinfection,
    DutyShift,
    HealthCheck,
    NightRound,
    PlacementStep,
    PlacementStepKind,
    ServiceCase,
    ServiceStep,
    Zone,
)


def stations_for(user: Actor) -> QuerySet[OrgUnit]:
    return visible_to(OrgUnit.objects.filter(level=OrgLevel.STATION), user).order_by("code")


def station_for(user: Actor, code: str) -> OrgUnit:
    return get_visible_or_404(OrgUnit.objects.filter(level=OrgLevel.STATION), user, code=code)


def shelters_for(user: Actor) -> QuerySet[Place]:
    """Temporary shelters (临时救助场所) the user's unit runs or oversees."""
    return visible_to(
        Place.objects.active().filter(kind=PlaceKind.TEMP_SHELTER), user
    ).select_related("org_unit")


def shelter_for(user: Actor, pk: Any) -> Place:
    return get_visible_or_404(shelters_for(user), user, pk=pk)


def shelter_guests(shelter: Place) -> list[Admission]:
    """The people in a shelter now, first come first."""
    return list(
        Admission.objects.filter(shelter=shelter, status=AdmissionStatus.IN_STATION)
        .select_related("person", "first_receiver")
        .order_by("admitted_at")
    )


def admissions_for(*, user: Actor, station: OrgUnit | None = None) -> QuerySet[Admission]:
    qs = visible_to(Admission.objects.all(), user).select_related(
        "station", "shelter", "person", "first_receiver"
    )
    if station is not None:
        qs = qs.filter(station=station)
    return qs


def admission_for(user: Actor, pk: Any) -> Admission:
    return get_visible_or_404(admissions_for(user=user), user, pk=pk)


def bed_for(user: Actor, pk: Any) -> Bed:
    return get_visible_or_404(Bed.objects.select_related("zone__station"), user, pk=pk)


def current_bed(admission: Admission) -> BedAssignment | None:
    return (
        admission.bed_assignments.filter(ended_at__isnull=True).select_related("bed__zone").first()
    )


@dataclass
class BoardZone:
    zone: Zone
    beds: list[tuple[Bed, Admission | None]] = field(default_factory=list)

    @property
    def free(self) -> int:
        return sum(1 for bed, who in self.beds if who is None and bed.in_service)


@dataclass
class BedBoard:
    zones: list[BoardZone]
    total: int
    free: int
    alert: bool
    unplaced: list[Admission]


def bed_board(station: OrgUnit) -> BedBoard:
    """Zones, beds, who is in each, free beds and the capacity alert, in three queries."""
    open_assignments = BedAssignment.objects.filter(ended_at__isnull=True).select_related(
        "admission__person"
    )
    zones = (
        Zone.objects.filter(station=station)
        .prefetch_related(
            Prefetch(
                "beds",
                queryset=Bed.objects.order_by("label").prefetch_related(
                    Prefetch("assignments", queryset=open_assignments, to_attr="open")
                ),
            )
        )
        .order_by("kind", "name")
    )
    board: list[BoardZone] = []
    placed: set[int] = set()
    for zone in zones:
        row = BoardZone(zone=zone)
        for bed in zone.beds.all():
            current = bed.open[0].admission if bed.open else None  # type: ignore[attr-defined]
            if current is not None:
                placed.add(current.pk)
            row.beds.append((bed, current))
        board.append(row)
    total = sum(1 for z in board for bed, _who in z.beds if bed.in_service)
    free = sum(z.free for z in board)
    unplaced = [
        a
        for a in Admission.objects.filter(station=station, status=AdmissionStatus.IN_STATION)
        .select_related("person")
        .order_by("admitted_at")
        if a.pk not in placed
    ]
    return BedBoard(board, total, free, rules.capacity_alert(free=free, total=total), unplaced)


def free_beds(station: OrgUnit, zone_kind: str | None = None) -> QuerySet[Bed]:
    qs = (
        Bed.objects.filter(zone__station=station, in_service=True)
        .exclude(pk__in=BedAssignment.objects.filter(ended_at__isnull=True).values("bed_id"))
        .select_related("zone")
        .order_by("zone__kind", "zone__name", "label")
    )
    if zone_kind:
        qs = qs.filter(zone__kind=zone_kind)
    return qs


def stays_near_limit(
    *, user: Actor, station: OrgUnit | None = None, today: date | None = None
) -> list[Admission]:
    """People in the station whose stay ends within the warning days, or is past its limit."""
    today = today or clock.local_date()
    edge = today + timedelta(days=rules.stay_warn_days())
    qs = admissions_for(user=user, station=station).filter(
        status=AdmissionStatus.IN_STATION, stay_until__lte=edge
    )
    return list(qs.order_by("stay_until"))


def visits_overdue(
    *, user: Actor, station: OrgUnit | None = None, today: date | None = None
) -> QuerySet[Admission]:
    today = today or clock.local_date()
    return (
        admissions_for(user=user, station=station)
        .filter(status=AdmissionStatus.DISCHARGED, next_visit_due__lt=today)
        .order_by("next_visit_due")
    )


def service_for(user: Actor, pk: Any) -> ServiceCase:
    return get_visible_or_404(
        ServiceCase.objects.select_related("admission__station", "admission__person"), user, pk=pk
    )


def services_of(admission: Admission) -> list[ServiceCase]:
    return list(
        admission.services.select_related("owner").prefetch_related(
            Prefetch("steps", queryset=ServiceStep.objects.select_related("by"))
        )
    )


def incoming_escorts(station: OrgUnit, *, now: datetime | None = None) -> QuerySet[Any]:
    """People a patrol is bringing to this station (护送途中): escorted here in the last two
    days, not yet arrived or admitted. The station sees them because they are coming to it."""
    from warmwinter.patrols.models import Encounter
    from warmwinter.patrols.rules import Disposition

    since = (now or timezone.now()) - timedelta(days=2)
    return (
        Encounter.objects.filter(
            disposition__in=[Disposition.ESCORT_STATION, Disposition.GUIDE_STATION],
            escort_to__kind=PlaceKind.STATION,
            escort_to__org_unit=station,
            escort_arrived_at__isnull=True,
            occurred_at__gte=since,
            admissions__isnull=True,
        )
        .select_related("person", "team", "district")
        .order_by("occurred_at")
    )


def incoming_escort_for(station: OrgUnit, pk: Any) -> Any:
    """The escort `pk` on its way to `station`, or 404: one already arrived or admitted,
    another station's, and an id that is not a number alike (it comes from the page)."""
    try:
        return incoming_escorts(station).get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None


def open_shelters() -> list[Place]:
    """Overflow: temporary shelters open to the public (地址本身是公开信息)."""
    return list(
        public_places().filter(kind=PlaceKind.TEMP_SHELTER).order_by("org_unit__code", "name")[:20]
    )


@dataclass
class DailyCare:
    missing_checks: list[Admission]
    abnormal_checks: list[HealthCheck]
    zones_not_disinfected: list[Zone]
    roster_gaps: list[tuple[datetime, datetime]]
    days_without_leader: list[date]
    missing_rounds: list[tuple[datetime, datetime]] = field(default_factory=list)


def daily_care(station: OrgUnit, *, now: datetime | None = None) -> DailyCare:
    """Today's gaps: people without a health check, abnormal checks, zones not disinfected,
    and the duty roster's gaps over the coming week (flagged a week ahead)."""
    now = now or timezone.now()
    today = clock.local_date(now)
    present = Admission.objects.filter(
        station=station, status=AdmissionStatus.IN_STATION
    ).select_related("person")
    checked = set(
        HealthCheck.objects.filter(admission__station=station, day=today).values_list(
            "admission_id", flat=True
        )
    )
    abnormal = list(
        HealthCheck.objects.filter(
            admission__station=station, day=today, abnormal=True
        ).select_related("admission__person")
    )
    done_zones = set(
        Disinfection.objects.filter(zone__station=station, day=today).values_list(
            "zone_id", flat=True
        )
    )
    zones = [
        z for z in Zone.objects.filter(station=station).order_by("name") if z.pk not in done_zones
    ]
    start = clock.day_bounds(today)[0]
    end = start + timedelta(days=rules.roster_days_ahead())
    shifts = list(
        overlapping(DutyShift.objects.filter(station=station), start, end).values_list(
            "starts_at", "ends_at", "is_leader"
        )
    )
    gaps = rules.coverage_gaps([(s, e) for s, e, _lead in shifts], start=start, end=end)
    no_leader = rules.days_without_leader(
        [(s, e) for s, e, lead in shifts if lead],
        days=[today + timedelta(days=i) for i in range(rules.roster_days_ahead())],
    )
    return DailyCare(
        missing_checks=[a for a in present if a.pk not in checked],
        abnormal_checks=abnormal,
        zones_not_disinfected=zones,
        roster_gaps=gaps,
        days_without_leader=no_leader,
        missing_rounds=rounds_missing(station, now=now),
    )


def rounds_missing(station: OrgUnit, *, now: datetime) -> list[tuple[datetime, datetime]]:
    """The windows of the latest night (so far) without a round, and of the night before when
    it ended less than a day ago — the morning's leader sees last night's gaps."""
    night = clock.last_night_begun(now)
    nights = [night - timedelta(days=1), night]
    first = rules.night_windows(nights[0])[0][0]
    times = list(
        NightRound.objects.filter(station=station, at__gte=first, at__lte=now).values_list(
            "at", flat=True
        )
    )
    gaps: list[tuple[datetime, datetime]] = []
    for n in nights:
        windows = rules.night_windows(n)
        if now - windows[-1][1] > timedelta(days=1):
            continue
        gaps += rules.missing_rounds(times, night_of=n, now=now)
    return gaps


def rounds_for(station: OrgUnit, *, since: datetime) -> QuerySet[NightRound]:
    return NightRound.objects.filter(station=station, at__gte=since).select_related("by")


def decision_for(user: Actor, pk: Any) -> AidDecision:
    return get_visible_or_404(
        AidDecision.objects.select_related("station", "person", "admission", "decided_by"),
        user,
        pk=pk,
    )


def decisions_for(*, user: Actor, station: OrgUnit, limit: int = 20) -> list[AidDecision]:
    return list(
        visible_to(AidDecision.objects.filter(station=station), user).select_related(
            "person", "decided_by"
        )[:limit]
    )


def roster_for(station: OrgUnit, *, start: datetime, end: datetime) -> QuerySet[DutyShift]:
    return overlapping(DutyShift.objects.filter(station=station), start, end).select_related("user")


def zone_for(user: Actor, pk: Any) -> Zone:
    return get_visible_or_404(Zone.objects.select_related("station"), user, pk=pk)


def station_staff(station: OrgUnit) -> QuerySet[Any]:
    from warmwinter.accounts.models import User

    return User.objects.filter(org_unit=station, is_active=True).order_by("username")


def long_stays(
    *, user: Actor, station: OrgUnit | None = None, today: date | None = None
) -> list[Admission]:
    """长期滞留: people without an identity still in the station past the stay limit, with
    their days in station (for the placement process 长期安置)."""
    from warmwinter.people.models import IdentityStatus

    today = today or clock.local_date()
    cutoff = today - timedelta(days=rules.stay_limit_days())
    found = list(
        admissions_for(user=user, station=station)
        .filter(
            status=AdmissionStatus.IN_STATION,
            shelter__isnull=True,
            person__identity_status=IdentityStatus.UNKNOWN,
            admitted_at__lt=clock.day_bounds(cutoff)[1],
        )
        .prefetch_related(
            "services",
            Prefetch("placement_steps", queryset=PlacementStep.objects.select_related("by")),
        )
        .order_by("admitted_at")
    )
    return found


@dataclass
class Placement:
    """Where a long-stay person is in the placement process."""

    admission: Admission
    done: list[PlacementStep]
    next_step: str | None

    @property
    def next_step_label(self) -> str:
        return str(PlacementStepKind(self.next_step).label) if self.next_step else ""


def placements(
    *, user: Actor, station: OrgUnit | None = None, today: date | None = None
) -> list[Placement]:
    rows = []
    for admission in long_stays(user=user, station=station, today=today):
        done = list(admission.placement_steps.all())
        kinds = {s.kind for s in done}
        pending = [k for k in PlacementStepKind.values if k not in kinds]
        rows.append(Placement(admission, done, pending[0] if pending else None))
    return rows
