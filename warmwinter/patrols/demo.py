"""Demo patrols: watch windows for the key places, a few encounters of the past week (one who
refused, with supplies and a follow-up), and tonight's plan for Huangpu and Pudong."""

from __future__ import annotations

import uuid
from datetime import time, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError

from warmwinter.accounts.models import User
from warmwinter.core import clock
from warmwinter.core.seeding import DemoContext
from warmwinter.dispatch.models import Team
from warmwinter.patrols import planning, services
from warmwinter.patrols.models import PlaceWatch
from warmwinter.places.models import OrgUnit, Place, PlaceKind

ORDER = 70
PLANNED_DISTRICTS = ("310101", "310115")
#: (district, days ago, hour, name, flags, willingness, disposition)
ENCOUNTERS = [
    ("310115", 5, 23, "老张", [], "refuses", "supplies"),
    ("310115", 3, 1, "", ["elderly", "cannot_give_info"], "unknown", "escort_station"),
    ("310115", 2, 22, "阿强", [], "willing", "guide_station"),
    ("310101", 4, 0, "", ["mental_disorder"], "unknown", "hospital"),
    ("310101", 1, 23, "老王", [], "refuses", "supplies"),
]


def seed(ctx: DemoContext) -> None:
    rng = ctx.child("patrols")
    watches = 0
    for place in Place.objects.filter(kind=PlaceKind.KEY_PLACE).order_by("pk"):
        start = rng.choice([time(20, 0), time(21, 0), time(22, 0)])
        PlaceWatch.objects.update_or_create(
            place=place,
            defaults={"risk": rng.randint(1, 5), "watch_from": start, "watch_until": time(6, 0)},
        )
        watches += 1
    made = sum(_encounter(ctx, rng, *row) for row in ENCOUNTERS)
    plans = 0
    for code in PLANNED_DISTRICTS:
        district = OrgUnit.objects.get(code=code)
        planner = (
            User.objects.filter(username=f"d{code}_dispatcher").first()
            or User.objects.filter(role="city_admin").first()
        )
        if planner is None:
            continue  # no account to plan with (accounts' demo data not loaded)
        try:
            planning.plan_night(
                district=district,
                night=clock.tonight(ctx.now),
                by=planner,
                time_limit_s=0.5,
            )
            plans += 1
        except ValidationError:
            continue  # no team on duty in this demo week
    ctx.summary.append(f"巡查：{watches} 个重点点位设置，{made} 次街面处置，{plans} 份今晚计划")


def _encounter(
    ctx: DemoContext,
    rng: object,
    code: str,
    days: int,
    hour: int,
    name: str,
    flags: list[str],
    willingness: str,
    disposition: str,
) -> int:
    team = Team.objects.filter(district__code=code).order_by("pk").first()
    member = team.members.order_by("pk").first() if team else None
    place = (
        Place.objects.filter(kind=PlaceKind.KEY_PLACE, org_unit__path__contains=f"/{code}/")
        .order_by("pk")
        .first()
    )
    if team is None or member is None or place is None:
        return 0
    key = uuid.UUID(int=ctx.child(f"patrols:{code}:{days}:{hour}").getrandbits(128), version=4)
    at = clock.local(ctx.now - timedelta(days=days)).replace(
        hour=hour, minute=20, second=0, microsecond=0
    )
    extra: dict[str, object] = {}
    if disposition == "supplies":
        extra = {
            "help_contact_left": True,
            "items": [("instant-food", Decimal(1)), ("cotton-coat", Decimal(1))],
        }
    elif disposition == "escort_station":
        extra = {
            "escort_members": "民政 " + member.display_name + "、公安 王警官",
            "escort_destination": "区救助管理站",
        }
    elif disposition == "hospital":
        hospitals = Place.objects.filter(kind=PlaceKind.HOSPITAL).order_by("pk")
        hospital = hospitals.filter(org_unit__code=code).first() or hospitals.first()
        extra = {
            "escort_members": "民政 " + member.display_name + "、公安 王警官",
            "escort_to_id": hospital.pk if hospital else None,
        }
    try:
        result = services.encounter_record(
            by=member,
            data=services.EncounterInput(
                client_uuid=key,
                occurred_at=at,
                lat=place.lat,
                lng=place.lng,
                place_name=place.name,
                team_id=team.pk,
                new_person=services.NewPerson(name=name, sex="male", age_estimate=50 + days),
                flags=flags,
                willingness=willingness,
                disposition=disposition,
                **extra,  # type: ignore[arg-type]
            ),
        )
    except ValidationError:
        return 0
    if result.created and disposition == "hospital":
        # left in hospital: visits on the outside-care schedule start at the hand-over
        services.escort_arrived(
            encounter=result.encounter,
            by=member,
            arrived_at=at + timedelta(minutes=40),
            handover_to="急诊科 值班护士",
        )
    return 1 if result.created else 0
