"""Writes of the station: admit, assign a bed, extend a stay, discharge, visit, decide to
refuse or end aid, night rounds, long-stay placement steps."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from warmwinter.accounts.models import User
from warmwinter.accounts.permissions import Actor, require
from warmwinter.accounts.roles import Capability
from warmwinter.audit.models import AuditAction
from warmwinter.audit.services import audit_record
from warmwinter.core import clock, shifts
from warmwinter.core.validation import validate
from warmwinter.people.models import Person, TimelineKind
from warmwinter.people.services import person_create, timeline_record
from warmwinter.places.models import OrgLevel, OrgUnit, Place, PlaceKind
from warmwinter.stations import rules
from warmwinter.stations.models import (
    DECISION_REASONS,
    VISITED_DISCHARGES,
    Admission,
    AdmissionStatus,
    AidDecision,
    AidDecisionKind,
    Bed,
    BedAssignment,
    BroughtBy,
    DischargeReason,
    Disinfection,
    DistressCategory,
    DutyShift,
    HealthCheck,
    NightRound,
    PlacementStep,
    PlacementStepKind,
    SecurityItem,
    ServiceCase,
    ServiceKind,
    ServiceStatus,
    ServiceStep,
    StayExtension,
    Visit,
    Zone,
)

#: What staff type at admission and at discharge: checked as the model declares it (length,
#: temperature, visit period) before anything is written.
_ADMISSION_TYPED = ("escort_note", "held_items", "held_items_seal", "temperature", "injuries")
_DISCHARGE_TYPED = ("discharge_destination", "discharge_note", "visit_every_days")


def zone_create(*, by: Actor, station: OrgUnit, kind: str, name: str) -> Zone:
    require(by, Capability.MANAGE_STATIONS, within=station)
    if station.level != OrgLevel.STATION:
        raise ValidationError({"station": _("只有救助管理站可以设置分区")})
    zone = Zone(station=station, kind=kind, name=name, created_by=by, modified_by=by)
    zone.full_clean()
    with transaction.atomic():
        zone.save()
        audit_record(actor=by, action=AuditAction.CREATE, target=zone)
    return zone


def beds_add(*, by: Actor, zone: Zone, labels: list[str]) -> list[Bed]:
    require(by, Capability.MANAGE_STATIONS, within=zone.station)
    with transaction.atomic():
        beds = [Bed.objects.get_or_create(zone=zone, label=label)[0] for label in labels]
        audit_record(
            actor=by, action=AuditAction.UPDATE, target=zone, detail={"beds_added": labels}
        )
    return beds


@transaction.atomic
def admission_create(
    *,
    by: Actor,
    station: OrgUnit,
    brought_by: str,
    category: str,
    person: Person | None = None,
    new_person: dict[str, Any] | None = None,
    escort_note: str = "",
    security_checks: list[str] | None = None,
    held_items: str = "",
    held_items_seal: str = "",
    held_items_signed: bool = False,
    temperature: Decimal | None = None,
    injuries: str = "",
    symptoms: list[str] | None = None,
    mental_signs: list[str] | None = None,
    admitted_at: datetime | None = None,
    shelter: Place | None = None,
    encounter: Any = None,
) -> Admission:
    """入站: open a stay for `person`, or for a new file built from `new_person` (先行救助: an
    empty dict files an unknown person). `by` is the first receiver (首接责任人).

    With `shelter` the stay is in that temporary shelter and `station` is the unit running it
    (the shelter's own org unit); the shelter's row is locked while its capacity is checked.

    With `encounter` (a patrol's escort to this station) the person is the one the patrol met,
    and the escort is recorded as arrived and handed over to `by`."""
    require(by, Capability.MANAGE_STATIONS, within=station)
    errors: dict[str, str] = {}
    if shelter is not None:
        shelter = Place.objects.select_for_update().get(pk=shelter.pk)
        if shelter.kind != PlaceKind.TEMP_SHELTER or shelter.archived_at is not None:
            errors["station"] = _("该地点不是在用的临时救助场所")
        elif shelter.org_unit_id != station.pk:
            errors["station"] = _("临时救助场所须由其所属单位办理入站")
        elif shelter.capacity is not None and (
            Admission.objects.filter(shelter=shelter, status=AdmissionStatus.IN_STATION).count()
            >= shelter.capacity
        ):
            errors["station"] = _(
                "临时救助场所已满（容量 %(n)s 人），请转送救助管理站或其他临时救助场所"
            ) % {"n": shelter.capacity}
    elif station.level != OrgLevel.STATION:
        errors["station"] = _("只有救助管理站可以办理入站")
    if brought_by not in BroughtBy.values:
        errors["brought_by"] = _("来站方式无效")
    if category not in DistressCategory.values:
        errors["category"] = _("求助类别无效")
    checks = list(dict.fromkeys(security_checks or []))
    if any(c not in SecurityItem.values for c in checks):
        errors["security_checks"] = _("安检项目无效")
    symptoms = list(dict.fromkeys(symptoms or []))
    if any(s not in rules.Symptom.values for s in symptoms):
        errors["symptoms"] = _("症状无效")
    mental_signs = list(dict.fromkeys(mental_signs or []))
    if any(s not in rules.MentalSign.values for s in mental_signs):
        errors["mental_signs"] = _("精神状况表现无效")
    if held_items.strip() and not held_items_seal.strip():
        errors["held_items_seal"] = _("代保管物品须封存并填写封存编号")
    if encounter is not None:
        if person is not None and person.pk != encounter.person_id:
            errors["person"] = _("护送来站的人员与所选档案不一致")
        person, new_person = encounter.person, None
    if (person is None) == (new_person is None):
        errors["person"] = _("请选择已有档案或新建档案（二选一）")
    admission = Admission(
        station=station,
        shelter=shelter,
        brought_by=brought_by,
        escort_note=escort_note.strip(),
        encounter=encounter,
        category=category,
        first_receiver=by,
        security_checks=checks,
        held_items=held_items.strip(),
        held_items_seal=held_items_seal.strip(),
        held_items_signed=held_items_signed,
        temperature=temperature,
        injuries=injuries.strip(),
        symptoms=symptoms,
        mental_signs=mental_signs,
        created_by=by,
        modified_by=by,
    )
    validate(admission, fields=_ADMISSION_TYPED, errors=errors)
    now = admitted_at or timezone.now()
    if person is None:
        person, _warnings = person_create(by=by, org_unit=station, **(new_person or {}))
        while person.merged_into_id is not None:
            person = Person.objects.get(pk=person.merged_into_id)
    if Admission.objects.filter(person=person, status=AdmissionStatus.IN_STATION).exists():
        raise ValidationError({"person": _("此人目前已在站，不能重复入站")})
    verdict = rules.classify(
        sex=person.sex,
        age=rules.age_on(
            birth_date=person.birth_date, birth_year=person.birth_year, day=clock.local_date(now)
        ),
        temperature=temperature,
        symptoms=symptoms,
        injuries=injuries,
        mental_signs=mental_signs,
    )
    admission.person = person
    admission.admitted_at = now
    admission.zone_kind = verdict.zone_kind
    admission.hospital_suggested = verdict.send_to_hospital
    admission.classification_reasons = verdict.reasons
    admission.stay_until = rules.stay_until(clock.local_date(now), shelter=shelter is not None)
    admission.save(force_insert=True)
    audit_record(actor=by, action=AuditAction.CREATE, target=admission)
    if encounter is not None and encounter.escort_arrived_at is None:
        type(encounter).objects.filter(pk=encounter.pk).update(
            escort_arrived_at=now, handover_to=(by.display_name or by.username)[:120]
        )
    timeline_record(
        person=person,
        kind=TimelineKind.ADMISSION,
        at=now,
        summary=_("入站：%(station)s（%(category)s）")
        % {"station": admission.site_name, "category": admission.get_category_display()},
        source=admission,
        by=by,
        org_unit=station,
    )
    return admission


def bed_assign(*, by: Actor, admission: Admission, bed: Bed) -> BedAssignment:
    """Put the person of `admission` in `bed`, moving them out of any bed they had. The bed row
    is locked first, so two workers giving away the last bed cannot both succeed; the partial
    unique index on open assignments is the last line of defence."""
    require(by, Capability.MANAGE_STATIONS, within=admission.station)
    try:
        with transaction.atomic():
            bed = Bed.objects.select_for_update().select_related("zone").get(pk=bed.pk)
            admission = Admission.objects.select_for_update().get(pk=admission.pk)
            if admission.status != AdmissionStatus.IN_STATION:
                raise ValidationError({"bed": _("此人已离站，不能安排床位")})
            if admission.shelter_id is not None:
                raise ValidationError({"bed": _("临时救助场所不设床位管理")})
            if bed.zone.station_id != admission.station_id:
                raise ValidationError({"bed": _("只能安排本站的床位")})
            if not bed.in_service:
                raise ValidationError({"bed": _("该床位暂停使用")})
            occupant = (
                BedAssignment.objects.filter(bed=bed, ended_at__isnull=True)
                .select_related("admission__person")
                .first()
            )
            if occupant is not None:
                if occupant.admission_id == admission.pk:
                    return occupant
                raise ValidationError(
                    {
                        "bed": _("床位 %(bed)s 已被其他工作人员安排给 %(name)s，请另选床位")
                        % {"bed": bed, "name": occupant.admission.person.display_name}
                    }
                )
            now = timezone.now()
            BedAssignment.objects.filter(admission=admission, ended_at__isnull=True).update(
                ended_at=now
            )
            assignment = BedAssignment.objects.create(admission=admission, bed=bed, by=by)
            audit_record(
                actor=by, action=AuditAction.UPDATE, target=admission, detail={"bed": str(bed)}
            )
    except IntegrityError:
        raise ValidationError(
            {"bed": _("床位 %(bed)s 刚刚被安排给他人，请另选床位") % {"bed": bed}}
        ) from None
    return assignment


@transaction.atomic
def stay_extend(*, by: Actor, admission: Admission, until: date, reason: str) -> StayExtension:
    """延长在站期限: a reason, approved by the station leader."""
    require(by, Capability.APPROVE_STAY_EXTENSIONS, within=admission.station)
    admission = Admission.objects.select_for_update().get(pk=admission.pk)
    if admission.status != AdmissionStatus.IN_STATION:
        raise ValidationError({"until": _("此人已离站")})
    if not reason.strip():
        raise ValidationError({"reason": _("延长在站期限须说明理由")})
    if until <= admission.stay_until:
        raise ValidationError({"until": _("延长后的期限须晚于现有期限")})
    extension = StayExtension.objects.create(
        admission=admission,
        previous_until=admission.stay_until,
        until=until,
        reason=reason.strip(),
        approved_by=by,
    )
    admission.stay_until = until
    admission.modified_by = by
    admission.save(update_fields=["stay_until", "modified_by", "modified_at"])
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        target=admission,
        detail={"stay_until": until.isoformat(), "reason": reason.strip()},
    )
    return extension


@transaction.atomic
def discharge(
    *,
    by: Actor,
    admission: Admission,
    reason: str,
    destination: str = "",
    note: str = "",
    visit_every_days: int | None = None,
) -> Admission:
    """离站. Hospital and outside care (站外托养) start a visit schedule (default monthly)."""
    require(by, Capability.MANAGE_STATIONS, within=admission.station)
    admission = Admission.objects.select_for_update().get(pk=admission.pk)
    if admission.status != AdmissionStatus.IN_STATION:
        raise ValidationError({"reason": _("此人已离站")})
    if reason not in DischargeReason.values:
        raise ValidationError({"reason": _("离站原因无效")})
    if (
        reason == DischargeReason.TERMINATED
        and not AidDecision.objects.filter(admission=admission).exists()
    ):
        raise ValidationError({"reason": _("终止救助须由带班领导作出决定（终止救助通知书）")})
    if reason in VISITED_DISCHARGES and not destination.strip():
        raise ValidationError({"destination": _("送医或站外托养须填写医院或托养机构")})
    admission.discharge_destination = destination.strip()
    admission.discharge_note = note.strip()
    every_days = rules.visit_every_days() if visit_every_days is None else visit_every_days
    if reason in VISITED_DISCHARGES:
        admission.visit_every_days = every_days
    validate(admission, fields=_DISCHARGE_TYPED)
    now = timezone.now()
    BedAssignment.objects.filter(admission=admission, ended_at__isnull=True).update(ended_at=now)
    admission.status = AdmissionStatus.DISCHARGED
    admission.discharged_at = now
    admission.discharge_reason = reason
    admission.discharged_by = by
    admission.modified_by = by
    if reason in VISITED_DISCHARGES:
        admission.next_visit_due = rules.next_visit_due(
            last=clock.local_date(now), every_days=every_days
        )
    admission.save()
    audit_record(
        actor=by, action=AuditAction.UPDATE, target=admission, detail={"discharge": reason}
    )
    timeline_record(
        person=admission.person,
        kind=TimelineKind.DISCHARGE,
        at=now,
        summary=_("离站：%(reason)s %(dest)s")
        % {
            "reason": admission.get_discharge_reason_display(),
            "dest": admission.discharge_destination,
        },
        source=admission,
        by=by,
        org_unit=admission.station,
    )
    return admission


@transaction.atomic
def visit_record(
    *,
    by: Actor,
    admission: Admission,
    physical_state: str,
    mental_state: str,
    note: str = "",
    visited_at: datetime | None = None,
) -> Visit:
    """走访 in person; the next visit falls one period after this one."""
    require(by, Capability.MANAGE_STATIONS, within=admission.station)
    admission = Admission.objects.select_for_update().get(pk=admission.pk)
    if admission.visit_every_days is None:
        raise ValidationError({"physical_state": _("此人不在走访名单中")})
    errors = {}
    if not physical_state.strip():
        errors["physical_state"] = _("请填写当面了解到的身体状况")
    if not mental_state.strip():
        errors["mental_state"] = _("请填写当面了解到的精神状况")
    if errors:
        raise ValidationError(errors)
    at = visited_at or timezone.now()
    visit = Visit.objects.create(
        admission=admission,
        visited_at=at,
        physical_state=physical_state.strip(),
        mental_state=mental_state.strip(),
        note=note.strip(),
        by=by,
    )
    admission.next_visit_due = rules.next_visit_due(
        last=clock.local_date(at), every_days=admission.visit_every_days
    )
    admission.save(update_fields=["next_visit_due", "modified_at"])
    audit_record(actor=by, action=AuditAction.CREATE, target=visit)
    timeline_record(
        person=admission.person,
        kind=TimelineKind.VISIT,
        at=at,
        summary=_("走访：%(p)s；%(m)s") % {"p": visit.physical_state, "m": visit.mental_state},
        source=admission,
        by=by,
        org_unit=admission.station,
    )
    return visit


@transaction.atomic
def service_open(
    *,
    by: Actor,
    admission: Admission,
    kind: str,
    owner: Any = None,
    destination: str = "",
    transport: str = "",
    escort: str = "",
    handover_to: str = "",
) -> ServiceCase:
    require(by, Capability.MANAGE_STATIONS, within=admission.station)
    owner = owner or by
    errors: dict[str, str] = {}
    if kind not in ServiceKind.values:
        errors["kind"] = _("服务类型无效")
    if admission.status != AdmissionStatus.IN_STATION:
        errors["kind"] = _("此人已离站")
    if admission.shelter_id is not None:
        errors["kind"] = _("临时救助场所不办理在站服务，请转送救助管理站")
    if owner.org_unit_id != admission.station_id and owner != by:
        errors["owner"] = _("责任人须为本站工作人员")
    if (
        kind in (ServiceKind.ASSISTED_RETURN, ServiceKind.RESIDENT_REFERRAL)
        and not destination.strip()
    ):
        errors["destination"] = _("协助返回或转介须填写目的地或户籍街镇")
    if errors:
        raise ValidationError(errors)
    case = ServiceCase.objects.create(
        admission=admission,
        kind=kind,
        owner=owner,
        destination=destination.strip(),
        transport=transport.strip(),
        escort=escort.strip(),
        handover_to=handover_to.strip(),
        created_by=by,
        modified_by=by,
    )
    audit_record(actor=by, action=AuditAction.CREATE, target=case)
    return case


@transaction.atomic
def service_step(*, by: Actor, case: ServiceCase, note: str, **details: str) -> ServiceStep:
    """A step of a service; `details` may update transport, escort, handover_to, destination."""
    require(by, Capability.MANAGE_STATIONS, within=case.admission.station)
    case = ServiceCase.objects.select_for_update().get(pk=case.pk)
    if case.status != ServiceStatus.OPEN:
        raise ValidationError({"note": _("该服务已结束")})
    if not note.strip():
        raise ValidationError({"note": _("请填写进展")})
    changed = []
    for key in ("destination", "transport", "escort", "handover_to"):
        if details.get(key, "").strip():
            setattr(case, key, details[key].strip())
            changed.append(key)
    if changed:
        case.modified_by = by
        case.save()
    step = ServiceStep.objects.create(case=case, note=note.strip(), by=by)
    audit_record(actor=by, action=AuditAction.UPDATE, target=case, detail={"step": step.pk})
    return step


@transaction.atomic
def service_close(*, by: Actor, case: ServiceCase, outcome: str, done: bool = True) -> ServiceCase:
    require(by, Capability.MANAGE_STATIONS, within=case.admission.station)
    case = (
        ServiceCase.objects.select_for_update().select_related("admission__person").get(pk=case.pk)
    )
    if case.status != ServiceStatus.OPEN:
        raise ValidationError({"outcome": _("该服务已结束")})
    if not outcome.strip():
        raise ValidationError({"outcome": _("请填写服务结果")})
    if (
        done
        and case.kind == ServiceKind.ASSISTED_RETURN
        and not (case.transport and case.handover_to)
    ):
        raise ValidationError({"outcome": _("协助返回须记录车票或交通方式以及交接对象后才能完成")})
    case.status = ServiceStatus.DONE if done else ServiceStatus.CANCELLED
    case.outcome = outcome.strip()
    case.closed_at = timezone.now()
    case.modified_by = by
    case.save()
    audit_record(actor=by, action=AuditAction.UPDATE, target=case, detail={"status": case.status})
    timeline_record(
        person=case.admission.person,
        kind=TimelineKind.SERVICE,
        at=case.closed_at,
        summary=_("%(kind)s：%(outcome)s")
        % {"kind": case.get_kind_display(), "outcome": case.outcome},
        source=case.admission,
        by=by,
        org_unit=case.admission.station,
    )
    return case


@transaction.atomic
def health_check_record(
    *,
    by: Actor,
    admission: Admission,
    temperature: Decimal,
    note: str = "",
    day: date | None = None,
) -> HealthCheck:
    """健康监测 for today (or `day`); a second entry the same day corrects the first."""
    require(by, Capability.MANAGE_STATIONS, within=admission.station)
    if admission.status != AdmissionStatus.IN_STATION:
        raise ValidationError({"temperature": _("此人已离站")})
    # the entry as it will be written, checked before the row is locked and written
    validate(
        HealthCheck(temperature=temperature, note=note.strip()), fields=("temperature", "note")
    )
    check, _created = HealthCheck.objects.update_or_create(
        admission=admission,
        day=day or clock.local_date(),
        defaults={
            "temperature": temperature,
            "note": note.strip(),
            "abnormal": rules.health_abnormal(temperature=temperature),
            "by": by,
            "recorded_at": timezone.now(),
        },
    )
    audit_record(actor=by, action=AuditAction.CREATE, target=check)
    return check


@transaction.atomic
def disinfection_record(
    *, by: Actor, zone: Zone, note: str = "", day: date | None = None
) -> Disinfection:
    require(by, Capability.MANAGE_STATIONS, within=zone.station)
    entry, _created = Disinfection.objects.update_or_create(
        zone=zone, day=day or clock.local_date(), defaults={"note": note.strip(), "by": by}
    )
    audit_record(actor=by, action=AuditAction.CREATE, target=entry)
    return entry


def _lock_staff_member(user: Any) -> None:
    """Lock the staff member's row: one person's duty shifts are added one writer at a time, so
    two colleagues cannot both put them on duty at the same hours. FOR NO KEY UPDATE, so that
    rows which only refer to the user (their audit events) are not held up. Caller is in a
    transaction."""
    User.objects.select_for_update(no_key=True).filter(pk=user.pk).values_list("pk").get()


@transaction.atomic
def duty_shift_add(
    *,
    by: Actor,
    station: OrgUnit,
    user: User,
    starts_at: datetime,
    ends_at: datetime,
    is_leader: bool = False,
) -> DutyShift:
    """Put a staff member of `station` on duty (值班) from `starts_at` to `ends_at`: the shift
    rules of `core/shifts.py` (at most 24 h; never the same person twice at once), the leader
    on duty only a leader."""
    require(by, Capability.MANAGE_STATIONS, within=station)
    # A station's roster also records duty afterwards: no `now`, so past shifts are accepted.
    errors = shifts.shift_errors(starts_at, ends_at)
    if user.org_unit_id != station.pk:
        errors["user"] = _("值班人员须为本站工作人员")
    if is_leader and not user.can(Capability.APPROVE_STAY_EXTENSIONS):
        errors["is_leader"] = _("只有带班领导可以带班")
    if errors:
        raise ValidationError(errors)
    _lock_staff_member(user)
    # One person cannot be on duty twice at once; two colleagues overlapping is how 24-hour
    # cover with a leader on the day shift works, so only the same person's shifts count.
    shifts.refuse_overlap(DutyShift.objects.filter(user=user), starts_at, ends_at, who=str(user))
    shift = DutyShift.objects.create(
        station=station,
        user=user,
        starts_at=starts_at,
        ends_at=ends_at,
        is_leader=is_leader,
        created_by=by,
        modified_by=by,
    )
    audit_record(actor=by, action=AuditAction.CREATE, target=shift)
    return shift


def _decision_checks(kind: str, reason: str, detail: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if reason not in DECISION_REASONS[AidDecisionKind(kind)]:
        errors["reason"] = _("该理由不适用于此类决定")
    if not detail.strip():
        errors["detail"] = _("请写明认定的事实和理由")
    return errors


@transaction.atomic
def aid_refuse(
    *,
    by: Actor,
    station: OrgUnit,
    reason: str,
    detail: str,
    person: Person | None = None,
    new_person: dict[str, Any] | None = None,
) -> AidDecision:
    """不予救助: a person who asked for help is, after questioning (询问甄别), not eligible.
    Decided by the station leader; the person's file records it."""
    require(by, Capability.APPROVE_STAY_EXTENSIONS, within=station)
    errors = _decision_checks(AidDecisionKind.REFUSE, reason, detail)
    if station.level != OrgLevel.STATION:
        errors["reason"] = _("只有救助管理站可以作出不予救助决定")
    if (person is None) == (new_person is None):
        errors["person"] = _("请选择已有档案或新建档案（二选一）")
    if errors:
        raise ValidationError(errors)
    if person is None:
        person, _warnings = person_create(by=by, org_unit=station, **(new_person or {}))
        while person.merged_into_id is not None:
            person = Person.objects.get(pk=person.merged_into_id)
    if Admission.objects.filter(person=person, status=AdmissionStatus.IN_STATION).exists():
        raise ValidationError({"person": _("此人目前在站，应办理离站或终止救助")})
    decision = AidDecision.objects.create(
        kind=AidDecisionKind.REFUSE,
        station=station,
        person=person,
        reason=reason,
        detail=detail.strip(),
        decided_by=by,
    )
    audit_record(actor=by, action=AuditAction.CREATE, target=decision, detail={"reason": reason})
    timeline_record(
        person=person,
        kind=TimelineKind.FILE,
        at=decision.decided_at,
        summary=_("不予救助：%(reason)s") % {"reason": decision.get_reason_display()},
        source=decision,
        by=by,
        org_unit=station,
    )
    return decision


@transaction.atomic
def aid_terminate(*, by: Actor, admission: Admission, reason: str, detail: str) -> AidDecision:
    """终止救助: the stay ends because of the person's conduct; decided by the station leader.
    The person is discharged (离站原因「终止救助」) in the same transaction. Minors and people
    under mental-health observation are never left on their own (see rules)."""
    require(by, Capability.APPROVE_STAY_EXTENSIONS, within=admission.station)
    admission = Admission.objects.select_for_update().select_related("person").get(pk=admission.pk)
    errors = _decision_checks(AidDecisionKind.TERMINATE, reason, detail)
    if admission.status != AdmissionStatus.IN_STATION:
        errors["reason"] = _("此人已离站")
    else:
        person = admission.person
        barred = rules.termination_barred(
            age=rules.age_on(
                birth_date=person.birth_date,
                birth_year=person.birth_year,
                day=clock.local_date(),
            ),
            zone_kind=admission.zone_kind,
        )
        if barred:
            errors["reason"] = barred
    if errors:
        raise ValidationError(errors)
    decision = AidDecision.objects.create(
        kind=AidDecisionKind.TERMINATE,
        station=admission.station,
        person=admission.person,
        admission=admission,
        reason=reason,
        detail=detail.strip(),
        decided_by=by,
    )
    audit_record(actor=by, action=AuditAction.CREATE, target=decision, detail={"reason": reason})
    discharge(
        by=by,
        admission=admission,
        reason=DischargeReason.TERMINATED,
        note=f"{decision.get_reason_display()}：{decision.detail}",
    )
    return decision


@transaction.atomic
def night_round_record(
    *, by: Actor, station: OrgUnit, note: str = "", issues: str = "", at: datetime | None = None
) -> NightRound:
    """值班巡查 now (or at `at`, not in the future)."""
    require(by, Capability.MANAGE_STATIONS, within=station)
    now = timezone.now()
    at = at or now
    if at > now + timedelta(minutes=5):
        raise ValidationError({"at": _("巡查时间不能晚于现在")})
    if at < now - timedelta(days=2):
        raise ValidationError({"at": _("只能补记两天内的巡查")})
    entry = NightRound.objects.create(
        station=station, at=at, note=note.strip(), issues=issues.strip(), by=by
    )
    audit_record(actor=by, action=AuditAction.CREATE, target=entry)
    return entry


@transaction.atomic
def placement_step_record(
    *, by: Actor, admission: Admission, kind: str, done_on: date | None = None, note: str = ""
) -> PlacementStep:
    """A step of a long-stay person's placement (长期滞留人员安置); recording it again corrects
    the date and note."""
    require(by, Capability.MANAGE_STATIONS, within=admission.station)
    if kind not in PlacementStepKind.values:
        raise ValidationError({"kind": _("安置步骤无效")})
    if admission.status != AdmissionStatus.IN_STATION:
        raise ValidationError({"kind": _("此人已离站")})
    done_on = done_on or clock.local_date()
    if done_on > clock.local_date():
        raise ValidationError({"done_on": _("完成日期不能晚于今天")})
    step, _created = PlacementStep.objects.update_or_create(
        admission=admission,
        kind=kind,
        defaults={
            "done_on": done_on,
            "note": note.strip(),
            "by": by,
            "recorded_at": timezone.now(),
        },
    )
    audit_record(actor=by, action=AuditAction.UPDATE, target=admission, detail={"placement": kind})
    timeline_record(
        person=admission.person,
        kind=TimelineKind.TRACING,
        at=timezone.now(),
        summary=_("长期滞留安置：%(step)s") % {"step": step.get_kind_display()},
        source=admission,
        by=by,
        org_unit=admission.station,
    )
    return step
