"""Pages of the supplies app. Thin: parse the form, call one service or selector, render."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from warmwinter.accounts.auth import request_user
from warmwinter.accounts.decorators import capability_required
from warmwinter.accounts.roles import Capability
from warmwinter.accounts.scoping import visible_to
from warmwinter.core import clock
from warmwinter.core.forms import REFUSED, render_form, submit
from warmwinter.people.selectors import person_for
from warmwinter.places.models import OrgLevel, OrgUnit, Place, PlaceKind
from warmwinter.places.selectors import district_by_code, district_for, districts_visible_to
from warmwinter.supplies import alerts, exports, forms, rules, selectors, services
from warmwinter.supplies.models import (
    Batch,
    RecipientKind,
    StockBalance,
    TransferStatus,
    Warehouse,
    WarehouseKind,
)
from warmwinter.weather.levels import ResponseLevel
from warmwinter.weather.selectors import current_level


def _messages_of(exc: ValidationError) -> list[str]:
    if hasattr(exc, "message_dict"):
        return [str(m) for ms in exc.message_dict.values() for m in ms]
    return [str(m) for m in exc.messages]


def _shelters(user: Any) -> Any:
    return visible_to(Place.objects.active().filter(kind=PlaceKind.TEMP_SHELTER), user)


def _destinations(user: Any) -> Any:
    """Where a user may send stock: warehouses they can see, and the city stores."""
    visible = selectors.warehouses_for(user=user).values("pk")
    return (
        Warehouse.objects.active()
        .filter(Q(pk__in=visible) | Q(kind=WarehouseKind.CITY))
        .order_by("code")
    )


@login_required
@capability_required(Capability.VIEW_SUPPLIES)
def index(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = forms.WarehouseFilterForm(request.GET)
    qs = selectors.warehouses_for(user=user).none()
    if form.is_valid():
        code = form.cleaned_data["district"]
        district = district_by_code(code) if code else None
        if code and district is None:
            form.add_error("district", _("没有这个区代码"))
        else:
            qs = selectors.warehouses_for(
                user=user, kind=form.cleaned_data["kind"] or None, district=district
            )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "open_alerts": selectors.alerts_for(user=user).count(),
        "in_transit": selectors.in_transit_count(user),
        "has_mobile": selectors.warehouses_for(user=user, kind=WarehouseKind.MOBILE).exists(),
    }
    template = "supplies/_warehouse_table.html" if request.htmx else "supplies/index.html"  # type: ignore[attr-defined]
    return render_form(request, template, context, form)


def _warehouse_page(request: HttpRequest, warehouse: Warehouse, **bound: Any) -> HttpResponse:
    user = request_user(request)
    batches = Batch.objects.filter(
        pk__in=StockBalance.objects.filter(warehouse=warehouse, quantity__gt=0).values("batch_id")
    ).select_related("item")
    context = {
        "warehouse": warehouse,
        "stock": selectors.stock_of(warehouse),
        "movements": selectors.movements_for(user=user, warehouse=warehouse)[:30],
        "can_issue": user.can(Capability.ISSUE_SUPPLIES),
        "can_manage": user.can(Capability.MANAGE_SUPPLIES),
        "issue_form": bound.get("issue_form") or forms.IssueForm(shelters=_shelters(user)),
        "receipt_form": bound.get("receipt_form") or forms.ReceiptForm(),
        "transfer_form": bound.get("transfer_form") or _transfer_form(user),
        "correction_form": bound.get("correction_form") or forms.CorrectionForm(batches=batches),
    }
    return render_form(request, "supplies/warehouse.html", context, *bound.values())


def _transfer_form(user: Any, data: Any = None) -> forms.TransferForm:
    form = forms.TransferForm(data)
    form.fields["to_warehouse"].queryset = _destinations(user)  # type: ignore[attr-defined]
    return form


@login_required
@capability_required(Capability.VIEW_SUPPLIES)
def warehouse_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _warehouse_page(request, selectors.warehouse_for(request_user(request), pk))


def _act(
    request: HttpRequest, warehouse: Warehouse, form_name: str, form: Any, call: Any
) -> HttpResponse:
    """Validate `form`, run `call(cleaned_data)`; on a refusal show the page again with the error
    on the form (422), nothing written."""
    message = submit(form, call)
    if message is not None:
        messages.success(request, message)
        return redirect("supplies:warehouse", pk=warehouse.pk)
    return _warehouse_page(request, warehouse, **{form_name: form})


@login_required
@capability_required(Capability.ISSUE_SUPPLIES)
@require_POST
def warehouse_issue(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    warehouse = selectors.warehouse_for(user, pk)
    form = forms.IssueForm(request.POST, shelters=_shelters(user))

    def call(d: dict[str, Any]) -> str:
        services.stock_issue(
            by=user,
            warehouse=warehouse,
            lines=[services.Line(d["item"], d["quantity"])],
            recipient_kind=d["recipient_kind"],
            recipient_label=d["recipient_label"],
            shelter=d["shelter"],
            person_ref=d["person_ref"],
        )
        return _("已发放 %(item)s %(n)s%(unit)s") % {
            "item": d["item"].name,
            "n": rules.fmt_quantity(d["quantity"]),
            "unit": d["item"].unit,
        }

    return _act(request, warehouse, "issue_form", form, call)


@login_required
@capability_required(Capability.MANAGE_SUPPLIES)
@require_POST
def warehouse_receive(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    warehouse = selectors.warehouse_for(user, pk)
    form = forms.ReceiptForm(request.POST)

    def call(d: dict[str, Any]) -> str:
        services.stock_receive(
            by=user,
            warehouse=warehouse,
            item=d["item"],
            quantity=d["quantity"],
            source_kind=d["source_kind"],
            source=d["source"],
            batch_code=d["batch_code"],
            expires_on=d["expires_on"],
        )
        return _("已入库 %(item)s %(n)s%(unit)s") % {
            "item": d["item"].name,
            "n": rules.fmt_quantity(d["quantity"]),
            "unit": d["item"].unit,
        }

    return _act(request, warehouse, "receipt_form", form, call)


@login_required
@capability_required(Capability.MANAGE_SUPPLIES)
@require_POST
def warehouse_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    warehouse = selectors.warehouse_for(user, pk)
    form = _transfer_form(user, request.POST)

    def call(d: dict[str, Any]) -> str:
        services.stock_transfer_send(
            by=user,
            from_warehouse=warehouse,
            to_warehouse=d["to_warehouse"],
            lines=[services.Line(d["item"], d["quantity"])],
            note=d["note"],
        )
        return _("已调出，待 %(w)s 签收") % {"w": d["to_warehouse"].name}

    return _act(request, warehouse, "transfer_form", form, call)


@login_required
@capability_required(Capability.MANAGE_SUPPLIES)
@require_POST
def warehouse_correct(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    warehouse = selectors.warehouse_for(user, pk)
    batches = Batch.objects.filter(
        pk__in=StockBalance.objects.filter(warehouse=warehouse).values("batch_id")
    )
    form = forms.CorrectionForm(request.POST, batches=batches)

    def call(d: dict[str, Any]) -> str:
        services.stock_correct(
            by=user,
            warehouse=warehouse,
            batch=d["batch"],
            kind=d["kind"],
            quantity=d["quantity"],
            reason=d["reason"],
            increase=d["increase"],
        )
        return _("已登记")

    return _act(request, warehouse, "correction_form", form, call)


# --- the patrol team's phone -------------------------------------------------------------


def _mobile_context(request: HttpRequest, warehouse: Warehouse | None) -> dict[str, Any]:
    user = request_user(request)
    stock = selectors.stock_of(warehouse) if warehouse else []
    return {
        "warehouses": selectors.mobile_warehouses_for(user),
        "warehouse": warehouse,
        "stock": [s for s in stock if s.usable > 0],
        "expired_stock": [s for s in stock if s.usable <= 0],
        "can_issue": user.can(Capability.ISSUE_SUPPLIES),
        "ref_type": request.GET.get("ref_type", "")[:60],
        "ref_id": request.GET.get("ref_id", "")[:64],
        "person_ref": request.GET.get("person_ref", "")[:80],
        "person_id": request.GET.get("person_id", "")[:12],
    }


@login_required
@capability_required(Capability.VIEW_SUPPLIES)
def mobile(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    choices = selectors.mobile_warehouses_for(user)
    warehouse = None
    if request.GET.get("w"):
        warehouse = selectors.warehouse_for(user, request.GET["w"])
        if warehouse.kind != WarehouseKind.MOBILE:
            raise Http404
    elif choices:
        warehouse = choices[0]
    return render(request, "supplies/mobile.html", _mobile_context(request, warehouse))


@login_required
@capability_required(Capability.ISSUE_SUPPLIES)
@require_POST
def mobile_issue(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue several items at once from mobile stock (e.g. a coat and food to a person who will
    not come in). Answers the stock panel again, with the outcome."""
    user = request_user(request)
    warehouse = selectors.warehouse_for(user, pk)
    errors: list[str] = []
    lines = []
    items = {i.pk: i for i in selectors.items()}
    for key in request.POST:
        raw = request.POST.get(key, "")
        if not key.startswith("qty-") or not raw.strip():
            continue
        try:
            item = items[int(key.removeprefix("qty-"))]
            quantity = Decimal(raw.strip())
        except (KeyError, ValueError, InvalidOperation):
            errors.append(_("数量须为数字"))
            continue
        if quantity == 0:
            continue
        lines.append(services.Line(item, quantity))
    done = ""
    person = None
    if request.POST.get("person_id", "").strip():
        person = person_for(user, request.POST["person_id"].strip())
    if not errors:
        try:
            services.stock_issue(
                by=user,
                warehouse=warehouse,
                person=person,
                lines=lines,
                recipient_kind=RecipientKind.PERSON,
                recipient_label=request.POST.get("recipient_label", ""),
                ref_type=request.POST.get("ref_type", ""),
                ref_id=request.POST.get("ref_id", ""),
                person_ref=request.POST.get("person_ref", ""),
                note=request.POST.get("note", ""),
            )
            done = "；".join(
                f"{ln.item.name} {rules.fmt_quantity(ln.quantity)}{ln.item.unit}" for ln in lines
            )
        except ValidationError as exc:
            errors += _messages_of(exc)
    context = _mobile_context(request, warehouse) | {"errors": errors, "done": done}
    if errors:
        context["recipient_label"] = request.POST.get("recipient_label", "")[:120]
    template = "supplies/_mobile_panel.html" if request.htmx else "supplies/mobile.html"  # type: ignore[attr-defined]
    return render(request, template, context, status=REFUSED if errors else 200)


# --- reserves, alerts, transfers ------------------------------------------------------------


def _chosen_district(user: Any, code: str) -> OrgUnit | None:
    if code:
        return district_for(user, code)
    return user.org_unit.district if user.org_unit else None


@login_required
@capability_required(Capability.VIEW_SUPPLIES)
def reserves(request: HttpRequest) -> HttpResponse:
    return _reserves_page(request, forms.ReserveFilterForm(request.GET))


def _reserves_page(
    request: HttpRequest, form: forms.ReserveFilterForm, target_form: Any = None
) -> HttpResponse:
    """The reserves of the district `form` chose; `target_form` is a refused target shown again."""
    user = request_user(request)
    district = level = None
    position: list[selectors.Shortfall] = []
    plan: list[selectors.PlanLine] = []
    if form.is_valid():
        district = _chosen_district(user, form.cleaned_data["district"])
        if district is not None:
            level = form.cleaned_data["level"]
            level = current_level(district) if level is None else ResponseLevel(level)
            position = selectors.reserve_position(district, level)
            plan = selectors.transfer_plan(district, level)
    refused = target_form
    if target_form is None and user.can(Capability.MANAGE_SUPPLIES):
        target_form = forms.TargetForm(
            warehouses=selectors.warehouses_for(user=user, district=district)
        )
    context = {
        "form": form,
        "district": district,
        "level": level,
        "position": position,
        "shortfalls": [s for s in position if s.missing > 0],
        "plan": plan,
        "districts": districts_visible_to(user),
        "target_form": target_form,
    }
    return render_form(request, "supplies/reserves.html", context, form, refused)


@login_required
@capability_required(Capability.MANAGE_SUPPLIES)
@require_POST
def target_save(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = forms.TargetForm(request.POST, warehouses=selectors.warehouses_for(user=user))
    target = submit(
        form,
        lambda d: services.target_set(
            by=user,
            warehouse=d["warehouse"],
            item=d["item"],
            level=d["level"],
            quantity=d["quantity"],
        ),
    )
    warehouse = form.cleaned_data.get("warehouse")  # (is_valid ran: cleaned_data is there)
    district = warehouse.org_unit.district if warehouse is not None else None
    code = district.code if district is not None else ""
    if target is None:
        return _reserves_page(request, forms.ReserveFilterForm({"district": code}), form)
    messages.success(request, _("储备目标已保存"))
    return redirect(reverse("supplies:reserves") + (f"?district={code}" if code else ""))


@login_required
@capability_required(Capability.MANAGE_SUPPLIES)
@require_POST
def plan_execute(request: HttpRequest) -> HttpResponse:
    """Send the suggested transfers for a district and level that the user's unit can send."""
    user = request_user(request)
    form = forms.ReserveFilterForm(request.POST)
    if not form.is_valid() or not form.cleaned_data["district"]:
        messages.error(request, _("请选择区和响应等级"))
        return redirect("supplies:reserves")
    district = _chosen_district(user, form.cleaned_data["district"])
    assert district is not None  # noqa: S101 - a code was given
    level = form.cleaned_data["level"]
    level = current_level(district) if level is None else ResponseLevel(level)
    try:
        made, skipped = services.transfers_from_plan(
            by=user, plan=selectors.transfer_plan(district, level)
        )
    except ValidationError as exc:
        for m in _messages_of(exc):
            messages.error(request, m)
    else:
        messages.success(
            request,
            _("已生成 %(n)s 张调拨单（在途，待调入方签收）") % {"n": len(made)}
            + (_("；另有 %(k)s 项需由市级或其他单位调出") % {"k": skipped} if skipped else ""),
        )
    return redirect(f"{reverse('supplies:reserves')}?district={district.code}&level={int(level)}")


@login_required
@capability_required(Capability.VIEW_SUPPLIES)
def alert_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    qs = selectors.alerts_for(user=user, open_only=request.GET.get("all") != "1")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "supplies/alerts.html",
        {"page": page, "can_manage": user.can(Capability.MANAGE_SUPPLIES)},
    )


@login_required
@capability_required(Capability.MANAGE_SUPPLIES)
@require_POST
def alert_review(request: HttpRequest) -> HttpResponse:
    """Run the reserve review now for the user's district (the city: every district)."""
    user = request_user(request)
    unit = user.org_unit
    if unit is None:
        raise PermissionDenied
    if unit.level == OrgLevel.CITY:
        count = alerts.review_all()
    elif unit.district is not None:
        count = len(alerts.review_reserves(unit.district))
    else:
        raise PermissionDenied(_("救助站请由所属区或市级检查储备"))
    messages.success(request, _("检查完成，新提醒 %(n)s 条") % {"n": count})
    return redirect("supplies:alerts")


@login_required
@capability_required(Capability.VIEW_SUPPLIES)
def transfer_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    qs = selectors.transfers_for(user, status=request.GET.get("status") or None)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    receivable = set(selectors.warehouses_for(user=user).values_list("pk", flat=True))
    return render(
        request,
        "supplies/transfers.html",
        {
            "page": page,
            "receivable": receivable if user.can(Capability.ISSUE_SUPPLIES) else set(),
            "in_transit": TransferStatus.IN_TRANSIT,
        },
    )


@login_required
@capability_required(Capability.ISSUE_SUPPLIES)
@require_POST
def transfer_receive(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    transfer = selectors.transfer_for(user, pk)
    selectors.warehouse_for(user, transfer.to_warehouse_id)  # only the receiving side signs
    try:
        services.stock_transfer_receive(by=user, transfer=transfer)
    except ValidationError as exc:
        for m in _messages_of(exc):
            messages.error(request, m)
    else:
        messages.success(request, _("已签收入库"))
    return redirect("supplies:transfers")


@login_required
@capability_required(Capability.VIEW_SUPPLIES)
def movement_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = forms.PeriodForm(request.GET)
    qs = selectors.movements_for(user=user).none()
    if form.is_valid():
        since, until = form.bounds()
        qs = selectors.movements_for(
            user=user, since=since, until=until, kind=form.cleaned_data["kind"] or None
        )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    template = "supplies/_movement_table.html" if request.htmx else "supplies/movements.html"  # type: ignore[attr-defined]
    return render_form(
        request,
        template,
        {
            "form": form,
            "page": page,
            "can_export": user.can(Capability.EXPORT_SUPPLIES),
            "given": selectors.given_per_district(
                user=user, since=form.bounds()[0], until=form.bounds()[1]
            )
            if form.is_valid()
            else [],
        },
        form,
    )


_EXPORTS = {"stock", "movements", "given"}


@login_required
@capability_required(Capability.EXPORT_SUPPLIES)
def export(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in _EXPORTS:
        raise Http404
    user = request_user(request)
    form = forms.PeriodForm(request.GET)
    if not form.is_valid():
        return HttpResponse(
            "；".join(str(m) for errs in form.errors.values() for m in errs),
            status=422,
            content_type="text/plain; charset=utf-8",
        )
    since, until = form.bounds()
    try:
        if kind == "stock":
            data = exports.stock_on_hand_xlsx(user=user)
        elif kind == "movements":
            data = exports.movements_xlsx(
                user=user, since=since, until=until, kind=form.cleaned_data["kind"] or None
            )
        else:
            data = exports.given_per_district_xlsx(user=user, since=since, until=until)
    except exports.ExportTooLargeError as exc:
        return HttpResponse(str(exc), status=422, content_type="text/plain; charset=utf-8")
    filename = f"supplies-{kind}-{clock.local_date():%Y%m%d}.xlsx"
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
