from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from warmwinter.accounts.scoping import visible_to
from warmwinter.audit.models import AuditEvent


def audit_events_for(*, user: Any) -> QuerySet[AuditEvent]:
    """Events about records in the user's scope (city: all, including sign-ins)."""
    return visible_to(AuditEvent.objects.select_related("actor", "org_unit"), user)
