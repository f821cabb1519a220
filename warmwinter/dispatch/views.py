from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from warmwinter.accounts.auth import request_user
from warmwinter.accounts.decorators import capability_required
from warmwinter.accounts.roles import Capability
from warmwinter.accounts.scoping import get_visible_or_404
from warmwinter.core import clock
from warmwinter.core.forms import REFUSED, render_form, submit
from warmwinter.dispatch import selectors, services
from warmwinter.dispatch.forms import ArchiveForm, ShiftForm, TeamForm
from warmwinter.dispatch.models import Shift, Team
from warmwinter.leads import lifecycle
from warmwinter.leads.forms import NobodyFoundForm
from warmwinter.leads.lifecycle import CLOSE_THROUGH_ENCOUNTER, LeadConflictError
from warmwinter.leads.models import Lead, LeadStatus
from warmwinter.leads.selectors import lead_for
from warmwinter.leads.services import lead_record_ambulance_call
from warmwinter.places.models import OrgLevel, OrgUnit
from warmwinter.places.selectors import district_for, districts_visible_to


def _board_filters(request: HttpRequest) -> dict[str, Any]:
    user = request_user(request)
    district = None
    code = request.GET.get("district", "")
    if code:
        district = get_visible_or_404(OrgUnit.objects.all(), user, code=code[:24])
    elif user.org_unit is not None and user.org_unit.level != OrgLevel.CITY:
        district = user.org_unit.district
    priority = request.GET.get("priority", "")
    return {
        "district": district,
        "priority": int(priority) if priority in ("1", "2", "3") else None,
        "overdue_only": request.GET.get("overdue") == "1",
    }


def _board_context(request: HttpRequest) -> dict[str, Any]:
    user = request_user(request)
    f = _board_filters(request)
    leads = list(selectors.board_leads(user=user, **f)[:200])
    top = selectors.top_suggestions(leads, user=user)
    for lead in leads:
        lead.top_suggestion = top.get(lead.pk)  # type: ignore[attr-defined]
    return {
        "filters": f,
        "leads": leads,
        "counters": selectors.board_counters(user=user, district=f["district"]),
        "query": request.GET.urlencode(),
        "can_dispatch": user.can(Capability.DISPATCH_LEADS),
    }


@login_required
@capability_required(Capability.VIEW_LEADS)
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    context = _board_context(request)
    user = request_user(request)
    district = context["filters"]["district"]
    districts = list(districts_visible_to(user))
    context.update(
        {
            # The district picker is for a user who sees more than one (the city).
            "districts": districts if len(districts) > 1 else [],
            "auto_dispatch": bool(district and selectors.auto_dispatch_on(district.pk)),
        }
    )
    return render(request, "dispatch/board.html", context)


@login_required
@capability_required(Capability.VIEW_LEADS)
@require_GET
def board_partial(request: HttpRequest) -> HttpResponse:
    return render(request, "dispatch/_board_live.html", _board_context(request))


def _back(request: HttpRequest, default: str) -> HttpResponse:
    """Back to the page the form was on (`next`), if it is a path on this site. Anything else
    goes to `default`: another host, and a bare word, which `redirect` would look up as the
    name of a view (and fail on)."""
    target = request.POST.get("next", "")
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        target = default
    return redirect(target)


def _refused(request: HttpRequest, lead: Lead, exc: Exception, status: int) -> HttpResponse:
    message = " ".join(getattr(exc, "messages", None) or [str(exc)])
    return render(
        request, "dispatch/refused.html", {"lead": lead, "message": message}, status=status
    )


@login_required
@capability_required(Capability.DISPATCH_LEADS)
@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    lead = lead_for(user, pk)
    team = selectors.team_for(user, request.POST.get("team", ""))
    try:
        lifecycle.lead_assign(lead=lead, team=team, by=user)
    except LeadConflictError as exc:
        return _refused(request, lead, exc, 409)
    except ValidationError as exc:
        return _refused(request, lead, exc, REFUSED)
    messages.success(
        request, _("已派单：%(code)s → %(team)s") % {"code": lead.tracking_code, "team": team}
    )
    return _back(request, f"/leads/{lead.pk}/")


@login_required
@require_POST
def team_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Accept, on scene: the lifecycle refuses a user who may not (403 on the page)."""
    user = request_user(request)
    lead = lead_for(user, pk)
    step = {"accept": lifecycle.lead_accept, "arrive": lifecycle.lead_arrive}[action]
    try:
        step(lead=lead, by=user)
    except LeadConflictError as exc:
        return _refused(request, lead, exc, 409)
    except PermissionDenied as exc:
        return _refused(request, lead, exc, 403)
    return _back(request, "/dispatch/my/")


def encounter_form_url(lead: Lead) -> str:
    """The patrol app's encounter form, about this lead (the app opens it from `?lead=`)."""
    return f"{reverse('patrols:app')}?lead={lead.pk}"


@login_required
@require_http_methods(["GET", "POST"])
def close(request: HttpRequest, pk: int) -> HttpResponse:
    """A lead closes through what happened: this leads into the encounter form for the lead,
    where the outcome is the encounter's. A close posted with an outcome of its own (an old
    page, a script) is refused."""
    lead = lead_for(request_user(request), pk)
    if request.method == "POST":
        return _refused(request, lead, ValidationError(CLOSE_THROUGH_ENCOUNTER), REFUSED)
    return redirect(encounter_form_url(lead))


@login_required
@require_POST
def nobody_found(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Nobody found at the place": the phone's check-in near the place and a note."""
    user = request_user(request)
    lead = lead_for(user, pk)
    form = NobodyFoundForm(request.POST)
    if not form.is_valid():
        errors = [str(m) for ms in form.errors.values() for m in ms]
        return _refused(request, lead, ValidationError(errors), REFUSED)
    try:
        lifecycle.lead_close_nobody_found(lead=lead, by=user, **form.cleaned_data)
    except LeadConflictError as exc:
        return _refused(request, lead, exc, 409)
    except PermissionDenied as exc:
        return _refused(request, lead, exc, 403)
    except ValidationError as exc:
        return _refused(request, lead, exc, REFUSED)
    messages.success(
        request, _("线索 %(code)s 已按「现场未发现」办结") % {"code": lead.tracking_code}
    )
    return _back(request, "/dispatch/my/")


@login_required
@require_POST
def ambulance(request: HttpRequest, pk: int) -> HttpResponse:
    """Record whether 120 was called (the board, the phone, the lead's page)."""
    user = request_user(request)
    lead = lead_for(user, pk)
    called = request.POST.get("called") == "1"
    try:
        lead_record_ambulance_call(lead=lead, by=user, called=called)
    except PermissionDenied as exc:
        return _refused(request, lead, exc, 403)
    messages.success(
        request,
        (_("已记录：线索 %(code)s 已拨打 120") if called else _("已记录：线索 %(code)s 未拨打 120"))
        % {"code": lead.tracking_code},
    )
    return _back(request, f"/leads/{lead.pk}/")


@login_required
@capability_required(Capability.HANDLE_LEADS)
@require_GET
def my_leads(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    context = {
        "leads": selectors.leads_for_member(user),
        "teams": Team.objects.active().filter(members=user),
        "nobody_form": NobodyFoundForm(),
        "statuses": LeadStatus,
    }
    template = "dispatch/_my_leads.html" if request.htmx else "dispatch/my_leads.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@login_required
@capability_required(Capability.DISPATCH_LEADS)
@require_POST
def auto_dispatch_toggle(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    district = district_for(user, request.POST.get("district", ""))
    on = request.POST.get("on") == "1"
    services.auto_dispatch_set(district=district, on=on, by=user)
    messages.success(
        request,
        (_("%(d)s 已开启自动派单") if on else _("%(d)s 已关闭自动派单")) % {"d": district.name},
    )
    return redirect(f"/dispatch/?district={district.code}")


@login_required
@capability_required(Capability.VIEW_LEADS)
@require_GET
def team_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    context = {
        "teams": selectors.teams_list_for(user=user),
        "can_manage": user.can(Capability.DISPATCH_LEADS),
    }
    return render(request, "dispatch/teams.html", context)


# --- Team management (the district dispatcher) ----------------------------------------------


def _team_page(
    request: HttpRequest,
    team: Team,
    *,
    team_form: TeamForm | None = None,
    shift_form: ShiftForm | None = None,
    archive_form: ArchiveForm | None = None,
) -> HttpResponse:
    user = request_user(request)
    now = timezone.now()
    context = {
        "team": team,
        "form": team_form or TeamForm(user=user, team=team),
        "shift_form": shift_form or ShiftForm(),
        "archive_form": archive_form or ArchiveForm(),
        "coming_shifts": selectors.shifts_coming(team, now=now),
        "past_shifts": selectors.shifts_past(team, now=now),
        "tonight": selectors.shift_covering_tonight(team, now=now),
        "repeat_nights": services.REPEAT_NIGHTS,
        "now": now,
    }
    return render_form(request, "dispatch/team.html", context, team_form, shift_form, archive_form)


@login_required
@capability_required(Capability.DISPATCH_LEADS)
@require_http_methods(["GET", "POST"])
def team_create(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = TeamForm(request.POST or None, user=user)
    if request.method == "POST":
        team = submit(
            form,
            lambda data: services.team_create(
                by=user, district=data["district"], **form.service_kwargs()
            ),
        )
        if team is not None:
            messages.success(request, _("已新建救助分队：%(team)s") % {"team": team.name})
            return redirect("dispatch:team", pk=team.pk)
    return render_form(request, "dispatch/team_new.html", {"form": form}, form)


@login_required
@capability_required(Capability.DISPATCH_LEADS)
@require_http_methods(["GET", "POST"])
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The team's page: edit its details and members, its shifts, archive it."""
    user = request_user(request)
    team = selectors.team_page_for(user, pk)
    if request.method != "POST":
        return _team_page(request, team)
    form = TeamForm(request.POST, user=user, team=team)
    if submit(form, lambda data: services.team_update(team=team, by=user, **form.service_kwargs())):
        messages.success(request, _("已保存分队信息"))
        return redirect("dispatch:team", pk=team.pk)
    return _team_page(request, team, team_form=form)


@login_required
@capability_required(Capability.DISPATCH_LEADS)
@require_POST
def team_archive(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    team = selectors.team_page_for(user, pk)
    form = ArchiveForm(request.POST)
    archived = submit(
        form,
        lambda data: services.team_archive(team=team, by=user, reason=data["reason"]),
    )
    if archived is None:
        return _team_page(request, team, archive_form=form)
    messages.success(request, _("已归档救助分队：%(team)s") % {"team": team.name})
    return redirect("dispatch:teams")


@login_required
@capability_required(Capability.DISPATCH_LEADS)
@require_POST
def shift_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    team = selectors.team_page_for(user, pk)
    form = ShiftForm(request.POST)
    shift = submit(form, lambda data: services.shift_add(team=team, by=user, **data))
    if shift is None:
        return _team_page(request, team, shift_form=form)
    messages.success(request, _("已添加班次：%(shift)s") % {"shift": _shift_label(shift)})
    return redirect("dispatch:team", pk=team.pk)


def _shift_label(shift: Shift) -> str:
    a, b = clock.local(shift.starts_at), clock.local(shift.ends_at)
    return f"{a:%m-%d %H:%M} – {b:%m-%d %H:%M}"


@login_required
@capability_required(Capability.DISPATCH_LEADS)
@require_POST
def shift_remove(request: HttpRequest, pk: int, shift_pk: int) -> HttpResponse:
    user = request_user(request)
    team = selectors.team_page_for(user, pk)
    shift = selectors.shift_for(user, team, shift_pk)
    try:
        services.shift_remove(shift=shift, by=user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已删除班次：%(shift)s") % {"shift": _shift_label(shift)})
    return redirect("dispatch:team", pk=team.pk)


@login_required
@capability_required(Capability.DISPATCH_LEADS)
@require_POST
def shift_repeat(request: HttpRequest, pk: int, shift_pk: int) -> HttpResponse:
    """Copy a shift (the page offers tonight's) to the same hours of the next nights."""
    user = request_user(request)
    team = selectors.team_page_for(user, pk)
    shift = selectors.shift_for(user, team, shift_pk)
    try:
        created, skipped = services.shift_repeat(shift=shift, by=user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _(
                "已复制到之后 %(nights)s 晚：新增 %(added)s 个班次，跳过 %(skipped)s 晚（已有重叠的班次）"
            )
            % {"nights": services.REPEAT_NIGHTS, "added": len(created), "skipped": skipped},
        )
    return redirect("dispatch:team", pk=team.pk)
