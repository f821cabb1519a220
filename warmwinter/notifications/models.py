from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Urgency(models.TextChoices):
    INFO = "info", _("通知")
    WARNING = "warning", _("提醒")
    URGENT = "urgent", _("紧急")


class Notification(models.Model):
    """One message to one user. Private to its recipient, so it needs no org scope."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    urgency = models.CharField(
        _("紧急程度"), max_length=10, choices=Urgency.choices, default=Urgency.INFO
    )
    source = models.CharField(_("来源"), max_length=60, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    sms_sent_at = models.DateTimeField(_("短信发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.title


class PushRevokedReason(models.TextChoices):
    USER = "user", _("本人撤销")
    SIGNED_OUT = "signed_out", _("退出登录")
    GONE = "gone", _("推送服务告知已失效")
    REPLACED = "replaced", _("同一设备重新订阅")


class PushSubscription(models.Model):
    """One device's Web Push subscription (RFC 8030) to the patrol app's alerts: where the push
    service takes messages for it and the keys (RFC 8291) they are encrypted with. Private to
    its user; revoked (kept, with why) rather than deleted, so a device list shows what was."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="push_subscriptions",
    )
    endpoint = models.URLField(_("推送地址"), max_length=1000)
    p256dh = models.CharField(_("设备公钥"), max_length=100)
    auth = models.CharField(_("认证密钥"), max_length=40)
    label = models.CharField(_("设备"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("开启时间"), default=timezone.now)
    last_success_at = models.DateTimeField(_("最近送达"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_reason = models.CharField(
        _("撤销原因"), max_length=12, choices=PushRevokedReason.choices, blank=True
    )

    class Meta:
        verbose_name = _("推送订阅")
        verbose_name_plural = _("推送订阅")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint"],
                condition=models.Q(revoked_at__isnull=True),
                name="push_subscription_active_endpoint_unique",
            )
        ]

    def __str__(self) -> str:
        return self.label or self.endpoint[:60]

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
