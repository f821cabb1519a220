"""The navigation each role sees: one table, filtered by the user's capabilities."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from warmwinter.accounts.roles import Capability


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    capability: Capability | None = None
    staff_only: bool = False


NAVIGATION = [
    NavItem(_("首页"), "core:home"),
    NavItem(_("地图"), "core:map", Capability.VIEW_MAP),
    NavItem(_("地点"), "places:list", Capability.VIEW_PLACES),
    NavItem(_("审计日志"), "audit:list", Capability.VIEW_AUDIT),
    NavItem(_("API 文档"), "api:openapi-view", Capability.MANAGE_TOKENS),
    NavItem(_("系统管理"), "admin:index", staff_only=True),
]


def navigation_for(user: Any, current_path: str) -> list[dict[str, Any]]:
    if not getattr(user, "is_authenticated", False):
        return []
    items = []
    for item in NAVIGATION:
        if item.capability is not None and not user.can(item.capability):
            continue
        if item.staff_only and not user.is_staff:
            continue
        url = reverse(item.url_name)
        active = current_path == url if url == "/" else current_path.startswith(url)
        items.append({"label": item.label, "url": url, "active": active})
    return items
