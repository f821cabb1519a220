"""Tell staff something needs them: `notify(recipients=…, title=…, urgency=…)`.

Urgent notifications also go out by SMS to recipients with a phone number, after the
transaction that produced them commits (a rolled-back escalation must not text anybody).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from warmwinter.accounts.models import User
from warmwinter.accounts.permissions import Actor, require
from warmwinter.notifications.models import (
    Notification,
    PushRevokedReason,
    PushSubscription,
    Urgency,
)
from warmwinter.notifications.push import b64url_decode
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


# --- Web Push subscriptions (one per device) -----------------------------------------------

#: Session key: the ids of the subscriptions a signed-in session made (revoked at sign-out).
SESSION_SUBSCRIPTIONS = "push_subscription_ids"


def _checked_subscription(endpoint: str, p256dh: str, auth: str) -> None:
    """Refuse what a browser's PushSubscription would never hold: the server POSTs to the
    endpoint, so it must be an https URL of a known push service (`PUSH_SERVICE_HOSTS`; a local
    http one only where settings allow)."""
    from urllib.parse import urlsplit

    errors: dict[str, str] = {}
    url = urlsplit(endpoint)
    host = (url.hostname or "").lower()
    local = settings.PUSH_ALLOW_LOCAL_ENDPOINTS and host in ("127.0.0.1", "localhost", "::1")
    known = local or any(host == h or host.endswith("." + h) for h in settings.PUSH_SERVICE_HOSTS)
    if not host or not (url.scheme == "https" or (url.scheme == "http" and local)):
        errors["endpoint"] = _("推送地址必须是 https 地址")
    elif not known:
        errors["endpoint"] = _("不支持的推送服务：%(host)s") % {"host": host}
    try:
        point = b64url_decode(p256dh)
        if len(point) != 65 or point[0] != 4:
            raise ValueError
    except ValueError:
        errors["p256dh"] = _("设备公钥格式不正确")
    try:
        if len(b64url_decode(auth)) != 16:
            raise ValueError
    except ValueError:
        errors["auth"] = _("认证密钥格式不正确")
    if errors:
        raise ValidationError(errors)


def push_subscribe(
    *, user: Actor, endpoint: str, p256dh: str, auth: str, label: str = ""
) -> PushSubscription:
    """Subscribe the user's device to alerts (every signed-in user may, for themselves). The
    same endpoint again updates its keys; an endpoint another user had on this device is
    replaced (one device, one person signed in)."""
    require(user, None)
    endpoint = endpoint.strip()
    _checked_subscription(endpoint, p256dh, auth)
    now = timezone.now()
    with transaction.atomic():
        current = (
            PushSubscription.objects.select_for_update()
            .filter(endpoint=endpoint, revoked_at=None)
            .first()
        )
        if current is not None and current.user_id == user.pk:
            current.p256dh, current.auth, current.label = p256dh, auth, label[:120]
            current.save(update_fields=["p256dh", "auth", "label"])
            return current
        if current is not None:
            current.revoked_at, current.revoked_reason = now, PushRevokedReason.REPLACED
            current.save(update_fields=["revoked_at", "revoked_reason"])
        subscription = PushSubscription(
            user=user, endpoint=endpoint, p256dh=p256dh, auth=auth, label=label[:120]
        )
        subscription.full_clean()
        subscription.save()
    return subscription


def push_unsubscribe(
    *, user: Actor, subscription: PushSubscription, reason: str = PushRevokedReason.USER
) -> PushSubscription:
    """Revoke one of the user's own devices (fetched through `push_subscription_for`)."""
    require(user, None)
    if subscription.user_id != user.pk:
        raise PermissionDenied(_("只能撤销自己的设备"))
    PushSubscription.objects.filter(pk=subscription.pk, revoked_at=None).update(
        revoked_at=timezone.now(), revoked_reason=reason
    )
    subscription.refresh_from_db()
    return subscription


def push_forget_devices(*, user: User, subscription_ids: Iterable[int]) -> int:
    """On sign-out: revoke the subscriptions this session made (the device signing out), so
    a phone handed to the next shift never shows the last user's alerts."""
    return PushSubscription.objects.filter(
        user=user, pk__in=list(subscription_ids), revoked_at=None
    ).update(revoked_at=timezone.now(), revoked_reason=PushRevokedReason.SIGNED_OUT)
