from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from warmwinter.accounts.auth import request_user
from warmwinter.accounts.decorators import capability_required
from warmwinter.accounts.roles import Capability
from warmwinter.core import clock
from warmwinter.core.forms import render_form, submit
from warmwinter.places.models import OrgUnit
from warmwinter.places.selectors import districts_visible_to
from warmwinter.weather import selectors, services
from warmwinter.weather.forms import IngestForm, LevelForm
from warmwinter.weather.parsing import WarningRejectedError


@login_required
@capability_required(Capability.VIEW_WEATHER)
def index(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    levels = selectors.district_levels(districts_visible_to(user))
    return render(
        request,
        "weather/index.html",
        {
            "levels": levels,
            "warnings": list(selectors.warnings_in_force()),
            "home": selectors.home_district(user),
            "events": selectors.recent_level_events(districts_visible_to(user)),
            "can_manage": user.can(Capability.MANAGE_WEATHER),
        },
    )


def _district_page(
    request: HttpRequest, district: OrgUnit, form: LevelForm | None = None
) -> HttpResponse:
    user = request_user(request)
    (state,) = selectors.district_levels(selectors.districts_qs(district))
    level, patrols = selectors.required_patrols(district)
    context = {
        "district": district,
        "state": state,
        "effects": selectors.effects_for(state.level),
        "warnings": list(selectors.warnings_in_force(district=district)),
        "timeline": selectors.level_timeline(district),
        "shelters": list(selectors.open_shelters(district)),
        "patrols": patrols,
        "night": clock.tonight(),
        "form": form or LevelForm(initial={"level": int(state.level)}),
        "can_manage": user.can(Capability.MANAGE_WEATHER),
    }
    return render_form(request, "weather/district.html", context, form)


@login_required
@capability_required(Capability.VIEW_WEATHER)
def district_page(request: HttpRequest, code: str) -> HttpResponse:
    return _district_page(request, selectors.district_for(request_user(request), code))


@require_POST
@login_required
@capability_required(Capability.MANAGE_WEATHER)
def set_level(request: HttpRequest, code: str) -> HttpResponse:
    user = request_user(request)
    district = selectors.district_for(user, code)
    form = LevelForm(request.POST)
    changed = submit(
        form,
        lambda data: services.level_set_manually(
            district=district, level=data["level"], reason=data["reason"], by=user
        ),
    )
    if changed is None:
        return _district_page(request, district, form)
    messages.success(request, _("响应等级已调整"))
    return redirect("weather:district", code=district.code)


@login_required
@capability_required(Capability.VIEW_WEATHER)
def rules_page(request: HttpRequest) -> HttpResponse:
    return render(request, "weather/rules.html", {"rules": selectors.rules_in_force()})


@login_required
@capability_required(Capability.MANAGE_WEATHER)
def ingest(request: HttpRequest) -> HttpResponse:
    form = IngestForm(request.POST or None)

    def ingest(data: dict[str, Any]) -> services.IngestResult:
        try:
            return services.warning_ingest(
                data=data["message"], by=request_user(request), via="page"
            )
        except WarningRejectedError as exc:
            raise ValidationError({"message": exc.message}) from exc

    if request.method == "POST" and (result := submit(form, ingest)) is not None:
        if result.created:
            messages.success(request, _("已入库：%(w)s") % {"w": result.warning})
        else:
            messages.info(request, _("此预警此前已收到，未重复入库：%(w)s") % {"w": result.warning})
        return redirect("weather:warning", pk=result.warning.pk)
    return render_form(request, "weather/ingest.html", {"form": form}, form)


@login_required
@capability_required(Capability.VIEW_WEATHER)
def warning_detail(request: HttpRequest, pk: int) -> HttpResponse:
    warning = selectors.warning_by_id(pk)
    return render(
        request,
        "weather/warning.html",
        {"warning": warning, "receipts": list(warning.receipts.order_by("received_at", "id"))},
    )
