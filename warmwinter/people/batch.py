"""Batch record linkage without a database: the same name keys and pair scoring as the live
service (`names`, `linkage.score_pair`), blocking in memory, clusters by union-find.

Used by `manage.py link_records` and by `bench/linkage.py`.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO

from warmwinter.people import idnumbers, linkage, names
from warmwinter.places import geo

HEADER = [
    "record_id",
    "source",
    "name",
    "sex",
    "birth_year",
    "age_estimate",
    "id_number",
    "phone",
    "native_place",
    "dialect",
    "seen_at",
    "lat",
    "lon",
    "description",
]
#: Two records are one person at or above this score (see bench/linkage.py for how it was set).
THRESHOLD = 0.6
#: A block bigger than this is narrowed to birth years within ±3 (a bare surname, 老张).
WIDE_BLOCK = 200
_SEX = {"男": "male", "女": "female", "male": "male", "female": "female"}


@dataclass
class Record:
    record_id: str
    name: str = ""
    sex: str = ""
    birth_year: int | None = None
    id_number: str = ""
    phone: str = ""
    native_place: str = ""
    dialect: str = ""
    seen_at: datetime | None = None
    lat: float | None = None
    lon: float | None = None

    def described(self) -> linkage.Described:
        return linkage.Described(
            name=self.name,
            sex=self.sex,
            birth_year=self.birth_year,
            id_number=self.id_number,
            phone=self.phone,
            native_place=self.native_place,
            dialect=self.dialect,
        )

    def facts(self, seen_near: int = 0) -> linkage.Facts:
        return linkage.Facts(
            name=self.name if names.name_form(self.name).kind == "full" else "",
            aliases=[] if names.name_form(self.name).kind == "full" else [self.name],
            sex=self.sex,
            birth_year=self.birth_year,
            id_number=self.id_number,
            phone=self.phone,
            native_place=self.native_place,
            dialect=self.dialect,
            seen_near=seen_near,
        )


def _int(text: str) -> int | None:
    try:
        return int(float(text)) if text.strip() else None
    except ValueError:
        return None


def _float(text: str) -> float | None:
    try:
        value = float(text) if text.strip() else None
    except ValueError:
        return None
    return value if value is not None and -180 <= value <= 180 else None


def record_from_row(row: dict[str, str], *, year: int) -> Record:
    number = ""
    if row.get("id_number"):
        try:
            number = idnumbers.parse_id_number(row["id_number"]).number
        except Exception:  # noqa: BLE001 - an invalid number is ignored, not fatal
            number = ""
    birth_year = _int(row.get("birth_year") or "")
    age = _int(row.get("age_estimate") or "")
    if birth_year is None and age is not None:
        birth_year = year - age
    seen_at = None
    if row.get("seen_at"):
        try:
            seen_at = datetime.fromisoformat(row["seen_at"])
        except ValueError:
            seen_at = None
    return Record(
        record_id=row["record_id"],
        name=(row.get("name") or "").strip(),
        sex=_SEX.get((row.get("sex") or "").strip(), ""),
        birth_year=birth_year,
        id_number=number,
        phone=(row.get("phone") or "").strip(),
        native_place=(row.get("native_place") or "").strip(),
        dialect=(row.get("dialect") or "").strip(),
        seen_at=seen_at,
        lat=_float(row.get("lat") or ""),
        lon=_float(row.get("lon") or ""),
    )


def read_records(stream: IO[str], *, year: int) -> Iterator[Record]:
    reader = csv.DictReader(stream)
    if reader.fieldnames is None or "record_id" not in reader.fieldnames:
        raise ValueError("CSV 缺少 record_id 列")
    for row in reader:
        if row.get("record_id"):
            yield record_from_row(row, year=year)


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _keys(record: Record) -> tuple[set[str], set[str]]:
    """(keys it is indexed under, keys it looks up)."""
    form = names.name_form(record.name)
    stored = names.stored_keys(record.name, [])
    if form.kind == "pinyin":
        stored |= {f"p:{form.pinyin}"}
    query = names.blocking_keys(form)
    for extra in (
        f"id:{record.id_number}" if record.id_number else "",
        f"ph:{record.phone}" if record.phone else "",
    ):
        if extra:
            stored.add(extra)
            query.add(extra)
    return stored, query


def _near(a: Record, b: Record) -> int:
    if None in (a.lat, a.lon, b.lat, b.lon):
        return 0
    if a.seen_at and b.seen_at and abs((a.seen_at - b.seen_at).days) > 30:
        return 0
    d = geo.distance_m(geo.LatLng(a.lat, a.lon), geo.LatLng(b.lat, b.lon))  # type: ignore[arg-type]
    return 1 if d <= linkage.NEAR_M else 0


def pair_score(a: Record, b: Record) -> float:
    near = _near(a, b)
    return max(
        linkage.score_pair(a.described(), b.facts(near), explain=False)[0],
        linkage.score_pair(b.described(), a.facts(near), explain=False)[0],
    )


def cluster(records: list[Record], *, threshold: float = THRESHOLD) -> list[int]:
    """A cluster number per record (records that are one person share it)."""
    index: dict[str, dict[int | None, list[int]]] = defaultdict(lambda: defaultdict(list))
    keys = [_keys(r) for r in records]
    for i, (stored, _query) in enumerate(keys):
        for key in stored:
            index[key][records[i].birth_year].append(i)
    uf = _UnionFind(len(records))
    for i, (_stored, query) in enumerate(keys):
        record = records[i]
        seen: set[int] = set()
        for key in query:
            block = index.get(key)
            if not block:
                continue
            size = sum(len(v) for v in block.values())
            if (
                size > WIDE_BLOCK
                and record.birth_year is not None
                and not key.startswith(("id:", "ph:"))
            ):
                years: Iterable[int | None] = [
                    *range(record.birth_year - 3, record.birth_year + 4),
                    None,
                ]
                members = [j for y in years for j in block.get(y, ())]
            else:
                members = [j for v in block.values() for j in v]
            for j in members:
                if j <= i or j in seen:
                    continue
                seen.add(j)
                if uf.find(i) == uf.find(j):
                    continue
                if pair_score(record, records[j]) >= threshold:
                    uf.union(i, j)
    return [uf.find(i) for i in range(len(records))]


def write_clusters(stream: IO[str], records: list[Record], clusters: list[int]) -> None:
    writer = csv.writer(stream)
    writer.writerow(["record_id", "person_id"])
    for record, root in zip(records, clusters, strict=True):
        writer.writerow([record.record_id, f"P{root + 1:07d}"])
