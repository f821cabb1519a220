"""Reads of person files, always scoped. Pages and the API both come through here.

Who sees a file: the unit that holds it (and the districts/city above it), plus any unit that
recorded an event on its timeline — that unit sees the file and the events it recorded.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from warmwinter.accounts.permissions import Actor
from warmwinter.accounts.roles import Capability
from warmwinter.accounts.scoping import visible_to
from warmwinter.core import clock, rulebook
from warmwinter.people import idnumbers, names
from warmwinter.people.models import (
    SEEN_KINDS,
    SERVICE_KINDS,
    STAY_KINDS,
    FamilyInquiry,
    FocusGroup,
    IdentityStatus,
    InquiryMatch,
    LinkReview,
    LinkStatus,
    NoticeStatus,
    Person,
    PersonFocus,
    PersonMerge,
    PersonNameKey,
    TimelineEntry,
    TimelineKind,
    TracingNotice,
)
from warmwinter.places.models import OrgLevel, OrgUnit


def _sees_all(user: Actor) -> bool:
    unit = getattr(user, "org_unit", None)
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.role != "reporter"
        and unit is not None
        and unit.level == OrgLevel.CITY
    )


def persons_for(*, user: Actor, include_merged: bool = False) -> QuerySet[Person]:
    if _sees_all(user):
        qs = Person.objects.all()
    else:
        held = visible_to(Person.objects.all(), user).values("pk")
        met = visible_to(TimelineEntry.objects.all(), user).values("person_id")
        qs = Person.objects.filter(Q(pk__in=held) | Q(pk__in=met))
    if not include_merged:
        qs = qs.filter(archived_at__isnull=True)
    return qs.select_related("org_unit").prefetch_related(
        Prefetch("focus_groups", queryset=PersonFocus.objects.order_by("group"))
    )


def person_for(user: Actor, pk: Any) -> Person:
    """The file, or 404 when the user's unit neither holds it nor met the person."""
    try:
        return persons_for(user=user, include_merged=True).get(pk=pk)
    except (Person.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def holds(user: Actor, person: Person) -> bool:
    """Whether the user's scope holds the file (as opposed to having only met the person)."""
    return visible_to(Person.objects.filter(pk=person.pk), user).exists()


def may_see_full_id(user: Actor) -> bool:
    return bool(
        getattr(user, "is_authenticated", False) and user.can(Capability.VIEW_FULL_ID_NUMBER)
    )


def id_number_shown(person: Person, user: Actor) -> str:
    return person.id_number if may_see_full_id(user) else person.id_number_masked


def person_search(
    *, user: Actor, q: str = "", focus: str = "", identity: str = ""
) -> QuerySet[Person]:
    """Search by name, alias, typed pinyin or exact ID number (via its keyed digest)."""
    qs = persons_for(user=user)
    q = (q or "").strip()
    if q:
        compact = idnumbers.normalise(q)
        if len(compact) in (15, 18) and compact[:15].isdigit():
            digest = idnumbers.digest_of_input(compact)
            return qs.filter(id_number_digest=digest) if digest else qs.none()
        if q.isdigit() and len(q) >= 7:
            return qs.filter(phone=q)
        form = names.name_form(q)
        keys = {k for k in names.blocking_keys(form) if k.startswith(("p:", "g:"))}
        if form.kind == "nickname_surname":
            keys = names.blocking_keys(form)
        match = Q(name__icontains=names.simplify(q) or q) | Q(aliases__icontains=q)
        if keys:
            match |= Q(pk__in=PersonNameKey.objects.filter(key__in=keys).values("person_id"))
        qs = qs.filter(match)
    if focus:
        qs = qs.filter(focus_groups__group=focus)
    if identity:
        qs = qs.filter(identity_status=identity)
    return qs.order_by("-modified_at", "-id")


def timeline_for(*, user: Actor, person: Person) -> QuerySet[TimelineEntry]:
    """The holder sees the whole timeline; a unit that only met the person sees its own events."""
    qs = TimelineEntry.objects.filter(person=person).select_related("org_unit", "recorded_by")
    return qs if holds(user, person) else visible_to(qs, user)


# ---- the profile (画像) -----------------------------------------------------------------------


@dataclass
class Profile:
    times_seen: int = 0
    last_seen: datetime | None = None
    last_seen_place: str = ""
    usual_places: list[tuple[str, int]] = field(default_factory=list)
    usual_hours: list[tuple[str, int]] = field(default_factory=list)
    stays: int = 0
    services: list[tuple[str, int]] = field(default_factory=list)
    seen_by_units: list[str] = field(default_factory=list)
    trend: list[tuple[str, int]] = field(default_factory=list)  # (week starting, times seen)
    trend_direction: str = ""


def _hour_band(hour: int) -> str:
    start = hour - hour % 3
    return f"{start:02d}:00–{start + 3:02d}:00"


def person_profile(entries: list[TimelineEntry], *, now: datetime | None = None) -> Profile:
    """Derived, never typed: counts over the timeline entries the viewer may see."""
    now = now or timezone.now()
    local = timezone.localtime
    seen = [e for e in entries if e.kind in SEEN_KINDS]
    profile = Profile(times_seen=len(seen))
    if seen:
        last = max(seen, key=lambda e: e.at)
        profile.last_seen, profile.last_seen_place = last.at, last.place_name
    profile.usual_places = Counter(e.place_name for e in seen if e.place_name).most_common(3)
    profile.usual_hours = Counter(_hour_band(local(e.at).hour) for e in seen).most_common(2)
    profile.stays = sum(1 for e in entries if e.kind in STAY_KINDS)
    labels = dict(TimelineKind.choices)
    profile.services = [
        (str(labels[k]), n)
        for k, n in Counter(e.kind for e in entries if e.kind in SERVICE_KINDS).most_common()
    ]
    profile.seen_by_units = sorted({e.org_unit.name for e in seen})
    start = clock.campaign_of(clock.local_date(now)).preparation_start
    weeks: Counter[date] = Counter()
    for e in seen:
        day = local(e.at).date()
        if day >= start:
            weeks[day - timedelta(days=day.weekday())] += 1
    if weeks:
        first = min(weeks)
        this_week = local(now).date() - timedelta(days=local(now).date().weekday())
        week = first
        while week <= this_week:
            profile.trend.append((week.isoformat(), weeks.get(week, 0)))
            week += timedelta(days=7)
        recent = sum(n for _, n in profile.trend[-2:])
        earlier = sum(n for _, n in profile.trend[-4:-2])
        if len(profile.trend) >= 3:
            profile.trend_direction = (
                "up" if recent > earlier else "down" if recent < earlier else "flat"
            )
    return profile


# ---- focus groups ----------------------------------------------------------------------------


@dataclass
class DistrictFocusRow:
    district: OrgUnit | None
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def focus_counts_by_district(*, user: Actor) -> list[DistrictFocusRow]:
    """Persons per focus group per district, in one grouped query over the visible files."""
    visible = persons_for(user=user).values("pk")
    rows = (
        PersonFocus.objects.filter(person__in=visible)
        .values("person__org_unit__path", "group")
        .annotate(n=Count("person", distinct=True))
        .order_by()
    )
    by_code: dict[str, dict[str, int]] = {}
    for row in rows:
        parts = row["person__org_unit__path"].strip("/").split("/")
        code = parts[1] if len(parts) > 1 and parts[1].isdigit() else ""
        bucket = by_code.setdefault(code, dict.fromkeys(FocusGroup.values, 0))
        bucket[row["group"]] += row["n"]
    districts = {
        d.code: d for d in OrgUnit.objects.filter(level=OrgLevel.DISTRICT, code__in=by_code)
    }
    return [
        DistrictFocusRow(districts.get(code), counts)
        for code, counts in sorted(by_code.items(), key=lambda kv: kv[0] or "~")
    ]


def focus_list(*, user: Actor, group: str, district: OrgUnit | None = None) -> QuerySet[Person]:
    qs = persons_for(user=user).filter(focus_groups__group=group)
    if district is not None:
        qs = qs.filter(org_unit__path__startswith=district.path)
    return qs.order_by("name", "id")


# ---- linkage review and merges -------------------------------------------------------------


def review_queue(*, user: Actor) -> QuerySet[LinkReview]:
    """Pending pairs whose two files the reviewer may both see."""
    visible = persons_for(user=user).values("pk")
    return (
        LinkReview.objects.filter(
            status=LinkStatus.PENDING, person_low__in=visible, person_high__in=visible
        )
        .select_related("person_low__org_unit", "person_high__org_unit")
        .order_by("-score", "id")
    )


def review_for(user: Actor, pk: Any) -> LinkReview:
    try:
        return review_queue(user=user).get(pk=pk)
    except (LinkReview.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def merges_of(person: Person) -> QuerySet[PersonMerge]:
    return PersonMerge.objects.filter(Q(survivor=person) | Q(merged=person)).select_related(
        "survivor", "merged"
    )


def merge_for(user: Actor, pk: Any) -> PersonMerge:
    visible = persons_for(user=user, include_merged=True).values("pk")
    try:
        return PersonMerge.objects.select_related("survivor", "merged", "review").get(
            pk=pk, survivor__in=visible, merged__in=visible
        )
    except (PersonMerge.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# ---- tracing notices -------------------------------------------------------------------------


def notices_for(*, user: Actor, overdue_only: bool = False) -> QuerySet[TracingNotice]:
    visible = persons_for(user=user).values("pk")
    qs = TracingNotice.objects.filter(person__in=visible).select_related("person__org_unit")
    if overdue_only:
        qs = overdue(qs)
    return qs.order_by("status", "due_at")


def overdue(qs: QuerySet[TracingNotice], *, now: datetime | None = None) -> QuerySet[TracingNotice]:
    """Drafts past their 24-hour deadline for a person still unidentified."""
    return qs.filter(
        status=NoticeStatus.DRAFT,
        due_at__lt=now or timezone.now(),
        person__identity_status=IdentityStatus.UNKNOWN,
        person__archived_at__isnull=True,
    )


def stale(qs: QuerySet[TracingNotice], *, now: datetime | None = None) -> QuerySet[TracingNotice]:
    """Published notices not reviewed for a week (the rulebook's people.tracing_notice_review)
    while the person is still unidentified: a notice is kept current."""
    review = rulebook.duration("people.tracing_notice_review")
    return qs.filter(
        status=NoticeStatus.PUBLISHED,
        modified_at__lt=(now or timezone.now()) - review,
        person__identity_status=IdentityStatus.UNKNOWN,
    )


def notice_for(user: Actor, pk: Any) -> TracingNotice:
    try:
        return notices_for(user=user).get(pk=pk)
    except (TracingNotice.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def public_notices() -> QuerySet[TracingNotice]:
    """Approved, current notices only; the public page reads nothing else."""
    return TracingNotice.objects.filter(status=NoticeStatus.PUBLISHED).order_by("-published_at")


def public_notice(pk: Any) -> TracingNotice:
    try:
        return public_notices().get(pk=pk)
    except (TracingNotice.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# ---- family inquiries (甄别寻亲) ----------------------------------------------------------------


def inquiries_for(*, user: Actor) -> QuerySet[FamilyInquiry]:
    """Inquiries filed by the user's unit (its subtree; the city sees all)."""
    return (
        visible_to(FamilyInquiry.objects.all(), user)
        .select_related("org_unit")
        .annotate(
            pending=Count("matches", filter=Q(matches__status=LinkStatus.PENDING), distinct=True)
        )
        .order_by("status", "-created_at")
    )


def inquiry_for(user: Actor, pk: Any) -> FamilyInquiry:
    try:
        return inquiries_for(user=user).get(pk=pk)
    except (FamilyInquiry.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def inquiry_matches(*, user: Actor, inquiry: FamilyInquiry) -> QuerySet[InquiryMatch]:
    """The inquiry's matches with files the user may see, best first."""
    visible = persons_for(user=user).values("pk")
    return (
        inquiry.matches.filter(person__in=visible)
        .select_related("person__org_unit", "decided_by")
        .order_by("status", "-score")
    )


def inquiry_match_for(user: Actor, pk: Any) -> InquiryMatch:
    """A match of an inquiry in the user's scope, with a file the user may see, or 404."""
    visible = persons_for(user=user).values("pk")
    try:
        return (
            visible_to(InquiryMatch.objects.all(), user)
            .filter(person__in=visible)
            .select_related("person__org_unit", "inquiry", "decided_by")
            .get(pk=pk)
        )
    except (InquiryMatch.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
