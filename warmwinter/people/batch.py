"""Batch record linkage without a database, for imports and measurement.

Each pair of records that shares a blocking key is scored as a sum of match weights (log2 of
how much likelier the agreement is for one person than for two: the Fellegi–Sunter model
Splink also uses), and pairs whose match probability reaches the threshold are joined into
people by union-find. What differs from a general engine is the name evidence, from `names`:

- names are compared as pinyin with the surname's own reading (单 shàn, 曾 zēng), after
  traditional → simplified, so 张伟/章伟/張偉/"zhang wei" agree in sound;
- similar-looking characters (己/已, 未/末) agree through a canonical form;
- 老王/小李/王哥 agree with a full name on the surname, 阿强 on the last given character, a given
  name written alone (国强) with the given name of 曾国强;
- how much an agreement counts depends on how common the name is in the batch (term
  frequency, smoothed towards a prior for small batches): two 张伟 say less than two 单田芳.

A nickname or a given name alone is weak evidence: such keys block only records seen within
about 500 m of each other, which is also the only way such a pair could reach the threshold.
Block sizes therefore grow with the number of people sharing a full name's sound, not with the
batch: no all-pairs comparison anywhere.

Used by `manage.py link_records` and by `bench/linkage.py`.
"""

from __future__ import annotations

import csv
import math
import random
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from itertools import combinations
from typing import IO

from django.core.exceptions import ValidationError
from stdnum.cn import ric
from stdnum.exceptions import InvalidComponent

from warmwinter.people import idnumbers, names

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
#: Two records are one person when the model gives at least this probability.
THRESHOLD = 0.5
_SEX = {"男": "male", "女": "female", "male": "male", "female": "female"}
_NEAR_M = 500.0
_CELL_DEG = 0.005  # ≈ 550 m north–south in Shanghai: a 3 × 3 block of cells covers 500 m
#: A strong-key block bigger than this is only paired within ±_WIDE_YEARS birth years.
_BIG_BLOCK = 400
_WIDE_YEARS = 6


def _w(m: float, u: float) -> float:
    return math.log2(m / u)


# m-probabilities: how often records of one person agree this way (street records: a name
# written the same way about half the time, by sound a fifth, as a nickname a tenth ...)
_M_EXACT, _M_SOUND, _M_LOOK, _M_GIVEN = 0.5, 0.15, 0.04, 0.1
_M_SURNAME, _M_LAST, _M_NICK = 0.10, 0.05, 0.05
_W_NAME_DIFF = _w(0.03, 0.97)  # both named, no agreement of any kind
#: prior frequency of a name form in a large registry (smooths term frequencies of small
#: batches): even 张伟, the commonest full name in China, is about 1 in 5,000
_U0 = {"text": 1 / 20000, "sound": 1 / 15000, "canon": 1 / 15000, "given": 1 / 3000}
_U0_WEAK = {"surname": 1 / 20, "last": 1 / 40, "nick": 1 / 200}
_PSEUDO = 2000.0
_W_ID_SAME, _W_ID_DIFF = 25.0, -25.0
_W_PHONE_SAME, _W_PHONE_DIFF = 14.0, -1.0
_W_SEX_DIFF = _w(0.03, 0.32)
#: |birth-year gap| → weight: estimates are often a few years off on both sides
_M_GAP = [0.15, 0.25, 0.2, 0.15, 0.1, 0.06, 0.04]
_M_GAP_WIDE, _M_GAP_FAR = 0.03, 0.002  # 7–12 years apart, more than 12
_W_PLACE_SAME, _W_PLACE_DIFF = 2.0, -1.0


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


@lru_cache(maxsize=65536)
def _valid_id(raw: str) -> str:
    """The normalised number when its check digit and birth date hold, else "" (an invalid
    number simply does not take part; the region lookup of parse_id_number is not needed)."""
    number = idnumbers.normalise(raw)
    if len(number) == 15 and idnumbers.ascii_digits(number):
        try:
            return idnumbers.parse_id_number(number).number
        except ValidationError:
            return ""
    if len(number) != 18 or not idnumbers.ascii_digits(number[:17]):
        return ""
    try:
        if number[17] != ric.calc_check_digit(number):
            return ""
        ric.get_birth_date(number)
    except InvalidComponent:
        return ""
    return number


def record_from_row(row: dict[str, str], *, year: int) -> Record:
    number = _valid_id(row["id_number"]) if row.get("id_number") else ""
    birth_year = _int(row.get("birth_year") or "")
    age = _int(row.get("age_estimate") or "")
    if birth_year is None and age is not None:
        birth_year = year - age
    if birth_year is None and number:
        birth_year = int(number[6:10])
    seen_at = None
    if row.get("seen_at"):
        try:
            seen_at = datetime.fromisoformat(row["seen_at"])
        except ValueError:
            seen_at = None
    lat, lon = _float(row.get("lat") or ""), _float(row.get("lon") or "")
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
        lat=lat if lon is not None else None,
        lon=lon if lat is not None else None,
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
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


_CANON: dict[str, str] = {}
for _group in names.SIMILAR_LOOKING:
    for _ch in _group:
        _CANON.setdefault(_ch, _group[0])


@dataclass(frozen=True)
class _Name:
    """A name reduced to the codes the pair score compares (all "" when not applicable)."""

    kind: str  # "full", "pinyin", "surname" (老王), "last" (阿强), "" (none)
    text: str = ""
    sound: str = ""
    canon: str = ""
    surname: str = ""
    given: str = ""
    last: str = ""
    as_given: str = ""  # the sound of the whole text read as a given name alone


@lru_cache(maxsize=262144)
def _name(raw: str) -> _Name:
    form = names.name_form(raw)
    if form.kind == "full":
        last = "".join(names.given_syllables(form.given[-1])) if form.given else ""
        as_given = "".join(names.given_syllables(form.text)) if len(form.text) <= 3 else ""
        # only a name with a character of a look-alike group has a canonical form (its key)
        canon = (
            "".join(_CANON.get(ch, ch) for ch in form.text)
            if any(ch in _CANON for ch in form.text)
            else ""
        )
        return _Name(
            "full",
            form.text,
            form.pinyin,
            canon,
            form.surname_pinyin,
            form.given_pinyin,
            last,
            as_given,
        )
    if form.kind == "pinyin":
        return _Name("pinyin", sound=form.pinyin, as_given=form.pinyin)
    if form.kind == "nickname_surname":
        # 小明 is as often a given name as 小李 a surname
        last = "".join(names.given_syllables(form.surname)) if form.text[0] == "小" else ""
        return _Name("surname", form.text, surname=form.surname_pinyin, last=last)
    if form.kind == "nickname_given":
        return _Name("last", form.text, last=form.pinyin)
    return _Name("")


class _Frequencies:
    """Term frequencies of name forms in the batch, smoothed towards a registry-wide prior."""

    def __init__(self, forms: list[_Name]) -> None:
        self.n = len(forms)
        self.counts: dict[str, Counter[str]] = {
            key: Counter() for key in ("text", "sound", "canon", "given", "surname", "last")
        }
        for f in forms:
            if f.kind == "full":
                self.counts["text"][f.text] += 1
                self.counts["canon"][f.canon or f.text] += 1
                self.counts["given"][f.given] += 1
            if f.sound:
                self.counts["sound"][f.sound] += 1
            if f.surname:
                self.counts["surname"][f.surname] += 1
            if f.last:
                self.counts["last"][f.last] += 1
        self._cache: dict[tuple[str, str, float, int], float] = {}

    def weight(self, table: str, value: str, m: float, *, counted: int = 2) -> float:
        """log2(m/u) of agreeing on `value`, u being how often *other* records have it (the
        `counted` records of the pair are not evidence of how common it is)."""
        key = (table, value, m, counted)
        cached = self._cache.get(key)
        if cached is None:
            u0 = _U0.get(table) or _U0_WEAK.get(table, 1 / 100)
            others = max(self.counts[table][value] - counted, 0)
            u = (others + _PSEUDO * u0) / (self.n + _PSEUDO)
            cached = self._cache[key] = _w(m, min(u, 0.9))
        return cached


def _name_weight(a: _Name, b: _Name, tf: _Frequencies) -> float:
    if not a.kind or not b.kind:
        return 0.0
    if a.kind in ("full", "pinyin") and b.kind in ("full", "pinyin"):
        if a.kind == b.kind == "full" and a.text == b.text:
            return tf.weight("text", a.text, _M_EXACT)
        if a.sound == b.sound:
            return tf.weight("sound", a.sound, _M_SOUND)
        if a.kind == b.kind == "full" and (a.canon or a.text) == (b.canon or b.text):
            return tf.weight("canon", a.canon or a.text, _M_LOOK)
        if a.given and a.given == b.as_given:
            return tf.weight("given", a.given, _M_GIVEN, counted=1)
        if b.given and b.given == a.as_given:
            return tf.weight("given", b.given, _M_GIVEN, counted=1)
        return _W_NAME_DIFF
    if a.kind != "full" and b.kind != "full":
        if a.text and a.text == b.text:
            return tf.weight("surname" if a.surname else "last", a.surname or a.last, _M_NICK)
        if a.surname and a.surname == b.surname:
            return tf.weight("surname", a.surname, _M_NICK)
        return 0.0  # 老张 and 阿强 may well be one man
    full, nick = (a, b) if a.kind == "full" else (b, a)
    if nick.surname and nick.surname == full.surname:
        return tf.weight("surname", full.surname, _M_SURNAME)
    if nick.last and nick.last == full.last:
        return tf.weight("last", full.last, _M_LAST)
    return _W_NAME_DIFF


@dataclass
class _Prepared:
    forms: list[_Name]
    cells: list[tuple[int, int] | None]
    gap_weights: list[float]
    sex_weights: dict[str, float]
    near_weight: float
    mid_weight: float
    far_weight: float


def _gap_level(a: int, b: int) -> int:
    """0–6: years apart; 7: 7–12 years; 8: more."""
    gap = abs(a - b)
    return gap if gap < len(_M_GAP) else len(_M_GAP) if gap <= 12 else len(_M_GAP) + 1


def _cell(r: Record) -> tuple[int, int] | None:
    if r.lat is None or r.lon is None:
        return None
    return (int(r.lat // _CELL_DEG), int(r.lon // _CELL_DEG))


def _distance_m(a: Record, b: Record) -> float:
    # an equirectangular approximation is exact enough within a city
    dy = (a.lat - b.lat) * 111_195.0  # type: ignore[operator]
    dx = (a.lon - b.lon) * 111_195.0 * math.cos(math.radians(a.lat))  # type: ignore[operator,arg-type]
    return math.hypot(dx, dy)


def _prepare(records: list[Record], seed: int = 11) -> _Prepared:
    """Per-record name codes, and u-probabilities for age, sex and place estimated from the
    batch itself (random pairs are almost all two different people, as in Splink)."""
    forms = [_name(r.name) for r in records]
    rng = random.Random(seed)  # noqa: S311 - sampling, not secrets
    n = len(records)
    if n * (n - 1) // 2 <= 20000:
        sample = list(combinations(range(n), 2))
    else:
        sample = [(i, j) for i, j in ((rng.randrange(n), rng.randrange(n)) for _ in range(20000))]
        sample = [(i, j) for i, j in sample if i != j]
    years = [(records[i].birth_year, records[j].birth_year) for i, j in sample]
    gaps = Counter(_gap_level(x, y) for x, y in years if x is not None and y is not None)
    total = sum(gaps.values())
    gap_weights = []
    wide = len(_M_GAP)
    for gap in range(wide + 2):
        # before smoothing, the birth years of a population spread over about 60 years
        prior = (1 / 60 if gap == 0 else 2 / 60) if gap < wide else 0.2 if gap == wide else 0.5
        u = (gaps[gap] + 200 * prior) / (total + 200)
        m = _M_GAP[gap] if gap < wide else _M_GAP_WIDE if gap == wide else _M_GAP_FAR
        gap_weights.append(_w(m, u))
    sexes = Counter(r.sex for r in records if r.sex)
    known = sum(sexes.values()) or 1
    sex_weights = {s: _w(0.97, max(c / known, 0.05)) for s, c in sexes.items()}
    located = [
        (i, j) for i, j in sample if records[i].lat is not None and records[j].lat is not None
    ]
    near = mid = 0
    for i, j in located:
        d = _distance_m(records[i], records[j])
        near += d <= _NEAR_M
        mid += _NEAR_M < d <= 2000
    # seen within 500 m: most records of one sleeper are (they return to the same spot); how
    # rare that is for two strangers depends on how crowded the batch's places are
    u_near = (near + 1000 * 0.005) / (len(located) + 1000)
    u_mid = (mid + 1000 * 0.05) / (len(located) + 1000)
    return _Prepared(
        forms=forms,
        cells=[_cell(r) for r in records],
        gap_weights=gap_weights,
        sex_weights=sex_weights,
        near_weight=min(_w(0.7, u_near), 9.0),
        mid_weight=_w(0.15, u_mid),
        far_weight=_w(0.15, max(1 - u_near - u_mid, 0.5)),
    )


def match_weight(a: Record, b: Record, prep: _Prepared, tf: _Frequencies, i: int, j: int) -> float:
    """The sum of match weights (bits) of two records of a prepared batch."""
    if a.id_number and b.id_number:
        return _W_ID_SAME if a.id_number == b.id_number else _W_ID_DIFF
    total = _name_weight(prep.forms[i], prep.forms[j], tf)
    if a.phone and b.phone:
        total += _W_PHONE_SAME if a.phone == b.phone else _W_PHONE_DIFF
    if a.sex and b.sex:
        total += prep.sex_weights.get(a.sex, 0.0) if a.sex == b.sex else _W_SEX_DIFF
    if a.birth_year is not None and b.birth_year is not None:
        total += prep.gap_weights[_gap_level(a.birth_year, b.birth_year)]
    if a.lat is not None and b.lat is not None:
        d = _distance_m(a, b)
        total += (
            prep.near_weight if d <= _NEAR_M else prep.mid_weight if d <= 2000 else prep.far_weight
        )
    if a.native_place and b.native_place:
        total += _W_PLACE_SAME if a.native_place == b.native_place else _W_PLACE_DIFF
    if a.dialect and b.dialect:
        total += _W_PLACE_SAME if a.dialect == b.dialect else _W_PLACE_DIFF
    return total


def _strong_keys(r: Record, f: _Name) -> list[str]:
    keys = []
    if r.id_number:
        keys.append("id:" + r.id_number)
    if r.phone:
        keys.append("ph:" + r.phone)
    if f.sound:
        keys.append("p:" + f.sound)
    if f.canon:
        keys.append("c:" + f.canon)
    return keys


def _weak_keys(f: _Name) -> tuple[list[str], list[str]]:
    """(keys a record is indexed under, keys it looks up), both only among located records."""
    stored, query = [], []
    if f.kind == "full":
        stored += ["s:" + f.surname, "l:" + f.last, "g:" + f.given]
        if f.as_given:
            query.append("g:" + f.as_given)
    elif f.kind == "pinyin":
        query.append("g:" + f.as_given)
    elif f.kind == "surname":
        stored.append("s:" + f.surname)
        query.append("s:" + f.surname)
        if f.last:
            query.append("l:" + f.last)
    elif f.kind == "last":
        stored.append("l:" + f.last)
        query.append("l:" + f.last)
    return [k for k in stored if not k.endswith(":")], [k for k in query if not k.endswith(":")]


def candidate_pairs(records: list[Record], prep: _Prepared) -> set[int]:
    """Pairs (encoded i * n + j, i < j) that share a blocking key."""
    n = len(records)
    pairs: set[int] = set()
    strong: dict[str, list[int]] = defaultdict(list)
    weak: dict[tuple[str, tuple[int, int]], list[int]] = defaultdict(list)
    for i, (r, f) in enumerate(zip(records, prep.forms, strict=True)):
        for key in _strong_keys(r, f):
            strong[key].append(i)
        cell = prep.cells[i]
        if cell is not None:
            for key in _weak_keys(f)[0]:
                weak[(key, cell)].append(i)
    for key, members in strong.items():
        if len(members) < 2:
            continue
        if len(members) <= _BIG_BLOCK or key.startswith(("id:", "ph:")):
            pairs.update(i * n + j for i, j in combinations(members, 2))
            continue
        # a very common sound (张伟): only within a window of birth years, or with a record
        # that has no age at all
        dated = sorted((y, m) for m in members if (y := records[m].birth_year) is not None)
        undated = [m for m in members if records[m].birth_year is None]
        lo = 0
        for hi, (year, j) in enumerate(dated):
            while dated[lo][0] < year - _WIDE_YEARS:
                lo += 1
            pairs.update(min(i, j) * n + max(i, j) for _y, i in dated[lo:hi])
        for i in undated:
            pairs.update(min(i, j) * n + max(i, j) for j in members if j != i)
    for i, f in enumerate(prep.forms):
        cell = prep.cells[i]
        if cell is None:
            continue
        keys = _weak_keys(f)[1]
        if not keys:
            continue
        y, x = cell
        for key in keys:
            for dy in (-1, 0, 1):
                for dx in (-1, 0, 1):
                    for j in weak.get((key, (y + dy, x + dx)), ()):
                        if j != i:
                            pairs.add(min(i, j) * n + max(i, j))
    return pairs


def prior_weight(n: int) -> float:
    """log2 odds that two records of a batch of n are one person before looking at them
    (people in these records have about two records each). A small batch is treated as a
    sample of a city-sized registry: three records do not make any two of them likely one."""
    return -math.log2(max(n, 1000) / 1.5)


def cluster(records: list[Record], *, threshold: float = THRESHOLD) -> list[int]:
    """A cluster number per record (records that are one person share it)."""
    n = len(records)
    if n == 0:
        return []
    prep = _prepare(records)
    tf = _Frequencies(prep.forms)
    needed = math.log2(threshold / (1 - threshold)) - prior_weight(n)
    uf = _UnionFind(n)
    for code in candidate_pairs(records, prep):
        i, j = divmod(code, n)
        if match_weight(records[i], records[j], prep, tf, i, j) >= needed:
            uf.union(i, j)
    return [uf.find(i) for i in range(n)]


def write_clusters(stream: IO[str], records: list[Record], clusters: list[int]) -> None:
    writer = csv.writer(stream)
    writer.writerow(["record_id", "person_id"])
    for record, root in zip(records, clusters, strict=True):
        writer.writerow([record.record_id, f"P{root + 1:07d}"])
