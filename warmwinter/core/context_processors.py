from typing import Any

from django.conf import settings
from django.http import HttpRequest

from warmwinter.core.navigation import navigation_for


def site(request: HttpRequest) -> dict[str, Any]:
    return {
        "nav_items": navigation_for(request.user, request.path),
        "hotline_number": settings.HOTLINE_NUMBER,
    }
