"""Web Push subscriptions of the signed-in user's devices (the patrol app's 「开启接单提醒」).

The body of a subscribe is what the browser's `PushSubscription.toJSON()` gives. A
subscription made in a signed-in session is remembered in it, so that signing out revokes
that device's subscription (`accounts/signals.py`)."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from warmwinter.accounts.auth import request_user
from warmwinter.notifications import selectors, services
from warmwinter.notifications.push import vapid_public_key

router = Router()


class KeysIn(Schema):
    p256dh: str = Field(max_length=100)
    auth: str = Field(max_length=40)


class SubscriptionIn(Schema):
    endpoint: str = Field(max_length=1000)
    keys: KeysIn
    label: str = Field("", max_length=120)


class SubscriptionOut(Schema):
    id: int
    label: str
    created_at: datetime
    last_success_at: datetime | None
    revoked_at: datetime | None
    revoked_reason: str


class KeyOut(Schema):
    public_key: str


@router.get("/push/key", response=KeyOut)
def push_key(request: HttpRequest) -> dict[str, str]:
    """The VAPID public key a browser subscribes with ("" when push is off)."""
    return {"public_key": vapid_public_key()}


@router.get("/push/subscriptions", response=list[SubscriptionOut])
def subscriptions(request: HttpRequest) -> object:
    return list(selectors.push_subscriptions_for(user=request_user(request)))


@router.post("/push/subscriptions", response={201: SubscriptionOut})
def subscribe(request: HttpRequest, payload: SubscriptionIn) -> Status:
    label = payload.label or request.headers.get("User-Agent", "")
    subscription = services.push_subscribe(
        user=request_user(request),
        endpoint=payload.endpoint,
        p256dh=payload.keys.p256dh,
        auth=payload.keys.auth,
        label=label[:120],
    )
    if hasattr(request, "session"):
        ids = [
            i
            for i in request.session.get(services.SESSION_SUBSCRIPTIONS, [])
            if i != subscription.pk
        ]
        request.session[services.SESSION_SUBSCRIPTIONS] = [*ids, subscription.pk]
    return Status(201, subscription)


@router.delete("/push/subscriptions/{pk}", response=SubscriptionOut)
def unsubscribe(request: HttpRequest, pk: int) -> object:
    user = request_user(request)
    return services.push_unsubscribe(
        user=user, subscription=selectors.push_subscription_for(user, pk)
    )
