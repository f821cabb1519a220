"""What every app's views do with a form and a service: validate, call the service, put its
refusal on the form field by field, and answer a refused form with one status code.

The status codes of a page that was sent something:
- 422 (`REFUSED`): the form, or the service behind it, refused what was sent; the page shows
  the form again with the reasons beside the fields, and nothing was written. The same for a
  partial page that HTMX swaps in (base.html's `htmx-config` lets HTMX swap a 422).
- 409: someone else changed the record first (a lead already dispatched); the page says so.
- 400: the request could not be read at all (a NUL, an unreadable body: core/middleware.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

T = TypeVar("T")

#: The status of a page that shows a refused form.
REFUSED = 422


def _put_on_form(form: forms.BaseForm, exc: ValidationError) -> None:
    """A service's ValidationError onto `form`: a field's message beside that field (a field the
    form does not have goes to the top), a message without a field at the top."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, messages in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


def submit(form: forms.BaseForm, action: Callable[[dict[str, Any]], T]) -> T | None:
    """Validate `form` and run `action` (one service call) with its cleaned data. Returns what
    the service returned, or None when the form or the service refused (the errors are then on
    the form). The one way a view puts a service's refusal on a form."""
    if not form.is_valid():
        return None
    try:
        return action(form.cleaned_data)
    except ValidationError as exc:
        _put_on_form(form, exc)
        return None


def form_status(*shown: forms.BaseForm | None) -> int:
    """`REFUSED` when one of the forms a page shows was sent and refused, else 200."""
    return REFUSED if any(f is not None and f.is_bound and f.errors for f in shown) else 200


def render_form(
    request: HttpRequest,
    template: str,
    context: Mapping[str, Any],
    *shown: forms.BaseForm | None,
) -> HttpResponse:
    """Render a page with forms: `REFUSED` when one of `shown` was refused, 200 otherwise."""
    return render(request, template, context, status=form_status(*shown))
