from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from warmwinter.accounts.auth import request_user
from warmwinter.accounts.decorators import capability_required
from warmwinter.accounts.permissions import Actor
from warmwinter.accounts.roles import Capability
from warmwinter.audit.models import AuditAction
from warmwinter.audit.services import audit_record
from warmwinter.core import rulebook
from warmwinter.core.forms import REFUSED, render_form, submit
from warmwinter.leads import lifecycle, ratelimit, selectors, services
from warmwinter.leads.forms import (
    CancelForm,
    HotlineForm,
    LeadReportForm,
    PublicReportForm,
    QuickReportForm,
)
from warmwinter.leads.models import Lead, LeadPhoto, LeadStatus
from warmwinter.leads.rules import priority_label
from warmwinter.places import geo
from warmwinter.places.geo import OutsideServiceAreaError


def _receive(form: LeadReportForm, by: Actor | None) -> Lead | None:
    """Record the form's report; on a refusal the reason is on the form and None comes back."""

    def receive(_data: dict[str, Any]) -> Lead:
        try:
            lead, _created = services.lead_receive(
                report=form.to_report(), by=by, idempotency_key=form.idempotency_key()
            )
        except OutsideServiceAreaError as exc:
            raise ValidationError(str(exc)) from exc
        return lead

    return submit(form, receive)


# --- public channel (no login) -------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def public_report(request: HttpRequest) -> HttpResponse:
    form = PublicReportForm()
    if request.method == "POST":
        if ratelimit.hit(request, "public"):
            return render(
                request,
                "leads/public_report.html",
                {"form": form, "rate_limited": True, "hotline": settings.HOTLINE_NUMBER},
                status=429,
            )
        form = PublicReportForm(request.POST, request.FILES)
        lead = _receive(form, by=None)
        if lead is not None:
            station = selectors.nearest_public_station(lead.lat, lead.lng)
            return render(
                request,
                "leads/public_done.html",
                {"lead": lead, "station": station, "hotline": settings.HOTLINE_NUMBER},
                status=201,
            )
    context = {"form": form, "hotline": settings.HOTLINE_NUMBER}
    return render_form(request, "leads/public_report.html", context, form)


@require_GET
def public_track(request: HttpRequest, code: str = "") -> HttpResponse:
    raw = code or request.GET.get("code", "")
    lead = None
    if raw:
        found = selectors.lead_by_tracking_code(services.normalise_tracking_code(raw)[:12])
        lead = selectors.public_status(found) if found is not None else None
    return render(
        request,
        "leads/public_track.html",
        {"code": raw, "lead": lead, "searched": bool(raw), "hotline": settings.HOTLINE_NUMBER},
        status=404 if raw and lead is None else 200,
    )


# --- staff and reporters --------------------------------------------------------------------


@login_required
@capability_required(Capability.VIEW_LEADS)
def lead_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status and status != "open" and status not in LeadStatus.values:
        status = ""
    qs = selectors.leads_for(user=request_user(request), status=status or None)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "leads/list.html",
        {"page": page, "status": status, "statuses": LeadStatus.choices},
    )


@login_required
@capability_required(Capability.RECORD_LEADS)
@require_http_methods(["GET", "POST"])
def quick_report(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = QuickReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        lead = _receive(form, by=user)
        if lead is not None:
            messages.success(
                request, _("已收到线索，查询码 %(code)s") % {"code": lead.tracking_code}
            )
            return redirect("leads:detail", pk=lead.pk)
    return render_form(request, "leads/quick_report.html", {"form": form}, form)


@login_required
@capability_required(Capability.TAKE_CALLS)
@require_http_methods(["GET", "POST"])
def hotline_console(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = HotlineForm(request.POST or None)
    if request.method == "POST":
        lead = _receive(form, by=user)
        if lead is not None:
            messages.success(
                request,
                _("已登记线索 %(code)s（%(district)s）")
                % {"code": lead.tracking_code, "district": lead.district.name},
            )
            return redirect("leads:hotline")
    recent = selectors.recorded_by(user=user)
    return render_form(request, "leads/hotline.html", {"form": form, "recent": recent}, form)


@login_required
@capability_required(Capability.VIEW_CITY_OPEN_LEADS)
@require_GET
def hotline_already_reported(request: HttpRequest) -> HttpResponse:
    """Has someone already reported this? The city's open leads near a place or point the caller
    names (no person data is shown, so the read is not a person-data read to audit)."""
    q = request.GET.get("place_q", "").strip()[:50]
    near, centre, error = None, "", ""
    lat, lng = request.GET.get("lat", "").strip(), request.GET.get("lng", "").strip()
    if lat and lng:
        try:
            near = geo.to_wgs84(float(lat), float(lng), datum=request.GET.get("datum", "wgs84"))
            geo.check_in_shanghai(near.lat, near.lng)
            centre = f"{near.lat:.5f}, {near.lng:.5f}"
        except ValueError as exc:
            near, error = None, str(exc)
    elif q:
        place = next(iter(selectors.hotline_place_search(q, limit=1)), None)
        if place is None:
            error = _("没有找到地点")
        else:
            near, centre = geo.LatLng(place.lat, place.lng), place.name
    searched = near is not None
    context = {
        "rows": selectors.city_open_leads(near=near),
        "searched": searched,
        "centre": centre,
        "error": error,
        "place_q": q,
        "lat": lat,
        "lng": lng,
        "radius": rulebook.integer("leads.already_reported_radius"),
    }
    return render(request, "leads/hotline_reported.html", context)


@login_required
@capability_required(Capability.TAKE_CALLS)
@require_GET
def hotline_caller_history(request: HttpRequest) -> HttpResponse:
    leads = selectors.caller_history(
        user=request_user(request), phone=request.GET.get("reporter_phone", "")[:20]
    )
    return render(request, "leads/_caller_history.html", {"leads": leads})


@login_required
@capability_required(Capability.TAKE_CALLS)
@require_GET
def hotline_place_search(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("place_q", "").strip()[:50]
    places = selectors.hotline_place_search(q) if q else []
    return render(request, "leads/_place_results.html", {"places": places})


@login_required
@capability_required(Capability.VIEW_LEADS)
def lead_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    lead = selectors.lead_for(user, pk)
    audit_record(actor=user, action=AuditAction.VIEW, target=lead)
    context: dict[str, Any] = {
        "lead": lead,
        "priority_label": priority_label(lead.priority),
        "events": lead.events.select_related("by"),
        "photos": lead.photos.all(),
        "merged": selectors.merged_into_this(lead),
        "duplicates": selectors.likely_duplicates(lead, user=user) if lead.is_open else [],
        "can_dispatch": user.can(Capability.DISPATCH_LEADS),
        "cancel_form": CancelForm(),
        "can_record_ambulance": user.can(Capability.DISPATCH_LEADS)
        or user.can(Capability.HANDLE_LEADS),
    }
    if context["can_dispatch"] and lead.status == LeadStatus.RECEIVED:
        from warmwinter.dispatch.selectors import suggestions_for

        context["suggestions"] = suggestions_for(lead, user=user)
    return render(request, "leads/detail.html", context)


@login_required
@capability_required(Capability.VIEW_LEADS)
@require_GET
def lead_photo(request: HttpRequest, pk: int, photo_pk: int) -> HttpResponse:
    lead = selectors.lead_for(request_user(request), pk)
    photo = get_object_or_404(LeadPhoto, lead=lead, pk=photo_pk)
    with photo.image.open("rb") as f:
        return HttpResponse(f.read(), content_type=photo.content_type)


@login_required
@capability_required(Capability.DISPATCH_LEADS)
@require_POST
def lead_merge(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    lead = selectors.lead_for(user, pk)
    into = selectors.lead_for(user, request.POST.get("into", ""))
    try:
        lifecycle.lead_merge(lead=lead, into=into, by=user)
    except ValidationError as exc:  # merging a lead into itself
        messages.error(request, " ".join(exc.messages))
        return render(request, "leads/conflict.html", {"lead": lead}, status=REFUSED)
    except lifecycle.LeadConflictError as exc:
        messages.error(request, str(exc))
        return render(request, "leads/conflict.html", {"lead": lead}, status=409)
    messages.success(request, _("已合并到 %(code)s") % {"code": into.tracking_code})
    return redirect("leads:detail", pk=into.pk)


@login_required
@capability_required(Capability.DISPATCH_LEADS)
@require_POST
def lead_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    lead = selectors.lead_for(user, pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写取消原因"))
        return render(request, "leads/conflict.html", {"lead": lead}, status=REFUSED)
    try:
        lifecycle.lead_cancel(lead=lead, by=user, reason=form.cleaned_data["reason"])
    except lifecycle.LeadConflictError as exc:
        messages.error(request, str(exc))
        return render(request, "leads/conflict.html", {"lead": lead}, status=409)
    return redirect("leads:detail", pk=lead.pk)
