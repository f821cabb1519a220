"""Demo stations: zones and beds for the two city stations and every district station, people
in the city station (some near their 10-day limit), a hospital transfer whose visit is overdue,
an assisted return under way, a long-stay person without identity in the placement process,
last night's rounds (one window missed) and a refusal of aid with its notice."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from warmwinter.accounts.models import User
from warmwinter.core import clock
from warmwinter.core.seeding import DemoContext
from warmwinter.places.models import OrgLevel, OrgUnit
from warmwinter.stations import services
from warmwinter.stations.models import Admission, Bed, NightRound, Zone, ZoneKind

ORDER = 60
_MARK = "演示入站"
#: (kind, name, beds) of a city station; a district station gets the first four, smaller.
_CITY_LAYOUT = [
    (ZoneKind.MALE, "男宾区", 12),
    (ZoneKind.FEMALE, "女宾区", 8),
    (ZoneKind.MINOR, "未成年人区", 4),
    (ZoneKind.ELDERLY, "老年人区", 6),
    (ZoneKind.OBSERVATION, "观察区", 3),
    (ZoneKind.ISOLATION, "隔离区", 2),
    (ZoneKind.MENTAL_HEALTH, "精神卫生观察区", 2),
]


def _layout(station: OrgUnit) -> None:
    city = station.code.startswith("S310000-")
    layout = _CITY_LAYOUT if city else [(k, n, max(2, b // 3)) for k, n, b in _CITY_LAYOUT[:4]]
    prefix = {ZoneKind.MALE: "M", ZoneKind.FEMALE: "F", ZoneKind.MINOR: "Y"}
    for kind, name, beds in layout:
        zone, _ = Zone.objects.get_or_create(station=station, name=name, defaults={"kind": kind})
        letter = prefix.get(kind, kind[:1].upper())
        Bed.objects.bulk_create(
            [Bed(zone=zone, label=f"{letter}{i:02d}") for i in range(1, beds + 1)],
            ignore_conflicts=True,
        )


def _admissions(ctx: DemoContext, station: OrgUnit, worker: User) -> None:
    if Admission.objects.filter(station=station, escort_note__startswith=_MARK).exists():
        return
    rng = ctx.child("stations")
    fake = ctx.fake
    people = [
        # (sex, age, days ago, brought_by, category, temperature, symptoms, mental signs)
        ("male", 45, 1, "patrol", "vagrant", "36.5", [], []),
        ("male", 33, 9, "self", "no_work", "36.8", [], []),
        ("female", 15, 2, "police", "lost", "36.6", [], []),
        ("male", 79, 12, "patrol", "vagrant", "36.9", [], []),
        ("male", 52, 3, "patrol", "vagrant", "38.3", ["cough"], []),
        ("female", 41, 4, "family", "domestic_violence", "36.7", [], []),
        ("female", 36, 2, "police", "lost", "36.6", [], ["hallucination"]),
        ("male", 28, 0, "self", "robbed", "36.4", [], []),
    ]
    now = timezone.now()
    free = {z.kind: list(z.beds.all()) for z in Zone.objects.filter(station=station)}
    for i, (sex, age, days, brought, category, temp, symptoms, signs) in enumerate(people):
        name = fake.name_male() if sex == "male" else fake.name_female()
        admission = services.admission_create(
            by=worker,
            station=station,
            brought_by=brought,
            category=category,
            escort_note=f"{_MARK} {i + 1}",
            new_person={"name": name, "sex": sex, "age_estimate": age} if i % 4 else {"sex": sex},
            security_checks=["body_search", "baggage", "dangerous"],
            temperature=Decimal(temp),
            symptoms=symptoms,
            mental_signs=signs,
            admitted_at=now - timedelta(days=days, hours=rng.randint(0, 10)),
        )
        beds = free.get(admission.zone_kind) or []
        if beds:
            services.bed_assign(by=worker, admission=admission, bed=beds.pop(0))
    # A hospital transfer five weeks ago whose monthly visit is overdue.
    sent = services.admission_create(
        by=worker,
        station=station,
        brought_by="patrol",
        category="vagrant",
        escort_note=f"{_MARK} 送医",
        new_person={"name": fake.name_male(), "sex": "male", "age_estimate": 58},
        mental_signs=["self_harm"],
        admitted_at=now - timedelta(days=37),
    )
    services.discharge(
        by=worker, admission=sent, reason="to_hospital", destination="上海市精神卫生中心"
    )
    Admission.objects.filter(pk=sent.pk).update(
        discharged_at=now - timedelta(days=35),
        next_visit_due=clock.local_date(now) - timedelta(days=5),
    )
    # An assisted return under way.
    going = Admission.objects.filter(station=station, escort_note=f"{_MARK} 2").first()
    if going is not None:
        case = services.service_open(
            by=worker, admission=going, kind="assisted_return", destination="河南省郑州市"
        )
        services.service_step(
            by=worker, case=case, note="已联系家属", transport="K8126 上海—郑州 次日 18:40"
        )


def _care_and_decisions(station: OrgUnit, worker: User, leader: User | None) -> None:
    if NightRound.objects.filter(station=station).exists():
        return
    now = timezone.now()
    stay = services.admission_create(
        by=worker,
        station=station,
        brought_by="patrol",
        category="vagrant",
        escort_note=f"{_MARK} 长期滞留",
        new_person={"aliases": "老哑巴", "sex": "male"},
        admitted_at=now - timedelta(days=46),
    )
    services.placement_step_record(
        by=worker,
        admission=stay,
        kind="dna",
        done_on=clock.local_date(now) - timedelta(days=40),
        note="已采血送公安机关入库比对",
    )
    night = clock.local_date(now) - timedelta(days=1)
    start = clock.day_bounds(night)[0]
    for hours in (22.5, 0.8 + 24, 4.3 + 24):  # the 02:00–04:00 window was missed
        at = start + timedelta(hours=hours)
        if at < now:
            services.night_round_record(by=worker, station=station, at=at, note="各区安静")
    if leader is not None:
        services.aid_refuse(
            by=leader,
            station=station,
            new_person={"sex": "male", "age_estimate": 30},
            reason="not_in_need",
            detail="本人有固定住所和收入，询问后承认仅为借宿",
        )


def seed(ctx: DemoContext) -> None:
    stations = list(OrgUnit.objects.filter(level=OrgLevel.STATION).order_by("code"))
    with transaction.atomic():
        for station in stations:
            _layout(station)
        city1 = next((s for s in stations if s.code == "S310000-1"), None)
        worker = User.objects.filter(username="station1_worker").first()
        if city1 is not None and worker is not None:
            _admissions(ctx, city1, worker)
            leader = User.objects.filter(username="station1_leader").first()
            _care_and_decisions(city1, worker, leader)
    beds = Bed.objects.count()
    present = Admission.objects.filter(status="in_station").count()
    ctx.summary.append(f"救助管理站：{len(stations)} 个站点、{beds} 张床位、在站 {present} 人")
