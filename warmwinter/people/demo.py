"""Demo person files: named people with valid ID numbers, people who gave only a name or a
nickname, unidentified people (先行救助, with draft search notices), near-duplicates for the review
queue, and a timeline of encounters at real key places. `--scale N` adds N plain files quickly."""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction

from warmwinter.accounts.models import User
from warmwinter.core.seeding import DemoContext
from warmwinter.people import idnumbers, names, services
from warmwinter.people.models import (
    FocusGroup,
    IdentityStatus,
    Person,
    PersonNameKey,
    Sex,
    TimelineKind,
)
from warmwinter.places.models import OrgLevel, OrgUnit, Place, PlaceKind

ORDER = 40
FILES = 48
_MARK = "演示档案"
_SCALE_MARK = "演示扩容"
_OUTSIDE_REGIONS = ["340102", "410102", "320102", "510104", "430102", "370102", "130102"]
#: (as first filed, as written the second time): the linkage difficulties, for the review queue.
_NEAR_DUPLICATES = [
    ("张伟", "章伟"),
    ("单建华", "善建华"),
    ("陈国强", "陳國強"),
    ("王己明", "王已明"),
    ("曾小平", "zeng xiaoping"),
]
_FEATURES = [
    "左脸有疤",
    "右腿行走不便",
    "戴黑框眼镜",
    "留长胡子",
    "身穿军绿色棉大衣",
    "说河南口音",
    "随身带红色编织袋",
]


def _valid_id(rng: random.Random, region: str, year: int, male: bool) -> str:
    seq = rng.randint(0, 99) * 10 + (
        rng.choice([1, 3, 5, 7, 9]) if male else rng.choice([0, 2, 4, 6, 8])
    )
    return idnumbers.with_check_digit(
        f"{region}{year:04d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{seq:03d}"
    )


def seed(ctx: DemoContext) -> None:
    rng = ctx.child("people")
    districts = list(OrgUnit.objects.filter(level=OrgLevel.DISTRICT).order_by("code"))
    if not districts:
        return
    key_places: dict[int, list[Place]] = {}
    for place in (
        Place.objects.filter(kind=PlaceKind.KEY_PLACE).select_related("org_unit").order_by("pk")
    ):
        for district in districts:
            if place.org_unit.path.startswith(district.path):
                key_places.setdefault(district.pk, []).append(place)
    users = {u.org_unit_id: u for u in User.objects.filter(username__endswith="_patrol1")}
    created = 0
    for i in range(FILES):
        created += _seed_one(ctx, rng, i, districts, key_places, users)
    for i, (first, second) in enumerate(_NEAR_DUPLICATES):
        district = districts[i % len(districts)]
        by = users.get(district.pk)
        for j, written in enumerate((first, second)):
            note = f"{_MARK} D{i:02d}{j}"
            if by is None or Person.objects.filter(notes=note).exists():
                continue
            with transaction.atomic():
                services.person_create(
                    by=by,
                    org_unit=district,
                    name=written,
                    sex=Sex.MALE,
                    birth_year=1960 + i * 3 + j,
                    identity_status=IdentityStatus.CLAIMED,
                    notes=note,
                )
            created += 1
    extra = _seed_scale(ctx, rng, districts)
    ctx.summary.append(
        f"人员档案：{Person.objects.filter(notes__startswith=_MARK).count()} 份演示档案"
        f"（本次新建 {created}），扩容 {extra} 份"
    )


def _seed_one(
    ctx: DemoContext,
    rng: random.Random,
    i: int,
    districts: list[OrgUnit],
    key_places: dict[int, list[Place]],
    users: dict[int | None, User],
) -> int:
    note = f"{_MARK} {i:03d}"
    # draw every random value first, so a skipped (existing) file keeps the stream in step
    district = districts[i % len(districts)]
    male = rng.random() < 0.8
    full_name = ctx.fake.name_male() if male else ctx.fake.name_female()
    year = rng.randint(1950, 2005)
    kind = rng.choices(["id", "named", "nickname", "unknown"], weights=[4, 3, 2, 2])[0]
    region = district.code if rng.random() < 0.3 else rng.choice(_OUTSIDE_REGIONS)
    id_number = _valid_id(rng, region, year, male)
    groups = rng.sample(FocusGroup.values, k=rng.choice([0, 1, 1, 2]))
    feature = rng.choice(_FEATURES)
    sightings = rng.randint(1, 6)
    offsets = [(rng.randint(0, 27), rng.choice([1, 2, 5, 21, 22, 23])) for _ in range(sightings)]
    admitted = rng.random() < 0.3
    if Person.objects.filter(notes=note).exists():
        return 0
    by = users.get(district.pk)
    if by is None:
        return 0  # the district's patrol account files its people
    data: dict[str, object] = {"sex": Sex.MALE if male else Sex.FEMALE, "features": feature}
    if kind == "id":
        data |= {
            "name": full_name,
            "id_number": id_number,
            "identity_status": IdentityStatus.VERIFIED,
        }
    elif kind == "named":
        data |= {
            "name": full_name,
            "age_estimate": 2025 - year,
            "identity_status": IdentityStatus.CLAIMED,
        }
    elif kind == "nickname":
        surname, _given = names.split_name(full_name)
        data |= {"aliases": f"老{surname}", "age_estimate": 2025 - year}
    else:
        data |= {"age_estimate": 2025 - year}
    places = key_places.get(district.pk, [])
    with transaction.atomic():
        person, _warnings = services.person_create(
            by=by,
            org_unit=district,
            focus_groups=groups,
            notes=note,
            found_place=f"{district.name}{places[0].name}" if places and kind == "unknown" else "",
            **data,
        )
        for days, hour in offsets:
            place = places[(days + hour) % len(places)] if places else None
            services.timeline_record(
                person=person,
                kind=TimelineKind.ENCOUNTER,
                at=ctx.now - timedelta(days=days, hours=ctx.now.hour - hour),
                summary=f"巡查发现：{feature}，已送上棉被和热食",
                by=by,
                org_unit=district,
                lat=place.lat if place else None,
                lng=place.lng if place else None,
                place_name=place.name if place else "",
            )
        if admitted:
            services.timeline_record(
                person=person,
                kind=TimelineKind.ADMISSION,
                at=ctx.now - timedelta(days=1),
                summary="自愿入站，安排床位",
                by=by,
                org_unit=district,
            )
            services.timeline_record(
                person=person,
                kind=TimelineKind.SERVICE,
                at=ctx.now - timedelta(hours=20),
                summary="体检、洗浴、更换衣物",
                by=by,
                org_unit=district,
            )
    return 1


def _seed_scale(ctx: DemoContext, rng: random.Random, districts: list[OrgUnit]) -> int:
    """`--scale N`: N more files, bulk-inserted with their name keys (no timeline, no linkage)."""
    have = Person.objects.filter(notes__startswith=_SCALE_MARK).count()
    if ctx.scale <= have:
        return have
    scale_rng = random.Random(f"{ctx.seed}:people-scale")
    fake = ctx.fake
    batch: list[Person] = []
    for i in range(have, ctx.scale):
        male = scale_rng.random() < 0.8
        name = fake.name_male() if male else fake.name_female()
        year = scale_rng.randint(1945, 2008)
        person = Person(
            org_unit=districts[i % len(districts)],
            name=name,
            sex=Sex.MALE if male else Sex.FEMALE,
            birth_year=year,
            birth_year_estimated=True,
            identity_status=IdentityStatus.CLAIMED,
            notes=f"{_SCALE_MARK} {i:07d}",
        )
        if scale_rng.random() < 0.2:
            number = _valid_id(scale_rng, scale_rng.choice(_OUTSIDE_REGIONS), year, male)
            person.id_number = number
            person.id_number_digest = idnumbers.digest(number)
            person.id_number_masked = idnumbers.mask(number)
            person.identity_status = IdentityStatus.VERIFIED
        batch.append(person)
        if len(batch) == 5000:
            _bulk(batch)
            batch = []
    _bulk(batch)
    return ctx.scale


def _bulk(batch: list[Person]) -> None:
    with transaction.atomic():
        created = Person.objects.bulk_create(batch)
        PersonNameKey.objects.bulk_create(
            (
                PersonNameKey(person=p, key=k, birth_year=p.birth_year)
                for p in created
                for k in names.stored_keys(p.name, [])
            ),
            batch_size=10000,
        )
