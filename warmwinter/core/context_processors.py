from typing import Any

from django.conf import settings
from django.http import HttpRequest

from warmwinter.core.navigation import navigation_for


def site(request: HttpRequest) -> dict[str, Any]:
    context: dict[str, Any] = {
        "nav_items": navigation_for(request.user, request.path),
        "hotline_number": settings.HOTLINE_NUMBER,
        # Every map's element carries these for core/static/core/basemap.js.
        "map_tile_url": settings.MAP_TILE_URL,
        "map_tile_attribution": settings.MAP_TILE_ATTRIBUTION,
    }
    if getattr(request.user, "is_authenticated", False):
        from warmwinter.notifications.selectors import unread_count

        context["unread_notifications"] = unread_count(user=request.user)  # type: ignore[arg-type]
    return context
