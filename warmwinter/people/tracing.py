"""Family inquiries (甄别寻亲): a family's description matched against person files, now and
whenever a file is opened or its identity changes. A worker confirms or rejects each match;
a confirmed match goes on the person's timeline for verification and the return-home service."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from warmwinter.accounts.permissions import Actor, require
from warmwinter.accounts.roles import Capability
from warmwinter.audit.models import AuditAction
from warmwinter.audit.services import audit_record
from warmwinter.core.validation import validate
from warmwinter.people import idnumbers, linkage
from warmwinter.people.inquiry_matching import described, store_match
from warmwinter.people.models import (
    FamilyInquiry,
    InquiryMatch,
    InquiryStatus,
    LinkStatus,
    Person,
    TimelineKind,
)
from warmwinter.people.services import timeline_record
from warmwinter.places.models import OrgUnit


@transaction.atomic
def inquiry_create(*, by: Actor, org_unit: OrgUnit, **data: Any) -> FamilyInquiry:
    """File a family's inquiry, held by `org_unit` (within the user's own), and match it against
    the files at once. `photo` may be an upload: it is checked and re-encoded (no metadata
    kept). Bad input raises ValidationError (Chinese message) before anything is written."""
    require(by, Capability.MANAGE_PEOPLE, within=org_unit)
    from warmwinter.core.photos import clean_photo

    raw_id = (data.pop("id_number", "") or "").strip()
    upload = data.pop("photo", None)
    number = ""
    if raw_id:
        number = idnumbers.parse_id_number(raw_id).number  # ValidationError → 4xx
    if not (data.get("contact_name") and data.get("contact_phone")):
        raise ValidationError(_("请填写联系人和联系电话"))
    photo = clean_photo(upload) if upload else None
    inquiry = FamilyInquiry(
        org_unit=org_unit, id_number=number, created_by=by, modified_by=by, **data
    )
    validate(inquiry, fields=[*data, "id_number"])
    inquiry.save(force_insert=True)
    if photo is not None:
        inquiry.photo.save(
            f"inquiry-{inquiry.pk}.{photo.extension}", ContentFile(photo.content), save=True
        )
    audit_record(
        actor=by, action=AuditAction.CREATE, target=inquiry, detail={"photo": photo is not None}
    )
    for candidate in linkage.candidates_for(described(inquiry), among=Person.objects.all()):
        store_match(inquiry, candidate.person, candidate.score, candidate.reasons)
    return inquiry


@transaction.atomic
def inquiry_match_decide(*, match: InquiryMatch, by: Actor, confirm: bool) -> InquiryMatch:
    """Confirm or reject a match (the caller resolved it through the user's scope)."""
    require(by, Capability.REVIEW_PERSON_LINKS)
    updated = InquiryMatch.objects.filter(pk=match.pk, status=LinkStatus.PENDING).update(
        status=LinkStatus.LINKED if confirm else LinkStatus.REJECTED, decided_by=by, modified_by=by
    )
    if not updated:
        raise ValidationError(_("这条比对结果已经处理过了"))
    match.refresh_from_db()
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        target=match.person,
        detail={
            "event": "inquiry_confirm" if confirm else "inquiry_reject",
            "inquiry": match.inquiry_id,
        },
    )
    if confirm:
        FamilyInquiry.objects.filter(pk=match.inquiry_id).update(status=InquiryStatus.FOUND)
        timeline_record(
            person=match.person,
            kind=TimelineKind.TRACING,
            at=timezone.now(),
            summary=_("家属寻亲登记 #%(n)s 比对确认，待核实身份并护送返乡")
            % {"n": match.inquiry_id},
            source=match.inquiry,
            by=by,
        )
    return match
