"""Demo teams: one joint patrol (民政 + 公安 + 城管执法) per district from the d<code>_patrol
users, based at the district's rescue station, with day and night shifts around the demo week."""

from __future__ import annotations

from datetime import time, timedelta

from warmwinter.accounts.models import User
from warmwinter.accounts.roles import Role
from warmwinter.core import clock
from warmwinter.core.seeding import DemoContext
from warmwinter.dispatch.models import Shift, Team
from warmwinter.places.models import OrgLevel, OrgUnit, Place, PlaceKind

ORDER = 35


def seed(ctx: DemoContext) -> None:
    shifts = 0
    teams = 0
    first_day = clock.local_date(ctx.week_start) - timedelta(days=1)
    days = [first_day + timedelta(days=i) for i in range(11)]
    for district in OrgUnit.objects.filter(level=OrgLevel.DISTRICT).order_by("code"):
        station = (
            Place.objects.filter(kind=PlaceKind.STATION, org_unit__code=f"S{district.code}")
            .order_by("pk")
            .first()
        )
        lat = station.lat if station else district.lat
        lng = station.lng if station else district.lng
        if lat is None or lng is None:
            continue
        team, _created = Team.objects.update_or_create(
            district=district,
            name=f"{district.name}救助一分队",
            defaults={"lat": lat, "lng": lng, "base_place": station, "max_load": 3},
        )
        members = list(
            User.objects.filter(
                username__startswith=f"d{district.code}_patrol", role=Role.PATROL_MEMBER
            )
        )
        if district.code == "310115":
            members += list(User.objects.filter(username="pudong_patrol"))
        team.members.set(members)
        teams += 1
        for day in days:
            for start_hour, hours in ((8, 12), (20, 12)):
                starts = clock.at(day, time(start_hour))
                Shift.objects.update_or_create(
                    team=team,
                    starts_at=starts,
                    defaults={"ends_at": starts + timedelta(hours=hours)},
                )
                shifts += 1
    ctx.summary.append(f"调度：{teams} 支救助分队，{shifts} 个值班时段")
