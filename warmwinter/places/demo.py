"""Demo network: communities, shelters, help points, the five kinds of service points and key
patrol places of every kind, scattered in real streets of real districts."""

from __future__ import annotations

import math
import random

from warmwinter.core.seeding import DemoContext
from warmwinter.places import geo
from warmwinter.places.models import KeyPlaceType, OrgLevel, OrgUnit, Place, PlaceKind
from warmwinter.places.reference import load_reference_data

ORDER = 10

# Central districts are compact; the suburbs spread over tens of kilometres.
_CENTRAL = {"310101", "310104", "310105", "310106", "310107", "310109", "310110"}

_SERVICE_POINT_NAMES = {
    PlaceKind.ADVISOR_POINT: "{street}社区救助顾问服务站点",
    PlaceKind.LOTTERY_OUTLET: "福利彩票{street}{n}号网点",
    PlaceKind.AFFAIRS_CENTER: "{street}社区事务受理服务中心",
    PlaceKind.CIVIL_AFFAIRS_STATION: "{street}民政服务站",
    PlaceKind.CHARITY_SUPERMARKET: "{street}慈善超市",
}
_KEY_PLACE_NAMES = {
    KeyPlaceType.UNDERPASS: "{road}地下通道",
    KeyPlaceType.BRIDGE_CULVERT: "{road}桥下涵洞",
    KeyPlaceType.ABANDONED_BUILDING: "{road}废弃厂房",
    KeyPlaceType.CONSTRUCTION_SITE: "{road}在建工地",
    KeyPlaceType.COMMERCIAL_STREET: "{road}商业街",
}


def _scatter(rng: random.Random, district: OrgUnit, spread_km: float) -> tuple[float, float]:
    assert district.lat is not None and district.lng is not None  # noqa: S101
    for _ in range(20):
        r = spread_km * math.sqrt(rng.random()) / 111.0
        theta = rng.random() * 2 * math.pi
        lat = district.lat + r * math.sin(theta)
        lng = district.lng + r * math.cos(theta) / math.cos(math.radians(district.lat))
        if geo.in_shanghai(lat, lng):
            return round(lat, 6), round(lng, 6)
    return district.lat, district.lng


#: Hospitals as places: real Shanghai hospitals, their public addresses and approximate WGS-84
#: coordinates (an escort to hospital picks one; visits follow the outside-care schedule).
HOSPITALS = (
    ("310109", "上海市第一人民医院", "虹口区海宁路100号", 31.2486, 121.4845),
    ("310101", "瑞金医院", "黄浦区瑞金二路197号", 31.2117, 121.4644),
    ("310104", "复旦大学附属中山医院", "徐汇区枫林路180号", 31.1975, 121.4525),
    ("310115", "仁济医院东院", "浦东新区浦建路160号", 31.2052, 121.5170),
    ("310106", "复旦大学附属华山医院", "静安区乌鲁木齐中路12号", 31.2168, 121.4447),
)


def hospital_place(name: str) -> Place:
    """The hospital of this name from HOSPITALS, as a place (created or brought up to date)."""
    code, address, lat, lng = next((c, a, y, x) for c, n, a, y, x in HOSPITALS if n == name)
    place, _created = Place.objects.update_or_create(
        kind=PlaceKind.HOSPITAL,
        name=name,
        defaults={
            "org_unit": OrgUnit.objects.get(code=code),
            "address": address,
            "lat": lat,
            "lng": lng,
            "phone": "",
            "opening_hours": "急诊 24 小时",
        },
    )
    return place


def _seed_hospitals() -> int:
    for _code, name, *_rest in HOSPITALS:
        hospital_place(name)
    return len(HOSPITALS)


def seed(ctx: DemoContext) -> None:
    load_reference_data()
    hospitals = _seed_hospitals()
    rng = ctx.child("places")
    streets_by_district: dict[str, list[OrgUnit]] = {}
    for street in OrgUnit.objects.filter(level=OrgLevel.STREET).select_related("parent"):
        assert street.parent is not None  # noqa: S101
        streets_by_district.setdefault(street.parent.code, []).append(street)

    communities = places = 0
    for district in OrgUnit.objects.filter(level=OrgLevel.DISTRICT).order_by("code"):
        streets = sorted(streets_by_district.get(district.code, []), key=lambda s: s.code)
        communities += _seed_communities(ctx, rng, streets)
        places += _seed_district_places(ctx, rng, district, streets)
    ctx.summary.append(
        f"地点：{communities} 个居（村）委会，{places} 处演示地点，{hospitals} 家医院（另有参考数据）"
    )


def _seed_communities(ctx: DemoContext, rng: random.Random, streets: list[OrgUnit]) -> int:
    count = 0
    for street in streets:
        for i in range(1, rng.randint(2, 4) + 1):
            OrgUnit.objects.update_or_create(
                code=f"{street.code}{i:03d}",
                defaults={
                    "name": f"{ctx.fake.street_name()}居民委员会",
                    "level": OrgLevel.COMMUNITY,
                    "parent": street,
                },
            )
            count += 1
    return count


def _seed_district_places(
    ctx: DemoContext, rng: random.Random, district: OrgUnit, streets: list[OrgUnit]
) -> int:
    fake = ctx.fake
    spread = 3.0 if district.code in _CENTRAL else 9.0
    count = 0

    def add(kind: str, name: str, street: OrgUnit, **extra: object) -> None:
        nonlocal count
        lat, lng = _scatter(rng, district, spread)
        Place.objects.update_or_create(
            kind=kind,
            name=name,
            org_unit=street,
            defaults={
                "lat": lat,
                "lng": lng,
                "address": f"{district.name}{fake.street_address()}",
                **extra,
            },
        )
        count += 1

    chosen = rng.sample(streets, k=min(3, len(streets)))
    for n, street in enumerate(chosen, start=1):
        short = street.name.removesuffix("街道").removesuffix("镇")
        for kind, pattern in _SERVICE_POINT_NAMES.items():
            add(kind, pattern.format(street=short, n=n), street, opening_hours="09:00-17:00")
        add(
            PlaceKind.HELP_POINT,
            f"{short}求助引导点",
            street,
            is_public=True,
            opening_hours="24 小时",
            phone=fake.phone_number(),
        )
    shelter_street = chosen[0]
    add(
        PlaceKind.TEMP_SHELTER,
        f"{shelter_street.name}临时救助场所",
        shelter_street,
        is_public=True,
        capacity=rng.choice([10, 20, 30]),
        opening_hours="寒潮预警期间 24 小时",
    )
    for key_type, pattern in _KEY_PLACE_NAMES.items():
        add(
            PlaceKind.KEY_PLACE,
            pattern.format(road=fake.street_name()),
            rng.choice(streets),
            key_place_type=key_type,
            risk_notes=rng.choice(["夜间照明差", "有人员长期露宿", "临近河道", "通风不良", ""]),
        )
    return count
