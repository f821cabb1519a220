"""Refuse input no view can use before any view sees it, in the user's language.

- A NUL character in the path, the query string or a form field. No text this service keeps
  may contain one: PostgreSQL cannot store it, and a query comparing a column with it fails in
  the database — a server error wherever a view passes a parameter on by hand (a tracking
  code, a station code, a filter, a note). Django's form fields refuse it already; here it is
  refused once, for every view.
- A form post whose body cannot be parsed (a multipart post without its boundary): Django
  raises on the first `request.POST`, a server error in whichever view reads it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.translation import gettext as _

NUL = "\x00"
#: The machine interfaces answer in their own error shapes (see `_refusal`).
API_PREFIX = "/api/"
OPEN311_PREFIX = "/open311/"


def nul_message() -> str:
    return _("输入中含有不允许的空字符（NUL），请删除后重新提交")


def holds_nul(value: Any) -> bool:
    """Whether parsed JSON holds a NUL anywhere (a key, a string, nested): the API's bodies,
    which this middleware leaves to the API, are checked with it there."""
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(NUL in key or holds_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(holds_nul(item) for item in value)
    return False


def _fields_with_nul(pairs: Iterable[tuple[str, list[str]]]) -> list[str]:
    return [
        name.replace(NUL, "\\0")
        for name, values in pairs
        if NUL in name or any(NUL in value for value in values)
    ]


def _refusal(request: HttpRequest, message: str, fields: list[str]) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        errors = [{"field": f, "message": message} for f in fields] or [
            {"field": "", "message": message}
        ]
        return JsonResponse({"detail": message, "errors": errors}, status=422)
    if request.path.startswith(OPEN311_PREFIX):
        return JsonResponse([{"code": 400, "description": message}], status=400, safe=False)
    return render(request, "400.html", {"message": message}, status=400)


class RefuseUnusableInputMiddleware:
    """400 (422 in the API, in its error shape). Runs after the language is chosen and the
    user known, so that the page can be rendered. The API's bodies are left to its schemas: a
    JSON body is not a form, and reading a multipart upload here would take the body from a
    view that reads it raw."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        fields = _fields_with_nul(request.GET.lists())
        if not request.path.startswith(API_PREFIX):
            try:
                fields += _fields_with_nul(request.POST.lists())
            except MultiPartParserError:
                return _refusal(request, _("提交的内容格式有误，无法读取"), [])
        if fields or NUL in request.path:
            return _refusal(request, nul_message(), fields)
        return self.get_response(request)
