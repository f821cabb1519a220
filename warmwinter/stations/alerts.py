"""Background alerts of the station's daily care (跟踪检查制): people without today's health
check, zones not disinfected, duty-roster gaps a week ahead, nights without rounds, stays past
their limit and overdue visits. Each is sent once per station, kind and day to the station's
staff (`notify`); the notification's `source` remembers what was already said."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from warmwinter.accounts.roles import Role
from warmwinter.core import clock, rulebook
from warmwinter.notifications.models import Notification, Urgency
from warmwinter.notifications.services import notify, recipients_for
from warmwinter.places.models import OrgLevel, OrgUnit
from warmwinter.stations import selectors
from warmwinter.stations.models import Admission, AdmissionStatus

STAFF = (Role.STATION_WORKER, Role.STATION_LEADER)
LEADERS = (Role.STATION_LEADER,)


def health_check_by_hour() -> int:
    """Today's health checks are expected by this hour (Asia/Shanghai)."""
    return rulebook.integer("stations.health_check_by")


def disinfection_by_hour() -> int:
    """Zones are disinfected every day by this hour."""
    return rulebook.integer("stations.disinfection_by")


@dataclass(frozen=True)
class Alert:
    kind: str
    title: str
    body: str
    roles: tuple[str, ...]
    urgency: str = Urgency.WARNING
    url: str = ""


def station_alerts(station: OrgUnit, *, now: datetime) -> list[Alert]:
    """What needs the station's attention at `now`; pure reads."""
    local = clock.local(now)
    today = local.date()
    home = reverse("stations:home", args=[station.code])
    care = selectors.daily_care(station, now=now)
    alerts: list[Alert] = []
    if care.missing_checks and local.hour >= health_check_by_hour():
        names = "、".join(a.person.display_name for a in care.missing_checks[:10])
        alerts.append(
            Alert(
                "health",
                _("%(station)s：今日 %(n)s 人未做健康监测")
                % {"station": station.name, "n": len(care.missing_checks)},
                names,
                STAFF,
                url=home,
            )
        )
    if care.zones_not_disinfected and local.hour >= disinfection_by_hour():
        alerts.append(
            Alert(
                "disinfection",
                _("%(station)s：今日 %(n)s 个分区未消毒")
                % {"station": station.name, "n": len(care.zones_not_disinfected)},
                "、".join(z.name for z in care.zones_not_disinfected),
                STAFF,
                url=home,
            )
        )
    if care.roster_gaps or care.days_without_leader:
        gaps = "；".join(
            f"{clock.local(a):%m-%d %H:%M}–{clock.local(b):%m-%d %H:%M}"
            for a, b in care.roster_gaps[:6]
        )
        no_leader = "、".join(f"{d:%m-%d}" for d in care.days_without_leader)
        alerts.append(
            Alert(
                "roster",
                _("%(station)s：未来一周值班有空档或缺带班领导") % {"station": station.name},
                _("值班空档：%(gaps)s。无带班领导：%(days)s。")
                % {"gaps": gaps or "—", "days": no_leader or "—"},
                LEADERS,
                url=reverse("stations:roster", args=[station.code]),
            )
        )
    if care.missing_rounds:
        alerts.append(
            Alert(
                "rounds",
                _("%(station)s：夜间 %(n)s 个时段未巡查")
                % {"station": station.name, "n": len(care.missing_rounds)},
                "；".join(
                    f"{clock.local(a):%m-%d %H:%M}–{clock.local(b):%H:%M}"
                    for a, b in care.missing_rounds
                ),
                LEADERS,
                url=reverse("stations:rounds", args=[station.code]),
            )
        )
    over = list(
        Admission.objects.filter(
            station=station,
            shelter__isnull=True,
            status=AdmissionStatus.IN_STATION,
            stay_until__lt=today,
        ).select_related("person")
    )
    if over:
        alerts.append(
            Alert(
                "stay",
                _("%(station)s：%(n)s 人在站超过期限，请延长（须说明理由）或安排离站")
                % {"station": station.name, "n": len(over)},
                "、".join(f"{a.person.display_name}（{a.days_in_station} 天）" for a in over[:10]),
                LEADERS,
                url=home,
            )
        )
    overdue = list(
        Admission.objects.filter(
            station=station, status=AdmissionStatus.DISCHARGED, next_visit_due__lt=today
        ).select_related("person")
    )
    if overdue:
        alerts.append(
            Alert(
                "visits",
                _("%(station)s：%(n)s 人逾期未走访") % {"station": station.name, "n": len(overdue)},
                "、".join(
                    f"{a.person.display_name}（{a.discharge_destination}，应于 "
                    f"{a.next_visit_due:%m-%d}）"
                    for a in overdue[:10]
                ),
                STAFF,
                url=home,
            )
        )
    return alerts


def review_station(station: OrgUnit, *, now: datetime | None = None) -> int:
    """Send the station's alerts not yet sent today; returns how many kinds were sent."""
    now = now or timezone.now()
    day = clock.local_date(now)
    sent = 0
    for alert in station_alerts(station, now=now):
        source = f"stations:{alert.kind}:{station.code}:{day:%Y%m%d}"
        with transaction.atomic():
            if Notification.objects.filter(source=source).exists():
                continue
            notify(
                recipients=recipients_for(org_unit=station, roles=alert.roles),
                title=alert.title,
                body=alert.body,
                url=alert.url,
                urgency=alert.urgency,
                source=source,
            )
        sent += 1
    return sent


def review_all(*, now: datetime | None = None) -> int:
    return sum(
        review_station(station, now=now)
        for station in OrgUnit.objects.filter(level=OrgLevel.STATION).order_by("code")
    )
