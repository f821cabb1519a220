from __future__ import annotations

import math
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from warmwinter.accounts.auth import request_user
from warmwinter.accounts.decorators import capability_required
from warmwinter.accounts.roles import Capability
from warmwinter.audit.models import AuditAction
from warmwinter.audit.services import audit_record
from warmwinter.core.forms import REFUSED, render_form, submit
from warmwinter.people import linkage, selectors, services, tracing
from warmwinter.people.forms import InquiryForm, NoticeForm, PersonForm, PersonSearchForm
from warmwinter.people.models import FocusGroup
from warmwinter.places.selectors import district_by_code


@login_required
@capability_required(Capability.VIEW_PEOPLE)
def person_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    # The form posts (an ID number must not end up in a URL); pagination links use GET.
    form = PersonSearchForm(request.POST if request.method == "POST" else request.GET)
    qs = selectors.persons_for(user=user).none()
    if form.is_valid():
        data = form.cleaned_data
        qs = selectors.person_search(
            user=user, q=data["q"], focus=data["focus"], identity=data["identity"]
        )
        if data["q"]:
            audit_record(
                actor=user,
                action=AuditAction.VIEW,
                detail={"event": "person_search", "results": qs.count()},
            )
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    template = "people/_results.html" if request.htmx else "people/list.html"  # type: ignore[attr-defined]
    return render_form(request, template, {"form": form, "page": page}, form)


@login_required
@capability_required(Capability.VIEW_PEOPLE)
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    person = selectors.person_for(user, pk)
    full_id = selectors.may_see_full_id(user)
    with transaction.atomic():
        audit_record(
            actor=user,
            action=AuditAction.VIEW,
            target=person,
            detail={"full_id_number": full_id and bool(person.id_number)},
        )
    entries = list(selectors.timeline_for(user=user, person=person))
    return render(
        request,
        "people/detail.html",
        {
            "person": person,
            "id_number": selectors.id_number_shown(person, user),
            "holds": selectors.holds(user, person),
            "entries": entries,
            "profile": selectors.person_profile(entries),
            "merges": selectors.merges_of(person),
            "notices": person.tracing_notices.all(),
            "can_manage": user.can(Capability.MANAGE_PEOPLE),
            "can_review": user.can(Capability.REVIEW_PERSON_LINKS),
        },
    )


@login_required
@capability_required(Capability.MANAGE_PEOPLE)
def person_create(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = PersonForm(request.POST or None)

    def create(_data: dict[str, Any]) -> tuple[Any, list[str]]:
        if user.org_unit is None:
            raise PermissionDenied
        return services.person_create(
            by=user, org_unit=user.org_unit, **form.service_kwargs(creating=True)
        )

    if request.method == "POST" and (created := submit(form, create)) is not None:
        person, warnings = created
        for w in warnings:
            messages.warning(request, w)
        if person.merged_into_id:
            messages.info(request, _("身份证号与已有档案相同，已自动关联到该档案"))
            return redirect("people:detail", person.merged_into_id)
        messages.success(request, _("档案已建立"))
        return redirect("people:detail", person.pk)
    return render_form(request, "people/form.html", {"form": form, "person": None}, form)


@login_required
@capability_required(Capability.MANAGE_PEOPLE)
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    person = selectors.person_for(user, pk)
    if not selectors.holds(user, person) or person.merged_into_id:
        raise PermissionDenied
    initial = {
        "name": person.name,
        "aliases": person.aliases,
        "sex": person.sex,
        "birth_date": person.birth_date,
        "id_number": selectors.id_number_shown(person, user),
        "identity_status": person.identity_status,
        "household_registration": person.household_registration,
        "native_place": person.native_place,
        "dialect": person.dialect,
        "phone": person.phone,
        "height_cm": person.height_cm,
        "build": person.build,
        "features": person.features,
        "focus_groups": [f.group for f in person.focus_groups.all()],
        "risk_flags": person.risk_flags,
        "notes": person.notes,
    }
    form = PersonForm(request.POST or None, initial=initial)

    def update(_data: dict[str, Any]) -> tuple[Any, list[str]]:
        data = form.service_kwargs(creating=False)
        if data.get("id_number") == initial["id_number"] or "*" in (data.get("id_number") or ""):
            data.pop("id_number")  # the masked number was sent back unchanged
        return services.person_update(person=person, by=user, **data)

    if request.method == "POST" and (updated := submit(form, update)) is not None:
        person, warnings = updated
        for w in warnings:
            messages.warning(request, w)
        messages.success(request, _("档案已保存"))
        return redirect("people:detail", person.pk)
    return render_form(request, "people/form.html", {"form": form, "person": person}, form)


@login_required
@capability_required(Capability.VIEW_PEOPLE)
def candidates(request: HttpRequest) -> HttpResponse:
    """The candidates panel any form that describes a person can load (HTMX)."""
    user = request_user(request)
    data: dict[str, Any] = {
        k: request.GET.get(k, "") for k in ("name", "id_number", "phone", "sex")
    }
    try:
        age = request.GET.get("age") or request.GET.get("age_estimate")
        if age:
            data["age"] = min(max(int(age), 0), 120)
        if request.GET.get("lat") and request.GET.get("lng"):
            lat, lng = float(request.GET["lat"]), float(request.GET["lng"])
            if math.isfinite(lat) and math.isfinite(lng) and abs(lat) <= 90 and abs(lng) <= 180:
                data["lat"], data["lng"] = lat, lng
    except ValueError:
        data.pop("age", None)
    if data.get("sex") not in ("male", "female"):
        data["sex"] = ""
    described = linkage.described_from(data)
    found = []
    if any([described.name, described.id_number, described.phone, described.lat]):
        found = linkage.candidates_for(described, among=selectors.persons_for(user=user))
    return render(request, "people/_candidates.html", {"candidates": found})


@login_required
@capability_required(Capability.REVIEW_PERSON_LINKS)
def review_queue(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    page = Paginator(selectors.review_queue(user=user), 20).get_page(request.GET.get("page"))
    return render(request, "people/review.html", {"page": page})


@login_required
@capability_required(Capability.REVIEW_PERSON_LINKS)
@require_POST
def review_decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    review = selectors.review_for(user, pk)
    decision = request.POST.get("decision")
    if decision not in ("link", "reject"):
        messages.error(request, _("请选择“是同一人”或“不是同一人”"))
        return redirect("people:review")
    try:
        services.link_review_decide(review=review, by=user, link=decision == "link")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("已合并两份档案") if decision == "link" else _("已标记为不是同一人")
        )
    return redirect("people:review")


@login_required
@capability_required(Capability.REVIEW_PERSON_LINKS)
@require_POST
def merge_undo(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    merge = selectors.merge_for(user, pk)
    try:
        services.merge_undo(merge=merge, by=user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已撤销合并，两份档案恢复原状"))
    return redirect("people:detail", merge.merged_id)


@login_required
@capability_required(Capability.VIEW_PEOPLE)
def focus_overview(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    group = request.GET.get("group", "")
    district = (
        district_by_code(request.GET.get("district", "")) if request.GET.get("district") else None
    )
    people: Any = None
    if group:
        if group not in FocusGroup.values:
            raise Http404
        people = Paginator(
            selectors.focus_list(user=user, group=group, district=district), 50
        ).get_page(request.GET.get("page"))
    return render(
        request,
        "people/focus.html",
        {
            "rows": selectors.focus_counts_by_district(user=user),
            "groups": FocusGroup.choices,
            "group": group,
            "group_label": dict(FocusGroup.choices).get(group, ""),
            "district": district,
            "page": people,
        },
    )


@login_required
@capability_required(Capability.VIEW_PEOPLE)
def notice_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    notices = list(selectors.notices_for(user=user))
    overdue_ids = set(
        selectors.overdue(selectors.notices_for(user=user)).values_list("pk", flat=True)
    )
    stale_ids = set(selectors.stale(selectors.notices_for(user=user)).values_list("pk", flat=True))
    return render(
        request,
        "people/notices.html",
        {
            "notices": notices,
            "overdue_ids": overdue_ids,
            "stale_ids": stale_ids,
            "can_approve": user.can(Capability.APPROVE_TRACING_NOTICES),
        },
    )


@login_required
@capability_required(Capability.MANAGE_PEOPLE)
def notice_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    notice = selectors.notice_for(user, pk)
    form = NoticeForm(
        request.POST or None,
        request.FILES or None,
        initial=notice.public_fields() | {"sex": notice.sex},
    )
    if request.method == "POST" and (
        submit(form, lambda data: services.tracing_notice_update(notice=notice, by=user, **data))
        is not None
    ):
        messages.success(request, _("公告已保存"))
        return redirect("people:notices")
    context = {"form": form, "notice": notice}
    return render_form(request, "people/notice_form.html", context, form)


@login_required
@capability_required(Capability.APPROVE_TRACING_NOTICES)
@require_POST
def notice_approve(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    notice = selectors.notice_for(user, pk)
    try:
        services.tracing_notice_approve(notice=notice, by=user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("公告已审批发布"))
    return redirect("people:notices")


@login_required
@capability_required(Capability.MANAGE_PEOPLE)
@require_POST
def notice_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    notice = selectors.notice_for(user, pk)
    reason = (request.POST.get("reason") or "").strip()[:200] or _("已离站")
    try:
        services.tracing_notice_withdraw(notice=notice, by=user, reason=reason)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("公告已撤回"))
    return redirect("people:notices")


# ---- family inquiries (甄别寻亲) ----------------------------------------------------------------


@login_required
@capability_required(Capability.VIEW_PEOPLE)
def inquiry_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    page = Paginator(selectors.inquiries_for(user=user), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "people/inquiries.html",
        {"page": page, "can_create": user.can(Capability.MANAGE_PEOPLE)},
    )


@login_required
@capability_required(Capability.MANAGE_PEOPLE)
def inquiry_create(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if user.org_unit is None:
        raise PermissionDenied
    form = InquiryForm(request.POST or None, request.FILES or None)
    org_unit = user.org_unit

    def create(_data: dict[str, Any]) -> Any:
        return tracing.inquiry_create(by=user, org_unit=org_unit, **form.service_kwargs())

    if request.method == "POST" and (inquiry := submit(form, create)) is not None:
        found = selectors.inquiry_matches(user=user, inquiry=inquiry).count()
        messages.success(
            request,
            _("寻亲登记已保存，已与档案比对：%(n)s 份可能相符") % {"n": found}
            if found
            else _("寻亲登记已保存；暂无相符档案，新建档案时会自动再比对"),
        )
        return redirect("people:inquiry_detail", inquiry.pk)
    return render_form(request, "people/inquiry_form.html", {"form": form}, form)


@login_required
@capability_required(Capability.VIEW_PEOPLE)
def inquiry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    inquiry = selectors.inquiry_for(user, pk)
    with transaction.atomic():
        audit_record(actor=user, action=AuditAction.VIEW, target=inquiry)
    return render(
        request,
        "people/inquiry_detail.html",
        {
            "inquiry": inquiry,
            "matches": list(selectors.inquiry_matches(user=user, inquiry=inquiry)),
            "can_decide": user.can(Capability.REVIEW_PERSON_LINKS),
        },
    )


@login_required
@capability_required(Capability.REVIEW_PERSON_LINKS)
@require_POST
def inquiry_match_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm or reject one match; an HTMX request gets the updated match card back."""
    user = request_user(request)
    match = selectors.inquiry_match_for(user, pk)
    decision = request.POST.get("decision")
    error = ""
    if decision not in ("link", "reject"):
        error = _("请选择“是要找的人”或“不是”")
    else:
        try:
            match = tracing.inquiry_match_decide(match=match, by=user, confirm=decision == "link")
        except ValidationError as exc:
            error = " ".join(exc.messages)
    if request.htmx:  # type: ignore[attr-defined]
        match = selectors.inquiry_match_for(user, pk)
        return render(
            request,
            "people/_inquiry_match.html",
            {"m": match, "can_decide": True, "error": error},
            status=REFUSED if error else 200,
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(
            request, _("已确认，待核实身份并护送返乡") if decision == "link" else _("已否定")
        )
    return redirect("people:inquiry_detail", match.inquiry_id)


@login_required
@capability_required(Capability.VIEW_PEOPLE)
def inquiry_photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    user = request_user(request)
    inquiry = selectors.inquiry_for(user, pk)
    if not inquiry.photo:
        raise Http404
    return FileResponse(inquiry.photo.open("rb"))


# ---- public (no sign-in): approved notices only ----------------------------------------------


def public_notices(request: HttpRequest) -> HttpResponse:
    notices = [n.public_fields() for n in selectors.public_notices()[:200]]
    return render(request, "people/public_notices.html", {"notices": notices})


def public_notice_photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    notice = selectors.public_notice(pk)
    if not notice.photo:
        raise Http404
    return FileResponse(notice.photo.open("rb"))
