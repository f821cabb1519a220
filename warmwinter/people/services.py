"""Writes to person files. Every change is audited in the same transaction.

`timeline_record(...)` is the one entry point other apps (leads, encounters, admissions,
supplies, tracing) use to put an event on a person's timeline.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from warmwinter.accounts.permissions import Actor, require
from warmwinter.accounts.roles import Capability
from warmwinter.audit.models import AuditAction
from warmwinter.audit.services import audit_record
from warmwinter.core import clock, rulebook
from warmwinter.core.validation import refusal, validate
from warmwinter.people import idnumbers, linkage, names
from warmwinter.people.inquiry_matching import match_open_inquiries
from warmwinter.people.models import (
    FocusGroup,
    IdentityStatus,
    LinkReview,
    LinkStatus,
    NoticeStatus,
    Person,
    PersonFocus,
    PersonMerge,
    PersonNameKey,
    RiskFlag,
    Sex,
    TimelineEntry,
    TimelineKind,
    TracingNotice,
)
from warmwinter.people.validators import AGE_ESTIMATE
from warmwinter.places.models import OrgUnit

_IDENTITY_FIELDS = (
    "name",
    "aliases",
    "sex",
    "birth_date",
    "birth_year",
    "birth_year_estimated",
    "id_number",
    "household_registration",
    "native_place",
    "dialect",
    "phone",
    "height_cm",
    "build",
    "features",
    "identity_status",
    "risk_flags",
    "notes",
)


def _apply_identity(person: Person, data: dict[str, Any], *, today: date) -> list[str]:
    """Validate and copy identity fields onto `person`: the rules of identity here, the bounds
    of each field as the model declares them. Returns warnings; raises ValidationError
    (field → message) and changes nothing the caller will save."""
    errors: dict[str, str] = {}
    for key in ("name", "aliases", "household_registration", "native_place", "dialect", "phone"):
        if key in data:
            setattr(person, key, (data[key] or "").strip())
    for key in ("build", "features", "notes"):
        if key in data:
            setattr(person, key, data[key] or "")
    if "height_cm" in data:
        person.height_cm = data["height_cm"]
    if "sex" in data:
        person.sex = data["sex"] or Sex.UNKNOWN
        if person.sex not in Sex.values:
            errors["sex"] = _("性别只能是男、女或不详")
    if "birth_date" in data:
        person.birth_date = data["birth_date"]
        if person.birth_date is not None:
            if person.birth_date > today or person.birth_date.year < 1900:
                errors["birth_date"] = _("出生日期不可能")
            person.birth_year = person.birth_date.year
            person.birth_year_estimated = False
    if data.get("age_estimate") is not None and person.birth_date is None:
        age = int(data["age_estimate"])
        refused = refusal(AGE_ESTIMATE, age)
        if refused is not None:
            errors["age_estimate"] = refused
        else:
            person.birth_year = today.year - age
            person.birth_year_estimated = True
    elif "birth_year" in data and person.birth_date is None:
        person.birth_year = data["birth_year"]
        person.birth_year_estimated = bool(data.get("birth_year_estimated", True))
        # the field's bounds are the model's; a year still to come is refused here
        if person.birth_year is not None and person.birth_year > today.year:
            errors["birth_year"] = _("出生年份不可能")
    if "risk_flags" in data:
        flags = list(dict.fromkeys(data["risk_flags"] or []))
        unknown = [f for f in flags if f not in RiskFlag.values]
        if unknown:
            errors["risk_flags"] = _("未知的风险标识：%(f)s") % {"f": "、".join(unknown)}
        person.risk_flags = flags
    if "identity_status" in data and data["identity_status"]:
        person.identity_status = data["identity_status"]
    warnings: list[str] = []
    if "id_number" in data:
        raw = (data["id_number"] or "").strip()
        if not raw:
            person.id_number = person.id_number_digest = person.id_number_masked = ""
        else:
            try:
                parsed = idnumbers.parse_id_number(raw, today=today)
            except ValidationError as exc:
                errors["id_number"] = exc.messages[0]
            else:
                explicit_birth = data.get("birth_date") if "birth_date" in data else None
                conflicts = idnumbers.conflicts_with_file(
                    parsed,
                    sex=person.sex,
                    birth_date=explicit_birth or person.birth_date,
                    birth_year=None if explicit_birth or person.birth_date else person.birth_year,
                )
                errors.update(conflicts)
                warnings.extend(parsed.warnings)
                person.id_number = parsed.number
                person.id_number_digest = idnumbers.digest(parsed.number)
                person.id_number_masked = idnumbers.mask(parsed.number)
                person.birth_date = parsed.birth_date
                person.birth_year = parsed.birth_date.year
                person.birth_year_estimated = False
                person.sex = Sex.MALE if parsed.is_male else Sex.FEMALE
                if not person.native_place and parsed.native_place:
                    person.native_place = parsed.native_place
                if person.identity_status == IdentityStatus.UNKNOWN:
                    person.identity_status = IdentityStatus.CLAIMED
    if person.identity_status not in IdentityStatus.values:
        errors["identity_status"] = _("身份状态无效")
    typed = [f for f in _IDENTITY_FIELDS if f in data and f not in errors]
    if "birth_date" in errors:  # the year was taken from that date
        typed = [f for f in typed if f != "birth_year"]
    validate(person, fields=typed, errors=errors)
    return warnings


def _rebuild_name_keys(person: Person) -> None:
    PersonNameKey.objects.filter(person=person).delete()
    keys = names.stored_keys(person.name, names.split_aliases(person.aliases))
    PersonNameKey.objects.bulk_create(
        PersonNameKey(person=person, key=k[:80], birth_year=person.birth_year) for k in keys
    )


def _set_focus(person: Person, groups: list[str]) -> None:
    unknown = [g for g in groups if g not in FocusGroup.values]
    if unknown:
        raise ValidationError(
            {"focus_groups": _("未知的重点人群：%(g)s") % {"g": "、".join(unknown)}}
        )
    PersonFocus.objects.filter(person=person).exclude(group__in=groups).delete()
    have = set(PersonFocus.objects.filter(person=person).values_list("group", flat=True))
    PersonFocus.objects.bulk_create(
        PersonFocus(person=person, group=g) for g in groups if g not in have
    )


@transaction.atomic
def person_create(
    *,
    by: Actor,
    org_unit: OrgUnit,
    focus_groups: list[str] | None = None,
    found_place: str = "",
    **data: Any,
) -> tuple[Person, list[str]]:
    """Open a file held by `org_unit`, a unit within the user's own (先行救助: nothing but the
    unit is required). Returns the file and warnings.

    A file whose ID number matches another file's is linked to it at once (the older file
    survives; the returned file then has `merged_into` set); other likely matches go to the
    review queue. An unidentified person gets a draft search notice due within 24 hours."""
    require(by, Capability.MANAGE_PEOPLE, within=org_unit)
    now = timezone.now()
    person = Person(org_unit=org_unit, created_by=by, modified_by=by)
    warnings = _apply_identity(person, data, today=clock.local_date())
    person.save()
    _rebuild_name_keys(person)
    _set_focus(person, list(dict.fromkeys(focus_groups or [])))
    audit_record(
        actor=by, action=AuditAction.CREATE, target=person, detail={"fields": sorted(data)}
    )
    timeline_record(
        person=person,
        kind=TimelineKind.FILE,
        at=now,
        summary=_("建立档案"),
        by=by,
        org_unit=org_unit,
    )
    if person.identity_status == IdentityStatus.UNKNOWN:
        tracing_notice_open(person=person, by=by, found_at=now, found_area=found_place)
    _link_or_queue(person, by=by)
    person.refresh_from_db()
    return person, warnings


@transaction.atomic
def person_update(
    *, person: Person, by: Actor, focus_groups: list[str] | None = None, **data: Any
) -> tuple[Person, list[str]]:
    """Change a file the user's unit holds (a unit that only met the person reads it)."""
    require(by, Capability.MANAGE_PEOPLE, within=person.org_unit)
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.merged_into_id is not None:
        raise ValidationError(
            _("该档案已合并到 #%(n)s，请修改那份档案") % {"n": person.merged_into_id}
        )
    before = {f: getattr(person, f) for f in _IDENTITY_FIELDS}
    warnings = _apply_identity(person, data, today=clock.local_date())
    person.modified_by = by
    person.save()
    changed = [f for f in _IDENTITY_FIELDS if getattr(person, f) != before[f]]
    if {"name", "aliases", "birth_year"} & set(changed):
        _rebuild_name_keys(person)
    if focus_groups is not None:
        _set_focus(person, list(dict.fromkeys(focus_groups)))
        changed.append("focus_groups")
    audit_record(actor=by, action=AuditAction.UPDATE, target=person, detail={"fields": changed})
    if "identity_status" in changed and person.identity_status == IdentityStatus.VERIFIED:
        for notice in person.tracing_notices.exclude(status=NoticeStatus.WITHDRAWN):
            tracing_notice_withdraw(notice=notice, by=by, reason=_("身份已查明"))
    if {"name", "aliases", "id_number", "phone"} & set(changed):
        _link_or_queue(person, by=by)
    return person, warnings


def timeline_record(
    *,
    person: Person,
    kind: str,
    at: datetime,
    summary: str,
    source: models.Model | None = None,
    by: Actor | None = None,
    org_unit: OrgUnit | None = None,
    lat: float | None = None,
    lng: float | None = None,
    place_name: str = "",
    url: str = "",
) -> TimelineEntry:
    """Put an event on a person's timeline. Call it inside the caller's own transaction.

    An internal helper of other services, which have checked their user (`by`, None for the
    system); it checks nothing itself.

    - `person`: the file (a merged file is followed to the file it was merged into);
    - `kind`: a `TimelineKind`; `at`: when it happened (aware datetime);
    - `source`: the record in the calling app (its app label, model and id are kept, and its
      `get_absolute_url()` when it has one);
    - `org_unit`: the unit that did it — by default the user's unit, else the file's. The entry
      is visible to that unit's scope, which is how a district sees a person it met;
    - `lat`/`lng` (WGS-84) and `place_name` feed the profile's usual places and the "seen near
      here" linkage reason.
    """
    from warmwinter.places import geo

    if timezone.is_naive(at):
        raise ValueError("timeline_record needs an aware datetime")
    if kind not in TimelineKind.values:
        raise ValueError(f"unknown timeline kind {kind!r}")
    while person.merged_into_id is not None:
        person = Person.objects.get(pk=person.merged_into_id)
    if org_unit is None:
        org_unit = getattr(by, "org_unit", None) or person.org_unit
    if not url and source is not None and hasattr(source, "get_absolute_url"):
        url = source.get_absolute_url()
    return TimelineEntry.objects.create(
        person=person,
        at=at,
        kind=kind,
        summary=summary[:300],
        url=url[:300],
        source_app=source._meta.app_label if source is not None else "",
        source_model=source._meta.model_name or "" if source is not None else "",
        source_id=str(source.pk) if source is not None else "",
        org_unit=org_unit,
        place_name=place_name[:120],
        lat=lat,
        lng=lng,
        h3_cell=geo.h3_cell(lat, lng) if lat is not None and lng is not None else "",
        recorded_by=by if getattr(by, "is_authenticated", False) else None,
    )


def _pair(a: Person, b: Person) -> tuple[Person, Person]:
    return (a, b) if a.pk < b.pk else (b, a)


def _link_or_queue(person: Person, *, by: Actor) -> None:
    """Compare a new or changed file with every other file (city-wide: duplicates cross
    district lines). A valid ID match links at once; likely matches wait for review."""
    described = linkage.Described(
        name=person.name,
        sex=person.sex,
        birth_year=person.birth_year,
        id_number=person.id_number,
        phone=person.phone,
        native_place=person.native_place,
        dialect=person.dialect,
    )
    found = linkage.candidates_for(
        described, among=Person.objects.all(), exclude_ids={person.pk}, min_score=linkage.REVIEW
    )
    for alias in names.split_aliases(person.aliases):
        described.name = alias
        found += linkage.candidates_for(
            described, among=Person.objects.all(), exclude_ids={person.pk}, min_score=linkage.REVIEW
        )
    match_open_inquiries(person)
    seen: set[int] = set()
    for candidate in sorted(found, key=lambda c: -c.score):
        if candidate.person.pk in seen:
            continue
        seen.add(candidate.person.pk)
        low, high = _pair(person, candidate.person)
        review, created = LinkReview.objects.get_or_create(
            person_low=low,
            person_high=high,
            defaults={"score": candidate.score, "reasons": candidate.reasons, "created_by": None},
        )
        if review.status != LinkStatus.PENDING:
            continue  # a decided pair (above all a rejected one) is never raised again
        if not created:
            LinkReview.objects.filter(pk=review.pk).update(
                score=candidate.score, reasons=candidate.reasons
            )
        if candidate.auto_link and person.merged_into_id is None:
            survivor, merged = (candidate.person, person)
            if survivor.pk > merged.pk:
                survivor, merged = merged, survivor
            review.status = LinkStatus.LINKED
            review.decided_at = timezone.now()
            review.save(update_fields=["status", "decided_at"])
            audit_record(
                actor=by,
                action=AuditAction.UPDATE,
                target=review,
                detail={"event": "auto_link", "reasons": candidate.reasons},
            )
            _merge(
                survivor=survivor,
                merged=merged,
                by=by,
                reason=_("身份证号相同，自动关联"),
                review=review,
            )
            person.refresh_from_db()


@transaction.atomic
def link_review_decide(*, review: LinkReview, by: Actor, link: bool) -> LinkReview:
    """A worker confirms (link) or rejects a suggested pair that the caller resolved through
    the user's review queue. Conditional on the pair still pending, so two workers deciding at
    once cannot both act."""
    require(by, Capability.REVIEW_PERSON_LINKS)
    updated = LinkReview.objects.filter(pk=review.pk, status=LinkStatus.PENDING).update(
        status=LinkStatus.LINKED if link else LinkStatus.REJECTED,
        decided_by=by,
        decided_at=timezone.now(),
        modified_by=by,
    )
    if not updated:
        raise ValidationError(_("这对档案已经审核过了"))
    review.refresh_from_db()
    low, high = review.person_low, review.person_high
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        target=review,
        detail={"event": "link" if link else "reject", "persons": [low.pk, high.pk]},
    )
    if link:
        if low.merged_into_id is not None or high.merged_into_id is not None:
            raise ValidationError(_("其中一份档案已经合并，请刷新后再审核"))
        _merge(survivor=low, merged=high, by=by, reason=_("人工审核确认为同一人"), review=review)
    return review


@transaction.atomic
def _merge(
    *, survivor: Person, merged: Person, by: Actor, reason: str, review: LinkReview | None = None
) -> PersonMerge:
    """Fold `merged` into `survivor`: its timeline and focus groups move over, its file is
    archived with a pointer. Reversible with `merge_undo`. Two roads lead here, each checked
    where it starts: a reviewer's `link_review_decide`, and the automatic link of a file whose
    ID number matches (`person_create` / `person_update`)."""
    locked = {
        p.pk: p for p in Person.objects.select_for_update().filter(pk__in=[survivor.pk, merged.pk])
    }
    survivor, merged = locked[survivor.pk], locked[merged.pk]
    if survivor.pk == merged.pk or survivor.merged_into_id or merged.merged_into_id:
        raise ValidationError(_("档案已合并，不能再次合并"))
    entry_ids = list(TimelineEntry.objects.filter(person=merged).values_list("pk", flat=True))
    TimelineEntry.objects.filter(pk__in=entry_ids).update(person=survivor)
    have = set(PersonFocus.objects.filter(person=survivor).values_list("group", flat=True))
    moved_focus = [g for g in merged.focus_groups.values_list("group", flat=True) if g not in have]
    PersonFocus.objects.bulk_create(PersonFocus(person=survivor, group=g) for g in moved_focus)
    now = timezone.now()
    merged.merged_into = survivor
    merged.archived_at = now
    merged.archived_by = by if getattr(by, "is_authenticated", False) else None
    merged.archive_reason = _("已合并到 #%(n)s") % {"n": survivor.pk}
    merged.save(update_fields=["merged_into", "archived_at", "archived_by", "archive_reason"])
    merge = PersonMerge.objects.create(
        survivor=survivor,
        merged=merged,
        review=review,
        reason=reason,
        moved_entry_ids=entry_ids,
        moved_focus=moved_focus,
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    for target in (survivor, merged):
        audit_record(
            actor=by,
            action=AuditAction.UPDATE,
            target=target,
            detail={
                "event": "merge",
                "survivor": survivor.pk,
                "merged": merged.pk,
                "reason": reason,
            },
        )
    timeline_record(
        person=survivor,
        kind=TimelineKind.FILE,
        at=now,
        summary=_("与档案 #%(n)s 合并（%(r)s）") % {"n": merged.pk, "r": reason},
        by=by,
        org_unit=survivor.org_unit,
    )
    return merge


@transaction.atomic
def merge_undo(*, merge: PersonMerge, by: Actor) -> PersonMerge:
    """Unlink: the merged file is reopened with exactly the timeline entries it had, and the
    pair is marked rejected so it is not suggested again."""
    require(by, Capability.REVIEW_PERSON_LINKS)
    updated = PersonMerge.objects.filter(pk=merge.pk, undone_at__isnull=True).update(
        undone_at=timezone.now(), undone_by=by
    )
    if not updated:
        raise ValidationError(_("这次合并已经撤销"))
    merge.refresh_from_db()
    merged = Person.objects.select_for_update().get(pk=merge.merged_id)
    TimelineEntry.objects.filter(pk__in=merge.moved_entry_ids).update(person=merged)
    PersonFocus.objects.filter(person_id=merge.survivor_id, group__in=merge.moved_focus).delete()
    merged.merged_into = None
    merged.archived_at = None
    merged.archived_by = None
    merged.archive_reason = ""
    merged.save(update_fields=["merged_into", "archived_at", "archived_by", "archive_reason"])
    low, high = _pair(merge.survivor, merged)
    LinkReview.objects.update_or_create(
        person_low=low,
        person_high=high,
        defaults={
            "status": LinkStatus.REJECTED,
            "decided_by": by,
            "decided_at": timezone.now(),
            "score": merge.review.score if merge.review else 0.0,
        },
    )
    for target in (merge.survivor, merged):
        audit_record(
            actor=by,
            action=AuditAction.UPDATE,
            target=target,
            detail={"event": "unmerge", "survivor": merge.survivor_id, "merged": merged.pk},
        )
    # the survivor's "merged" line stays: the timeline records that it happened and was undone
    timeline_record(
        person=merge.survivor,
        kind=TimelineKind.FILE,
        at=timezone.now(),
        summary=_("撤销与档案 #%(n)s 的合并") % {"n": merged.pk},
        by=by,
        org_unit=merge.survivor.org_unit,
    )
    return merge


# ---- family tracing (甄别寻亲) -------------------------------------------------------------


def tracing_notice_open(
    *, person: Person, by: Actor, found_at: datetime, found_area: str = ""
) -> TracingNotice:
    """A draft 寻亲公告, due 24 h after the person was found (the rulebook's
    people.tracing_notice_due, from the 2015 MCA–MPS opinion); prefilled only with what the
    public may see (sex, estimated age, height, features)."""
    require(by, Capability.MANAGE_PEOPLE, within=person.org_unit)
    from warmwinter.places.models import OrgLevel

    station = person.org_unit
    age = (clock.local_date().year - person.birth_year) if person.birth_year else None
    due = rulebook.duration("people.tracing_notice_due", on=clock.local_date(found_at))
    notice = TracingNotice.objects.create(
        person=person,
        due_at=found_at + due,
        sex=person.sex,
        estimated_age=age,
        height_cm=person.height_cm,
        features=person.features[:300],
        found_at=found_at,
        found_area=found_area[:100],
        contact=station.name if station.level != OrgLevel.CITY else _("上海市救助管理站"),
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    audit_record(actor=by, action=AuditAction.CREATE, target=notice, detail={"person": person.pk})
    return notice


_NOTICE_FIELDS = (
    "sex",
    "estimated_age",
    "height_cm",
    "health_state",
    "features",
    "clothing",
    "found_at",
    "found_area",
    "contact",
)


@transaction.atomic
def tracing_notice_update(*, notice: TracingNotice, by: Actor, **data: Any) -> TracingNotice:
    """Edit a draft or published notice (the caller resolved it through the user's scope)."""
    require(by, Capability.MANAGE_PEOPLE)
    notice = TracingNotice.objects.select_for_update().get(pk=notice.pk)
    if notice.status == NoticeStatus.WITHDRAWN:
        raise ValidationError(_("公告已撤回，不能修改"))
    for key in _NOTICE_FIELDS:
        if key in data:
            setattr(notice, key, data[key])
    if "photo" in data and data["photo"] is not None:
        notice.photo = data["photo"]
    notice.modified_by = by
    notice.full_clean(exclude=["person", "created_by", "modified_by", "approved_by"])
    notice.save()
    audit_record(
        actor=by, action=AuditAction.UPDATE, target=notice, detail={"fields": sorted(data)}
    )
    return notice


@transaction.atomic
def tracing_notice_approve(*, notice: TracingNotice, by: Actor) -> TracingNotice:
    """The explicit approval step: only now does anything about the person reach the public."""
    require(by, Capability.APPROVE_TRACING_NOTICES)
    now = timezone.now()
    updated = TracingNotice.objects.filter(pk=notice.pk, status=NoticeStatus.DRAFT).update(
        status=NoticeStatus.PUBLISHED,
        approved_by=by,
        published_at=now,
        modified_by=by,
        modified_at=now,
    )
    if not updated:
        raise ValidationError(_("只有待审批的公告可以发布"))
    notice.refresh_from_db()
    audit_record(actor=by, action=AuditAction.UPDATE, target=notice, detail={"event": "publish"})
    timeline_record(
        person=notice.person,
        kind=TimelineKind.TRACING,
        at=now,
        summary=_("寻亲公告已发布"),
        source=notice,
        by=by,
    )
    return notice


@transaction.atomic
def tracing_notice_withdraw(*, notice: TracingNotice, by: Actor, reason: str) -> TracingNotice:
    """Take a notice down (the person left, or their identity is known)."""
    require(by, Capability.MANAGE_PEOPLE)
    now = timezone.now()
    updated = (
        TracingNotice.objects.filter(pk=notice.pk)
        .exclude(status=NoticeStatus.WITHDRAWN)
        .update(status=NoticeStatus.WITHDRAWN, withdrawn_at=now, withdraw_reason=reason[:200])
    )
    if not updated:
        raise ValidationError(_("公告已经撤回"))
    notice.refresh_from_db()
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        target=notice,
        detail={"event": "withdraw", "reason": reason},
    )
    timeline_record(
        person=notice.person,
        kind=TimelineKind.TRACING,
        at=now,
        summary=_("寻亲公告已撤回：%(r)s") % {"r": reason},
        source=notice,
        by=by,
    )
    return notice
