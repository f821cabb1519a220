"""Web Push to staff devices: RFC 8030 (the push service's protocol), VAPID (RFC 8292, who we
are) and aes128gcm message encryption (RFC 8291), all done by `pywebpush`.

A message goes to every active subscription of the users named; a push service answering
404 or 410 says the subscription is gone for good, and it is revoked. Nothing here asks for a
capability: callers (a task after a dispatch) decide who is told.
"""

from __future__ import annotations

import base64
import json
import logging
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.utils import timezone
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

from warmwinter.accounts.models import User
from warmwinter.notifications.models import PushRevokedReason, PushSubscription

logger = logging.getLogger(__name__)

#: What a push service answers for a subscription that no longer exists (RFC 8030 §7.3).
GONE_STATUSES = frozenset({404, 410})


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _private_key_pem() -> str:
    """The configured key, or the development key in var/ (generated on first use) where
    settings allow one; "" when push is off."""
    if settings.PUSH_VAPID_PRIVATE_KEY:
        return str(settings.PUSH_VAPID_PRIVATE_KEY)
    if not settings.PUSH_VAPID_DEV_KEY_FILE:
        return ""
    path = Path(settings.PUSH_VAPID_DEV_KEY_FILE)
    if not path.exists():
        key = ec.generate_private_key(ec.SECP256R1())
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written aside and renamed: two processes starting at once each see a whole key.
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(pem)
        os.replace(tmp, path)
    return path.read_text(encoding="ascii")


@lru_cache(maxsize=4)
def _vapid_from(key: str) -> Vapid:
    if key.lstrip().startswith("-----BEGIN"):
        return Vapid.from_pem(key.encode("ascii"))
    return Vapid.from_string(private_key=key)


def vapid() -> Vapid | None:
    """Our VAPID key pair, or None when push is off (production without a key)."""
    key = _private_key_pem()
    return _vapid_from(key) if key else None


def vapid_public_key() -> str:
    """The application server key the browser subscribes with (base64url, uncompressed P-256
    point), "" when push is off."""
    if settings.PUSH_VAPID_PUBLIC_KEY:
        return str(settings.PUSH_VAPID_PUBLIC_KEY)
    pair = vapid()
    if pair is None:
        return ""
    return b64url(
        pair.public_key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
    )


@dataclass(frozen=True)
class PushResult:
    sent: int = 0
    gone: int = 0
    failed: int = 0


def push_to_users(
    *, users: list[User], payload: dict[str, Any], urgency: str = "high"
) -> PushResult:
    """Send `payload` (JSON, small: it travels encrypted through a vendor's service) to every
    active subscription of `users`. Gone subscriptions are revoked; other failures are logged
    and counted (the next alert tries again)."""
    pair = vapid()
    if pair is None:
        return PushResult()
    subscriptions = list(
        PushSubscription.objects.filter(user__in=users, user__is_active=True, revoked_at=None)
    )
    data = json.dumps(payload, ensure_ascii=False)
    sent, gone, failed = [], [], 0
    for sub in subscriptions:
        try:
            webpush(
                {"endpoint": sub.endpoint, "keys": {"p256dh": sub.p256dh, "auth": sub.auth}},
                data=data,
                vapid_private_key=pair,
                vapid_claims={"sub": settings.PUSH_VAPID_SUBJECT},
                content_encoding="aes128gcm",
                ttl=settings.PUSH_TTL_S,
                timeout=settings.PUSH_TIMEOUT_S,
                headers={"Urgency": urgency},
            )
            sent.append(sub.pk)
        except WebPushException as exc:
            status = getattr(exc.response, "status_code", None)
            if status in GONE_STATUSES:
                gone.append(sub.pk)
            else:
                failed += 1
                logger.warning("push to subscription %s failed: %s", sub.pk, status or exc)
        except requests.RequestException as exc:
            failed += 1
            logger.warning("push to subscription %s failed: %s", sub.pk, exc)
    now = timezone.now()
    if sent:
        PushSubscription.objects.filter(pk__in=sent).update(last_success_at=now)
    if gone:
        PushSubscription.objects.filter(pk__in=gone, revoked_at=None).update(
            revoked_at=now, revoked_reason=PushRevokedReason.GONE
        )
    return PushResult(sent=len(sent), gone=len(gone), failed=failed)
