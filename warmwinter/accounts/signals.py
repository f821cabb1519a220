"""Sign-ins, sign-outs and failed attempts go to the audit trail; a changed token or user
drops the cached token lookup."""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpRequest

from warmwinter.accounts.models import ApiToken, User
from warmwinter.accounts.tokencache import forget_tokens
from warmwinter.audit.models import AuditAction
from warmwinter.audit.services import audit_record


@receiver(user_logged_in)
def _logged_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    audit_record(actor=user, action=AuditAction.LOGIN, request=request, via="page")


@receiver(user_logged_out)
def _logged_out(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(actor=user, action=AuditAction.LOGOUT, request=request, via="page")
        _forget_push_devices(request, user)


def _forget_push_devices(request: HttpRequest, user: Any) -> None:
    """The device signing out gets no more alerts meant for this user: revoke the push
    subscriptions this session made (the session is still whole when the signal is sent)."""
    from warmwinter.notifications.services import SESSION_SUBSCRIPTIONS, push_forget_devices

    session = getattr(request, "session", None)
    ids = session.get(SESSION_SUBSCRIPTIONS, []) if session is not None else []
    if ids:
        push_forget_devices(user=user, subscription_ids=ids)


@receiver(user_login_failed)
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    audit_record(
        actor=None,
        action=AuditAction.LOGIN_FAILED,
        actor_label=str(credentials.get("username", ""))[:150],
        request=request,
        via="page",
    )


@receiver(post_save, sender=ApiToken, dispatch_uid="accounts-token-cache-token-saved")
@receiver(post_delete, sender=ApiToken, dispatch_uid="accounts-token-cache-token-deleted")
def _token_changed(sender: Any, instance: ApiToken, **kwargs: Any) -> None:
    forget_tokens([instance.key_hash])


@receiver(post_save, sender=User, dispatch_uid="accounts-token-cache-user-saved")
def _user_changed(sender: Any, instance: User, **kwargs: Any) -> None:
    if kwargs.get("created") or kwargs.get("raw"):
        return
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # a sign-in changes nothing a token grants
    hashes = list(ApiToken.objects.filter(user=instance).values_list("key_hash", flat=True))
    if hashes:
        forget_tokens(hashes)
