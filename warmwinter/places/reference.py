"""Shanghai's reference data, shipped in `places/data/` (copied from the public sources named in
its README) and loaded idempotently: running it twice changes nothing the second time."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from warmwinter.places.models import KeyPlaceType, OrgLevel, OrgUnit, Place, PlaceKind

DATA_DIR = Path(__file__).resolve().parent / "data"
CITY_CODE = "310000"
CITY_NAME = "上海市"
CITY_CENTRE = (31.2304, 121.4737)

#: The two city-level stations of the notice (抄送: 上海市救助管理站、上海市救助管理二站).
#: Coordinates are approximate (centre of the city) until the stations enter theirs.
CITY_STATIONS = [
    ("S310000-1", "上海市救助管理站"),
    ("S310000-2", "上海市救助管理二站"),
]

#: The notice's terms, as the CSV writes them, to our codes.
_KEY_PLACE_TYPES = {
    "车站广场": KeyPlaceType.STATION_SQUARE,
    "商业街区": KeyPlaceType.COMMERCIAL_STREET,
    "热门景点": KeyPlaceType.SCENIC_SPOT,
    "地下通道": KeyPlaceType.UNDERPASS,
    "桥梁涵洞": KeyPlaceType.BRIDGE_CULVERT,
    "废弃房屋": KeyPlaceType.ABANDONED_BUILDING,
    "在建工地": KeyPlaceType.CONSTRUCTION_SITE,
}


@dataclass(frozen=True)
class LoadSummary:
    districts: int
    streets: int
    stations: int
    key_places: int


def _read(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def station_code_for(district_code: str) -> str:
    return f"S{district_code}"


@transaction.atomic
def load_reference_data() -> LoadSummary:
    city, _ = OrgUnit.objects.update_or_create(
        code=CITY_CODE,
        defaults={
            "name": CITY_NAME,
            "level": OrgLevel.CITY,
            "parent": None,
            "lat": CITY_CENTRE[0],
            "lng": CITY_CENTRE[1],
        },
    )
    districts: dict[str, OrgUnit] = {}
    for row in _read("shanghai_districts.csv"):
        districts[row["code"]], _ = OrgUnit.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "level": OrgLevel.DISTRICT,
                "parent": city,
                "lat": float(row["lat"]),
                "lng": float(row["lon"]),
            },
        )
    streets = 0
    for row in _read("shanghai_streets.csv"):
        OrgUnit.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "level": OrgLevel.STREET,
                "parent": districts[row["areaCode"]],
            },
        )
        streets += 1

    stations = 0
    city_stations = [(code, name, city) for code, name in CITY_STATIONS]
    district_stations = [
        (station_code_for(d.code), f"{d.name}救助管理站", d) for d in districts.values()
    ]
    for i, (code, name, parent) in enumerate(city_stations + district_stations):
        assert parent.lat is not None and parent.lng is not None  # noqa: S101 - set above
        # Spread stations a little around their parent's centre so they do not overlap on
        # the map; district staff correct the address and coordinates in the admin.
        lat, lng = parent.lat + 0.004 * ((i % 3) - 1), parent.lng + 0.004 * ((i % 2) * 2 - 1)
        unit, _ = OrgUnit.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "level": OrgLevel.STATION,
                "parent": parent,
                "lat": lat,
                "lng": lng,
            },
        )
        if not Place.objects.filter(org_unit=unit, kind=PlaceKind.STATION).exists():
            Place.objects.create(
                kind=PlaceKind.STATION,
                name=name,
                org_unit=unit,
                lat=lat,
                lng=lng,
                address=f"{parent.name}（位置待核实）",
                is_public=True,
                opening_hours="24 小时",
            )
        stations += 1

    key_places = 0
    for row in _read("shanghai_key_places.csv"):
        Place.objects.update_or_create(
            kind=PlaceKind.KEY_PLACE,
            name=row["name"],
            org_unit=districts[row["district_code"]],
            defaults={
                "key_place_type": _KEY_PLACE_TYPES[row["kind"]],
                "lat": float(row["lat"]),
                "lng": float(row["lon"]),
            },
        )
        key_places += 1
    return LoadSummary(len(districts), streets, stations, key_places)
