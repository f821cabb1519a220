"""Record linkage: which person files might be the person just described, ranked, with the
reasons a worker can check.

`score_pair` is pure (no database): a 0–1 agreement with reasons a worker can check, for one
description against a few hundred files. `candidates_for` gathers those files through indexed
blocking keys (ID digest, phone, pinyin keys narrowed by birth year inside the key index) and
adds where they were seen. Batch linkage of whole CSV files (`batch.py`) reads the same name
forms (`names`) but weighs the evidence as match weights with term frequencies, which is what
clustering thousands of records at once needs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Abs
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext as _gettext
from rapidfuzz import fuzz

from warmwinter.core import clock
from warmwinter.people import idnumbers, names
from warmwinter.people.models import SEEN_KINDS, Person, PersonNameKey, TimelineEntry

#: A valid ID number in common links at once; below REVIEW a pair is not worth a worker's time.
AUTO_LINK = 0.99
REVIEW = 0.5
SUGGEST = 0.3
NEAR_M = 500.0
_SCORED_FIELDS = (
    "id",
    "name",
    "aliases",
    "sex",
    "birth_year",
    "id_number",
    "phone",
    "native_place",
    "dialect",
)
#: At most this many files sharing the sound of the whole name are scored per lookup (after
#: narrowing by age), and this many sharing another reading of it.
BLOCK_LIMIT = 300
OTHER_LIMIT = 150
#: A bare surname (老张) without a place to narrow it by is weak evidence: score fewer files.
WIDE_LIMIT = 200


@dataclass
class Described:
    """What is known about the person being looked for (any field may be empty)."""

    name: str = ""
    sex: str = ""  # "male" / "female" / ""
    birth_year: int | None = None
    id_number: str = ""  # normalised and valid, or ""
    phone: str = ""
    native_place: str = ""
    dialect: str = ""
    lat: float | None = None
    lng: float | None = None


@dataclass
class Facts:
    """What a file (or a batch record) says, in the form `score_pair` compares."""

    name: str = ""
    aliases: list[str] = field(default_factory=list)
    sex: str = ""
    birth_year: int | None = None
    id_number: str = ""
    phone: str = ""
    native_place: str = ""
    dialect: str = ""
    seen_near: int = 0  # times seen within NEAR_M of the described place in the last 30 days


@dataclass
class Candidate:
    person: Person
    score: float
    reasons: list[str]

    @property
    def auto_link(self) -> bool:
        return self.score >= AUTO_LINK


def _quiet(message: str) -> str:
    return message


def _name_reason(
    query: names.NameForm, written: str, _: Callable[[str], str] = _
) -> tuple[float, str]:
    """How strongly the query name agrees with one name (or alias) of a file, and why.
    (`_` is swapped for a no-op when only the score is wanted: translation is the slow part.)"""
    other = names.name_form(written)
    if query.kind == "empty" or other.kind == "empty":
        return 0.0, ""
    if query.kind == "pinyin":
        if other.pinyin and query.pinyin == other.pinyin:
            return 0.45, _("拼音相同：%(a)s ~ %(b)s") % {"a": query.raw, "b": written}
        if other.given and query.pinyin == other.given_pinyin:
            return 0.2 + 0.1 * min(len(other.given) - 1, 1), _("拼音与名字相同：%(a)s ~ %(b)s") % {
                "a": query.raw,
                "b": written,
            }
        ratio = fuzz.ratio(query.pinyin, other.pinyin) if other.pinyin else 0.0
        if ratio >= 85:
            return 0.25, _("拼音相近：%(a)s ~ %(b)s") % {"a": query.raw, "b": written}
        return 0.0, ""
    if other.kind != "full":
        # a nickname stored as an alias
        if query.text and query.text == other.text:
            return 0.35, _("称呼相同：%(a)s") % {"a": written}
        return 0.0, ""
    if query.kind == "nickname_surname":
        if query.surname_pinyin == other.surname_pinyin:
            return 0.25, _("称呼“%(a)s”与姓氏“%(s)s”相符") % {"a": query.raw, "s": other.surname}
        if (
            query.text.startswith("小")
            and other.given
            and names.given_syllables(other.given[-1]) == names.given_syllables(query.surname)
        ):
            return 0.15, _("称呼“%(a)s”与名字“%(g)s”相符") % {"a": query.raw, "g": other.given}
        return 0.0, ""
    if query.kind == "nickname_given":
        if other.given and names.given_syllables(other.given[-1]) == names.given_syllables(
            query.given
        ):
            return 0.25, _("称呼“%(a)s”与名字“%(g)s”相符") % {"a": query.raw, "g": other.given}
        return 0.0, ""
    # both are full names
    if query.text == other.text:
        # a three-character name is rarer than a two-character one
        exact = 0.5 if len(query.text) >= 3 else 0.45
        if query.raw != written and names.simplify(written) == names.simplify(query.raw):
            return exact, _("姓名繁简写法相同：%(a)s ~ %(b)s") % {"a": query.raw, "b": written}
        if query.raw != written:
            return exact, _("姓名相同：%(a)s ~ %(b)s") % {"a": query.raw, "b": written}
        return exact, _("姓名相同：%(a)s") % {"a": written}
    if query.pinyin == other.pinyin:
        return 0.4, _("姓名读音相同：%(a)s ~ %(b)s") % {"a": query.raw, "b": written}
    if other.text in names.lookalike_variants(query.text, limit=50):
        return 0.35, _("姓名字形相近：%(a)s ~ %(b)s") % {"a": query.raw, "b": written}
    if (
        other.given
        and names.full_pinyin(query.text)
        and ("".join(names.given_syllables(query.text)) == other.given_pinyin)
    ):
        return 0.2 + 0.1 * min(len(query.text) - 1, 1), _("名字相同（未写姓）：%(a)s ~ %(b)s") % {
            "a": query.raw,
            "b": written,
        }
    ratio = fuzz.ratio(query.pinyin, other.pinyin)
    if ratio >= 85:
        return 0.25 * ratio / 100, _("姓名读音相近：%(a)s ~ %(b)s") % {
            "a": query.raw,
            "b": written,
        }
    if query.surname_pinyin == other.surname_pinyin and query.given_pinyin == other.given_pinyin:
        return 0.35, _("姓名读音相同：%(a)s ~ %(b)s") % {"a": query.raw, "b": written}
    return 0.0, ""


def score_pair(query: Described, facts: Facts, *, explain: bool = True) -> tuple[float, list[str]]:
    """Agreement between a description and a file, 0–1, with reasons in Chinese (untranslated
    and unused when `explain` is false, as in batch linkage)."""
    _ = _gettext if explain else _quiet
    reasons: list[str] = []
    if query.id_number and facts.id_number:
        if query.id_number == facts.id_number:
            return 1.0, [_("同一身份证号")]
        return 0.0, [_("身份证号不同")]
    score = 0.0
    if query.phone and facts.phone and query.phone == facts.phone:
        score += 0.35
        reasons.append(_("同一联系电话"))
    form = names.name_form(query.name)
    best, best_reason = 0.0, ""
    for written in [facts.name, *facts.aliases]:
        value, reason = _name_reason(form, written, _)
        if value > best:
            best, best_reason = value, reason
    if best:
        score += best
        reasons.append(best_reason)
    if query.sex and facts.sex and query.sex != "unknown" and facts.sex != "unknown":
        if query.sex == facts.sex:
            score += 0.05
        else:
            score -= 0.3
            reasons.append(_("性别不同"))
    if query.birth_year and facts.birth_year:
        gap = abs(query.birth_year - facts.birth_year)
        # estimated ages are often a few years off: only a wide gap counts against
        if gap <= 3:
            score += 0.15 if gap <= 1 else 0.1
            reasons.append(_("年龄相差 3 岁以内"))
        elif gap <= 6:
            score += 0.05
            reasons.append(_("年龄相差 %(n)s 岁") % {"n": gap})
        elif gap > 10:
            score -= 0.25
            reasons.append(_("年龄相差 %(n)s 岁") % {"n": gap})
        else:
            score -= 0.1
            reasons.append(_("年龄相差 %(n)s 岁") % {"n": gap})
    if query.native_place and facts.native_place and query.native_place == facts.native_place:
        score += 0.05
        reasons.append(_("籍贯相同：%(p)s") % {"p": facts.native_place})
    if query.dialect and facts.dialect and query.dialect == facts.dialect:
        score += 0.05
        reasons.append(_("方言相同：%(d)s") % {"d": facts.dialect})
    if facts.seen_near:
        score += min(0.05 + 0.1 * facts.seen_near, 0.3)
        if facts.seen_near == 1:
            reasons.append(_("近 30 天曾在此地 500 米内出现"))
        else:
            reasons.append(_("近 30 天 %(n)s 次在此地 500 米内出现") % {"n": facts.seen_near})
    return max(0.0, min(score, 0.98)), reasons


def facts_of(person: Person, *, seen_near: int = 0) -> Facts:
    return Facts(
        name=person.name,
        aliases=names.split_aliases(person.aliases),
        sex=person.sex,
        birth_year=person.birth_year,
        id_number=person.id_number,
        phone=person.phone,
        native_place=person.native_place,
        dialect=person.dialect,
        seen_near=seen_near,
    )


def _seen_near(person_ids: list[int], lat: float, lng: float, since: datetime) -> Counter[int]:
    from warmwinter.places import geo

    here = geo.LatLng(lat, lng)
    counts: Counter[int] = Counter()
    rows = TimelineEntry.objects.filter(
        person_id__in=person_ids,
        kind__in=SEEN_KINDS,
        at__gte=since,
        h3_cell__in=geo.h3_disk_for_radius(lat, lng, NEAR_M),
    ).values_list("person_id", "lat", "lng")
    for person_id, p_lat, p_lng in rows:
        if (
            p_lat is not None
            and p_lng is not None
            and geo.distance_m(here, geo.LatLng(p_lat, p_lng)) <= NEAR_M
        ):
            counts[person_id] += 1
    return counts


def candidates_for(
    described: Described,
    *,
    among: QuerySet[Person],
    exclude_ids: set[int] | None = None,
    limit: int = 10,
    min_score: float = SUGGEST,
    now: datetime | None = None,
) -> list[Candidate]:
    """Files of `among` (already narrowed to what the asker may see) that may be the described
    person, best first. Blocking: same ID digest, same phone, or a shared name key; then the
    nearby-sightings count for those that passed."""
    from warmwinter.places import geo

    since = (now or timezone.now()) - timedelta(days=30)
    located = described.lat is not None and described.lng is not None
    seen_here = (
        TimelineEntry.objects.filter(
            at__gte=since,
            h3_cell__in=geo.h3_disk_for_radius(described.lat, described.lng, NEAR_M),  # type: ignore[arg-type]
        ).values("person_id")
        if located
        else None
    )

    # One indexed lookup per kind of key, each fetching the scored fields of its files through
    # `among` (the asker's scope) with the key lookup as a LIMITed subquery: the planner never
    # scans the registry, and no list of hundreds of ids travels to the database and back.
    def scored_fields(files: QuerySet[Person], cap: int) -> list[tuple[Any, ...]]:
        return list(
            files.filter(archived_at__isnull=True)
            .select_related(None)
            .prefetch_related(None)
            .order_by()
            .values_list(*_SCORED_FIELDS)[:cap]
        )

    rows: list[tuple[Any, ...]] = []
    if described.id_number:
        digest = idnumbers.digest(described.id_number)
        rows += scored_fields(among.filter(id_number_digest=digest), 50)
    if described.phone:
        rows += scored_fields(among.filter(phone=described.phone), 50)
    keys = names.blocking_keys(names.name_form(described.name))
    # a bare surname (老张), a last given character (阿强) or a text read as a given name alone
    # (丹丹 for 石丹丹) is shared by many: narrow those by place or age, and score fewer.
    # Keys carry the file's birth year, so narrowing by age stays inside the (key, year) index.
    wide = {k for k in keys if k.startswith(("s:", "l:", "g:"))}
    year = described.birth_year
    # the sound of the whole name first; the other readings (given name alone, similar-looking
    # characters) fill up to a smaller limit
    whole = {k for k in keys if k == f"p:{names.name_form(described.name).pinyin}"}
    for group, cap in ((whole, BLOCK_LIMIT), (keys - wide - whole, OTHER_LIMIT)):
        if not group:
            continue
        block = PersonNameKey.objects.filter(key__in=group)
        if year:
            # beyond ten years the age gap outweighs even the same name (see score_pair); when
            # the block is still too big, the files closest in age are the ones worth scoring
            block = block.filter(
                Q(birth_year__range=(year - 10, year + 10)) | Q(birth_year__isnull=True)
            ).order_by(Abs(F("birth_year") - year).asc(nulls_last=True))
        rows += scored_fields(among.filter(pk__in=block.values("person_id")[:cap]), cap)
    if wide:
        block = PersonNameKey.objects.filter(key__in=wide)
        if seen_here is not None:
            block = block.filter(person_id__in=seen_here)
        elif year:
            block = block.filter(birth_year__range=(year - 5, year + 5))
        rows += scored_fields(
            among.filter(pk__in=block.values("person_id")[:WIDE_LIMIT]), WIDE_LIMIT
        )
    if seen_here is not None and not keys:
        rows += scored_fields(among.filter(pk__in=seen_here[:BLOCK_LIMIT]), BLOCK_LIMIT)
    excluded = exclude_ids or set()
    facts = {
        pk: Facts(
            name=name,
            aliases=names.split_aliases(aliases),
            sex=sex,
            birth_year=birth_year,
            id_number=id_number,
            phone=phone,
            native_place=native_place,
            dialect=dialect,
        )
        for pk, name, aliases, sex, birth_year, id_number, phone, native_place, dialect in rows
        if pk not in excluded
    }
    if described.lat is not None and described.lng is not None and facts:
        near = _seen_near(list(facts), described.lat, described.lng, since)
        for pk, count in near.items():
            facts[pk].seen_near = count
    # score everything quietly, then word the reasons for the few that are shown
    scored = [(score_pair(described, f, explain=False)[0], pk) for pk, f in facts.items()]
    scored = [(score, pk) for score, pk in scored if score >= min_score]
    scored.sort(key=lambda sp: (-sp[0], -sp[1]))
    shown = among.select_related("org_unit").in_bulk([pk for _score, pk in scored[:limit]])
    ranked: list[Candidate] = []
    for score, pk in scored[:limit]:
        _score, reasons = score_pair(described, facts[pk])
        ranked.append(Candidate(shown[pk], round(score, 3), reasons))
    return ranked


def described_from(data: dict[str, Any]) -> Described:
    """A Described from loose input (forms, API, CSV); a bad ID number is simply left out."""
    raw_id = (data.get("id_number") or "").strip()
    number = ""
    if raw_id:
        try:
            number = idnumbers.parse_id_number(raw_id).number
        except ValidationError:  # an invalid number simply does not take part
            number = ""
    birth_year = data.get("birth_year")
    age = data.get("age") or data.get("age_estimate")
    if not birth_year and age:
        birth_year = clock.local_date().year - int(age)
    return Described(
        name=(data.get("name") or "").strip(),
        sex=data.get("sex") or "",
        birth_year=int(birth_year) if birth_year else None,
        id_number=number,
        phone=(data.get("phone") or "").strip(),
        native_place=(data.get("native_place") or "").strip(),
        dialect=(data.get("dialect") or "").strip(),
        lat=data.get("lat"),
        lng=data.get("lng"),
    )
