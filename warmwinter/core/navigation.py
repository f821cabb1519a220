"""The navigation each role sees. Each app declares its own entries on its AppConfig
(`navigation = [NavItem(...)]`); the menu lists them in INSTALLED_APPS order, filtered by the
user's capabilities."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.urls import reverse
from django.utils.functional import Promise

from warmwinter.accounts.roles import Capability


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    capability: Capability | None = None
    staff_only: bool = False
    #: Position in the menu: home 0, map 10, places 20, leads 30, dispatch 40, patrols 50,
    #: people 60, stations 70, supplies 75, weather 80, reports 85, rulebook 88, audit 90, admin 99.
    order: int = 50


def navigation_items() -> list[NavItem]:
    items = [
        item for config in apps.get_app_configs() for item in getattr(config, "navigation", [])
    ]
    return sorted(items, key=lambda item: item.order)


def navigation_for(user: Any, current_path: str) -> list[dict[str, Any]]:
    if not getattr(user, "is_authenticated", False):
        return []
    items = []
    for item in navigation_items():
        if item.capability is not None and not user.can(item.capability):
            continue
        if item.staff_only and not user.is_staff:
            continue
        url = reverse(item.url_name)
        active = current_path == url if url == "/" else current_path.startswith(url)
        items.append({"label": item.label, "url": url, "active": active})
    return items
