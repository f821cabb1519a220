"""A deterministic demo week of leads across every channel and state: most older ones closed
("nobody found", with the team's check-in), some merged or cancelled, the last hours still waiting, dispatched or on scene
(and a few overdue, so the board shows red)."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import transaction

from warmwinter.accounts.models import User
from warmwinter.core.seeding import DemoContext
from warmwinter.dispatch.models import Team
from warmwinter.leads.lifecycle import (
    chase_unaccepted,
    lead_accept,
    lead_arrive,
    lead_assign,
    lead_cancel,
    lead_close_nobody_found,
    lead_merge,
)
from warmwinter.leads.models import (
    Lead,
    LeadChannel,
    LeadCheckIn,
    LeadEvent,
    LeadStatus,
    UrgencySignal,
)
from warmwinter.leads.services import _CODE_ALPHABET, LeadReport, lead_receive
from warmwinter.places.models import OrgLevel, Place, PlaceKind

ORDER = 40

_DESCRIPTIONS = [
    "桥洞下有人裹着薄被睡觉，叫不醒",
    "地下通道口有一位老人，衣着单薄，说话不清",
    "公交站台有人躺着，旁边有酒瓶",
    "商场门口有个孩子独自坐着哭",
    "工地围挡边有两个人在生火取暖",
    "车站广场长椅上有人发抖，腿上有伤",
    "有人在绿化带里睡觉，气温很低",
    "小区门口有位流浪人员，自言自语",
]


_NOBODY_NOTES = [
    "现场及周边 200 米内查找，未发现求助对象",
    "询问附近保安和商户，称人已自行离开",
    "到场时人已离开，已请保安发现后拨打救助热线",
]


def _code(rng: random.Random) -> str:
    return "".join(rng.choice(_CODE_ALPHABET) for _ in range(10))


def seed(ctx: DemoContext) -> None:
    rng = ctx.child("leads")
    places = list(
        Place.objects.active()
        .filter(kind__in=[PlaceKind.KEY_PLACE, PlaceKind.HELP_POINT])
        .select_related("org_unit")
        .order_by("pk")
    )
    teams = {t.district_id: t for t in Team.objects.active().order_by("pk")}
    # Each district's dispatcher moves its own leads (Huangpu's demo account where it exists).
    dispatchers = {
        u.org_unit_id: u
        for u in User.objects.filter(
            username__endswith="_dispatcher", org_unit__level=OrgLevel.DISTRICT
        ).order_by("username")
    }
    if not places or not teams:
        return
    per_day = 8 * max(1, ctx.scale)
    total = 7 * per_day
    created = 0
    previous: Lead | None = None
    for i in range(total):
        age = timedelta(minutes=int((total - i) * (7 * 24 * 60) / total))
        received = ctx.now - age
        place = rng.choice(places)
        jitter = (rng.uniform(-0.002, 0.002), rng.uniform(-0.002, 0.002))
        signals = rng.sample(UrgencySignal.values, k=rng.choice([0, 1, 1, 2, 3]))
        report = LeadReport(
            channel=rng.choice(LeadChannel.values),
            lat=place.lat + jitter[0],
            lng=place.lng + jitter[1],
            address=place.name,
            description=rng.choice(_DESCRIPTIONS),
            people_count=rng.choice([1, 1, 1, 2, 3]),
            signals=signals,
            reporter_phone=ctx.fake.phone_number() if rng.random() < 0.6 else "",
            recording_ref=f"REC-{received:%Y%m%d}-{i:04d}",
            received_at=received,
        )
        code = _code(rng)
        fate = rng.random()
        with transaction.atomic():
            lead, is_new = lead_receive(report=report, idempotency_key=f"demo:{ctx.seed}:{i}")
            if not is_new:
                previous = lead
                continue
            Lead.objects.filter(pk=lead.pk).update(tracking_code=code)
            lead.tracking_code = code
            _play(lead, age, fate, teams, dispatchers.get(lead.district_id), previous, rng)
        created += 1
        previous = lead
    created += _tonight_in_huangpu(ctx, teams, dispatchers)
    ctx.summary.append(f"线索：{created} 条新演示线索（共 {Lead.objects.count()} 条）")


#: Tonight on Huangpu's board (key, point, place, what the caller said, signs, minutes ago):
#: what the board is for — a person who cannot be woken (先拨打 120), a lead on the Jing'an
#: border that both districts' dispatchers see, and one the team did not accept (未接单).
_TONIGHT = [
    (
        "tonight-120",
        (31.2304, 121.4737),
        "人民广场地铁站 1 号口",
        "有人躺在出口台阶上，叫不醒，身上只有一条薄毯",
        [UrgencySignal.LYING_STILL, UrgencySignal.UNRESPONSIVE],
        6,
    ),
    (
        "tonight-border",
        (31.2260, 121.4640),
        "延安高架下（黄浦、静安交界）",
        "高架下有两个人铺着纸板睡觉，衣着单薄",
        [UrgencySignal.NO_WARM_CLOTHING],
        12,
    ),
    (
        "tonight-unaccepted",
        (31.2190, 121.4870),
        "老西门地铁站出口",
        "地铁口有位老人坐着发抖",
        [UrgencySignal.ELDERLY],
        40,
    ),
]


def _tonight_in_huangpu(
    ctx: DemoContext, teams: dict[int, Team], dispatchers: dict[int | None, User]
) -> int:
    created = 0
    for key, (lat, lng), place, said, signals, minutes in _TONIGHT:
        report = LeadReport(
            channel=LeadChannel.HOTLINE,
            lat=lat,
            lng=lng,
            address=place,
            description=said,
            signals=[str(s) for s in signals],
            received_at=ctx.now - timedelta(minutes=minutes),
            recording_ref=f"REC-{ctx.now:%Y%m%d}-{key}",
        )
        lead, is_new = lead_receive(report=report, idempotency_key=f"demo:{ctx.seed}:{key}")
        if not is_new:
            continue
        created += 1
        team, dispatcher = teams.get(lead.district_id), dispatchers.get(lead.district_id)
        if key == "tonight-unaccepted" and team is not None and dispatcher is not None:
            lead_assign(lead=lead, team=team, by=dispatcher)
            Lead.objects.filter(pk=lead.pk).update(
                dispatched_at=lead.received_at + timedelta(minutes=3)
            )
            chase_unaccepted(now=ctx.now)
    return created


def _play(
    lead: Lead,
    age: timedelta,
    fate: float,
    teams: dict[int, Team],
    dispatcher: User | None,
    previous: Lead | None,
    rng: random.Random,
) -> None:
    """Move a demo lead along its lifecycle and backdate the steps to its received time."""
    team = teams.get(lead.district_id)
    recent = age < timedelta(hours=14)
    if team is None or dispatcher is None or (recent and fate < 0.35):
        return  # still waiting (old enough ones show overdue on the board)
    if fate > 0.97 and previous is not None and previous.is_open:
        lead_merge(lead=lead, into=previous, by=dispatcher)
        return
    if fate > 0.94:
        lead_cancel(lead=lead, by=dispatcher, reason="报告人来电说明已自行离开")
        return
    # The dispatcher records each step as the team reports it by radio.
    steps: list[tuple[Callable[..., Lead], dict[str, Any], str]] = [
        (lead_assign, {"team": team}, LeadStatus.DISPATCHED),
        (lead_accept, {}, LeadStatus.ACCEPTED),
        (lead_arrive, {}, LeadStatus.ON_SCENE),
    ]
    if not recent:
        # A lead closes only through what happened. Encounters belong to `patrols` (above this
        # app), so the demo's older leads end as "nobody found": the team's check-in a few
        # dozen metres from the place, and what it did there.
        close = {
            "latitude": lead.lat + rng.uniform(-0.0003, 0.0003),
            "longitude": lead.lng + rng.uniform(-0.0003, 0.0003),
            "accuracy_m": float(rng.randint(8, 40)),
            "note": rng.choice(_NOBODY_NOTES),
        }
        steps.append((lead_close_nobody_found, close, LeadStatus.CLOSED))
    elif fate < 0.6:
        steps = steps[:1]
    elif fate < 0.8:
        steps = steps[:2]
    for step, kwargs, _status in steps:
        step(lead=lead, by=dispatcher, **kwargs)
    # Backdate: the demo week happened over the week, not in this second.
    stamps = {}
    at = lead.received_at
    for field, (_step, _kw, status) in zip(
        ["dispatched_at", "accepted_at", "on_scene_at", "closed_at"], steps, strict=False
    ):
        at = at + timedelta(minutes=rng.randint(2, 20))
        stamps[field] = at
        LeadEvent.objects.filter(lead=lead, to_status=status).update(at=at)
    fresh = Lead.objects.get(pk=lead.pk)
    if fresh.due_at is not None and stamps:
        stamps["due_at"] = fresh.due_at - (fresh.modified_at - max(stamps.values()))
    Lead.objects.filter(pk=lead.pk).update(**stamps)
    if "closed_at" in stamps:
        LeadCheckIn.objects.filter(lead=lead).update(at=stamps["closed_at"])
