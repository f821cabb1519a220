from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from warmwinter.accounts.auth import request_user
from warmwinter.accounts.decorators import capability_required
from warmwinter.accounts.roles import Capability, Role
from warmwinter.audit.selectors import audit_events_for
from warmwinter.core import rulebook
from warmwinter.places import selectors as places
from warmwinter.places.models import PlaceKind


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on its own page: what that person needs first on a winter night."""
    user = request_user(request)
    context: dict[str, Any] = {"user_unit": user.org_unit}
    role = user.role
    if role in {Role.CITY_ADMIN, Role.DISTRICT_ADMIN}:
        context["district_rows"] = places.place_counts_by_district(user=user)
        context["kind_labels"] = PlaceKind.labels
    elif role in {Role.DISPATCHER, Role.PATROL_MEMBER}:
        context["key_places"] = places.places_for(user=user, kind=PlaceKind.KEY_PLACE)[:50]
        context["refuges"] = places.places_for(user=user).filter(
            kind__in=[PlaceKind.STATION, PlaceKind.TEMP_SHELTER, PlaceKind.HELP_POINT]
        )[:50]
    elif role in {Role.HOTLINE_OPERATOR, Role.REPORTER}:
        context["directory"] = (
            places.public_places()
            .filter(kind__in=[PlaceKind.STATION, PlaceKind.TEMP_SHELTER, PlaceKind.HELP_POINT])
            .order_by("org_unit__path", "kind")[:200]
        )
    elif role in {Role.STATION_WORKER, Role.STATION_LEADER}:
        context["own_places"] = places.places_for(user=user)
    if user.can(Capability.VIEW_AUDIT):
        context["recent_events"] = audit_events_for(user=user)[:10]
    template = f"core/home/{role}.html" if role in Role.values else "core/home/none.html"
    return render(request, template, context)


@login_required
@capability_required(Capability.VIEW_MAP)
def map_view(request: HttpRequest) -> HttpResponse:
    config = {"kinds": {value: str(label) for value, label in PlaceKind.choices}}
    return render(request, "core/map.html", {"map_config": config})


@login_required
@capability_required(Capability.VIEW_RULEBOOK)
def rulebook_page(request: HttpRequest) -> HttpResponse:
    """The rules in force today with their sources, and every version with its date."""
    in_force = rulebook.in_force()
    return render(
        request,
        "core/rulebook.html",
        {"in_force": in_force, "versions": rulebook.versions()},
    )


@require_GET
@never_cache
def livez(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. No database, so a database outage does not restart it."""
    return JsonResponse({"status": "ok"})


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and readiness for the load balancer: the database answers a query."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any database failure means "not ready"
        return JsonResponse(
            {"status": "error", "database": "unavailable", "error": exc.__class__.__name__},
            status=503,
        )
    return JsonResponse(
        {"status": "ok", "database": connection.vendor, "time": timezone.now().isoformat()}
    )
