"""What a patrol does with each person it meets: the handling rules of the notice, section 四.

「街面巡查中发现临时遇困人员的，应告知其到救助管理机构接受救助；对危重病人、疑似精神障碍患者，要妥善护送
其到医疗机构接受救治；对残疾人、未成年人、老年人和行动不便的其他人员，要加强转介引导，协同公安、城管执法
等部门劝导护送至救助管理机构；对无法提供个人信息的人员，可以先行救助再查明情况；对不愿入站接受救助的
人员，要提供必要的食品和御寒物资，留下详细求助方式，做好后续跟踪。」 And section 二: a Shanghai resident
(本市户籍) is referred to the street of their household registration for 托底保障.

Pure: no database (the follow-up hours come from the rulebook's file). `advise` reads an
`Assessment` and the district's response level and returns the suggestion with the clauses behind
it; `check_choice` says what a patrol must add when it
records a disposition (a reason to deviate, supplies, an escort, a follow-up). The phone app runs
the same table (`table_for_client`) so the suggestion shows offline, at the kerb.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from warmwinter.core import rulebook


class Willingness(models.TextChoices):
    WILLING = "willing", gettext_lazy("愿意接受救助")
    REFUSES = "refuses", gettext_lazy("不愿入站")
    UNKNOWN = "unknown", gettext_lazy("无法表达/未表态")


class Disposition(models.TextChoices):
    HOSPITAL = "hospital", gettext_lazy("护送至医疗机构救治（送医）")
    ESCORT_STATION = "escort_station", gettext_lazy("协同公安、城管劝导护送至救助管理站")
    GUIDE_STATION = "guide_station", gettext_lazy("告知并引导（或送）至救助管理站")
    GUIDE_SHELTER = "guide_shelter", gettext_lazy("告知并引导（或送）至临时救助场所")
    SUPPLIES = "supplies", gettext_lazy("不愿入站：发放食品和御寒物资，留下求助方式，后续跟踪")
    NOT_NEEDED = "not_needed", gettext_lazy("经核实不属于临时遇困人员")


#: Dispositions that take the person somewhere: an escort record (who, where, handover) follows.
ESCORTED = frozenset({Disposition.HOSPITAL, Disposition.ESCORT_STATION})
GUIDED = frozenset({Disposition.GUIDE_STATION, Disposition.GUIDE_SHELTER})

#: The checklist a patrol ticks at the kerb, in the notice's words.
ASSESSMENT_FLAGS: tuple[tuple[str, Any], ...] = (
    ("critically_ill", gettext_lazy("危重病人（昏迷、呼吸困难、严重外伤、失温等）")),
    ("ill", gettext_lazy("患病或身体不适（非危重）")),
    ("mental_disorder", gettext_lazy("疑似精神障碍")),
    ("disabled", gettext_lazy("残疾人")),
    ("minor", gettext_lazy("未成年人")),
    ("elderly", gettext_lazy("老年人（60 岁以上）")),
    ("limited_mobility", gettext_lazy("行动不便")),
    ("cannot_give_info", gettext_lazy("无法提供个人信息")),
    ("shanghai_resident", gettext_lazy("本市户籍")),
)
FLAG_NAMES = tuple(name for name, _label in ASSESSMENT_FLAGS)

CLAUSES = {
    "inform": gettext_lazy("应告知其到救助管理机构接受救助"),
    "hospital": gettext_lazy("对危重病人、疑似精神障碍患者，要妥善护送其到医疗机构接受救治"),
    "escort": gettext_lazy(
        "对残疾人、未成年人、老年人和行动不便的其他人员，要加强转介引导，协同公安、城管执法等部门"
        "劝导护送至救助管理机构"
    ),
    "rescue_first": gettext_lazy("对无法提供个人信息的人员，可以先行救助再查明情况"),
    "refuses": gettext_lazy(
        "对不愿入站接受救助的人员，要提供必要的食品和御寒物资，留下详细求助方式，做好后续跟踪"
    ),
    "resident": gettext_lazy(
        "对本市户籍临时遇困人员，协调督促其户籍所在地街道（乡镇）落实托底保障"
    ),
}


@dataclass(frozen=True)
class Rule:
    """The first rule whose condition holds decides the suggestion."""

    key: str
    disposition: Disposition
    acceptable: frozenset[Disposition]
    any_flag: tuple[str, ...] = ()  # holds when any of these flags is ticked
    willingness: str = ""  # or: holds when the person said this


RULES: tuple[Rule, ...] = (
    Rule(
        "hospital",
        Disposition.HOSPITAL,
        frozenset({Disposition.HOSPITAL}),
        any_flag=("critically_ill", "mental_disorder"),
    ),
    Rule(
        "escort",
        Disposition.ESCORT_STATION,
        frozenset({Disposition.ESCORT_STATION}),
        any_flag=("disabled", "minor", "elderly", "limited_mobility"),
    ),
    Rule(
        "refuses",
        Disposition.SUPPLIES,
        frozenset({Disposition.SUPPLIES}),
        willingness=Willingness.REFUSES,
    ),
    Rule("inform", Disposition.GUIDE_STATION, GUIDED),
)


@dataclass(frozen=True)
class Assessment:
    critically_ill: bool = False
    ill: bool = False
    mental_disorder: bool = False
    disabled: bool = False
    minor: bool = False
    elderly: bool = False
    limited_mobility: bool = False
    cannot_give_info: bool = False
    shanghai_resident: bool = False
    willingness: str = Willingness.UNKNOWN

    @classmethod
    def from_flags(cls, flags: list[str] | set[str], willingness: str) -> Assessment:
        unknown = set(flags) - set(FLAG_NAMES)
        if unknown:
            raise ValueError(f"unknown assessment flags {sorted(unknown)}")
        if willingness not in Willingness.values:
            raise ValueError(f"unknown willingness {willingness!r}")
        return cls(**{f: f in flags for f in FLAG_NAMES}, willingness=willingness)

    @property
    def flags(self) -> list[str]:
        return [f for f in FLAG_NAMES if getattr(self, f)]


@dataclass(frozen=True)
class Advice:
    disposition: Disposition
    acceptable: frozenset[Disposition]
    rule: str
    #: the notice's words behind each part of the advice
    clauses: list[str] = field(default_factory=list)
    with_police_or_urban: bool = False  # 协同公安、城管执法
    rescue_first: bool = False  # open a file now, identify later
    refer_household_street: bool = False
    follow_up_after: timedelta | None = None


def _holds(rule: Rule, a: Assessment) -> bool:
    if rule.any_flag:
        return any(getattr(a, f) for f in rule.any_flag)
    if rule.willingness:
        return a.willingness == rule.willingness
    return True


def advise(a: Assessment, *, level: int = 0) -> Advice:
    rule = next(r for r in RULES if _holds(r, a))
    clauses = [str(CLAUSES[rule.key])]
    if a.cannot_give_info:
        clauses.append(str(CLAUSES["rescue_first"]))
    if a.shanghai_resident:
        clauses.append(str(CLAUSES["resident"]))
    return Advice(
        disposition=rule.disposition,
        acceptable=rule.acceptable,
        rule=rule.key,
        clauses=clauses,
        with_police_or_urban=rule.key == "escort",
        rescue_first=a.cannot_give_info,
        refer_household_street=a.shanghai_resident,
        follow_up_after=follow_up_after(level)
        if rule.disposition == Disposition.SUPPLIES
        else None,
    )


def follow_up_hours() -> dict[int, int]:
    """Hours until the follow-up of a person who refused, by response level (0 常态 … 5 I级):
    the colder the night, the sooner someone goes back (the rulebook's patrols.follow_up_after)."""
    return dict(enumerate(rulebook.integers("patrols.follow_up_after")))


def follow_up_after(level: int) -> timedelta:
    hours = follow_up_hours()
    return timedelta(hours=hours.get(int(level), hours[0]))


# --- every refusal is followed up ---------------------------------------------------------

#: Who is followed up sooner when they refuse, and whose district hears of it at once: the
#: elderly, minors, the disabled, the ill and those with a suspected mental disorder.
VULNERABLE_FLAGS = ("elderly", "minor", "disabled", "critically_ill", "ill", "mental_disorder")


def vulnerable_follow_up_hours() -> dict[int, int]:
    """Hours until the follow-up of a vulnerable person who refused, by response level (the
    rulebook's patrols.follow_up_after_vulnerable): shorter than anyone else's."""
    return dict(enumerate(rulebook.integers("patrols.follow_up_after_vulnerable")))


@dataclass(frozen=True)
class FollowUpPlan:
    """What a refusal sets off: a follow-up due `after` the encounter, and for a vulnerable
    person a notice to the district at once."""

    after: timedelta
    vulnerable: bool
    notify_district: bool
    clause: str


def refused(a: Assessment, disposition: str) -> bool:
    """The person refused help: they said so, or the patrol recorded 不愿入站 — whatever the
    advice was (an elderly man advised an escort who refuses is still someone who refused)."""
    return a.willingness == Willingness.REFUSES or disposition == Disposition.SUPPLIES


def follow_up_plan(a: Assessment, disposition: str, *, level: int) -> FollowUpPlan | None:
    """「对不愿入站接受救助的人员……做好后续跟踪」: every refusal is followed up, by the level's
    interval; sooner for the vulnerable, whose district is told at once. None: no refusal."""
    if not refused(a, disposition):
        return None
    vulnerable = any(getattr(a, f) for f in VULNERABLE_FLAGS)
    hours = vulnerable_follow_up_hours() if vulnerable else follow_up_hours()
    return FollowUpPlan(
        after=timedelta(hours=hours.get(int(level), hours[0])),
        vulnerable=vulnerable,
        notify_district=vulnerable,
        clause=str(CLAUSES["refuses"]),
    )


@dataclass(frozen=True)
class Visit:
    """What a patrol saw when it went back (a follow-up's visit record)."""

    found: bool
    state: str = ""  # 现状: how the person is
    willingness: str = ""
    note: str = ""
    #: GPS check-in at the place when the person was not found
    has_position: bool = False
    accuracy_m: float | None = None
    away_m: float | None = None


def follow_up_radius() -> int:
    """A "not found" check-in must be this close to the follow-up's place (metres)."""
    return rulebook.integer("patrols.follow_up_radius")


def check_visit(v: Visit) -> dict[str, str]:
    """Errors by field of a visit record (empty when a follow-up may be marked done with it).
    Found: the person's state and what they want now. Not found: a GPS check-in at the place,
    within the rulebook's distance, and a note of what was done to look for them."""
    errors: dict[str, str] = {}
    if v.found:
        if not v.state.strip():
            errors["state"] = _("请填写见到本人时的现状（身体、精神、衣被等）")
        if v.willingness not in Willingness.values:
            errors["willingness"] = _("请选择本人现在的意愿")
        return errors
    if not v.has_position or v.away_m is None:
        errors["lat"] = _("未找到本人须在跟踪地点定位签到")
    elif v.away_m > follow_up_radius():
        errors["lat"] = _(
            "签到位置距跟踪地点 %(m)d 米，超出 %(r)d 米范围：请到达原地点后再签到"
        ) % {"m": round(v.away_m), "r": follow_up_radius()}
    if len(v.note.strip()) < MIN_REASON:
        errors["note"] = _("未找到本人须说明寻找情况（至少 %(n)d 个字）") % {"n": MIN_REASON}
    return errors


def misses_escalate(misses_in_a_row: int) -> bool:
    """After this many "not found" in a row, the district's dispatcher is told and the next
    follow-up goes first (the rulebook's patrols.follow_up_misses)."""
    return misses_in_a_row >= rulebook.integer("patrols.follow_up_misses")


@dataclass(frozen=True)
class Recorded:
    """What the patrol says it did."""

    disposition: str
    deviation_reason: str = ""
    food_given: bool = False  # 食品 / 饮用水
    warmth_given: bool = False  # 被褥 / 御寒衣物 / 取暖用品
    help_contact_left: bool = False  # 留下详细求助方式
    escort_members: str = ""
    escort_to: bool = False  # a destination was chosen
    escort_to_hospital: bool = False  # the destination chosen is a hospital place
    household_street: bool = False


MIN_REASON = 4


def check_choice(advice: Advice, rec: Recorded) -> dict[str, str]:
    """Errors by field (empty when the record satisfies the rules). Deviating from the advice
    needs a reason; what the chosen disposition requires must be there."""
    errors: dict[str, str] = {}
    if rec.disposition not in Disposition.values:
        return {"disposition": _("请选择处置方式")}
    chosen = Disposition(rec.disposition)
    if chosen not in advice.acceptable and len(rec.deviation_reason.strip()) < MIN_REASON:
        errors["deviation_reason"] = _(
            "建议的处置是「%(advice)s」；选择其他处置须说明理由（至少 %(n)d 个字）"
        ) % {"advice": advice.disposition.label, "n": MIN_REASON}
    if chosen == Disposition.SUPPLIES:
        if not (rec.food_given and rec.warmth_given):
            errors["items"] = _("不愿入站的人员必须发放食品和御寒物资，请登记发放的物资")
        if not rec.help_contact_left:
            errors["help_contact_left"] = _("请确认已留下求助方式（救助热线、最近的救助站）")
    if chosen in ESCORTED:
        if not rec.escort_members.strip():
            errors["escort_members"] = _("护送须登记护送人员")
        if chosen == Disposition.HOSPITAL and not rec.escort_to_hospital:
            errors["escort_to"] = _("送医须选择送往的医院")
        elif not rec.escort_to:
            errors["escort_to"] = _("护送须选择送往的医疗机构或救助站")
    if advice.refer_household_street and not rec.household_street:
        errors["household_street"] = _("本市户籍人员须选择户籍所在街道（乡镇），以便转介托底保障")
    return errors


def table_for_client() -> dict[str, object]:
    """The rules as data for the phone app, so that it suggests the same thing offline."""
    return {
        "rules": [
            {
                "key": r.key,
                "disposition": r.disposition.value,
                "acceptable": sorted(d.value for d in r.acceptable),
                "any_flag": list(r.any_flag),
                "willingness": r.willingness,
                "clause": str(CLAUSES[r.key]),
            }
            for r in RULES
        ],
        "clauses": {k: str(v) for k, v in CLAUSES.items()},
        "dispositions": {d.value: str(d.label) for d in Disposition},
        "follow_up_hours": follow_up_hours(),
        "follow_up_hours_vulnerable": vulnerable_follow_up_hours(),
        "vulnerable_flags": list(VULNERABLE_FLAGS),
        "follow_up_radius": follow_up_radius(),
        "min_reason": MIN_REASON,
    }
