"""What every app's views do with a form and a service: put the service's refusal on the form,
field by field, and validate-then-call in one step."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import ValidationError

T = TypeVar("T")


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
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
    the form)."""
    if not form.is_valid():
        return None
    try:
        return action(form.cleaned_data)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None
