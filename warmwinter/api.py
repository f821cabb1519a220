"""The JSON API under /api/v1/: one NinjaAPI, routers from each app, errors in the user's
language. Every error body has the same shape: {"detail": "...", "errors": [...]}."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser

from warmwinter.accounts.api import router as accounts_router
from warmwinter.accounts.auth import api_auth
from warmwinter.core.middleware import holds_nul, nul_message
from warmwinter.core.validation import API_ERROR_TYPE
from warmwinter.dispatch.api import router as dispatch_router
from warmwinter.leads.api import router as leads_router
from warmwinter.notifications.api import router as notifications_router
from warmwinter.patrols.api import router as patrols_router
from warmwinter.people.api import router as people_router
from warmwinter.places.api import router as places_router
from warmwinter.places.geo import OutsideServiceAreaError
from warmwinter.stations.api import router as stations_router
from warmwinter.supplies.api import router as supplies_router
from warmwinter.weather.api import router as weather_router


class RefusingNulParser(Parser):
    """JSON bodies and form fields, refused (422) when they hold a NUL: PostgreSQL cannot store
    one, and a query comparing a column with it fails. (Pages and query strings are checked by
    `core.middleware`; a JSON document sent inside a form field is checked where it is read.)"""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = super().parse_body(request)
        # JSON can only spell a NUL as \u0000: look for that before walking the document.
        if b"\\u0000" in request.body and holds_nul(data):
            raise HttpError(422, nul_message())
        return data

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        result = super().parse_querydict(data, list_fields, request)
        if holds_nul(result):
            raise HttpError(422, nul_message())
        return result


api = NinjaAPI(
    title="warmwinter API",
    version="1",
    description=(
        "寒冬送温暖救助管理平台 API。机器客户端使用 `Authorization: Bearer <令牌>`；"
        "页面使用会话登录（写操作需 CSRF）。所有数据按用户的角色与单位限定范围。"
    ),
    auth=api_auth,
    urls_namespace="api",
    parser=RefusingNulParser(),
)
api.add_router("/", accounts_router, tags=["账号"])
api.add_router("/", places_router, tags=["地点"])
api.add_router("/leads", leads_router, tags=["求助线索"])
api.add_router("/dispatch", dispatch_router, tags=["调度"])
api.add_router("/weather", weather_router, tags=["气象预警"])
api.add_router("/people", people_router, tags=["人员档案"])
api.add_router("/stations", stations_router, tags=["救助管理站"])
api.add_router("/supplies", supplies_router, tags=["救助物资"])
api.add_router("/patrols", patrols_router, tags=["街面巡查"])
api.add_router("/", notifications_router, tags=["通知"])


def _field_message(error: dict[str, Any]) -> str:
    """A pydantic/ninja error type → a sentence in the active language."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    messages = {
        "missing": _("必填项"),
        "int_parsing": _("须为整数"),
        "int_type": _("须为整数"),
        "int_from_float": _("须为整数"),
        "float_parsing": _("须为数字"),
        "decimal_parsing": _("须为数字"),
        "decimal_type": _("须为数字"),
        "decimal_max_places": _("小数位数过多"),
        "decimal_max_digits": _("数字位数过多"),
        "float_type": _("须为数字"),
        "finite_number": _("须为有限的数字"),
        "bool_parsing": _("须为 true 或 false"),
        "bool_type": _("须为 true 或 false"),
        "string_type": _("须为文本"),
        "string_too_short": _("内容太短"),
        "string_too_long": _("内容太长（最多 %(n)s 个字符）") % {"n": ctx.get("max_length", "?")},
        "string_pattern_mismatch": _("格式不正确"),
        # the words of core.validation's bounds that have no sentence of their own
        "greater_than_equal": _("不能小于 %(limit_value)s") % {"limit_value": ctx.get("ge", "?")},
        "greater_than": _("须大于 %(limit_value)s") % {"limit_value": ctx.get("gt", "?")},
        "less_than_equal": _("不能大于 %(limit_value)s") % {"limit_value": ctx.get("le", "?")},
        "less_than": _("须小于 %(limit_value)s") % {"limit_value": ctx.get("lt", "?")},
        "enum": _("取值无效，可选：%(v)s") % {"v": ctx.get("expected", "")},
        "literal_error": _("取值无效，可选：%(v)s") % {"v": ctx.get("expected", "")},
        "json_invalid": _("请求内容不是有效的 JSON"),
        "model_attributes_type": _("请求内容须为 JSON 对象"),
        "dict_type": _("请求内容须为 JSON 对象"),
        "extra_forbidden": _("不认识的字段"),
        API_ERROR_TYPE: str(ctx.get("message", "")),
    }
    return messages.get(kind, _("取值无效"))


def _error(
    request: HttpRequest, status: int, detail: str, errors: list[Any] | None = None
) -> HttpResponse:
    return api.create_response(request, {"detail": detail, "errors": errors or []}, status=status)


@api.exception_handler(NinjaValidationError)
def _on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = []
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "payload", "query", "path")]
        errors.append({"field": ".".join(loc), "message": _field_message(err)})
    summary = "；".join(
        f"{e['field']}：{e['message']}" if e["field"] else e["message"] for e in errors
    )
    return _error(request, 422, _("输入有误：%(s)s") % {"s": summary}, errors)


@api.exception_handler(DjangoValidationError)
def _on_model_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    if hasattr(exc, "message_dict"):
        errors = [{"field": f, "message": str(m)} for f, ms in exc.message_dict.items() for m in ms]
    else:
        errors = [{"field": "", "message": str(m)} for m in exc.messages]
    return _error(request, 422, "；".join(e["message"] for e in errors), errors)


@api.exception_handler(OutsideServiceAreaError)
def _on_outside(request: HttpRequest, exc: OutsideServiceAreaError) -> HttpResponse:
    return _error(request, 422, str(exc))


@api.exception_handler(AuthenticationError)
def _on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, _("未登录，或 API 令牌无效、已过期、已吊销"))


@api.exception_handler(AuthorizationError)
def _on_csrf_or_forbidden(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
    return _error(request, 403, _("无权执行此操作（会话请求须携带 CSRF 令牌）"))


@api.exception_handler(PermissionDenied)
def _on_forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, 403, str(exc) or _("无权执行此操作"))


@api.exception_handler(Http404)
def _on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, _("未找到，或不在您的查看范围内"))


@api.exception_handler(HttpError)
def _on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # django-ninja answers any failure to parse a body with its own 400 in English, the
    # failure as its cause: our parser's refusal, or a body that is not JSON (or not UTF-8).
    cause = exc.__cause__
    if isinstance(cause, HttpError):
        return _error(request, cause.status_code, str(cause))
    if isinstance(cause, ValueError):
        return _error(request, 400, _("请求内容不是有效的 JSON"))
    return _error(request, exc.status_code, str(exc))
