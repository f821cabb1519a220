"""Pages of street patrols: the dispatcher's night plans (map, routes, edits), encounters and
follow-ups for staff, and the patrol phone app (an offline-capable PWA shell)."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from warmwinter.accounts.auth import request_user
from warmwinter.accounts.decorators import capability_required
from warmwinter.accounts.roles import Capability
from warmwinter.accounts.scoping import get_visible_or_404
from warmwinter.audit.models import AuditAction
from warmwinter.audit.services import audit_record
from warmwinter.core import clock
from warmwinter.core.forms import render_form, submit
from warmwinter.notifications.push import vapid_public_key
from warmwinter.patrols import planning, rules, selectors, services
from warmwinter.patrols.forms import FollowUpVisitForm, PlaceWatchForm
from warmwinter.places.models import Place, PlaceKind
from warmwinter.places.selectors import district_for, districts_visible_to


def _errors(exc: ValidationError) -> str:
    return "；".join(str(m) for m in exc.messages)


@login_required
@capability_required(Capability.VIEW_PATROLS)
def index(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if not user.can(Capability.PLAN_PATROLS) and user.can(Capability.RECORD_ENCOUNTERS):
        return redirect("patrols:app")
    nights = selectors.nights_for(user=user).order_by("-night", "district__code")[:60]
    return render(
        request,
        "patrols/index.html",
        {
            "nights": nights,
            "districts": districts_visible_to(user),
            "tonight": clock.tonight(),
            "can_plan": user.can(Capability.PLAN_PATROLS),
            "overdue_follow_ups": selectors.overdue_count(user=user),
        },
    )


@login_required
@capability_required(Capability.PLAN_PATROLS)
@require_POST
def plan(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    code = request.POST.get("district", "")[:24]
    district = district_for(user, code)
    try:
        night = date.fromisoformat(request.POST.get("night", "")[:10])
    except ValueError:
        night = clock.tonight()
    try:
        result = planning.plan_night(district=district, night=night, by=user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect("patrols:index")
    messages.success(request, _("已生成 %(d)s %(n)s 的巡查计划") % {"d": district.name, "n": night})
    return redirect(result)


@login_required
@capability_required(Capability.VIEW_PATROLS)
def night(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    plan_ = selectors.night_for(user, pk)
    routes = selectors.routes_of(plan_)
    unassigned = plan_.stops.filter(route__isnull=True).order_by("-priority")
    places = Place.objects.active().filter(
        org_unit__path__startswith=plan_.district.path,
        kind__in=[PlaceKind.KEY_PLACE, PlaceKind.TEMP_SHELTER, PlaceKind.HELP_POINT],
    )
    return render(
        request,
        "patrols/night.html",
        {
            "plan": plan_,
            "routes": routes,
            "unassigned": unassigned,
            "places": places.order_by("name"),
            "can_plan": user.can(Capability.PLAN_PATROLS),
        },
    )


@login_required
@capability_required(Capability.PLAN_PATROLS)
@require_POST
def night_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The dispatcher's edits: add a place, take a stop off, move it to another team, re-plan."""
    user = request_user(request)
    plan_ = selectors.night_for(user, pk)
    action = request.POST.get("action", "")
    try:
        if action == "replan":
            planning.plan_night(district=plan_.district, night=plan_.night, by=user)
            messages.success(request, _("已重新编排路线"))
        elif action == "add":
            place = get_visible_or_404(Place.objects.active(), user, pk=request.POST.get("place"))
            planning.stop_add(plan=plan_, place=place, by=user, note=request.POST.get("note", ""))
            messages.success(request, _("已添加「%(p)s」并重新编排") % {"p": place.name})
        elif action in ("remove", "move"):
            stop = selectors.stop_for(user, request.POST.get("stop"))
            if stop.night_id != plan_.pk:
                raise ValidationError(_("点位不属于此计划"))
            if action == "remove":
                planning.stop_remove(stop=stop, by=user, reason=request.POST.get("reason", ""))
                messages.success(request, _("已移除「%(s)s」") % {"s": stop.label})
            else:
                raw = request.POST.get("route", "")
                route = selectors.route_for(user, raw) if raw else None
                planning.stop_assign(stop=stop, route=route, by=user)
                messages.success(request, _("已调整「%(s)s」") % {"s": stop.label})
        else:
            raise ValidationError(_("未知的操作"))
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return redirect(plan_)


@login_required
@capability_required(Capability.VIEW_PATROLS)
def encounters(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    rows = selectors.encounters_for(user=user)[:200]
    return render(request, "patrols/encounters.html", {"encounters": rows})


@login_required
@capability_required(Capability.VIEW_PATROLS)
def encounter(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    enc = selectors.encounter_for(user, pk)
    audit_record(actor=user, action=AuditAction.VIEW, target=enc, detail={"person": enc.person_id})
    return render(
        request,
        "patrols/encounter.html",
        {
            "e": enc,
            "flags": _flag_labels(enc.flags),
            "items": enc.items.select_related("item", "warehouse"),
            "photos": enc.photos.all(),
            "follow_ups": enc.follow_ups.all(),
            "can_record": user.can(Capability.RECORD_ENCOUNTERS),
        },
    )


def _flag_labels(flags: list[str]) -> list[str]:
    from warmwinter.patrols.rules import ASSESSMENT_FLAGS

    labels = dict(ASSESSMENT_FLAGS)
    return [str(labels.get(f, f)) for f in flags]


@login_required
@capability_required(Capability.RECORD_ENCOUNTERS)
@require_POST
def encounter_arrival(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    enc = selectors.encounter_for(user, pk)
    try:
        services.escort_arrived(
            encounter=enc,
            by=user,
            arrived_at=None,
            handover_to=request.POST.get("handover_to", "")[:120],
        )
        messages.success(request, _("已登记送达与交接"))
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return redirect(enc)


@login_required
@capability_required(Capability.VIEW_PATROLS)
def follow_ups(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    return render(
        request,
        "patrols/follow_ups.html",
        {
            "rows": selectors.follow_ups_for(user=user)[:200],
            "can_record": user.can(Capability.RECORD_ENCOUNTERS),
        },
    )


@login_required
@capability_required(Capability.RECORD_ENCOUNTERS)
def follow_up_done(request: HttpRequest, pk: int) -> HttpResponse:
    """The phone page of a follow-up's visit: the record, with a GPS check-in (visit.js)."""
    from warmwinter.supplies.models import Item

    user = request_user(request)
    row = selectors.follow_up_for(user, pk)
    items = [(i.code, f"{i.name}（{i.unit}）") for i in Item.objects.active().order_by("code")]
    form = FollowUpVisitForm(request.POST or None, items=items)
    if request.method != "POST":
        audit_record(
            actor=user, action=AuditAction.VIEW, target=row, detail={"person": row.person_id}
        )
    elif row.done_at is None:

        def record(data: dict[str, Any]) -> Any:
            return services.follow_up_done(
                follow_up=row,
                by=user,
                visit=services.VisitInput(
                    found=data["found"],
                    state=data["state"],
                    willingness=data["willingness"],
                    note=data["note"],
                    items=[(code, Decimal(1)) for code in data["items"]],
                    lat=data["lat"],
                    lng=data["lng"],
                    accuracy=data["accuracy"],
                ),
            )

        try:
            if submit(form, record) is not None:
                messages.success(request, _("已完成后续跟踪"))
                return redirect("patrols:follow_ups")
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
    lat, lng = row.where
    return render_form(
        request,
        "patrols/follow_up_visit.html",
        {"row": row, "form": form, "lat": lat, "lng": lng, "radius": rules.follow_up_radius()},
        form,
    )


# --- the patrol phone app (PWA) -----------------------------------------------------------


def _shell_assets() -> list[str]:
    return [
        static("core/site.css"),
        static("patrols/app.css"),
        static("patrols/app.js"),
        static("patrols/alerts.js"),
        static("core/basemap.js"),  # imported by app.js: the module must be there offline too
        static("vendor/leaflet/leaflet.css"),
        static("vendor/leaflet/leaflet.js"),
        static("patrols/icon.svg"),
    ]


@login_required
@capability_required(Capability.RECORD_ENCOUNTERS)
def app(request: HttpRequest) -> HttpResponse:
    """The shell: no personal data in it (that comes from the API and stays on the device
    only as long as the night needs it), so it may be cached for offline use."""
    from warmwinter.core.photos import max_photo_bytes
    from warmwinter.patrols import rules

    config = {
        "api": "/api/v1/patrols",
        "maxPhotoBytes": max_photo_bytes(),
        "maxPhotos": services.MAX_PHOTOS,
        "rules": rules.table_for_client(),
        "text": _app_texts(),
    }
    return render(
        request,
        "patrols/app.html",
        {
            "hotline": settings.HOTLINE_NUMBER,
            "flags": [(n, str(label)) for n, label in rules.ASSESSMENT_FLAGS],
            "willingness": rules.Willingness.choices,
            "dispositions": rules.Disposition.choices,
            "app_config": config,
            "push_key": vapid_public_key(),
        },
    )


def _app_texts() -> dict[str, str]:
    """The phone app's own words, translated here (the app has no catalogue of its own)."""
    return {
        "online": _("在线"),
        "offline": _("离线"),
        "queued": _("待同步 %(n)s"),
        "cached": _("离线数据，更新于 %(t)s"),
        "noData": _("尚未下载今晚的数据：请联网后打开一次"),
        "noTeam": _("您不在任何救助分队，或今晚没有巡查计划"),
        "team": _("%(team)s · %(night)s 晚"),
        "checkIn": _("签到"),
        "nobody": _("未发现"),
        "record": _("登记处置"),
        "window": _("时间窗"),
        "planned": _("计划到达"),
        "done": _("已完成"),
        "locating": _("正在定位…"),
        "noGps": _("无法获取定位：请打开手机定位后重试"),
        "saved": _("已保存到手机，联网后自动同步"),
        "synced": _("已同步"),
        "rejected": _("被退回"),
        "retryLater": _("稍后重试"),
        "relogin": _("登录已过期：请重新登录后同步（记录仍保存在手机上）"),
        "discard": _("删除"),
        "suggest": _("建议处置"),
        "deviationNeeded": _("与建议不同：须填写理由"),
        "reasonTooShort": _("请填写未按建议处置的理由（至少 %(n)s 个字）"),
        "photoTooBig": _("照片「%(name)s」太大（最大 %(mb)s MB），请重拍或压缩"),
        "tooManyPhotos": _("最多上传 %(n)s 张照片"),
        "chooseItem": _("选择物资"),
        "quantity": _("数量"),
        "remove": _("移除"),
        "newFile": _("新建档案（先行救助，身份以后查明）"),
        "noCandidates": _("没有找到相近的档案，将新建档案"),
        "needOnline": _("查找档案需要联网；离线时先新建，以后由工作人员核对合并"),
        "at": _("在"),
        "followDone": _("完成跟踪"),
        "found": _("见到本人"),
        "note": _("跟踪情况"),
        "due": _("应跟踪"),
        "overdue": _("已超时"),
        "conflict": _("注意"),
        "encounter": _("街面处置"),
        "checkin": _("签到"),
        "followup": _("后续跟踪"),
        "lead": _("线索"),
        "call120": _("危及生命：先拨打 120"),
    }


@require_GET
@never_cache
def service_worker(request: HttpRequest) -> HttpResponse:
    assets = _shell_assets()
    response = render(
        request,
        "patrols/sw.js",
        {"assets": assets, "version": hashlib.sha256("|".join(assets).encode()).hexdigest()[:12]},
        content_type="application/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = "/patrols/"
    return response


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "patrols/manifest.webmanifest",
        {"icon": static("patrols/icon.svg")},
        content_type="application/manifest+json; charset=utf-8",
    )


@login_required
@capability_required(Capability.VIEW_PATROLS)
def key_places(request: HttpRequest) -> HttpResponse:
    """Key places with their risk and the hours that matter; the dispatcher edits them."""
    from warmwinter.places.selectors import places_for

    user = request_user(request)
    can_plan = user.can(Capability.PLAN_PATROLS)
    if request.method == "POST":
        if not can_plan:
            raise PermissionDenied
        place = get_visible_or_404(
            Place.objects.active().filter(kind=PlaceKind.KEY_PLACE),
            user,
            pk=request.POST.get("place"),
        )
        form = PlaceWatchForm(request.POST)
        if form.is_valid():
            try:
                services.place_watch_set(place=place, by=user, **form.cleaned_data)
                messages.success(request, _("已保存「%(p)s」的巡查设置") % {"p": place.name})
            except ValidationError as exc:
                messages.error(request, _errors(exc))
        else:
            messages.error(
                request, "；".join(str(e) for errs in form.errors.values() for e in errs)
            )
        return redirect("patrols:key_places")
    rows = places_for(user=user, kind=PlaceKind.KEY_PLACE).select_related("watch", "org_unit")[:300]
    return render(request, "patrols/key_places.html", {"rows": rows, "can_plan": can_plan})
