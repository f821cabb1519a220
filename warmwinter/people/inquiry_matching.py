"""Matching family inquiries (甄别寻亲) against person files: the step that both a new inquiry
(`tracing.inquiry_create`) and a new or changed file (`services.person_create` /
`person_update`) take. Below both, so that neither imports the other for it."""

from __future__ import annotations

from warmwinter.people import linkage
from warmwinter.people.models import FamilyInquiry, InquiryMatch, InquiryStatus, LinkStatus, Person


def described(inquiry: FamilyInquiry) -> linkage.Described:
    return linkage.Described(
        name=inquiry.sought_name,
        sex=inquiry.sex if inquiry.sex != "unknown" else "",
        birth_year=inquiry.birth_year,
        id_number=inquiry.id_number,
    )


def store_match(inquiry: FamilyInquiry, person: Person, score: float, reasons: list[str]) -> None:
    match, created = InquiryMatch.objects.get_or_create(
        inquiry=inquiry, person=person, defaults={"score": score, "reasons": reasons}
    )
    if not created and match.status == LinkStatus.PENDING:
        InquiryMatch.objects.filter(pk=match.pk).update(score=score, reasons=reasons)


def match_open_inquiries(person: Person) -> int:
    """Run every open inquiry against one (new or changed) file. Returns matches stored. An
    internal step of `person_create` / `person_update`, which have checked their user."""
    facts = linkage.facts_of(person)
    stored = 0
    for inquiry in FamilyInquiry.objects.filter(status=InquiryStatus.OPEN):
        score, reasons = linkage.score_pair(described(inquiry), facts)
        if score >= linkage.SUGGEST:
            store_match(inquiry, person, round(score, 3), reasons)
            stored += 1
    return stored
