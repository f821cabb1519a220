"""Pages of the station, built for a tablet at the front desk."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django import forms as django_forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from warmwinter.accounts.auth import request_user
from warmwinter.accounts.decorators import capability_required
from warmwinter.accounts.permissions import require
from warmwinter.accounts.roles import Capability
from warmwinter.audit.models import AuditAction
from warmwinter.audit.services import audit_record
from warmwinter.core import clock
from warmwinter.core.forms import REFUSED, render_form, submit
from warmwinter.people.selectors import person_for
from warmwinter.stations import pdf, selectors, services, statistics
from warmwinter.stations.forms import (
    PERSON_FIELDS,
    AdmissionForm,
    BedForm,
    DischargeForm,
    DisinfectionForm,
    DutyShiftForm,
    ExtendForm,
    HealthCheckForm,
    NightRoundForm,
    PlacementStepForm,
    RefuseForm,
    ServiceCloseForm,
    ServiceOpenForm,
    ServiceStepForm,
    TerminateForm,
    VisitForm,
)
from warmwinter.stations.models import Admission, AidDecision, AidDecisionKind, PlacementStepKind

logger = logging.getLogger(__name__)


def _chosen_person(user: Any, person_id: int | None) -> Any:
    """The file picked by number on an admission or refusal form, in the user's scope."""
    if not person_id:
        return None
    try:
        return person_for(user, person_id)
    except Http404:
        raise ValidationError({"person_id": "没有这份档案或无权查看"}) from None


@login_required
@capability_required(Capability.VIEW_STATIONS)
def index(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    stations = list(selectors.stations_for(user))
    shelters = list(selectors.shelters_for(user).order_by("org_unit__code", "name"))
    if len(stations) == 1 and not shelters:
        return redirect("stations:home", code=stations[0].code)
    return render(request, "stations/index.html", {"stations": stations, "shelters": shelters})


@login_required
@capability_required(Capability.VIEW_STATIONS)
def home(request: HttpRequest, code: str) -> HttpResponse:
    user = request_user(request)
    station = selectors.station_for(user, code)
    board = selectors.bed_board(station)
    context = {
        "station": station,
        "board": board,
        "near_limit": selectors.stays_near_limit(user=user, station=station),
        "overdue": list(selectors.visits_overdue(user=user, station=station)),
        "can_manage": user.can(Capability.MANAGE_STATIONS),
        "can_decide": user.can(Capability.APPROVE_STAY_EXTENSIONS),
        "care": selectors.daily_care(station),
        "long_stays": selectors.long_stays(user=user, station=station),
        "decisions": selectors.decisions_for(user=user, station=station, limit=10),
        "incoming": list(selectors.incoming_escorts(station)),
        "disinfection_form": DisinfectionForm(),
    }
    if board.alert:
        context["shelters"] = selectors.open_shelters()
    with transaction.atomic():  # the board names the people in the station
        audit_record(actor=user, action=AuditAction.VIEW, target=station, detail={"page": "board"})
    return render(request, "stations/home.html", context)


def _admit(request: HttpRequest, *, station: Any, shelter: Any = None) -> HttpResponse:
    """入站 at a station, or at a temporary shelter run by `station` (the same form, fewer
    steps on the record afterwards)."""
    user = request_user(request)
    encounter = None
    escort_id = request.POST.get("encounter") or request.GET.get("encounter")
    if escort_id and shelter is None:
        encounter = selectors.incoming_escort_for(station, escort_id)
    initial = {"brought_by": "patrol", "escort_note": encounter.escort_members} if encounter else {}
    form = AdmissionForm(request.POST or None, initial=initial)

    def admit(data: dict[str, Any]) -> Admission:
        return services.admission_create(
            by=user,
            station=station,
            shelter=shelter,
            person=None if encounter else _chosen_person(user, data["person_id"]),
            new_person=None if encounter else form.new_person(),
            encounter=encounter,
            **{k: v for k, v in data.items() if k not in PERSON_FIELDS},
        )

    if request.method == "POST" and (admission := submit(form, admit)) is not None:
        return redirect(admission)
    context = {"station": station, "shelter": shelter, "form": form, "encounter": encounter}
    return render_form(request, "stations/admit.html", context, form)


@login_required
@capability_required(Capability.MANAGE_STATIONS)
def admit(request: HttpRequest, code: str) -> HttpResponse:
    return _admit(request, station=selectors.station_for(request_user(request), code))


def _detail_context(user: Any, admission: Admission) -> dict[str, Any]:
    assignment = selectors.current_bed(admission)
    return {
        "admission": admission,
        "assignment": assignment,
        "free_beds": [] if admission.shelter_id else list(selectors.free_beds(admission.station)),
        "extensions": list(admission.extensions.select_related("approved_by")),
        "visits": list(admission.visits.select_related("by")),
        "can_manage": user.can(Capability.MANAGE_STATIONS),
        "can_approve": user.can(Capability.APPROVE_STAY_EXTENSIONS),
        "bed_form": BedForm(),
        "extend_form": ExtendForm(),
        "visit_form": VisitForm(),
        "services": selectors.services_of(admission),
        "service_form": ServiceOpenForm(),
        "step_form": ServiceStepForm(),
        "close_form": ServiceCloseForm(),
        "health_form": HealthCheckForm(),
        "health_checks": list(admission.health_checks.select_related("by")[:14]),
        "termination": AidDecision.objects.filter(admission=admission).first(),
        "placement_steps": list(admission.placement_steps.select_related("by")),
    }


@login_required
@capability_required(Capability.VIEW_STATIONS)
def admission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    admission = selectors.admission_for(user, pk)
    with transaction.atomic():
        audit_record(actor=user, action=AuditAction.VIEW, target=admission)
    return render(request, "stations/admission.html", _detail_context(user, admission))


def _on_admission(
    request: HttpRequest,
    pk: int,
    *,
    form_class: type[django_forms.Form],
    form_key: str,
    service: Callable[..., Any],
    done_url: str = "",
) -> HttpResponse:
    """A form posted from the admission page: run `service(by=…, admission=…, **data)` and go
    back to the page (or to `done_url`), or show the page again with the form's errors (422)."""
    user = request_user(request)
    admission = selectors.admission_for(user, pk)
    form = form_class(request.POST)
    if submit(form, lambda data: service(by=user, admission=admission, **data)) is not None:
        return redirect(done_url or admission.get_absolute_url())
    context = _detail_context(user, admission)
    context[form_key] = form
    return render_form(request, "stations/admission.html", context, form)


@login_required
@capability_required(Capability.MANAGE_STATIONS)
@require_POST
def assign_bed(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    admission = selectors.admission_for(user, pk)
    form = BedForm(request.POST)

    def assign(data: dict[str, Any]) -> Any:
        try:
            bed = selectors.bed_for(user, data["bed"])
        except Http404:
            raise ValidationError({"bed": "没有这个床位"}) from None
        return services.bed_assign(by=user, admission=admission, bed=bed)

    done = submit(form, assign) is not None
    context = _detail_context(user, admission)
    context["bed_form"] = form
    if request.htmx:  # type: ignore[attr-defined]
        # The card carries the outcome (htmx swaps a 422 as well: base.html's htmx-config).
        return render_form(request, "stations/_bed.html", context, form)
    if not done:
        return render_form(request, "stations/admission.html", context, form)
    return redirect(admission)


@login_required
@capability_required(Capability.APPROVE_STAY_EXTENSIONS)
@require_POST
def extend_stay(request: HttpRequest, pk: int) -> HttpResponse:
    return _on_admission(
        request, pk, form_class=ExtendForm, form_key="extend_form", service=services.stay_extend
    )


@login_required
@capability_required(Capability.MANAGE_STATIONS)
@require_POST
def record_visit(request: HttpRequest, pk: int) -> HttpResponse:
    return _on_admission(
        request, pk, form_class=VisitForm, form_key="visit_form", service=services.visit_record
    )


@login_required
@capability_required(Capability.MANAGE_STATIONS)
@require_POST
def open_service(request: HttpRequest, pk: int) -> HttpResponse:
    return _on_admission(
        request,
        pk,
        form_class=ServiceOpenForm,
        form_key="service_form",
        service=services.service_open,
    )


@login_required
@capability_required(Capability.MANAGE_STATIONS)
@require_POST
def record_health(request: HttpRequest, pk: int) -> HttpResponse:
    return _on_admission(
        request,
        pk,
        form_class=HealthCheckForm,
        form_key="health_form",
        service=services.health_check_record,
    )


@login_required
@capability_required(Capability.MANAGE_STATIONS)
@require_POST
def placement_step(request: HttpRequest, pk: int) -> HttpResponse:
    admission = selectors.admission_for(request_user(request), pk)
    from_list = request.POST.get("from") == "long_stay"
    return _on_admission(
        request,
        pk,
        form_class=PlacementStepForm,
        form_key="placement_form",
        service=services.placement_step_record,
        done_url=reverse("stations:long_stay", args=[admission.station.code]) if from_list else "",
    )


@login_required
@capability_required(Capability.MANAGE_STATIONS)
def discharge(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    admission = selectors.admission_for(user, pk)
    form = DischargeForm(request.POST or None)
    if (
        request.method == "POST"
        and submit(form, lambda data: services.discharge(by=user, admission=admission, **data))
        is not None
    ):
        return redirect(admission)
    return render_form(
        request, "stations/discharge.html", {"admission": admission, "form": form}, form
    )


@login_required
@capability_required(Capability.MANAGE_STATIONS)
@require_POST
def service_progress(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """A step (`action` "step") or the end (`action` "close") of a service case."""
    user = request_user(request)
    case = selectors.service_for(user, pk)
    form: django_forms.Form
    form = ServiceStepForm(request.POST) if action == "step" else ServiceCloseForm(request.POST)
    service = services.service_step if action == "step" else services.service_close
    if submit(form, lambda data: service(by=user, case=case, **data)) is not None:
        return redirect(case.admission)
    context = _detail_context(user, case.admission)
    context["step_form" if action == "step" else "close_form"] = form
    context["form_case"] = case.pk
    return render_form(request, "stations/admission.html", context, form)


class StatisticsForm(django_forms.Form):
    start = django_forms.DateField(
        label=_("开始日期"), required=False, widget=django_forms.DateInput(attrs={"type": "date"})
    )
    end = django_forms.DateField(
        label=_("结束日期"), required=False, widget=django_forms.DateInput(attrs={"type": "date"})
    )
    station = django_forms.CharField(label=_("救助管理站代码"), required=False, max_length=24)


@login_required
@capability_required(Capability.VIEW_STATIONS)
def statistics_page(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = StatisticsForm(request.GET)
    rows: list[statistics.DayRow] = []
    if form.is_valid():
        today = clock.local_date()
        end = form.cleaned_data["end"] or today
        start = form.cleaned_data["start"] or end - timedelta(days=13)
        station = (
            selectors.station_for(user, form.cleaned_data["station"])
            if form.cleaned_data["station"]
            else None
        )
        if start > end or (end - start).days >= statistics.MAX_DAYS:
            form.add_error(
                None,
                _("日期范围无效：开始不能晚于结束，且最长 %(n)s 天") % {"n": statistics.MAX_DAYS},
            )
        else:
            rows = statistics.daily_rows(user=user, start=start, end=end, station=station)
            if request.GET.get("format") == "xlsx":
                with transaction.atomic():
                    audit_record(
                        actor=user,
                        action=AuditAction.EXPORT,
                        detail={
                            "export": "station_statistics",
                            "start": str(start),
                            "end": str(end),
                        },
                    )
                response = HttpResponse(
                    statistics.workbook(rows),
                    content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                )
                response["Content-Disposition"] = (
                    f'attachment; filename="station-statistics-{start}-{end}.xlsx"'
                )
                return response
    table = [
        statistics.row_values(r) for r in rows if r.admitted or r.present or r.discharged_total
    ]
    context = {"form": form, "headers": statistics.headers(), "table": table}
    return render_form(request, "stations/statistics.html", context, form)


#: The national standard forms (民发〔2014〕132号) that print from an admission.
PRINT_FORMS = {
    "registration": "stations/print_registration.html",  # 求助登记表
    "service-discharge": "stations/print_service_discharge.html",  # 在站服务及离站登记表
    "self-leave": "stations/print_self_leave.html",  # 自行离站声明书
}
#: … and from a decision (不予救助通知书, 终止救助通知书).
DECISION_FORMS = {
    AidDecisionKind.REFUSE: "stations/print_refusal.html",
    AidDecisionKind.TERMINATE: "stations/print_termination.html",
}


def _printed(
    request: HttpRequest, *, template: str, context: dict[str, Any], filename: str
) -> HttpResponse:
    """The print view, or with `?format=pdf` the same template as an A4 PDF."""
    if request.GET.get("format") != "pdf":
        return render(request, template, context)
    try:
        body = pdf.render_pdf(template, context, request)
    except pdf.FormFontMissing as exc:
        logger.error("%s", exc)
        return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}.pdf"'
    return response


@login_required
@capability_required(Capability.VIEW_STATIONS)
def print_form(request: HttpRequest, pk: int, form: str = "registration") -> HttpResponse:
    """A national form filled from the record, ready to print and sign (HTML or PDF)."""
    if form not in PRINT_FORMS:
        raise Http404
    user = request_user(request)
    admission = selectors.admission_for(user, pk)
    with transaction.atomic():
        audit_record(
            actor=user,
            action=AuditAction.VIEW,
            target=admission,
            detail={"print": form, "format": request.GET.get("format", "html")[:8]},
        )
    context = {
        "admission": admission,
        "person": admission.person,
        "services": selectors.services_of(admission),
        "assignment": selectors.current_bed(admission),
        "termination": AidDecision.objects.filter(admission=admission).first(),
    }
    return _printed(
        request, template=PRINT_FORMS[form], context=context, filename=f"{form}-{admission.pk}"
    )


@login_required
@capability_required(Capability.VIEW_STATIONS)
def decision_print(request: HttpRequest, pk: int) -> HttpResponse:
    """不予救助通知书 / 终止救助通知书, filled from the decision."""
    user = request_user(request)
    decision = selectors.decision_for(user, pk)
    with transaction.atomic():
        audit_record(
            actor=user,
            action=AuditAction.VIEW,
            target=decision,
            detail={"print": decision.kind, "format": request.GET.get("format", "html")[:8]},
        )
    context = {"decision": decision, "person": decision.person, "admission": decision.admission}
    return _printed(
        request,
        template=DECISION_FORMS[AidDecisionKind(decision.kind)],
        context=context,
        filename=f"{decision.kind}-{decision.pk}",
    )


@login_required
@capability_required(Capability.APPROVE_STAY_EXTENSIONS)
def refuse(request: HttpRequest, code: str) -> HttpResponse:
    """不予救助: record the decision, then print the notice."""
    user = request_user(request)
    station = selectors.station_for(user, code)
    form = RefuseForm(request.POST or None)

    def decide(data: dict[str, Any]) -> AidDecision:
        return services.aid_refuse(
            by=user,
            station=station,
            person=_chosen_person(user, data["person_id"]),
            new_person=form.new_person(),
            reason=data["reason"],
            detail=data["detail"],
        )

    if request.method == "POST" and (decision := submit(form, decide)) is not None:
        return redirect(decision)
    context = {"station": station, "form": form, "title": _("不予救助")}
    return render_form(request, "stations/decide.html", context, form)


@login_required
@capability_required(Capability.APPROVE_STAY_EXTENSIONS)
def terminate(request: HttpRequest, pk: int) -> HttpResponse:
    """终止救助: record the decision (the person is discharged), then print the notice."""
    user = request_user(request)
    admission = selectors.admission_for(user, pk)
    form = TerminateForm(request.POST or None)

    def decide(data: dict[str, Any]) -> AidDecision:
        return services.aid_terminate(by=user, admission=admission, **data)

    if request.method == "POST" and (decision := submit(form, decide)) is not None:
        return redirect(decision)
    context = {
        "station": admission.station,
        "admission": admission,
        "form": form,
        "title": _("终止救助"),
    }
    return render_form(request, "stations/decide.html", context, form)


@login_required
@capability_required(Capability.MANAGE_STATIONS)
@require_POST
def record_disinfection(request: HttpRequest, code: str) -> HttpResponse:
    user = request_user(request)
    station = selectors.station_for(user, code)
    form = DisinfectionForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("请选择分区"), status=REFUSED)
    zone = selectors.zone_for(user, form.cleaned_data["zone"])
    if zone.station_id != station.pk:
        raise Http404
    services.disinfection_record(by=user, zone=zone, note=form.cleaned_data["note"])
    return redirect("stations:home", code=station.code)


@login_required
@capability_required(Capability.VIEW_STATIONS)
def roster(request: HttpRequest, code: str) -> HttpResponse:
    """值班表: the coming week, its gaps and the days without a leader on duty."""
    user = request_user(request)
    station = selectors.station_for(user, code)
    staff = selectors.station_staff(station)
    form = DutyShiftForm(request.POST or None, staff=staff)
    if request.method == "POST":
        # The page reads for everyone who views stations; posting is refused before the form.
        require(user, Capability.MANAGE_STATIONS, within=station)
        add = services.duty_shift_add
        if submit(form, lambda data: add(by=user, station=station, **data)) is not None:
            return redirect("stations:roster", code=station.code)
    care = selectors.daily_care(station)
    start = clock.day_bounds(clock.local_date())[0]
    shifts = selectors.roster_for(station, start=start, end=start + timedelta(days=7))
    context = {
        "station": station,
        "shifts": shifts,
        "care": care,
        "form": form,
        "can_manage": user.can(Capability.MANAGE_STATIONS),
    }
    return render_form(request, "stations/roster.html", context, form)


@login_required
@capability_required(Capability.VIEW_STATIONS)
def rounds(request: HttpRequest, code: str) -> HttpResponse:
    """值班巡查: record a round; the nights' windows without one are flagged."""
    user = request_user(request)
    station = selectors.station_for(user, code)
    form = NightRoundForm(request.POST or None)
    if request.method == "POST":
        require(user, Capability.MANAGE_STATIONS, within=station)
        record = services.night_round_record
        if submit(form, lambda data: record(by=user, station=station, **data)) is not None:
            return redirect("stations:rounds", code=station.code)
    now = timezone.now()
    context = {
        "station": station,
        "form": form,
        "rounds": list(selectors.rounds_for(station, since=now - timedelta(days=3))),
        "missing": selectors.rounds_missing(station, now=now),
        "can_manage": user.can(Capability.MANAGE_STATIONS),
    }
    return render_form(request, "stations/rounds.html", context, form)


@login_required
@capability_required(Capability.VIEW_STATIONS)
def long_stay(request: HttpRequest, code: str) -> HttpResponse:
    """长期滞留 people without identity: days in station and where their placement stands."""
    user = request_user(request)
    station = selectors.station_for(user, code)
    rows = selectors.placements(user=user, station=station)
    with transaction.atomic():
        audit_record(
            actor=user, action=AuditAction.VIEW, target=station, detail={"page": "long_stay"}
        )
    return render(
        request,
        "stations/long_stay.html",
        {
            "station": station,
            "rows": rows,
            "steps": PlacementStepKind.choices,
            "can_manage": user.can(Capability.MANAGE_STATIONS),
        },
    )


@login_required
@capability_required(Capability.VIEW_STATIONS)
def shelter_home(request: HttpRequest, pk: int) -> HttpResponse:
    """A temporary shelter: who is there now, against its capacity."""
    user = request_user(request)
    shelter = selectors.shelter_for(user, pk)
    guests = selectors.shelter_guests(shelter)
    with transaction.atomic():
        audit_record(
            actor=user, action=AuditAction.VIEW, target=shelter, detail={"page": "shelter"}
        )
    return render(
        request,
        "stations/shelter.html",
        {
            "shelter": shelter,
            "guests": guests,
            "full": shelter.capacity is not None and len(guests) >= shelter.capacity,
            "can_manage": user.can(Capability.MANAGE_STATIONS),
        },
    )


@login_required
@capability_required(Capability.MANAGE_STATIONS)
def shelter_admit(request: HttpRequest, pk: int) -> HttpResponse:
    shelter = selectors.shelter_for(request_user(request), pk)
    return _admit(request, station=shelter.org_unit, shelter=shelter)
