from django.db.models import F, QuerySet
from django.shortcuts import get_object_or_404

from warmwinter.accounts.models import User
from warmwinter.notifications.models import Notification, PushSubscription


def notifications_for(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)


def unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def push_subscriptions_for(*, user: User) -> QuerySet[PushSubscription]:
    """The user's devices, active first."""
    return PushSubscription.objects.filter(user=user).order_by(
        F("revoked_at").desc(nulls_first=True), "-created_at"
    )


def push_subscription_for(user: User, pk: int) -> PushSubscription:
    """One of the user's own devices, or 404 (another user's is not found)."""
    return get_object_or_404(PushSubscription, pk=pk, user=user)
