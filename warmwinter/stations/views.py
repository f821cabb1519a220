"""Pages of the station, built for a tablet at the front desk."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django import forms as django_forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from warmwinter.accounts.auth import request_user
from warmwinter.accounts.decorators import capability_required
from warmwinter.accounts.roles import Capability
from warmwinter.audit.models import AuditAction
from warmwinter.audit.services import audit_record
from warmwinter.people.selectors import person_for
from warmwinter.stations import selectors, services, statistics
from warmwinter.stations.forms import (
    AdmissionForm,
    BedForm,
    DischargeForm,
    DisinfectionForm,
    DutyShiftForm,
    ExtendForm,
    HealthCheckForm,
    ServiceCloseForm,
    ServiceOpenForm,
    ServiceStepForm,
    VisitForm,
)
from warmwinter.stations.models import Admission


def _form_errors(form: django_forms.Form, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, messages in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


@login_required
@capability_required(Capability.VIEW_STATIONS)
def index(request: HttpRequest) -> HttpResponse:
    stations = list(selectors.stations_for(request_user(request)))
    if len(stations) == 1:
        return redirect("stations:home", code=stations[0].code)
    return render(request, "stations/index.html", {"stations": stations})


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
        "care": selectors.daily_care(station),
        "long_stays": selectors.long_stays(user=user, station=station),
        "disinfection_form": DisinfectionForm(),
    }
    if board.alert:
        context["shelters"] = selectors.open_shelters()
    with transaction.atomic():  # the board names the people in the station
        audit_record(actor=user, action=AuditAction.VIEW, target=station, detail={"page": "board"})
    return render(request, "stations/home.html", context)


@login_required
@capability_required(Capability.MANAGE_STATIONS)
def admit(request: HttpRequest, code: str) -> HttpResponse:
    user = request_user(request)
    station = selectors.station_for(user, code)
    form = AdmissionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = None
            if data["person_id"]:
                try:
                    person = person_for(user, data["person_id"])
                except Http404:
                    raise ValidationError({"person_id": "没有这份档案或无权查看"}) from None
            admission = services.admission_create(
                by=user,
                station=station,
                person=person,
                new_person=form.new_person(),
                **{
                    k: data[k]
                    for k in data
                    if k not in ("person_id", "name", "sex", "age_estimate")
                },
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            return redirect(admission)
    return render(request, "stations/admit.html", {"station": station, "form": form})


def _detail_context(user: Any, admission: Admission) -> dict[str, Any]:
    assignment = selectors.current_bed(admission)
    return {
        "admission": admission,
        "assignment": assignment,
        "free_beds": list(selectors.free_beds(admission.station)),
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
    }


@login_required
@capability_required(Capability.VIEW_STATIONS)
def admission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    admission = selectors.admission_for(user, pk)
    with transaction.atomic():
        audit_record(actor=user, action=AuditAction.VIEW, target=admission)
    return render(request, "stations/admission.html", _detail_context(user, admission))


@login_required
@capability_required(Capability.MANAGE_STATIONS)
@require_POST
def assign_bed(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    admission = selectors.admission_for(user, pk)
    form = BedForm(request.POST)
    if form.is_valid():
        try:
            bed = selectors.bed_for(user, form.cleaned_data["bed"])
            services.bed_assign(by=user, admission=admission, bed=bed)
        except Http404:
            form.add_error("bed", "没有这个床位")
        except ValidationError as exc:
            _form_errors(form, exc)
    context = _detail_context(user, admission)
    context["bed_form"] = form
    status = 200 if not form.errors else 409
    if request.htmx:  # type: ignore[attr-defined]
        # htmx swaps only 2xx answers: the card itself carries the message.
        return render(request, "stations/_bed.html", context)
    if form.errors:
        return render(request, "stations/admission.html", context, status=status)
    return redirect(admission)


@login_required
@capability_required(Capability.APPROVE_STAY_EXTENSIONS)
@require_POST
def extend_stay(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    admission = selectors.admission_for(user, pk)
    form = ExtendForm(request.POST)
    if form.is_valid():
        try:
            services.stay_extend(by=user, admission=admission, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            return redirect(admission)
    context = _detail_context(user, admission)
    context["extend_form"] = form
    return render(request, "stations/admission.html", context, status=400)


@login_required
@capability_required(Capability.MANAGE_STATIONS)
@require_POST
def record_visit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    admission = selectors.admission_for(user, pk)
    form = VisitForm(request.POST)
    if form.is_valid():
        try:
            services.visit_record(by=user, admission=admission, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            return redirect(admission)
    context = _detail_context(user, admission)
    context["visit_form"] = form
    return render(request, "stations/admission.html", context, status=400)


@login_required
@capability_required(Capability.MANAGE_STATIONS)
def discharge(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    admission = selectors.admission_for(user, pk)
    form = DischargeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.discharge(by=user, admission=admission, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            return redirect(admission)
    return render(request, "stations/discharge.html", {"admission": admission, "form": form})


@login_required
@capability_required(Capability.MANAGE_STATIONS)
@require_POST
def open_service(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    admission = selectors.admission_for(user, pk)
    form = ServiceOpenForm(request.POST)
    if form.is_valid():
        try:
            services.service_open(by=user, admission=admission, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            return redirect(admission)
    context = _detail_context(user, admission)
    context["service_form"] = form
    return render(request, "stations/admission.html", context, status=400)


@login_required
@capability_required(Capability.MANAGE_STATIONS)
@require_POST
def service_progress(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """A step (`action` "step") or the end (`action` "close") of a service case."""
    user = request_user(request)
    case = selectors.service_for(user, pk)
    form: django_forms.Form
    form = ServiceStepForm(request.POST) if action == "step" else ServiceCloseForm(request.POST)
    if form.is_valid():
        try:
            if action == "step":
                services.service_step(by=user, case=case, **form.cleaned_data)
            else:
                services.service_close(by=user, case=case, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            return redirect(case.admission)
    context = _detail_context(user, case.admission)
    context["step_form" if action == "step" else "close_form"] = form
    context["form_case"] = case.pk
    return render(request, "stations/admission.html", context, status=400)


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
        today = timezone.localdate()
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
    return render(
        request,
        "stations/statistics.html",
        {"form": form, "headers": statistics.headers(), "table": table},
        status=200 if form.is_valid() and not form.errors else 400,
    )


#: The national standard forms (民发〔2014〕132号) that print from a record.
PRINT_FORMS = {
    "registration": "stations/print_registration.html",  # 求助登记表
    "service-discharge": "stations/print_service_discharge.html",  # 在站服务及离站登记表
    "self-leave": "stations/print_self_leave.html",  # 自行离站声明书
}


@login_required
@capability_required(Capability.VIEW_STATIONS)
def print_form(request: HttpRequest, pk: int, form: str = "registration") -> HttpResponse:
    """A national form filled from the record, ready to print and sign."""
    if form not in PRINT_FORMS:
        raise Http404
    user = request_user(request)
    admission = selectors.admission_for(user, pk)
    with transaction.atomic():
        audit_record(actor=user, action=AuditAction.VIEW, target=admission, detail={"print": form})
    context = {
        "admission": admission,
        "person": admission.person,
        "services": selectors.services_of(admission),
        "assignment": selectors.current_bed(admission),
    }
    return render(request, PRINT_FORMS[form], context)


@login_required
@capability_required(Capability.MANAGE_STATIONS)
@require_POST
def record_health(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    admission = selectors.admission_for(user, pk)
    form = HealthCheckForm(request.POST)
    if form.is_valid():
        try:
            services.health_check_record(by=user, admission=admission, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            return redirect(admission)
    context = _detail_context(user, admission)
    context["health_form"] = form
    return render(request, "stations/admission.html", context, status=400)


@login_required
@capability_required(Capability.MANAGE_STATIONS)
@require_POST
def record_disinfection(request: HttpRequest, code: str) -> HttpResponse:
    user = request_user(request)
    station = selectors.station_for(user, code)
    form = DisinfectionForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("请选择分区"), status=400)
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
    status = 200
    if request.method == "POST":
        if not user.can(Capability.MANAGE_STATIONS):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.duty_shift_add(by=user, station=station, **form.cleaned_data)
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                return redirect("stations:roster", code=station.code)
        status = 400
    care = selectors.daily_care(station)
    tz = timezone.get_current_timezone()
    start = datetime.combine(timezone.localdate(), time.min, tzinfo=tz)
    shifts = selectors.roster_for(station, start=start, end=start + timedelta(days=7))
    context = {
        "station": station,
        "shifts": shifts,
        "care": care,
        "form": form,
        "can_manage": user.can(Capability.MANAGE_STATIONS),
    }
    return render(request, "stations/roster.html", context, status=status)
