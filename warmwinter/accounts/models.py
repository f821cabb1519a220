from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from warmwinter.accounts.roles import MOBILE_ROLES, ROLE_CAPABILITIES, Agency, Capability, Role
from warmwinter.accounts.scoping import Scope
from warmwinter.accounts.tokencache import forget_tokens


class User(AbstractUser):
    """A person who signs in. Each acts for exactly one org unit (city, district, station …)."""

    display_name = models.CharField(_("姓名"), max_length=60, blank=True)
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    agency = models.CharField(
        _("所属部门"),
        max_length=32,
        choices=Agency.choices,
        blank=True,
        help_text=_("巡查队员须填写：民政、公安或城管执法"),
    )
    org_unit = models.ForeignKey(
        "places.OrgUnit",
        verbose_name=_("所属单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    phone = models.CharField(_("手机号"), max_length=20, blank=True)

    scope: ClassVar[Scope] = Scope(org_field="org_unit")

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username

    def clean(self) -> None:
        super().clean()
        if self.role == Role.PATROL_MEMBER and not self.agency:
            raise ValidationError({"agency": _("巡查队员须选择所属部门")})
        if self.role and self.org_unit_id is None:
            raise ValidationError({"org_unit": _("请选择该用户代表的单位")})

    def can(self, capability: Capability) -> bool:
        return self.is_active and capability in ROLE_CAPABILITIES.get(self.role, frozenset())

    @property
    def is_read_only(self) -> bool:
        return self.role == Role.AUDITOR

    @property
    def prefers_mobile(self) -> bool:
        return self.role in MOBILE_ROLES


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def update(self, **kwargs: Any) -> int:
        """A bulk change (revoking all of a user's tokens) also drops their cached lookups,
        which `save()` and `delete()` do through signals."""
        hashes = list(self.values_list("key_hash", flat=True))
        changed = super().update(**kwargs)
        forget_tokens(hashes)
        return changed

    def usable(self) -> ApiTokenQuerySet:
        now = timezone.now()
        return self.filter(revoked_at__isnull=True, user__is_active=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """A bearer token for a machine client (the grid platform, a weather feed pusher …).

    Only a SHA-256 of the token is stored; the token itself is shown once at creation.
    The token acts as its user, with that user's role and scope.
    """

    PREFIX = "ww_"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("用途"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    key_prefix = models.CharField(_("前缀"), max_length=12, editable=False)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("过期时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    @staticmethod
    def hash_of(raw: str) -> str:
        """The stored form of a raw token (`key_hash`), also the key of its cached user."""
        return hashlib.sha256(raw.encode()).hexdigest()

    @classmethod
    def issue(cls, *, user: User, name: str) -> tuple[ApiToken, str]:
        """Create a token; returns it and the raw value, which is not stored anywhere."""
        raw = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user, name=name, key_hash=cls.hash_of(raw), key_prefix=raw[:8]
        )
        return token, raw

    @classmethod
    def authenticate(cls, raw: str) -> User | None:
        if not raw.startswith(cls.PREFIX) or len(raw) > 200:
            return None
        token = (
            cls.objects.usable().select_related("user").filter(key_hash=cls.hash_of(raw)).first()
        )
        if token is None:
            return None
        # Recording every use would add a write (and a commit) to every machine request; a
        # minute's precision is enough to see which tokens are alive.
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > timedelta(seconds=60):
            cls.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user
