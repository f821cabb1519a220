"""The station's rules as pure functions (通知 五：入站安检、分类救助、分区管理).

Classification (分类救助、分区管理): where a person sleeps depends, in this order of priority,
on infection risk (isolation), acute mental illness (mental-health observation), other health
needs (observation), age (minor < 18, elderly ≥ 60) and sex. Thresholds, limits and hours are
rules of the rulebook (`core/rulebook`, group `stations`), each with its source.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from warmwinter.core import clock, rulebook
from warmwinter.people import rules as people_rules


class ZoneKind(models.TextChoices):
    MALE = "male", _("男宾区")
    FEMALE = "female", _("女宾区")
    MINOR = "minor", _("未成年人区")
    ELDERLY = "elderly", _("老年人区")
    OBSERVATION = "observation", _("观察区")
    ISOLATION = "isolation", _("隔离区")
    MENTAL_HEALTH = "mental_health", _("精神卫生观察区")


class Symptom(models.TextChoices):
    COUGH = "cough", _("咳嗽")
    SORE_THROAT = "sore_throat", _("咽痛")
    RASH = "rash", _("皮疹")
    DIARRHOEA = "diarrhoea", _("腹泻")
    VOMITING = "vomiting", _("呕吐")
    FROSTBITE = "frostbite", _("冻伤")
    CHEST_PAIN = "chest_pain", _("胸痛")
    BREATHLESS = "breathless", _("呼吸困难")
    CONFUSION = "confusion", _("意识不清")
    DRUNK = "drunk", _("醉酒")
    CHRONIC = "chronic", _("慢性病需服药")


class MentalSign(models.TextChoices):
    HALLUCINATION = "hallucination", _("幻觉、妄想")
    AGITATION = "agitation", _("兴奋躁动")
    SELF_HARM = "self_harm", _("自伤或自杀言行")
    VIOLENCE = "violence", _("冲动伤人")
    DISORIENTED = "disoriented", _("言语错乱、答非所问")
    WITHDRAWN = "withdrawn", _("情绪低落、沉默少语")


#: Symptoms that on their own (or with fever) suggest an infectious disease.
INFECTIOUS_WITH_FEVER = frozenset({Symptom.COUGH, Symptom.SORE_THROAT, Symptom.RASH})
INFECTIOUS_ALONE = frozenset({Symptom.DIARRHOEA, Symptom.VOMITING})
#: Symptoms that need a doctor now, not a bed (送医).
HOSPITAL_SYMPTOMS = frozenset({Symptom.CHEST_PAIN, Symptom.BREATHLESS, Symptom.CONFUSION})
#: Signs of acute mental illness (精神障碍急性发作).
ACUTE_MENTAL_SIGNS = frozenset(
    {MentalSign.HALLUCINATION, MentalSign.AGITATION, MentalSign.SELF_HARM, MentalSign.VIOLENCE}
)
#: Acute signs where the person is a danger to themselves or others: send to hospital.
DANGER_SIGNS = frozenset({MentalSign.SELF_HARM, MentalSign.VIOLENCE})


def fever_from() -> Decimal:
    return rulebook.decimal("stations.fever_from")


def high_fever_from() -> Decimal:
    return rulebook.decimal("stations.high_fever_from")


def minor_under() -> int:
    return rulebook.integer("stations.minor_under")


def elderly_from() -> int:
    return rulebook.integer("stations.elderly_from")


def age_on(*, birth_date: date | None, birth_year: int | None, day: date) -> int | None:
    """Age in whole years on `day` (from an estimated birth year when that is all we know)."""
    if birth_date is not None:
        return (
            day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))
        )
    if birth_year is not None:
        return day.year - birth_year
    return None


@dataclass(frozen=True)
class Classification:
    zone_kind: str
    send_to_hospital: bool
    reasons: list[str] = field(default_factory=list)


def classify(
    *,
    sex: str,
    age: int | None,
    temperature: Decimal | None = None,
    symptoms: Iterable[str] = (),
    injuries: str = "",
    mental_signs: Iterable[str] = (),
) -> Classification:
    """The zone a person is placed in, and whether they should rather go to hospital."""
    symptoms = set(symptoms)
    signs = set(mental_signs)
    reasons: list[str] = []
    hospital = False
    fever = temperature is not None and temperature >= fever_from()
    if temperature is not None and temperature >= high_fever_from():
        hospital = True
        reasons.append(str(_("高热 %(t)s℃，建议送医")) % {"t": temperature})
    if symptoms & HOSPITAL_SYMPTOMS:
        hospital = True
        reasons.append(str(_("有急症表现，建议送医")))
    if signs & DANGER_SIGNS:
        hospital = True
        reasons.append(str(_("有自伤或伤人风险，建议送精神卫生专科医院")))

    if (fever and symptoms & INFECTIOUS_WITH_FEVER) or symptoms & INFECTIOUS_ALONE:
        reasons.append(str(_("发热伴呼吸道症状或疑似传染病症状，安置隔离区")))
        return Classification(ZoneKind.ISOLATION, hospital, reasons)
    if signs & ACUTE_MENTAL_SIGNS:
        reasons.append(str(_("有精神障碍急性发作表现，安置精神卫生观察区")))
        return Classification(ZoneKind.MENTAL_HEALTH, hospital, reasons)
    if fever or injuries.strip() or symptoms or signs:
        reasons.append(str(_("有发热、外伤或其他需观察的情况，安置观察区")))
        return Classification(ZoneKind.OBSERVATION, hospital, reasons)
    if age is not None and age < minor_under():
        reasons.append(str(_("未满 %(n)s 周岁，安置未成年人区")) % {"n": minor_under()})
        return Classification(ZoneKind.MINOR, hospital, reasons)
    if age is not None and age >= elderly_from():
        reasons.append(str(_("年满 %(n)s 周岁，安置老年人区")) % {"n": elderly_from()})
        return Classification(ZoneKind.ELDERLY, hospital, reasons)
    if sex == "female":
        reasons.append(str(_("女性，安置女宾区")))
        return Classification(ZoneKind.FEMALE, hospital, reasons)
    reasons.append(str(_("成年男性（或性别不详），安置男宾区")))
    return Classification(ZoneKind.MALE, hospital, reasons)


# --- length of stay (在站期限) ---------------------------------------------------------------


def stay_limit_days() -> int:
    """A stay is capped at 10 days; beyond, the station leader approves an extension."""
    return rulebook.integer("stations.stay_limit")


def stay_warn_days() -> int:
    return rulebook.integer("stations.stay_warning")


def stay_until(admitted_on: date, *, shelter: bool = False) -> date:
    """The last day of a stay that starts on `admitted_on`, by the rules in force that day: a
    stay is capped at 10 days; a temporary shelter is for the cold nights, after a few days the
    person moves to a station."""
    limit = "stations.shelter_stay" if shelter else "stations.stay_limit"
    return admitted_on + rulebook.duration(limit, on=admitted_on)


class StayState(models.TextChoices):
    OK = "ok", _("期限内")
    NEAR = "near", _("临近期限")
    OVER = "over", _("已超期")


def stay_state(*, until: date, today: date) -> str:
    if today > until:
        return StayState.OVER
    if (until - today).days <= stay_warn_days():
        return StayState.NEAR
    return StayState.OK


# --- visits after discharge (走访) -----------------------------------------------------------


# One schedule for everyone left in a hospital or outside care, the station's and the street's:
# it lives with the person (people/rules.py), below both apps.
visit_every_days = people_rules.visit_every_days
next_visit_due = people_rules.next_visit_due


def capacity_alert(*, free: int, total: int) -> bool:
    """The board warns when no more than a share of the beds (10 %) are free."""
    share = rulebook.share("stations.capacity_alert_share")
    return total > 0 and free <= total * share


# --- daily care (健康监测、日常消毒、值班) ----------------------------------------------------


def health_abnormal(*, temperature: Decimal) -> bool:
    return temperature >= fever_from() or temperature < rulebook.decimal(
        "stations.low_temperature_below"
    )


def coverage_gaps(
    shifts: Iterable[tuple[datetime, datetime]], *, start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """The stretches of [start, end) that no shift covers (24 小时值班)."""
    gaps: list[tuple[datetime, datetime]] = []
    cursor = start
    for s, e in sorted(shifts):
        if e <= cursor:
            continue
        if s > cursor:
            gaps.append((cursor, min(s, end)))
        cursor = max(cursor, e)
        if cursor >= end:
            break
    if cursor < end:
        gaps.append((cursor, end))
    return [(a, b) for a, b in gaps if a < b]


def days_without_leader(
    leader_shifts: Iterable[tuple[datetime, datetime]], *, days: Iterable[date]
) -> list[date]:
    """Days on which no leader shift touches the day (领导带班 each day)."""
    covered: set[date] = set()
    for s, e in leader_shifts:
        d = clock.local_date(s)
        last = clock.local_date(e - timedelta(microseconds=1))
        while d <= last:
            covered.add(d)
            d += timedelta(days=1)
    return [d for d in days if d not in covered]


def roster_days_ahead() -> int:
    """How far ahead the roster is checked for gaps (a week)."""
    return rulebook.integer("stations.roster_ahead")


# --- decisions (不予救助、终止救助) ----------------------------------------------------------


def termination_barred(*, age: int | None, zone_kind: str) -> str | None:
    """Why aid may not be ended for this person, or None. A minor, or a person under
    mental-health observation, is not left to fend for themselves: they are escorted home or
    handed to a guardian, a hospital or the police (救助管理机构不得同意其自行离站)."""
    if age is not None and age < minor_under():
        return str(_("未成年人不得终止救助，应护送返回或交监护人、公安机关"))
    if zone_kind == ZoneKind.MENTAL_HEALTH:
        return str(_("疑似精神障碍患者不得终止救助，应送医或交监护人"))
    return None


# --- night rounds (值班巡查) ------------------------------------------------------------------


def round_every_hours() -> int:
    """At night the sleeping areas are walked at least once in each window of this length."""
    return rulebook.integer("stations.round_every")


def night_windows(night_of: date) -> list[tuple[datetime, datetime]]:
    """The round windows of the night that starts on the evening of `night_of`."""
    start, end = clock.night_bounds(night_of)
    step = timedelta(hours=max(1, round_every_hours()))
    windows = []
    cursor = start
    while cursor < end:
        windows.append((cursor, min(cursor + step, end)))
        cursor += step
    return windows


def missing_rounds(
    rounds: Iterable[datetime], *, night_of: date, now: datetime
) -> list[tuple[datetime, datetime]]:
    """The windows of that night, already over at `now`, in which nobody made a round."""
    times = list(rounds)
    return [
        (a, b)
        for a, b in night_windows(night_of)
        if b <= now and not any(a <= t < b for t in times)
    ]
