"""The one helper that writes the audit trail. Later apps call it for every view or change of a
person's data: `audit_record(actor=request.user, action=AuditAction.VIEW, target=person,
request=request)`."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest

from warmwinter.audit.middleware import current_request
from warmwinter.audit.models import AuditAction, AuditEvent
from warmwinter.core.http import client_address


def _org_unit_of(target: models.Model | None) -> Any:
    if target is None:
        return None
    from warmwinter.accounts.scoping import scope_for

    try:
        scope = scope_for(type(target))
    except TypeError:
        return None
    if not scope.org_field:
        return target  # the target is an OrgUnit
    obj: Any = target
    for part in scope.org_field.split("__"):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def audit_event(
    *,
    actor: Any,
    action: AuditAction | str,
    target: models.Model | None = None,
    detail: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    via: str = "",
    actor_label: str = "",
) -> AuditEvent:
    """The event `audit_record` would write, not saved (for a caller that stores it with other
    rows in one statement, e.g. lead intake)."""
    is_user = getattr(actor, "is_authenticated", False)
    request = request or current_request.get()
    if not via and request is not None:
        via = "api" if request.path.startswith("/api/") else "page"
    return AuditEvent(
        actor=actor if is_user else None,
        actor_label=actor_label or (actor.get_username() if is_user else ""),
        action=str(action),
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None and target.pk is not None else "",
        target_label=str(target)[:200] if target is not None else "",
        org_unit=_org_unit_of(target),
        detail=detail or {},
        ip=client_address(request) if request is not None else None,
        via=via,
    )


def audit_record(
    *,
    actor: Any,
    action: AuditAction | str,
    target: models.Model | None = None,
    detail: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    via: str = "",
    actor_label: str = "",
) -> AuditEvent:
    """Record that `actor` did `action` to `target`. Call inside the same transaction as the
    change it describes, so that a change never lands without its trail. Within a request the
    client address and channel come from AuditContextMiddleware."""
    event = audit_event(
        actor=actor,
        action=action,
        target=target,
        detail=detail,
        request=request,
        via=via,
        actor_label=actor_label,
    )
    event.save(force_insert=True)
    return event
