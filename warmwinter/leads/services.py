"""Writes of leads: intake from every channel, locating a report, escalation of overdue leads.
The lifecycle (dispatch to close, cancel, merge) is `leads.lifecycle`.

Every write happens inside one transaction that also writes the LeadEvent (and the audit event).
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from warmwinter.accounts.permissions import Actor, require
from warmwinter.accounts.roles import Capability
from warmwinter.audit.models import AuditAction
from warmwinter.audit.services import audit_record
from warmwinter.core import clock, rulebook
from warmwinter.core.photos import CleanPhoto
from warmwinter.core.validation import limits, refusal, validators_of
from warmwinter.leads import locator, rules, store
from warmwinter.leads.models import (
    Lead,
    LeadChannel,
    LeadEvent,
    LeadEventKind,
    LeadPhoto,
    LeadStatus,
    LocationSource,
    UrgencySignal,
)
from warmwinter.places import geo
from warmwinter.places.models import OrgLevel, OrgUnit, Place

# Crockford's base32 without I, L, O, U: easy to read aloud over the phone.
_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
TRACKING_CODE_LENGTH = 10  # 50 bits: not guessable, short enough to read out
MAX_PHOTOS = 3
#: How far the nearest known place may lie for its street to be taken as the lead's.
STREET_RESOLUTION_RADIUS_M = 1500


def new_tracking_code() -> str:
    # 32 symbols are 5 bits each: one draw from the system's random source gives the whole
    # code, uniformly (a draw per character is ten system calls on the hottest path).
    bits = secrets.randbits(5 * TRACKING_CODE_LENGTH)
    return "".join(_CODE_ALPHABET[(bits >> (5 * i)) & 31] for i in range(TRACKING_CODE_LENGTH))


def normalise_tracking_code(raw: str) -> str:
    code = raw.strip().upper().replace("-", "").replace(" ", "")
    return code.replace("O", "0").replace("I", "1").replace("L", "1")


# --- location ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ResolvedLocation:
    lat: float
    lng: float
    district: OrgUnit
    org_unit: OrgUnit
    source: str
    place: Place | None = None
    #: Another district whose border is within the rule's distance (boundary only).
    neighbour: OrgUnit | None = None


def _street_of(unit: OrgUnit) -> OrgUnit | None:
    while unit is not None and unit.level not in (OrgLevel.STREET, OrgLevel.DISTRICT):
        unit = unit.parent  # type: ignore[assignment]
    return unit if unit is not None and unit.level == OrgLevel.STREET else None


def resolve_location(
    *,
    lat: float | None,
    lng: float | None,
    datum: str = "wgs84",
    place: Place | None = None,
    district: OrgUnit | None = None,
) -> ResolvedLocation:
    """The point of a lead in WGS-84 and the district and street it falls in.

    A picked place decides (its own org unit); else an explicit district decides the district;
    else the district boundary holding the point (and a neighbour whose border is within
    `leads.border_distance`), the street from the nearest known place of that district; outside
    every boundary the nearest known place within 1.5 km, else the nearest district centre.
    Raises ValidationError without a location, OutsideServiceAreaError outside Shanghai.
    """
    if place is not None and (lat is None or lng is None):
        lat, lng, datum = place.lat, place.lng, "wgs84"
    if lat is None or lng is None:
        raise ValidationError({"location": _("请提供位置：在地图上选点、使用当前位置或选择地标")})
    point = geo.to_wgs84(float(lat), float(lng), datum=datum)
    geo.check_in_shanghai(point.lat, point.lng)
    if place is not None:
        unit = place.org_unit
        place_district = unit.district
        if place_district is not None:
            return ResolvedLocation(
                point.lat,
                point.lng,
                place_district,
                _street_of(unit) or place_district,
                LocationSource.PLACE,
                place,
            )
    if district is not None:
        street = next(
            (s for s in locator.streets_near(point.lat, point.lng) if district.contains(s)),
            None,
        )
        return ResolvedLocation(
            point.lat, point.lng, district, street or district, LocationSource.EXPLICIT, place
        )
    found = locator.locate_in_district(
        point.lat,
        point.lng,
        border_m=rulebook.integer("leads.border_distance"),
        radius_m=STREET_RESOLUTION_RADIUS_M,
    )
    return ResolvedLocation(
        point.lat,
        point.lng,
        found.district,
        found.street or found.district,
        LocationSource.BOUNDARY if found.by_boundary else LocationSource.OUTSIDE_BOUNDARY,
        place,
        found.neighbour,
    )


# --- intake -----------------------------------------------------------------------------


@dataclass
class LeadReport:
    """What a channel hands to `lead_receive`, already parsed (not yet validated)."""

    channel: str
    lat: float | None = None
    lng: float | None = None
    datum: str = "wgs84"
    place: Place | None = None
    district: OrgUnit | None = None
    address: str = ""
    description: str = ""
    people_count: int = 1
    signals: Sequence[str] = ()
    reporter_name: str = ""
    reporter_phone: str = ""
    recording_ref: str = ""
    media_url: str = ""
    received_at: datetime | None = None
    photos: list[CleanPhoto] = field(default_factory=list)


_CHANNELS = frozenset(LeadChannel.values)
_MEDIA_URL = URLValidator(schemes=["http", "https"])
_SIGNALS = frozenset(UrgencySignal.values)


@functools.cache
def _longest(field: str) -> int:
    """The max_length the model declares for a Lead field (read once: intake is the hot path)."""
    return limits(Lead, field).max_length or 0


class IdempotencyConflictError(Exception):
    """The idempotency key was used before for a different submission: a partner's bug to be
    told (409), never a reason to answer with the first lead as if it were this one."""


def received_at_refusal(received_at: datetime, *, now: datetime) -> str | None:
    """Why a caller's stated receiving time cannot be taken, or None. A time ahead of our clock
    by more than the skew a platform's clock may have would keep the lead from ever falling
    due; one older than the backlog a platform may replay would be overdue on arrival. Both
    tolerances are settings (LEADS_RECEIVED_AT_MAX_AHEAD_S, LEADS_RECEIVED_AT_MAX_AGE_S)."""
    ahead = timedelta(seconds=settings.LEADS_RECEIVED_AT_MAX_AHEAD_S)
    oldest = timedelta(seconds=settings.LEADS_RECEIVED_AT_MAX_AGE_S)
    stated = clock.local(received_at).strftime("%Y-%m-%d %H:%M")
    if received_at > now + ahead:
        return _("接收时间 %(t)s 晚于当前时间超过 %(m)d 分钟，请核对平台时钟后重新推送") % {
            "t": stated,
            "m": int(ahead.total_seconds() // 60),
        }
    if received_at < now - oldest:
        return _("接收时间 %(t)s 早于 %(h)d 小时前，已超过补报时限，请人工核实后经热线录入") % {
            "t": stated,
            "h": int(oldest.total_seconds() // 3600),
        }
    return None


def _validate(report: LeadReport, *, stated_by_caller: bool = False) -> None:
    errors: dict[str, str] = {}
    if stated_by_caller and report.received_at is not None:
        refused_time = received_at_refusal(report.received_at, now=timezone.now())
        if refused_time is not None:
            errors["received_at"] = refused_time
    if report.channel not in _CHANNELS:
        errors["channel"] = _("来源渠道无效")
    unknown = [s for s in report.signals if s not in _SIGNALS]
    if unknown:
        errors["signals"] = _("未知的紧急情形：%(s)s") % {"s": ", ".join(unknown)}
    # The hot path: the field's own validators, not a full_clean of a Lead.
    refused = refusal(validators_of(Lead, "people_count"), report.people_count)
    if refused is not None:
        errors["people_count"] = refused
    if len(report.description) > _longest("description"):
        errors["description"] = _("情况描述最多 2000 字")
    if len(report.photos) > MAX_PHOTOS:
        errors["photos"] = _("最多上传 %(n)d 张照片") % {"n": MAX_PHOTOS}
    if report.media_url:
        try:
            if len(report.media_url) > _longest("media_url"):
                raise ValidationError("too long")
            _MEDIA_URL(report.media_url)
        except ValidationError:
            errors["media_url"] = _("图片链接须为 http(s) 网址，最多 500 个字符")
    if report.channel == LeadChannel.HOTLINE and not report.recording_ref:
        errors["recording_ref"] = _("热线来电须填写通话录音编号")
    if errors:
        raise ValidationError(errors)


def recording_retention_until(received: datetime) -> date:
    """Call recordings are kept at least three months (民发〔2014〕132号; the rulebook)."""
    return (received + rulebook.duration("leads.recording_retention")).date()


def lead_receive(
    *,
    report: LeadReport,
    by: Actor | None = None,
    idempotency_key: str | None = None,
    fingerprint: str = "",
) -> tuple[Lead, bool]:
    """Record a report as a lead, committed before this returns. Returns (lead, created).

    `by` is the signed-in user who records it, who must hold RECORD_LEADS (the hotline, a
    reporter, the grid platform's token). None is a citizen on a public channel (the report
    page, Open311), who needs no account, or the system (demo data): intake never turns away
    a report of a person in the cold for want of an account.

    The same `idempotency_key` (a client UUID, a partner's Idempotency-Key) returns the lead
    it created the first time, however often the submission is retried. Retries are rare, so
    the key is not looked up first: the unique constraint refuses the second insert (waiting
    for a racing first one to commit) and the lead that holds the key is returned.

    `fingerprint` (a hash of the canonical submission, e.g. the API's JSON body) is kept with
    the key: the same key with another fingerprint raises IdempotencyConflictError.

    A `received_at` stated by a signed-in caller (a partner platform) must lie within the
    tolerances of `received_at_refusal`; the system (demo data) may record history.
    """
    if by is not None:
        require(by, Capability.RECORD_LEADS)
    try:
        lead = _new_lead(report, by, idempotency_key, fingerprint)
    except (ValidationError, geo.OutsideServiceAreaError):
        # A retry of an accepted submission gets its lead even if this copy would not pass now.
        existing = _lead_with_key(idempotency_key, fingerprint)
        if existing is not None:
            return existing, False
        raise
    user = lead.created_by
    for attempt in range(3):
        try:
            return _store(lead, report, by, user, lead.district_id), True
        except IntegrityError:
            existing = _lead_with_key(idempotency_key, fingerprint)
            if existing is not None:
                return existing, False
            if attempt == 2:
                raise
            lead.pk = None  # a tracking-code collision (2^-50): draw another
    raise AssertionError("unreachable")


def _lead_with_key(idempotency_key: str | None, fingerprint: str = "") -> Lead | None:
    """The lead stored under `idempotency_key`, if any. Raises IdempotencyConflictError when
    both it and this retry carry a fingerprint and they differ."""
    if not idempotency_key:
        return None
    existing = Lead.objects.filter(idempotency_key=idempotency_key).order_by().first()
    if (
        existing is not None
        and fingerprint
        and existing.idempotency_fingerprint
        and existing.idempotency_fingerprint != fingerprint
    ):
        raise IdempotencyConflictError(
            _("幂等键已用于内容不同的另一次提交（线索 %(code)s）：重试须重复原内容，新线索请换新键")
            % {"code": existing.tracking_code}
        )
    return existing


def _new_lead(
    report: LeadReport, by: Actor | None, idempotency_key: str | None, fingerprint: str = ""
) -> Lead:
    """The lead a report makes, validated, located and triaged; not saved."""
    _validate(report, stated_by_caller=by is not None)
    where = resolve_location(
        lat=report.lat,
        lng=report.lng,
        datum=report.datum,
        place=report.place,
        district=report.district,
    )
    received = report.received_at or timezone.now()
    from warmwinter.weather.selectors import level_effects  # the weather app's interface

    effects = level_effects(where.district)
    signals = list(dict.fromkeys(report.signals))
    result = rules.triage(
        signals=signals,
        signal_labels={s: str(UrgencySignal(s).label) for s in signals},
        people_count=report.people_count,
        at=received,
        weather_boost=effects.lead_priority_boost,
        weather_label=str(effects.level.label),
    )
    factor = effects.time_limit_factor
    user = by if getattr(by, "is_authenticated", False) else None
    lead = Lead(
        idempotency_key=idempotency_key or None,
        idempotency_fingerprint=fingerprint if idempotency_key else "",
        channel=report.channel,
        received_at=received,
        lat=where.lat,
        lng=where.lng,
        h3_cell=geo.h3_cell(where.lat, where.lng),
        place=where.place,
        address=report.address[:200],
        district=where.district,
        org_unit=where.org_unit,
        location_source=where.source,
        neighbour_district=where.neighbour,
        description=report.description,
        people_count=report.people_count,
        signals=signals,
        reporter_name=report.reporter_name[:60],
        reporter_phone=report.reporter_phone[:20],
        reported_by=user,
        recording_ref=report.recording_ref[:120],
        media_url=report.media_url,
        recording_retain_until=recording_retention_until(received)
        if report.recording_ref
        else None,
        priority=result.priority,
        priority_score=result.score,
        priority_reasons=[[label, points] for label, points in result.reasons],
        time_limit_factor=factor,
        due_at=received
        + rules.time_limit(priority=result.priority, stage="dispatch", factor=factor),
        created_by=user,
    )
    return lead


def _store(
    lead: Lead, report: LeadReport, by: Actor | None, user: Actor | None, district_id: int
) -> Lead:
    # A collision of random tracking codes is left to the unique constraint, not pre-checked.
    if not report.photos and store.one_statement_available():
        lead.tracking_code = new_tracking_code()
        event = LeadEvent(
            kind=LeadEventKind.CREATED,
            at=lead.received_at,
            by=user,
            to_status=LeadStatus.RECEIVED,
            note=str(LeadChannel(report.channel).label),
        )
        store.insert_lead_with_trail(lead, event, store.audit_event_for_new_lead(lead, by))
        transaction.on_commit(lambda: _after_receive(lead.pk, district_id))
        return lead
    with transaction.atomic():
        lead.tracking_code = new_tracking_code()
        lead.save(force_insert=True)
        for i, photo in enumerate(report.photos):
            LeadPhoto.objects.create(
                lead=lead,
                image=ContentFile(
                    photo.content, name=f"{lead.tracking_code}-{i}.{photo.extension}"
                ),
                content_type=photo.content_type,
                width=photo.width,
                height=photo.height,
            )
        LeadEvent.objects.create(
            lead=lead,
            kind=LeadEventKind.CREATED,
            at=lead.received_at,
            by=user,
            to_status=LeadStatus.RECEIVED,
            note=str(LeadChannel(report.channel).label),
        )
        audit_record(actor=by, action=AuditAction.CREATE, target=lead)
        transaction.on_commit(lambda: _after_receive(lead.pk, district_id))
    return lead


def _after_receive(lead_id: int, district_id: int) -> None:
    from warmwinter.dispatch.selectors import auto_dispatch_enabled
    from warmwinter.leads.tasks import auto_dispatch_lead

    if auto_dispatch_enabled(district_id):
        auto_dispatch_lead.enqueue(lead_id)


# --- time limits and escalation -----------------------------------------------------------


def escalate_overdue(*, now: datetime | None = None) -> int:
    """Escalate open leads past their current time limit: first to the district's
    supervisors (district_admin), and, if still overdue the rulebook's `escalation.city_after`
    later, to the city (city_admin). Each step records an ESCALATED event once. Returns how many
    escalation steps were taken."""
    from warmwinter.notifications.escalation import escalate_step

    now = now or timezone.now()
    steps = 0
    candidates = list(
        Lead.objects.overdue(now).filter(escalation_level__lt=2).values_list("pk", flat=True)
    )
    for pk in candidates:
        with transaction.atomic():
            lead = (
                Lead.objects.select_for_update(skip_locked=True)
                .select_related("district")
                .filter(pk=pk)
                .first()
            )
            if lead is None or not lead.is_open or lead.due_at is None or lead.due_at >= now:
                continue
            minutes = int((now - lead.due_at).total_seconds() // 60)
            text = _("线索 %(code)s（%(district)s）已超时 %(m)d 分钟，当前状态「%(s)s」") % {
                "code": lead.tracking_code,
                "district": lead.district.name,
                "m": minutes,
                "s": LeadStatus(lead.status).label,
            }
            level = escalate_step(
                level=lead.escalation_level,
                due_at=lead.due_at,
                now=now,
                district=lead.district,
                title=_("线索超时督办"),
                body=text,
                url=f"/leads/{lead.pk}/",
                source="leads",
            )
            if level == lead.escalation_level:
                continue
            lead.escalation_level = level
            lead.save(update_fields=["escalation_level", "modified_at"])
            LeadEvent.objects.create(
                lead=lead,
                kind=LeadEventKind.ESCALATED,
                at=now,
                from_status=lead.status,
                to_status=lead.status,
                note=(_("督办至区级") if level == 1 else _("督办至市级")) + "：" + text,
            )
            steps += 1
    return steps


# --- the response level -------------------------------------------------------------------


def leads_follow_level(
    *, district_id: int, from_level: int, to_level: int, now: datetime | None = None
) -> int:
    """System: when a district's response level changes, triage its open leads again under the
    new level (priority and the current stage's time limit, by `rules`), with a history entry
    "响应等级升至II级" on each, and tell the district's dispatchers. Runs as a task after the
    level's commit (`leads.tasks.follow_level_change`). Returns how many leads changed."""
    from warmwinter.notifications.models import Urgency
    from warmwinter.notifications.services import notify, recipients_for
    from warmwinter.weather.levels import ResponseLevel, short_label
    from warmwinter.weather.selectors import effects_for

    now = now or timezone.now()
    district = OrgUnit.objects.filter(pk=district_id).first()
    if district is None or from_level == to_level:
        return 0
    effects = effects_for(ResponseLevel(to_level))
    verb = _("升至") if to_level > from_level else _("降至")
    headline = _("响应等级%(verb)s%(level)s") % {"verb": verb, "level": short_label(to_level)}
    changed = 0
    for pk in Lead.objects.open().filter(district_id=district_id).values_list("pk", flat=True):
        with transaction.atomic():
            lead = Lead.objects.select_for_update().filter(pk=pk).first()
            if lead is None or not lead.is_open:
                continue
            before = (lead.priority, lead.due_at)
            result = rules.triage(
                signals=list(lead.signals),
                signal_labels={s: str(UrgencySignal(s).label) for s in lead.signals},
                people_count=lead.people_count,
                at=lead.received_at,
                weather_boost=effects.lead_priority_boost,
                weather_label=str(effects.level.label),
            )
            lead.priority = result.priority
            lead.priority_score = result.score
            lead.priority_reasons = [[label, points] for label, points in result.reasons]
            lead.time_limit_factor = effects.time_limit_factor
            stage = rules.STAGE_OF_STATUS.get(lead.status)
            if stage is not None and getattr(lead, stage[1]) is not None:
                lead.due_at = getattr(lead, stage[1]) + rules.time_limit(
                    priority=lead.priority, stage=stage[0], factor=lead.time_limit_factor
                )
            lead.save()
            note = _("%(h)s：优先级%(p0)s→%(p1)s") % {
                "h": headline,
                "p0": rules.priority_label(before[0]),
                "p1": rules.priority_label(lead.priority),
            }
            if lead.due_at is not None and lead.due_at != before[1]:
                note += _("，当前环节时限至 %(t)s") % {
                    "t": clock.local(lead.due_at).strftime("%H:%M")
                }
            LeadEvent.objects.create(
                lead=lead,
                kind=LeadEventKind.RETRIAGED,
                at=now,
                from_status=lead.status,
                to_status=lead.status,
                note=note[:500],
            )
            audit_record(
                actor=None,
                action=AuditAction.UPDATE,
                target=lead,
                detail={"retriaged": [from_level, to_level], "priority": lead.priority},
            )
            changed += 1
    if changed:
        notify(
            recipients=recipients_for(org_unit=district, roles=["dispatcher"]),
            title=_("%(d)s%(h)s：%(n)d 条在办线索已重新分诊")
            % {"d": district.name, "h": headline, "n": changed},
            body=_("优先级和当前环节时限已按新的响应等级重新计算，请查看调度台"),
            url=reverse("dispatch:board"),
            urgency=Urgency.URGENT if to_level > from_level else Urgency.INFO,
            source="leads",
        )
    return changed


# --- 120 first ------------------------------------------------------------------------------


def lead_record_ambulance_call(*, lead: Lead, by: Actor, called: bool) -> Lead:
    """Record whether 120 (急救) was called for a lead, by whom and when: the dispatcher from
    the board, the team from the phone. Recording it again replaces the answer; the history
    keeps each one."""
    require(by, (Capability.DISPATCH_LEADS, Capability.HANDLE_LEADS), within=lead.org_unit)
    now = timezone.now()
    with transaction.atomic():
        locked = Lead.objects.select_for_update().get(pk=lead.pk)
        locked.ambulance_called = called
        locked.ambulance_recorded_by = by if getattr(by, "is_authenticated", False) else None
        locked.ambulance_recorded_at = now
        locked.modified_by = locked.ambulance_recorded_by
        locked.save(
            update_fields=[
                "ambulance_called",
                "ambulance_recorded_by",
                "ambulance_recorded_at",
                "modified_by",
                "modified_at",
            ]
        )
        LeadEvent.objects.create(
            lead=locked,
            kind=LeadEventKind.AMBULANCE,
            at=now,
            by=locked.ambulance_recorded_by,
            from_status=locked.status,
            to_status=locked.status,
            note=_("已拨打 120") if called else _("未拨打 120"),
        )
        audit_record(
            actor=by,
            action=AuditAction.UPDATE,
            target=locked,
            detail={"ambulance_called": called},
        )
    return locked
