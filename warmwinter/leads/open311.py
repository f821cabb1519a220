"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2/): existing civic-report clients
can report a person in the cold and follow its status. Posting needs no key (partners may send
one; it is not required) and is rate-limited per client address like the public page.

The service request id is the lead's tracking code; a status answer never carries personal data.
"""

from __future__ import annotations

import math
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from warmwinter.leads import ratelimit, selectors, services
from warmwinter.leads.models import FINAL_STATUSES, Lead, LeadChannel, LeadStatus
from warmwinter.places.geo import OutsideServiceAreaError
from warmwinter.places.selectors import public_places

SERVICE_CODE = "person-in-cold"


def _service() -> dict[str, Any]:
    return {
        "service_code": SERVICE_CODE,
        "service_name": _("寒冷中需要帮助的人"),
        "description": _("发现露宿、受困或在寒冷中需要帮助的人，请报告位置和情况。"),
        "metadata": False,
        "type": "realtime",
        "keywords": "winter,rescue,homeless,cold",
        "group": _("寒冬送温暖"),
    }


def _errors(status: int, description: str) -> JsonResponse:
    return JsonResponse([{"code": status, "description": description}], status=status, safe=False)


@require_GET
def services_list(request: HttpRequest) -> JsonResponse:
    return JsonResponse([_service()], safe=False)


def _float(value: str | None) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except ValueError:
        raise ValidationError(_("坐标须为数字")) from None
    if not math.isfinite(number):
        raise ValidationError(_("坐标须为有限的数字"))
    return number


def _report(data: Any) -> services.LeadReport:
    if data.get("service_code") != SERVICE_CODE:
        raise ValidationError(_("service_code 无效，可用：%(c)s") % {"c": SERVICE_CODE})
    lat, lng = _float(data.get("lat")), _float(data.get("long"))
    place = None
    address_id = data.get("address_id", "")
    if address_id:
        if not address_id.isdigit():
            raise ValidationError(_("address_id 无效"))
        place = public_places().filter(pk=int(address_id)).first()
        if place is None:
            raise ValidationError(_("address_id 不是公开地点"))
    if (lat is None or lng is None) and place is None:
        raise ValidationError(_("请提供 lat 和 long（WGS-84），或公开地点的 address_id"))
    description = data.get("description", "")
    if len(description) > 2000:
        raise ValidationError(_("description 最多 2000 字"))
    phone = data.get("phone", "")[:20]
    name = f"{data.get('last_name', '')}{data.get('first_name', '')}"[:60]
    return services.LeadReport(
        channel=LeadChannel.OPEN311,
        lat=lat,
        lng=lng,
        place=place,
        address=data.get("address_string", "")[:200],
        description=description,
        reporter_name=name,
        reporter_phone=phone,
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
def requests_collection(request: HttpRequest) -> JsonResponse:
    """POST creates a service request; GET answers the status of the ones named in
    `service_request_id` (comma-separated, at most 50). Listing all requests is not offered:
    an anonymous client may only follow codes it holds."""
    if request.method == "GET":
        return _requests_status(request)
    return _requests_create(request)


def _requests_status(request: HttpRequest) -> JsonResponse:
    raw = request.GET.get("service_request_id", "")
    codes = [services.normalise_tracking_code(c)[:12] for c in raw.split(",") if c.strip()]
    if not codes:
        return _errors(400, _("请提供 service_request_id（可用逗号分隔多个）"))
    if len(codes) > 50:
        return _errors(400, _("一次最多查询 50 个 service_request_id"))
    leads = [lead for c in codes if (lead := selectors.lead_by_tracking_code(c)) is not None]
    return JsonResponse([_status_of(lead) for lead in leads], safe=False)


def _requests_create(request: HttpRequest) -> JsonResponse:
    if ratelimit.hit(request, "open311"):
        return _errors(429, _("提交过于频繁，请稍后再试"))
    if not (request.content_type or "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        return _errors(400, _("请求须为 application/x-www-form-urlencoded（GeoReport v2）"))
    key = request.headers.get("Idempotency-Key", "")[:80] or None
    try:
        lead, created = services.lead_receive(
            report=_report(request.POST), idempotency_key=f"open311:{key}" if key else None
        )
    except OutsideServiceAreaError as exc:
        return _errors(400, str(exc))
    except ValidationError as exc:
        return _errors(400, "；".join(exc.messages))
    body = [
        {
            "service_request_id": lead.tracking_code,
            "service_notice": _("已收到，救助人员将尽快处理"),
            "account_id": None,
        }
    ]
    return JsonResponse(body, status=201 if created else 200, safe=False)


def _status_of(lead: Lead) -> dict[str, Any]:
    shown = selectors.public_status(lead)
    return {
        "service_request_id": lead.tracking_code,
        "status": "closed" if shown.status in FINAL_STATUSES else "open",
        "status_notes": str(LeadStatus(shown.status).label),
        "service_name": _service()["service_name"],
        "service_code": SERVICE_CODE,
        "agency_responsible": shown.district.name,
        "requested_datetime": lead.received_at.isoformat(),
        "updated_datetime": shown.modified_at.isoformat(),
    }


@require_GET
def requests_detail(request: HttpRequest, code: str) -> JsonResponse:
    lead = selectors.lead_by_tracking_code(services.normalise_tracking_code(code)[:12])
    if lead is None:
        return _errors(404, _("没有这个服务请求"))
    return JsonResponse([_status_of(lead)], safe=False)
