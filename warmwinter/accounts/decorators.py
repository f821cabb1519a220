from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase

from warmwinter.accounts.permissions import Needed, require


def capability_required(
    capability: Needed,
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """A page's gate: 403 unless `accounts.permissions.require` lets the signed-in user act with
    `capability` (use after login_required). Writes are checked again by their service."""

    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            require(request.user, capability)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
