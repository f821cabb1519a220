"""登记统计: daily counts per station — admitted, present, discharged by reason, by category,
minors and elderly — and the same table as an xlsx workbook."""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from warmwinter.accounts.permissions import Actor
from warmwinter.core import clock
from warmwinter.places.models import OrgUnit, Place
from warmwinter.stations import rules, selectors
from warmwinter.stations.models import Admission, DischargeReason, DistressCategory

#: The longest range one request may ask for (a campaign is about 105 days).
MAX_DAYS = 120


@dataclass
class DayRow:
    """One site and day: a station, or a temporary shelter (its own row, named for it)."""

    day: date
    station: OrgUnit
    admitted: int = 0
    present: int = 0
    minors: int = 0
    elderly: int = 0
    discharged: Counter[str] = field(default_factory=Counter)
    categories: Counter[str] = field(default_factory=Counter)
    shelter: Place | None = None

    @property
    def site_name(self) -> str:
        return self.shelter.name if self.shelter is not None else self.station.name

    @property
    def discharged_total(self) -> int:
        return sum(self.discharged.values())


def _age(admission: Admission) -> int | None:
    person = admission.person
    return rules.age_on(
        birth_date=person.birth_date,
        birth_year=person.birth_year,
        day=clock.local_date(admission.admitted_at),
    )


def _site(admission: Admission) -> tuple[str, int]:
    if admission.shelter_id is not None:
        return ("shelter", admission.shelter_id)
    return ("station", admission.station_id)


def daily_rows(
    *, user: Actor, start: date, end: date, station: OrgUnit | None = None
) -> list[DayRow]:
    """One row per site (station, or temporary shelter when no station is asked for) and day
    in [start, end], for the sites `user` may see."""
    stations = [station] if station is not None else list(selectors.stations_for(user))
    shelters = [] if station is not None else list(selectors.shelters_for(user))
    admissions = [
        a
        for a in selectors.admissions_for(user=user, station=station).filter(
            admitted_at__date__lte=end
        )
        if a.discharged_at is None or clock.local_date(a.discharged_at) >= start
    ]
    rows: dict[tuple[tuple[str, int], date], DayRow] = {}
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    for d in days:
        for s in stations:
            rows[(("station", s.pk), d)] = DayRow(day=d, station=s)
        for p in shelters:
            rows[(("shelter", p.pk), d)] = DayRow(day=d, station=p.org_unit, shelter=p)
    for a in admissions:
        site = _site(a)
        if (site, start) not in rows:
            for d in days:  # a site in scope through the admission only (e.g. archived shelter)
                rows[(site, d)] = DayRow(day=d, station=a.station, shelter=a.shelter)
        admitted_on = clock.local_date(a.admitted_at)
        left_on = clock.local_date(a.discharged_at) if a.discharged_at else None
        age = _age(a)
        row = rows.get((site, admitted_on))
        if row is not None:
            row.admitted += 1
            row.categories[a.category] += 1
            if age is not None and age < rules.minor_under():
                row.minors += 1
            if age is not None and age >= rules.elderly_from():
                row.elderly += 1
        if left_on is not None and (row := rows.get((site, left_on))) is not None:
            row.discharged[a.discharge_reason] += 1
        for d in days:
            if admitted_on <= d and (left_on is None or left_on > d):
                rows[(site, d)].present += 1
    return sorted(
        rows.values(),
        key=lambda r: (r.shelter is not None, r.station.code, r.site_name, r.day),
    )


def headers() -> list[str]:
    return (
        [
            _("日期"),
            _("救助管理站或临时救助场所"),
            _("入站"),
            _("在站"),
            _("未成年人入站"),
            _("老年人入站"),
            _("离站合计"),
        ]
        + [_("离站：%(r)s") % {"r": label} for label in DischargeReason.labels]
        + [_("类别：%(c)s") % {"c": label} for label in DistressCategory.labels]
    )


def row_values(row: DayRow) -> list[Any]:
    return (
        [
            row.day,
            row.site_name,
            row.admitted,
            row.present,
            row.minors,
            row.elderly,
            row.discharged_total,
        ]
        + [row.discharged[v] for v in DischargeReason.values]
        + [row.categories[v] for v in DistressCategory.values]
    )


def workbook(rows: list[DayRow]) -> bytes:
    wb = Workbook()
    ws: Worksheet = wb.active  # type: ignore[assignment]
    ws.title = _("登记统计")
    ws.append(headers())
    for row in rows:
        ws.append(row_values(row))
    for cell in ws["A"][1:]:
        cell.number_format = "yyyy-mm-dd"
    ws.freeze_panes = "C2"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
