"""Tell staff something needs them: `notify(recipients=…, title=…, urgency=…)`.

Urgent notifications also go out by SMS to recipients with a phone number, after the
transaction that produced them commits (a rolled-back escalation must not text anybody).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from warmwinter.accounts.models import User
from warmwinter.accounts.permissions import Actor, require
from warmwinter.notifications.models import Notification, Urgency
from warmwinter.notifications.sms import sms_backend
from warmwinter.places.models import OrgUnit


def recipients_for(*, org_unit: OrgUnit, roles: Iterable[str]) -> QuerySet[User]:
    """Active users of `roles` who act for `org_unit` or a unit inside it."""
    return User.objects.filter(
        is_active=True, role__in=list(roles), org_unit__path__startswith=org_unit.path
    )


def notify(
    *,
    recipients: Iterable[User],
    title: str,
    body: str = "",
    url: str = "",
    urgency: str = Urgency.INFO,
    source: str = "",
) -> int:
    """Create one notification per recipient; returns how many were created."""
    users = list({u.pk: u for u in recipients}.values())
    created = Notification.objects.bulk_create(
        Notification(
            recipient=u,
            title=title[:200],
            body=body,
            url=url[:300],
            urgency=urgency,
            source=source[:60],
        )
        for u in users
    )
    if urgency == Urgency.URGENT:
        ids = [n.pk for n in created if n.pk is not None]
        transaction.on_commit(lambda: _send_sms(ids, users, f"{title} {body}".strip()))
    return len(created)


def _send_sms(notification_ids: list[Any], users: list[User], text: str) -> None:
    backend = sms_backend()
    sent: list[Any] = []
    for user, nid in zip(users, notification_ids, strict=False):
        if user.phone:
            backend.send(phone=user.phone, text=text[:300])
            sent.append(nid)
    if sent:
        Notification.objects.filter(pk__in=sent).update(sms_sent_at=timezone.now())


def notifications_mark_read(*, user: Actor, ids: Iterable[int] | None = None) -> int:
    """Mark the user's own notifications read (all, or those of `ids`); every signed-in user
    may, whatever their role."""
    require(user, None)
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())
