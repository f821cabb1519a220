from __future__ import annotations

from django.db.models import QuerySet

from warmwinter.accounts.permissions import Actor
from warmwinter.accounts.scoping import visible_to
from warmwinter.audit.models import AuditEvent


def audit_events_for(*, user: Actor) -> QuerySet[AuditEvent]:
    """Events about records in the user's scope (city: all, including sign-ins)."""
    return visible_to(AuditEvent.objects.select_related("actor", "org_unit"), user)
