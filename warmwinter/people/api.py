"""Person files (一人一档一画像): identity, profile, timeline, record linkage, family tracing."""

import math
from datetime import date, datetime
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from warmwinter.accounts.auth import request_user
from warmwinter.accounts.models import User
from warmwinter.accounts.permissions import require
from warmwinter.accounts.roles import Capability
from warmwinter.accounts.scoping import get_visible_or_404
from warmwinter.audit.models import AuditAction
from warmwinter.audit.services import audit_record
from warmwinter.core.validation import api_field
from warmwinter.pagination import BoundedLimitOffsetPagination
from warmwinter.people import linkage, selectors, services, tracing
from warmwinter.people.models import (
    FamilyInquiry,
    FocusGroup,
    IdentityStatus,
    InquiryMatch,
    LinkReview,
    Person,
    RiskFlag,
    Sex,
    TimelineEntry,
    TracingNotice,
)
from warmwinter.people.validators import AGE_ESTIMATE, ID_NUMBER_TYPED, SEARCH_TEXT
from warmwinter.places.validators import Lat, Lng

router = Router()


class PersonOut(Schema):
    id: int
    display_name: str
    name: str
    aliases: str
    sex: str
    birth_date: date | None
    birth_year: int | None
    birth_year_estimated: bool
    id_number: str = Field(description="完整号码仅对有权限的角色返回，其余为脱敏号码")
    identity_status: str
    native_place: str
    dialect: str
    org_unit_code: str
    org_unit_name: str
    focus_groups: list[str]
    risk_flags: list[str]
    merged_into: int | None


class PersonDetailOut(PersonOut):
    household_registration: str
    phone: str
    height_cm: int | None
    build: str
    features: str
    notes: str


def _person_out(person: Person, user: User, *, detail: bool = False) -> dict[str, Any]:
    out = {
        "id": person.pk,
        "display_name": person.display_name,
        "name": person.name,
        "aliases": person.aliases,
        "sex": person.sex,
        "birth_date": person.birth_date,
        "birth_year": person.birth_year,
        "birth_year_estimated": person.birth_year_estimated,
        "id_number": selectors.id_number_shown(person, user),
        "identity_status": person.identity_status,
        "native_place": person.native_place,
        "dialect": person.dialect,
        "org_unit_code": person.org_unit.code,
        "org_unit_name": person.org_unit.name,
        "focus_groups": [f.group for f in person.focus_groups.all()],
        "risk_flags": person.risk_flags,
        "merged_into": person.merged_into_id,
    }
    if detail:
        out |= {
            "household_registration": person.household_registration,
            "phone": person.phone,
            "height_cm": person.height_cm,
            "build": person.build,
            "features": person.features,
            "notes": person.notes,
        }
    return out


Name = Annotated[str, api_field(Person, "name")]
Aliases = Annotated[str, api_field(Person, "aliases")]
AgeEstimate = Annotated[int, api_field(AGE_ESTIMATE)]
IdNumber = Annotated[str, api_field(ID_NUMBER_TYPED)]
HouseholdRegistration = Annotated[str, api_field(Person, "household_registration")]
NativePlace = Annotated[str, api_field(Person, "native_place")]
Dialect = Annotated[str, api_field(Person, "dialect")]
Phone = Annotated[str, api_field(Person, "phone", pattern=r"^[0-9+\- ]*$")]
HeightCm = Annotated[int, api_field(Person, "height_cm")]
Build = Annotated[str, api_field(Person, "build")]
Features = Annotated[str, api_field(Person, "features")]
Notes = Annotated[str, api_field(Person, "notes")]


class PersonIn(Schema):
    name: Name = ""
    aliases: Aliases = ""
    sex: Sex = Sex.UNKNOWN
    birth_date: date | None = None
    age_estimate: AgeEstimate | None = None
    id_number: IdNumber = ""
    identity_status: IdentityStatus = IdentityStatus.UNKNOWN
    household_registration: HouseholdRegistration = ""
    native_place: NativePlace = ""
    dialect: Dialect = ""
    phone: Phone = ""
    height_cm: HeightCm | None = None
    build: Build = ""
    features: Features = ""
    focus_groups: list[FocusGroup] = []
    risk_flags: list[RiskFlag] = []
    notes: Notes = ""
    found_place: Annotated[str, api_field(TracingNotice, "found_area")] = ""


class PersonPatch(Schema):
    name: Name | None = None
    aliases: Aliases | None = None
    sex: Sex | None = None
    birth_date: date | None = None
    age_estimate: AgeEstimate | None = None
    id_number: IdNumber | None = None
    identity_status: IdentityStatus | None = None
    household_registration: HouseholdRegistration | None = None
    native_place: NativePlace | None = None
    dialect: Dialect | None = None
    phone: Phone | None = None
    height_cm: HeightCm | None = None
    build: Build | None = None
    features: Features | None = None
    focus_groups: list[FocusGroup] | None = None
    risk_flags: list[RiskFlag] | None = None
    notes: Notes | None = None


class CreatedOut(Schema):
    person: PersonDetailOut
    linked_to: int | None
    warnings: list[str]


class TimelineOut(Schema):
    id: int
    at: datetime
    kind: str
    summary: str
    url: str
    source_app: str
    source_id: str
    org_unit_name: str = Field(..., alias="org_unit.name")
    place_name: str


class ProfileOut(Schema):
    times_seen: int
    last_seen: datetime | None
    last_seen_place: str
    usual_places: list[tuple[str, int]]
    usual_hours: list[tuple[str, int]]
    stays: int
    services: list[tuple[str, int]]
    seen_by_units: list[str]
    trend: list[tuple[str, int]]
    trend_direction: str


class SearchQuery(Schema):
    q: Annotated[str, api_field(SEARCH_TEXT, description="姓名、别名、拼音或完整身份证号")] = ""
    focus: FocusGroup | None = None
    identity: IdentityStatus | None = None


class CandidateQuery(Schema):
    name: Name = ""
    sex: Sex | None = None
    birth_year: Annotated[int, api_field(Person, "birth_year")] | None = None
    age: AgeEstimate | None = None
    id_number: IdNumber = ""
    phone: Annotated[str, api_field(Person, "phone")] = ""
    native_place: NativePlace = ""
    dialect: Dialect = ""
    lat: Lat | None = None
    lng: Lng | None = None


class CandidateOut(Schema):
    person_id: int
    display_name: str
    org_unit_name: str
    score: float
    auto_link: bool
    reasons: list[str]


class ReviewOut(Schema):
    id: int
    person_low: int = Field(..., alias="person_low_id")
    person_high: int = Field(..., alias="person_high_id")
    score: float
    reasons: list[str]
    status: str


class DecisionIn(Schema):
    link: bool = Field(description="true：是同一人（合并）；false：不是同一人（以后不再提示）")


class MergeOut(Schema):
    id: int
    survivor: int = Field(..., alias="survivor_id")
    merged: int = Field(..., alias="merged_id")
    undone_at: datetime | None


class FocusCountOut(Schema):
    district_code: str | None
    district_name: str | None
    counts: dict[str, int]
    total: int


@router.get("/persons", response=list[PersonOut], summary="查找人员档案（按权限范围）")
@paginate(BoundedLimitOffsetPagination)
def list_persons(request: HttpRequest, filters: Query[SearchQuery]) -> Any:
    user = require(request_user(request), Capability.VIEW_PEOPLE)
    qs = selectors.person_search(
        user=user, q=filters.q, focus=filters.focus or "", identity=filters.identity or ""
    )
    if filters.q:
        audit_record(actor=user, action=AuditAction.VIEW, detail={"event": "person_search"})
    return _LazyPersons(qs, user)


class _LazyPersons:
    """A sliceable view of a queryset that serialises only the page the paginator takes."""

    def __init__(self, qs: Any, user: User) -> None:
        self.qs, self.user = qs, user

    def count(self) -> int:
        return int(self.qs.count())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item: slice) -> list[dict[str, Any]]:
        return [_person_out(p, self.user) for p in self.qs[item]]


@router.get(
    "/persons/{int:person_id}", response=PersonDetailOut, summary="人员档案详情（记入审计）"
)
def get_person(request: HttpRequest, person_id: int) -> Any:
    user = require(request_user(request), Capability.VIEW_PEOPLE)
    person = selectors.person_for(user, person_id)
    with transaction.atomic():
        audit_record(
            actor=user,
            action=AuditAction.VIEW,
            target=person,
            detail={"full_id_number": selectors.may_see_full_id(user) and bool(person.id_number)},
        )
    return _person_out(person, user, detail=True)


@router.post(
    "/persons", response={201: CreatedOut}, summary="新建档案（先行救助：可以只填体貌特征）"
)
def create_person(request: HttpRequest, payload: PersonIn) -> Any:
    user = request_user(request)
    if user.org_unit is None:
        raise PermissionDenied
    person, warnings = services.person_create(by=user, org_unit=user.org_unit, **payload.dict())
    shown = Person.objects.get(pk=person.merged_into_id) if person.merged_into_id else person
    return Status(
        201,
        {
            "person": _person_out(shown, user, detail=True),
            "linked_to": person.merged_into_id,
            "warnings": warnings,
        },
    )


@router.patch("/persons/{int:person_id}", response=PersonDetailOut, summary="修改档案")
def update_person(request: HttpRequest, person_id: int, payload: PersonPatch) -> Any:
    user = request_user(request)
    person = selectors.person_for(user, person_id)
    data = payload.dict(exclude_unset=True)
    person, _warnings = services.person_update(person=person, by=user, **data)
    return _person_out(selectors.person_for(user, person.pk), user, detail=True)


@router.get(
    "/persons/{int:person_id}/timeline",
    response=list[TimelineOut],
    summary="时间线（本单位可见的部分）",
)
@paginate(BoundedLimitOffsetPagination)
def person_timeline(request: HttpRequest, person_id: int) -> Any:
    user = require(request_user(request), Capability.VIEW_PEOPLE)
    person = selectors.person_for(user, person_id)
    return selectors.timeline_for(user=user, person=person)


@router.get("/persons/{int:person_id}/profile", response=ProfileOut, summary="画像（由时间线推算）")
def person_profile(request: HttpRequest, person_id: int) -> Any:
    user = require(request_user(request), Capability.VIEW_PEOPLE)
    person = selectors.person_for(user, person_id)
    entries: list[TimelineEntry] = list(selectors.timeline_for(user=user, person=person))
    return selectors.person_profile(entries)


@router.get(
    "/candidates", response=list[CandidateOut], summary="可能是同一人的已建档人员（带理由）"
)
def candidates(request: HttpRequest, query: Query[CandidateQuery]) -> Any:
    user = require(request_user(request), Capability.VIEW_PEOPLE)
    data = query.dict()
    data["sex"] = data["sex"] if data["sex"] in (Sex.MALE, Sex.FEMALE) else ""
    if data["lat"] is None or data["lng"] is None or not math.isfinite(data["lat"]):
        data["lat"] = data["lng"] = None
    found = linkage.candidates_for(
        linkage.described_from(data), among=selectors.persons_for(user=user)
    )
    return [
        {
            "person_id": c.person.pk,
            "display_name": c.person.display_name,
            "org_unit_name": c.person.org_unit.name,
            "score": c.score,
            "auto_link": c.auto_link,
            "reasons": c.reasons,
        }
        for c in found
    ]


@router.get("/reviews", response=list[ReviewOut], summary="疑似同一人审核队列")
@paginate(BoundedLimitOffsetPagination)
def list_reviews(request: HttpRequest) -> Any:
    user = require(request_user(request), Capability.REVIEW_PERSON_LINKS)
    return selectors.review_queue(user=user)


@router.post("/reviews/{int:review_id}/decision", response=ReviewOut, summary="审核：合并或否定")
def decide_review(request: HttpRequest, review_id: int, payload: DecisionIn) -> LinkReview:
    user = request_user(request)
    review = selectors.review_for(user, review_id)
    return services.link_review_decide(review=review, by=user, link=payload.link)


@router.post(
    "/merges/{int:merge_id}/undo", response=MergeOut, summary="撤销合并（两份档案恢复原状）"
)
def undo_merge(request: HttpRequest, merge_id: int) -> Any:
    user = request_user(request)
    merge = selectors.merge_for(user, merge_id)
    return services.merge_undo(merge=merge, by=user)


@router.get("/focus-groups", response=list[FocusCountOut], summary="各区重点人群人数")
def focus_counts(request: HttpRequest) -> Any:
    user = require(request_user(request), Capability.VIEW_PEOPLE)
    return [
        {
            "district_code": row.district.code if row.district else None,
            "district_name": row.district.name if row.district else None,
            "counts": row.counts,
            "total": row.total,
        }
        for row in selectors.focus_counts_by_district(user=user)
    ]


class InquiryIn(Schema):
    sought_name: Annotated[str, api_field(FamilyInquiry, "sought_name")] = ""
    sex: Sex = Sex.UNKNOWN
    birth_year: Annotated[int, api_field(FamilyInquiry, "birth_year")] | None = None
    id_number: IdNumber = ""
    description: Annotated[str, api_field(FamilyInquiry, "description")] = ""
    last_seen_at: date | None = None
    last_seen_place: Annotated[str, api_field(FamilyInquiry, "last_seen_place")] = ""
    contact_name: Annotated[str, api_field(FamilyInquiry, "contact_name", min_length=1)]
    contact_phone: Annotated[
        str, api_field(FamilyInquiry, "contact_phone", min_length=5, pattern=r"^[0-9+\- ]+$")
    ]


class InquiryMatchOut(Schema):
    id: int
    person_id: int
    display_name: str = Field(..., alias="person.display_name")
    score: float
    reasons: list[str]
    status: str


class InquiryOut(Schema):
    id: int
    status: str
    matches: list[InquiryMatchOut]


def _inquiry_out(inquiry: FamilyInquiry, user: User) -> dict[str, Any]:
    visible = selectors.persons_for(user=user).values("pk")
    matches = inquiry.matches.filter(person__in=visible).select_related("person")
    return {"id": inquiry.pk, "status": inquiry.status, "matches": list(matches)}


@router.post("/inquiries", response={201: InquiryOut}, summary="家属寻亲登记（立即与档案比对）")
def create_inquiry(request: HttpRequest, payload: InquiryIn) -> Any:
    user = request_user(request)
    if user.org_unit is None:
        raise PermissionDenied
    inquiry = tracing.inquiry_create(by=user, org_unit=user.org_unit, **payload.dict())
    return Status(201, _inquiry_out(inquiry, user))


@router.get("/inquiries/{int:inquiry_id}", response=InquiryOut, summary="寻亲登记及比对结果")
def get_inquiry(request: HttpRequest, inquiry_id: int) -> Any:
    user = require(request_user(request), Capability.VIEW_PEOPLE)
    inquiry = get_visible_or_404(FamilyInquiry.objects.all(), user, pk=inquiry_id)
    return _inquiry_out(inquiry, user)


@router.post(
    "/inquiry-matches/{int:match_id}/decision",
    response=InquiryMatchOut,
    summary="确认或否定寻亲比对",
)
def decide_inquiry_match(request: HttpRequest, match_id: int, payload: DecisionIn) -> Any:
    user = request_user(request)
    match = get_visible_or_404(InquiryMatch.objects.select_related("person"), user, pk=match_id)
    if not selectors.persons_for(user=user).filter(pk=match.person_id).exists():
        raise Http404
    return tracing.inquiry_match_decide(match=match, by=user, confirm=payload.link)
