"""Writes for street patrols: check-ins, encounters (街面处置) with their escort, supplies,
referral and follow-up, and the escalation of overdue follow-ups.

Every write is atomic and audited. Submissions from the phone carry a client UUID minted when
the form was filled in: replaying one (the offline queue, a double tap) returns what was stored
the first time and stores nothing new.
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from warmwinter.accounts.permissions import Actor, may, require
from warmwinter.accounts.roles import Capability
from warmwinter.audit.models import AuditAction
from warmwinter.audit.services import audit_record
from warmwinter.core import clock, rulebook
from warmwinter.core.photos import clean_photo
from warmwinter.dispatch.models import Team
from warmwinter.leads.lifecycle import LeadConflictError
from warmwinter.leads.models import Lead, LeadStatus
from warmwinter.notifications.escalation import escalate_step
from warmwinter.patrols import rules
from warmwinter.patrols.models import (
    Encounter,
    EncounterItem,
    EncounterPhoto,
    FollowUp,
    FollowUpItem,
    FollowUpKind,
    FollowUpPriority,
    PatrolStop,
    PlaceWatch,
    StopResult,
)
from warmwinter.places import geo
from warmwinter.places.models import OrgLevel, OrgUnit, Place, PlaceKind

#: Phones' clocks drift: a time this far ahead of the server is still "now".
CLOCK_SKEW = timedelta(minutes=5)
#: The offline queue may hold a submission this long; older ones are refused as implausible.
MAX_BACKDATE = timedelta(days=7)
MAX_PHOTOS = 4

FOOD = {"food", "water"}
WARMTH = {"bedding", "clothing", "warmer"}


def checked_time(at: datetime | None, *, field_name: str = "occurred_at") -> datetime:
    """A time reported from the street: aware, not in the future, not implausibly old."""
    now = timezone.now()
    if at is None:
        return now
    at = clock.aware(at)
    if at > now + CLOCK_SKEW:
        raise ValidationError({field_name: _("时间不能晚于现在（请检查手机时间）")})
    if at < now - MAX_BACKDATE:
        raise ValidationError({field_name: _("时间早于 7 天前，请核对")})
    return at


def teams_of(user: Actor) -> list[Team]:
    return list(Team.objects.active().filter(members=user).select_related("district"))


def acting_district(user: Actor, team: Team | None, lat: float, lng: float) -> OrgUnit:
    """The district an encounter belongs to: the team's, else the user's, else where it was."""
    if team is not None:
        return team.district
    unit = getattr(user, "org_unit", None)
    district = unit.district if unit is not None else None
    if district is not None:
        return district
    from warmwinter.leads.services import resolve_location

    return resolve_location(lat=lat, lng=lng).district


# --- key places ---------------------------------------------------------------------------


def place_watch_set(*, place: Place, by: Actor, **fields: Any) -> PlaceWatch:
    """Set a key place's watch hours, risk and time on site (the district's planner)."""
    require(by, Capability.PLAN_PATROLS, within=place.org_unit)
    if place.kind not in (PlaceKind.KEY_PLACE, PlaceKind.TEMP_SHELTER, PlaceKind.HELP_POINT):
        raise ValidationError(_("只能为重点巡查点位设置巡查时段"))
    with transaction.atomic():
        watch, created = PlaceWatch.objects.select_for_update().get_or_create(
            place=place, defaults={"created_by": by}
        )
        for name, value in fields.items():
            setattr(watch, name, value)
        watch.modified_by = by
        watch.full_clean()
        watch.save()
        audit_record(
            actor=by,
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            target=watch,
            detail={k: str(v) for k, v in fields.items()},
        )
    return watch


# --- check-in -----------------------------------------------------------------------------


def _may_work_stop(user: Actor, stop: PatrolStop) -> None:
    """A planner of the night's district works any of its stops; a patrol member only the
    stops on their team's route. (The caller has required RECORD_ENCOUNTERS.)"""
    if may(user, Capability.PLAN_PATROLS, within=stop.night.district):
        return
    if stop.route is None or not stop.route.team.members.filter(pk=user.pk).exists():
        raise PermissionDenied(_("该点位不在您分队的巡查路线上"))


class SubmissionConflictError(Exception):
    """A phone's submission id (its client UUID) already belongs to another record: somebody
    else's encounter, or a check-in at another stop. Answered 409; nothing is stored or shown."""

    def __init__(self) -> None:
        super().__init__(_("该提交编号已被其他记录使用，请重新填写后提交"))


def _replayed(done: PatrolStop, stop: PatrolStop) -> PatrolStop:
    """The stop a replayed check-in recorded, which must be the stop it is sent for."""
    if done.pk != stop.pk:
        raise SubmissionConflictError()
    return done


def check_in(
    *,
    stop: PatrolStop,
    by: Actor,
    lat: float,
    lng: float,
    at: datetime | None = None,
    nobody_found: bool = False,
    client_uuid: uuid.UUID | None = None,
) -> tuple[PatrolStop, bool]:
    """Record arrival at a stop (GPS and time), and "nobody found" when so. Returns the stop
    and whether this call changed it."""
    require(by, Capability.RECORD_ENCOUNTERS, within=stop.night.district)
    if client_uuid is not None:
        done = PatrolStop.objects.filter(checkin_uuid=client_uuid).first()
        if done is not None:
            return _replayed(done, stop), False
    _may_work_stop(by, stop)
    at = checked_time(at, field_name="at")
    geo.check_in_shanghai(lat, lng)
    # further than this from the place is refused (city GPS drifts 50–200 m)
    radius = rulebook.integer("patrols.checkin_radius")
    away = geo.distance_m(geo.LatLng(lat, lng), geo.LatLng(stop.lat, stop.lng))
    if away > radius:
        raise ValidationError(
            {
                "lat": _(
                    "签到位置距「%(place)s」%(km).1f 公里，超出 %(r)d 米范围：请到达点位后再签到"
                )
                % {"place": stop.label, "km": away / 1000, "r": radius}
            }
        )
    with transaction.atomic():
        locked = PatrolStop.objects.select_for_update().get(pk=stop.pk)
        if locked.checked_in_at is not None and not nobody_found:
            return locked, False
        locked.checked_in_at = locked.checked_in_at or at
        locked.checked_in_by = locked.checked_in_by or by
        locked.checkin_lat, locked.checkin_lng = lat, lng
        if nobody_found and locked.result == StopResult.PENDING:
            locked.result = StopResult.NOBODY
        if locked.checkin_uuid is None:
            locked.checkin_uuid = client_uuid
        try:
            with transaction.atomic():
                locked.save()
        except IntegrityError:
            return _replayed(PatrolStop.objects.get(checkin_uuid=client_uuid), stop), False
        audit_record(
            actor=by,
            action=AuditAction.UPDATE,
            target=locked,
            detail={
                "check_in": at.isoformat(),
                "nobody_found": nobody_found,
                "away_m": round(away),
            },
        )
    return locked, True


# --- encounters ---------------------------------------------------------------------------


@dataclass
class NewPerson:
    """What the patrol learnt of someone with no file yet (everything optional: 先行救助)."""

    name: str = ""
    aliases: str = ""
    sex: str = ""
    age_estimate: int | None = None
    features: str = ""
    phone: str = ""


@dataclass
class EncounterInput:
    client_uuid: uuid.UUID
    lat: float
    lng: float
    disposition: str
    occurred_at: datetime | None = None
    place_name: str = ""
    stop_id: int | None = None
    lead_id: int | None = None
    team_id: int | None = None
    person_id: int | None = None
    new_person: NewPerson = field(default_factory=NewPerson)
    flags: list[str] = field(default_factory=list)
    willingness: str = rules.Willingness.UNKNOWN
    deviation_reason: str = ""
    help_contact_left: bool = False
    escort_members: str = ""
    escort_to_id: int | None = None
    escort_destination: str = ""
    household_street_code: str = ""
    items: list[tuple[str, Decimal]] = field(default_factory=list)
    warehouse_id: int | None = None
    note: str = ""
    photos: list[Any] = field(default_factory=list)


@dataclass
class Recorded:
    encounter: Encounter
    created: bool
    #: what could not be done as asked, for the patrol to see (the encounter itself is stored)
    conflicts: list[str] = field(default_factory=list)


def _existing(client_uuid: uuid.UUID, by: Actor) -> Recorded | None:
    found = Encounter.objects.filter(client_uuid=client_uuid).first()
    if found is None:
        return None
    if found.created_by_id != getattr(by, "pk", None):
        raise SubmissionConflictError()
    return Recorded(found, created=False)


def _resolve_team(by: Actor, team_id: int | None) -> Team | None:
    mine = teams_of(by)
    if team_id is not None:
        for team in mine:
            if team.pk == team_id:
                return team
        if may(by, Capability.PLAN_PATROLS):
            from warmwinter.dispatch.selectors import team_for

            return team_for(by, team_id)
        raise ValidationError({"team_id": _("您不是该分队的队员")})
    return mine[0] if len(mine) == 1 else None


def _person(by: Actor, data: EncounterInput) -> Any:
    from warmwinter.people.selectors import persons_for

    if data.person_id is None:
        return None
    person = persons_for(user=by).filter(pk=data.person_id).first()
    if person is None:
        raise ValidationError({"person_id": _("找不到该人员档案，或不在您的查看范围内")})
    return person


def _items(data: EncounterInput | VisitInput, by: Actor) -> tuple[list[Any], Any]:
    from warmwinter.supplies.models import Item
    from warmwinter.supplies.selectors import mobile_warehouses_for, warehouse_for
    from warmwinter.supplies.services import Line, checked_quantity

    if not data.items:
        return [], None
    if data.warehouse_id is not None:
        try:
            warehouse = warehouse_for(by, data.warehouse_id)
        except Http404:
            raise ValidationError({"warehouse_id": _("找不到该随车物资库")}) from None
    else:
        mine = mobile_warehouses_for(by)
        if not mine:
            raise ValidationError({"items": _("您没有可发放的随车物资库，请联系区物资管理员")})
        warehouse = mine[0]
    codes = {code for code, _q in data.items}
    found = {i.code: i for i in Item.objects.active().filter(code__in=codes)}
    missing = sorted(codes - set(found))
    if missing:
        raise ValidationError({"items": _("物资目录中没有：%(c)s") % {"c": "、".join(missing)}})
    lines = [
        Line(item=found[code], quantity=checked_quantity(found[code], qty, field="items"))
        for code, qty in data.items
    ]
    return lines, warehouse


def _lead(by: Actor, lead_id: int | None) -> Lead | None:
    if lead_id is None:
        return None
    from warmwinter.leads.selectors import lead_for

    try:
        return lead_for(by, lead_id)
    except Http404:
        raise ValidationError({"lead_id": _("找不到该线索，或不在您的查看范围内")}) from None


def _close_lead(encounter: Encounter, *, by: Actor) -> list[str]:
    """Walk the encounter's lead to closed with the encounter's outcome; say so if someone
    else already moved it (the encounter is kept either way)."""
    from warmwinter.leads.lifecycle import lead_accept, lead_arrive, lead_close_by_encounter

    lead = encounter.lead
    assert lead is not None  # noqa: S101 - the caller passes an encounter with a lead
    steps = {
        LeadStatus.DISPATCHED: lead_accept,
        LeadStatus.ACCEPTED: lead_arrive,
    }
    try:
        current = Lead.objects.get(pk=lead.pk)
        while current.status in steps:
            current = steps[LeadStatus(current.status)](lead=current, by=by)
        if current.status != LeadStatus.ON_SCENE:
            return [
                _("线索 %(code)s 当前状态为「%(s)s」，未随本次处置办结")
                % {"code": lead.tracking_code, "s": current.get_status_display()}
            ]
        lead_close_by_encounter(lead=current, by=by, encounter=encounter)
    except (LeadConflictError, PermissionDenied, ValidationError) as exc:
        message = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
        return [_("线索 %(code)s 未办结：%(m)s") % {"code": lead.tracking_code, "m": message}]
    return []


def encounter_record(*, by: Actor, data: EncounterInput) -> Recorded:
    """Store an encounter and everything it sets off. Validation happens first; nothing is
    stored unless all of it passes (except where noted: stock shortfalls and a lead closed by
    someone else are reported as conflicts, since the person was helped either way)."""
    require(by, Capability.RECORD_ENCOUNTERS)
    from warmwinter.people.models import TimelineKind
    from warmwinter.people.services import person_create, timeline_record
    from warmwinter.weather.selectors import current_level

    already = _existing(data.client_uuid, by)
    if already is not None:
        return already
    occurred_at = checked_time(data.occurred_at)
    geo.check_in_shanghai(data.lat, data.lng)
    team = _resolve_team(by, data.team_id)
    district = acting_district(by, team, data.lat, data.lng)
    person = _person(by, data)
    stop = None
    if data.stop_id is not None:
        stop = PatrolStop.objects.select_related("route__team").filter(pk=data.stop_id).first()
        if stop is None:
            raise ValidationError({"stop_id": _("巡查点位不存在")})
        _may_work_stop(by, stop)
    lead = _lead(by, data.lead_id)
    try:
        assessment = rules.Assessment.from_flags(data.flags, data.willingness)
    except ValueError:
        raise ValidationError({"flags": _("评估项无效")}) from None
    level = int(current_level(district))
    advice = rules.advise(assessment, level=level)
    lines, warehouse = _items(data, by)
    categories = {ln.item.category for ln in lines}
    escort_to = None
    if data.escort_to_id is not None:
        escort_to = Place.objects.active().filter(pk=data.escort_to_id).first()
        if escort_to is None:
            raise ValidationError({"escort_to": _("送往的地点不存在")})
    street = None
    if data.household_street_code:
        street = OrgUnit.objects.filter(
            code=data.household_street_code, level=OrgLevel.STREET
        ).first()
        if street is None:
            raise ValidationError({"household_street": _("户籍街道（乡镇）代码不正确")})
    errors = rules.check_choice(
        advice,
        rules.Recorded(
            disposition=data.disposition,
            deviation_reason=data.deviation_reason,
            food_given=bool(categories & FOOD),
            warmth_given=bool(categories & WARMTH),
            help_contact_left=data.help_contact_left,
            escort_members=data.escort_members,
            escort_to=escort_to is not None or bool(data.escort_destination.strip()),
            escort_to_hospital=escort_to is not None and escort_to.kind == PlaceKind.HOSPITAL,
            household_street=street is not None,
        ),
    )
    if errors:
        raise ValidationError(errors)
    if len(data.photos) > MAX_PHOTOS:
        raise ValidationError({"photos": _("最多上传 %(n)d 张照片") % {"n": MAX_PHOTOS}})
    photos = []
    for upload in data.photos:
        try:
            photos.append(clean_photo(upload))
        except ValidationError as exc:
            raise ValidationError({"photos": exc.messages[0]}) from None
    conflicts: list[str] = []
    try:
        with transaction.atomic():
            if person is None:
                person, _warnings = person_create(
                    by=by,
                    org_unit=district,
                    found_place=data.place_name,
                    **dataclasses.asdict(data.new_person),
                )
            encounter = Encounter.objects.create(
                client_uuid=data.client_uuid,
                district=district,
                team=team,
                stop=stop,
                lead=lead,
                person=person,
                occurred_at=occurred_at,
                lat=data.lat,
                lng=data.lng,
                place_name=(data.place_name or (stop.label if stop else ""))[:120],
                flags=assessment.flags,
                willingness=assessment.willingness,
                level=level,
                suggested=advice.disposition,
                disposition=data.disposition,
                deviation_reason=""
                if data.disposition in advice.acceptable
                else data.deviation_reason.strip()[:300],
                help_contact_left=data.help_contact_left,
                escort_members=data.escort_members.strip()[:200],
                escort_to=escort_to,
                escort_destination=data.escort_destination.strip()[:120],
                household_street=street,
                note=data.note.strip()[:2000],
                created_by=by,
                modified_by=by,
            )
            for i, photo in enumerate(photos):
                EncounterPhoto.objects.create(
                    encounter=encounter,
                    image=ContentFile(
                        photo.content, name=f"{encounter.client_uuid}-{i}.{photo.extension}"
                    ),
                )
            conflicts += _give(encounter, lines, warehouse, by=by, person=person)
            if stop is not None:
                PatrolStop.objects.filter(pk=stop.pk).update(
                    result=StopResult.ENCOUNTERED,
                    checked_in_at=stop.checked_in_at or occurred_at,
                    checked_in_by=stop.checked_in_by or by,
                )
            plan = rules.follow_up_plan(assessment, data.disposition, level=level)
            if plan is not None:
                _follow_up_refusal(encounter, plan, by=by)
            if street is not None:
                _refer_to_street(encounter, street, person)
            timeline_record(
                person=person,
                kind=TimelineKind.ENCOUNTER,
                at=occurred_at,
                summary=_("街面处置：%(d)s") % {"d": encounter.get_disposition_display()},
                source=encounter,
                by=by,
                org_unit=district,
                lat=data.lat,
                lng=data.lng,
                place_name=encounter.place_name,
            )
            audit_record(
                actor=by,
                action=AuditAction.CREATE,
                target=encounter,
                detail={
                    "person": person.pk,
                    "suggested": advice.disposition.value,
                    "disposition": data.disposition,
                    "deviated": bool(encounter.deviation_reason),
                    "lead": lead.pk if lead else None,
                },
            )
    except IntegrityError:
        # the same client UUID stored meanwhile by a concurrent replay
        already = _existing(data.client_uuid, by)
        if already is None:
            raise
        return already
    if lead is not None:
        conflicts += _close_lead(encounter, by=by)
    return Recorded(encounter, created=True, conflicts=conflicts)


def _give(
    encounter: Encounter, lines: list[Any], warehouse: Any, *, by: Actor, person: Any
) -> list[str]:
    """Record the items given and post them from the mobile stock. A stock shortfall does not
    undo the encounter (the items were handed over); it is reported and left to correct."""
    from warmwinter.supplies.models import RecipientKind
    from warmwinter.supplies.services import stock_issue

    if not lines:
        return []
    EncounterItem.objects.bulk_create(
        EncounterItem(encounter=encounter, item=ln.item, quantity=ln.quantity, warehouse=warehouse)
        for ln in lines
    )
    try:
        with transaction.atomic():
            stock_issue(
                by=by,
                warehouse=warehouse,
                lines=lines,
                recipient_kind=RecipientKind.PERSON,
                ref_type="encounter",
                ref_id=str(encounter.client_uuid),
                person=person,
                occurred_at=encounter.occurred_at,
            )
    except (ValidationError, PermissionDenied) as exc:
        message = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
        Encounter.objects.filter(pk=encounter.pk).update(
            note=(encounter.note + "\n" if encounter.note else "")
            + _("【物资出库未成功：%(m)s】") % {"m": message}
        )
        return [
            _("物资已登记，但随车库存出库未成功：%(m)s（请通知物资管理员核对）") % {"m": message}
        ]
    return []


def _refer_to_street(encounter: Encounter, street: OrgUnit, person: Any) -> None:
    """本市户籍: ask the household street's district to arrange 托底保障."""
    from warmwinter.accounts.roles import Role
    from warmwinter.notifications.services import notify, recipients_for

    district = street.district or street
    notify(
        recipients=recipients_for(org_unit=district, roles=[Role.DISTRICT_ADMIN]),
        title=_("本市户籍临时遇困人员转介"),
        body=_("%(person)s（户籍：%(street)s）于 %(where)s 被发现，请协调户籍街道落实托底保障")
        % {"person": person.display_name, "street": street.name, "where": encounter.place_name},
        url=encounter.get_absolute_url(),
        urgency="warning",
        source="patrols",
    )


def escort_arrived(
    *, encounter: Encounter, by: Actor, arrived_at: datetime | None, handover_to: str
) -> Encounter:
    """The escort reached its destination and handed the person over."""
    require(by, Capability.RECORD_ENCOUNTERS, within=encounter.district)
    if encounter.disposition not in rules.ESCORTED | rules.GUIDED:
        raise ValidationError(_("该处置没有护送"))
    at = checked_time(arrived_at, field_name="arrived_at")
    if at < encounter.occurred_at:
        raise ValidationError({"arrived_at": _("送达时间不能早于发现时间")})
    if not handover_to.strip():
        raise ValidationError({"handover_to": _("请填写交接人")})
    with transaction.atomic():
        Encounter.objects.filter(pk=encounter.pk).update(
            escort_arrived_at=at, handover_to=handover_to.strip()[:120], modified_by=by
        )
        encounter.refresh_from_db()
        if encounter.disposition == rules.Disposition.HOSPITAL:
            _schedule_hospital_visit(encounter, handed_over=at, by=by)
        audit_record(
            actor=by,
            action=AuditAction.UPDATE,
            target=encounter,
            detail={"escort_arrived_at": at.isoformat(), "handover_to": encounter.handover_to},
        )
    return encounter


# --- follow-ups ---------------------------------------------------------------------------

#: A hospital visit falls due by this hour of its day (visits are made in the daytime).
VISIT_DUE_BY = time(18, 0)


def _follow_up_after(*, district: OrgUnit, vulnerable: bool) -> timedelta:
    """The interval of a refusal's follow-up at the district's level now."""
    from warmwinter.weather.selectors import current_level

    hours = rules.vulnerable_follow_up_hours() if vulnerable else rules.follow_up_hours()
    return timedelta(hours=hours.get(int(current_level(district)), hours[0]))


def _tell_district(*, district: OrgUnit, roles: list[str], title: str, body: str, url: str) -> None:
    from warmwinter.notifications.models import Urgency
    from warmwinter.notifications.services import notify, recipients_for

    notify(
        recipients=recipients_for(org_unit=district, roles=roles),
        title=title,
        body=body,
        url=url,
        urgency=Urgency.WARNING,
        source="patrols",
    )


def _follow_up_refusal(encounter: Encounter, plan: rules.FollowUpPlan, *, by: Actor) -> FollowUp:
    """A refusal, whatever the advice was, puts a follow-up on the team's list; a vulnerable
    person's refusal is told to the district's supervisors and dispatchers at once."""
    from warmwinter.accounts.roles import Role

    follow_up = FollowUp.objects.create(
        encounter=encounter,
        person=encounter.person,
        district=encounter.district,
        team=encounter.team,
        kind=FollowUpKind.REFUSAL,
        vulnerable=plan.vulnerable,
        due_at=encounter.occurred_at + plan.after,
        created_by=by,
    )
    if plan.notify_district:
        labels = dict(rules.ASSESSMENT_FLAGS)
        who = "、".join(str(labels[f]) for f in encounter.flags if f in rules.VULNERABLE_FLAGS)
        _tell_district(
            district=encounter.district,
            roles=[Role.DISTRICT_ADMIN, Role.DISPATCHER],
            title=_("特殊困难人员不愿接受救助"),
            body=_("%(person)s（%(who)s）在 %(where)s 不愿接受救助，须于 %(due)s 前后续跟踪")
            % {
                "person": encounter.person.display_name,
                "who": who,
                "where": encounter.place_name,
                "due": f"{clock.local(follow_up.due_at):%m-%d %H:%M}",
            },
            url=encounter.get_absolute_url(),
        )
    return follow_up


def _schedule_hospital_visit(encounter: Encounter, *, handed_over: datetime, by: Actor) -> None:
    """A person left in a hospital from the street is visited on the outside-care schedule
    (the same rule as a station's discharge to hospital: people/rules.py)."""
    from warmwinter.people import rules as people_rules

    hospital = encounter.escort_to
    if hospital is None or hospital.kind != PlaceKind.HOSPITAL:
        return
    if encounter.follow_ups.filter(kind=FollowUpKind.HOSPITAL_VISIT).exists():
        return
    day = people_rules.next_visit_due(last=clock.local_date(handed_over))
    FollowUp.objects.create(
        encounter=encounter,
        person=encounter.person,
        district=encounter.district,
        team=encounter.team,
        kind=FollowUpKind.HOSPITAL_VISIT,
        place=hospital,
        due_at=clock.at(day, VISIT_DUE_BY),
        created_by=by,
    )


@dataclass
class VisitInput:
    """A follow-up's visit record, as the patrol enters it at the place."""

    found: bool
    state: str = ""
    willingness: str = ""
    note: str = ""
    items: list[tuple[str, Decimal]] = field(default_factory=list)
    warehouse_id: int | None = None
    lat: float | None = None
    lng: float | None = None
    accuracy: float | None = None


def _checked_visit(follow_up: FollowUp, visit: VisitInput) -> int | None:
    """Validate the visit record; returns how far the check-in was from the place (metres)."""
    away: float | None = None
    has_position = visit.lat is not None and visit.lng is not None
    if has_position:
        assert visit.lat is not None and visit.lng is not None  # noqa: S101 - narrowed above
        try:
            geo.check_in_shanghai(visit.lat, visit.lng)
        except geo.OutsideServiceAreaError as exc:
            raise ValidationError({"lat": str(exc)}) from None
        away = geo.distance_m(geo.LatLng(visit.lat, visit.lng), geo.LatLng(*follow_up.where))
    errors = rules.check_visit(
        rules.Visit(
            found=visit.found,
            state=visit.state,
            willingness=visit.willingness,
            note=visit.note,
            has_position=has_position,
            accuracy_m=visit.accuracy,
            away_m=away,
        )
    )
    if visit.items and not visit.found:
        errors["items"] = _("未找到本人，不能登记发放物资")
    if visit.accuracy is not None and not 0 <= visit.accuracy <= 10000:
        errors["accuracy"] = _("定位精度无效")
    if errors:
        raise ValidationError(errors)
    return None if away is None else round(away)


def follow_up_done(
    *,
    follow_up: FollowUp,
    by: Actor,
    visit: VisitInput,
    at: datetime | None = None,
    client_uuid: uuid.UUID | None = None,
) -> tuple[FollowUp, bool]:
    """The follow-up was done, with its visit record: found (state, items, willingness) or not
    found (a GPS check-in at the place and a note). What comes next: someone who still refuses,
    or was not found, is followed up again; a hospital visit falls due again on the outside-care
    schedule; misses in a row are told to the district's dispatchers and the next follow-up
    goes first. A replay of the same `client_uuid` returns what was stored the first time."""
    require(by, Capability.RECORD_ENCOUNTERS, within=follow_up.district)
    from warmwinter.people.models import TimelineKind
    from warmwinter.people.services import timeline_record

    if client_uuid is not None:
        done = FollowUp.objects.filter(done_uuid=client_uuid).first()
        if done is not None:
            if done.pk != follow_up.pk:
                raise SubmissionConflictError()
            return done, False
    at = checked_time(at, field_name="at")
    away = _checked_visit(follow_up, visit)
    lines, warehouse = _items(visit, by)
    with transaction.atomic():
        locked = (
            FollowUp.objects.select_for_update(of=("self",))
            .select_related("encounter", "place", "district", "person")
            .get(pk=follow_up.pk)
        )
        if locked.done_at is not None:
            return locked, False
        locked.done_at, locked.done_by, locked.found = at, by, visit.found
        locked.state = visit.state.strip()[:300] if visit.found else ""
        locked.willingness = visit.willingness if visit.found else ""
        locked.note = visit.note.strip()[:300]
        locked.checkin_lat, locked.checkin_lng = visit.lat, visit.lng
        locked.checkin_accuracy, locked.checkin_away_m = visit.accuracy, away
        locked.done_uuid = client_uuid
        locked.modified_by = by
        locked.full_clean(exclude=["encounter", "person", "district", "team", "place"])
        locked.save()
        _give_on_visit(locked, lines, warehouse, by=by, at=at)
        summary = (
            _("后续跟踪：见到本人。%(state)s") % {"state": locked.state}
            if visit.found
            else _("后续跟踪：未见到本人（已到原地点签到）。")
        )
        timeline_record(
            person=locked.person,
            kind=TimelineKind.FOLLOW_UP,
            at=at,
            summary=summary + locked.note,
            source=locked.encounter,
            by=by,
            org_unit=locked.district,
        )
        following = _next_follow_up(locked, by=by, at=at)
        audit_record(
            actor=by,
            action=AuditAction.UPDATE,
            target=locked,
            detail={
                "done_at": at.isoformat(),
                "found": visit.found,
                "away_m": away,
                "items": [[ln.item.code, str(ln.quantity)] for ln in lines],
                "next": following.pk if following else None,
            },
        )
    return locked, True


def _give_on_visit(
    follow_up: FollowUp, lines: list[Any], warehouse: Any, *, by: Actor, at: datetime
) -> None:
    from warmwinter.supplies.models import RecipientKind
    from warmwinter.supplies.services import stock_issue

    if not lines:
        return
    FollowUpItem.objects.bulk_create(
        FollowUpItem(follow_up=follow_up, item=ln.item, quantity=ln.quantity, warehouse=warehouse)
        for ln in lines
    )
    stock_issue(
        by=by,
        warehouse=warehouse,
        lines=lines,
        recipient_kind=RecipientKind.PERSON,
        ref_type="follow_up",
        ref_id=str(follow_up.pk),
        person=follow_up.person,
        occurred_at=at,
    )


def _next_follow_up(done: FollowUp, *, by: Actor, at: datetime) -> FollowUp | None:
    """The follow-up after `done`, if the person still needs one."""
    from warmwinter.accounts.roles import Role
    from warmwinter.people import rules as people_rules

    misses = 0 if done.found else done.misses + 1
    if done.found and done.kind == FollowUpKind.HOSPITAL_VISIT:
        due = clock.at(people_rules.next_visit_due(last=clock.local_date(at)), VISIT_DUE_BY)
    elif not done.found or done.willingness == rules.Willingness.REFUSES:
        due = at + _follow_up_after(district=done.district, vulnerable=done.vulnerable)
    else:
        return None
    escalate = not done.found and rules.misses_escalate(misses)
    following = FollowUp.objects.create(
        encounter=done.encounter,
        person=done.person,
        district=done.district,
        team=done.team,
        kind=done.kind,
        place=done.place,
        vulnerable=done.vulnerable,
        priority=FollowUpPriority.HIGH if escalate else done.priority,
        misses=misses,
        previous=done,
        due_at=due,
        created_by=by,
    )
    if escalate:
        _tell_district(
            district=done.district,
            roles=[Role.DISPATCHER],
            title=_("后续跟踪连续未找到本人"),
            body=_("%(person)s 已连续 %(n)d 次在 %(where)s 未找到，下一次跟踪已加急（%(due)s 前）")
            % {
                "person": done.person.display_name,
                "n": misses,
                "where": done.place_label,
                "due": f"{clock.local(due):%m-%d %H:%M}",
            },
            url=done.encounter.get_absolute_url(),
        )
        audit_record(
            actor=by,
            action=AuditAction.UPDATE,
            target=following,
            detail={"priority": FollowUpPriority.HIGH.value, "misses": misses},
        )
    return following


def escalate_overdue_follow_ups(*, now: datetime | None = None) -> int:
    """Overdue follow-ups go to the district's supervisors, then the city, like leads."""
    now = now or timezone.now()
    steps = 0
    pending = FollowUp.objects.filter(done_at__isnull=True, due_at__lt=now, escalation_level__lt=2)
    for pk in pending.values_list("pk", flat=True):
        with transaction.atomic():
            follow_up = (
                FollowUp.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("district", "person")
                .filter(pk=pk, done_at__isnull=True)
                .first()
            )
            if follow_up is None:
                continue
            hours = int((now - follow_up.due_at).total_seconds() // 3600)
            level = escalate_step(
                level=follow_up.escalation_level,
                due_at=follow_up.due_at,
                now=now,
                district=follow_up.district,
                title=_("后续跟踪超时督办"),
                body=_("%(person)s 的后续跟踪已超时 %(h)d 小时（%(district)s）")
                % {
                    "person": follow_up.person.display_name,
                    "h": hours,
                    "district": follow_up.district.name,
                },
                url=follow_up.encounter.get_absolute_url(),
                source="patrols",
            )
            if level != follow_up.escalation_level:
                follow_up.escalation_level = level
                follow_up.save(update_fields=["escalation_level", "modified_at"])
                steps += 1
    return steps
