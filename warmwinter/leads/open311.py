"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2/): existing civic-report clients
can report a person in the cold and follow its status. Posting needs no key (partners may send
one; it is not required) and is rate-limited per client address like the public page.

The service request id is the lead's tracking code; a status answer never carries personal data.
"""

from __future__ import annotations

import math
from datetime import datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from warmwinter.core import clock
from warmwinter.leads import ratelimit, selectors, services
from warmwinter.leads.models import FINAL_STATUSES, Lead, LeadChannel, LeadStatus
from warmwinter.places.geo import OutsideServiceAreaError
from warmwinter.places.selectors import public_places

SERVICE_CODE = "person-in-cold"
#: GeoReport v2: a list without dates covers the last 90 days; we also cap the span and count.
LIST_WINDOW = timedelta(days=90)
LIST_LIMIT = 1000


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
    media_url = data.get("media_url", "").strip()
    if len(media_url) > 500:
        raise ValidationError(_("media_url 最多 500 个字符"))
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
        media_url=media_url,
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
def requests_collection(request: HttpRequest) -> JsonResponse:
    """POST creates a service request (`media_url` is kept as a reference and never fetched);
    GET lists requests: the ones named in `service_request_id` (comma-separated, at most 50),
    or those received between `start_date` and `end_date` (ISO 8601; by default the last 90
    days, at most 90 days, newest first, at most 1000), optionally only `status` open or
    closed. Each answer carries the status only, never where, who or what was reported."""
    if request.method == "GET":
        return _requests_list(request)
    return _requests_create(request)


def _when(raw: str, *, end: bool) -> datetime | None:
    """An ISO 8601 date-time (a date alone means its start, or for `end` its end)."""
    if not raw:
        return None
    try:
        if (day := parse_date(raw)) is not None:
            moment: datetime | None = datetime.combine(
                day + timedelta(days=1) if end else day, time.min
            )
        else:
            moment = parse_datetime(raw)
    except ValueError:
        moment = None
    if moment is None:
        raise ValidationError(_("日期格式不正确（ISO 8601，例如 2026-01-20T08:00:00+08:00）"))
    return clock.aware(moment)


def _requests_list(request: HttpRequest) -> JsonResponse:
    params = request.GET
    code = params.get("service_code", "")
    if code and code != SERVICE_CODE:
        return _errors(400, _("service_code 无效，可用：%(c)s") % {"c": SERVICE_CODE})
    statuses = {s.strip() for s in params.get("status", "").split(",") if s.strip()}
    if not statuses <= {"open", "closed"}:
        return _errors(400, _("status 只能是 open 或 closed"))
    raw = params.get("service_request_id", "")
    codes = [services.normalise_tracking_code(c)[:12] for c in raw.split(",") if c.strip()]
    if len(codes) > 50:
        return _errors(400, _("一次最多查询 50 个 service_request_id"))
    if codes:
        leads = [lead for c in codes if (lead := selectors.lead_by_tracking_code(c)) is not None]
    else:
        try:
            start = _when(params.get("start_date", ""), end=False)
            end = _when(params.get("end_date", ""), end=True)
        except ValidationError as exc:
            return _errors(400, "；".join(exc.messages))
        end = end or timezone.now()
        start = start or end - LIST_WINDOW
        if start > end:
            return _errors(400, _("start_date 须早于 end_date"))
        if end - start > LIST_WINDOW:
            return _errors(400, _("一次最多查询 90 天"))
        leads = selectors.leads_received_between(start, end, limit=LIST_LIMIT)
    rows = [_status_of(lead) for lead in leads]
    if statuses and not codes:  # named requests are answered whatever their status
        rows = [row for row in rows if row["status"] in statuses]
    return JsonResponse(rows, safe=False)


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
