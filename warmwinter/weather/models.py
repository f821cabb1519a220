"""Weather warnings, the rules that turn them into response levels, and the level record.

- `WeatherWarning`: one meteorological warning as issued (CAP 1.2 or signal text), raw text kept.
- `RuleSet` and its rows: the versioned, data-held rules (warning → level, forecast → level,
  what each level switches on, how often each kind of place is patrolled).
- `LevelEvent`: every change of a district's response level with its cause; the latest is in force.
- `PlaceActivation`: a shelter or help point switched to open by a level, and closed again.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from warmwinter.accounts.scoping import Scope
from warmwinter.core.validation import between
from warmwinter.places.models import KeyPlaceType, OrgUnit, PlaceKind
from warmwinter.weather.levels import ResponseLevel


class WarningType(models.TextChoices):
    COLD_WAVE = "cold_wave", _("寒潮")
    LOW_TEMPERATURE = "low_temperature", _("低温")
    ROAD_ICING = "road_icing", _("道路结冰")
    BLIZZARD = "blizzard", _("暴雪")
    FROST = "frost", _("霜冻")
    GALE = "gale", _("大风")
    SHARP_COOLING = "sharp_cooling", _("强降温")


class WarningColour(models.TextChoices):
    BLUE = "blue", _("蓝色")
    YELLOW = "yellow", _("黄色")
    ORANGE = "orange", _("橙色")
    RED = "red", _("红色")


class MsgType(models.TextChoices):
    ALERT = "Alert", _("发布")
    UPDATE = "Update", _("更新")
    CANCEL = "Cancel", _("解除")


class WarningSource(models.TextChoices):
    CAP_OASIS = "cap_oasis", _("CAP 1.2（OASIS）")
    CAP_CN = "cap_cn", _("CAP（GB/T 35965.1）")
    SIGNAL_TEXT = "signal_text", _("预警信号文本")


class EndReason(models.TextChoices):
    UPDATED = "updated", _("已被更新")
    CANCELLED = "cancelled", _("已解除")
    EXPIRED = "expired", _("已过期")


class WarningQuerySet(models.QuerySet["WeatherWarning"]):
    def in_force(self, now: Any = None) -> WarningQuerySet:
        """Alerts and updates that are effective, not ended and not past their expiry."""
        now = now or timezone.now()
        return self.filter(
            msg_type__in=[MsgType.ALERT, MsgType.UPDATE],
            ended_at__isnull=True,
            effective_at__lte=now,
        ).filter(models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now))

    def covering(self, district: OrgUnit) -> WarningQuerySet:
        return self.filter(models.Q(whole_city=True) | models.Q(districts=district)).distinct()


class WeatherWarning(models.Model):
    """A warning as the meteorological service issued it. Never edited after ingestion except
    to record that it ended (updated, cancelled, expired)."""

    issuer = models.CharField(_("发布单位"), max_length=100)
    sender = models.CharField(_("发送方标识"), max_length=200, blank=True)
    identifier = models.CharField(_("消息标识"), max_length=200, db_index=True)
    msg_type = models.CharField(_("消息类型"), max_length=10, choices=MsgType.choices)
    references = models.TextField(_("引用的消息"), blank=True)
    warning_type = models.CharField(_("预警类型"), max_length=32, choices=WarningType.choices)
    type_code = models.CharField(_("类型代码"), max_length=16, blank=True)
    colour = models.CharField(_("预警颜色"), max_length=10, choices=WarningColour.choices)
    issued_at = models.DateTimeField(_("发布时间"))
    effective_at = models.DateTimeField(_("生效时间"))
    expires_at = models.DateTimeField(_("失效时间"), null=True, blank=True)
    # The message named no expiry: `expires_at` is its effective time plus the lifetime the rules
    # in force give its type (`WarningLifetime`), so that no warning holds a level for ever.
    expiry_assumed = models.BooleanField(_("失效时间按规则推定"), default=False)
    whole_city = models.BooleanField(_("全市"), default=False)
    districts = models.ManyToManyField(
        OrgUnit, verbose_name=_("涉及区"), related_name="weather_warnings", blank=True
    )
    headline = models.CharField(_("标题"), max_length=300, blank=True)
    description = models.TextField(_("内容"), blank=True)
    instruction = models.TextField(_("防御指引"), blank=True)
    raw = models.TextField(_("原始消息"))
    source = models.CharField(_("来源"), max_length=16, choices=WarningSource.choices)
    fingerprint = models.CharField(_("内容指纹"), max_length=64, unique=True, editable=False)
    refers_to = models.ForeignKey(
        "self",
        verbose_name=_("更新/解除的预警"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="followed_by",
    )
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    end_reason = models.CharField(
        _("结束原因"), max_length=10, choices=EndReason.choices, blank=True
    )
    received_at = models.DateTimeField(_("接收时间"), default=timezone.now)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    # No Scope: a warning is public information once issued. What it sets off (levels, open
    # shelters, required patrols) is scoped by district.
    objects = WarningQuerySet.as_manager()

    class Meta:
        verbose_name = _("气象预警")
        verbose_name_plural = _("气象预警")
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_warning_type_display()}{self.get_colour_display()}预警（{self.get_msg_type_display()}）"

    @property
    def title(self) -> str:
        return f"{self.get_warning_type_display()}{self.get_colour_display()}预警"


class WarningReceipt(models.Model):
    """Each time a message arrived, by which road, verbatim, even when it was a duplicate."""

    warning = models.ForeignKey(WeatherWarning, on_delete=models.CASCADE, related_name="receipts")
    source = models.CharField(_("来源"), max_length=16, choices=WarningSource.choices)
    sender = models.CharField(_("发送方标识"), max_length=200, blank=True)
    identifier = models.CharField(_("消息标识"), max_length=200, db_index=True)
    raw = models.TextField(_("原始消息"))
    via = models.CharField(_("途径"), max_length=10, blank=True)  # api / cli / poll / page
    received_at = models.DateTimeField(_("接收时间"), default=timezone.now)

    class Meta:
        verbose_name = _("预警接收记录")
        verbose_name_plural = _("预警接收记录")
        ordering = ["received_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.identifier}"


class RuleSet(models.Model):
    """One version of the response rules. The newest published version is in force; a
    published version is never edited, a change is a new version."""

    version = models.PositiveIntegerField(_("版本"), unique=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("响应规则版本")
        verbose_name_plural = _("响应规则版本")
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"v{self.version}"


class WarningRule(models.Model):
    """Warning type + colour → response level, with the issuing criterion a reader can check."""

    ruleset = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="warning_rules")
    warning_type = models.CharField(_("预警类型"), max_length=32, choices=WarningType.choices)
    colour = models.CharField(_("预警颜色"), max_length=10, choices=WarningColour.choices)
    level = models.PositiveSmallIntegerField(_("响应等级"), choices=ResponseLevel.choices)
    window_hours = models.PositiveSmallIntegerField(_("时效（小时）"), null=True, blank=True)
    temp_drop_c = models.DecimalField(
        _("降温幅度 ≥（°C）"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    min_temp_c = models.DecimalField(
        _("最低气温 ≤（°C）"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    criterion = models.CharField(_("发布标准"), max_length=300, blank=True)
    source = models.CharField(_("依据"), max_length=200)

    class Meta:
        verbose_name = _("预警响应规则")
        verbose_name_plural = _("预警响应规则")
        ordering = ["warning_type", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["ruleset", "warning_type", "colour"], name="weather_rule_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_warning_type_display()}{self.get_colour_display()} → {self.get_level_display()}"


class WarningLifetime(models.Model):
    """How long a warning of a type stays in force when its message names no expiry (signal
    texts never do): past it the warning lapses like one that expired."""

    ruleset = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="warning_lifetimes")
    warning_type = models.CharField(_("预警类型"), max_length=32, choices=WarningType.choices)
    hours = models.PositiveSmallIntegerField(
        _("未注明失效时间时的时效（小时）"),
        validators=between(1, 240, _("时效须在 1 至 240 小时之间")),
    )
    source = models.CharField(_("依据"), max_length=200)

    class Meta:
        verbose_name = _("预警默认时效")
        verbose_name_plural = _("预警默认时效")
        ordering = ["warning_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["ruleset", "warning_type"], name="weather_lifetime_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_warning_type_display()} {self.hours} h"


class ForecastRule(models.Model):
    """A forecast night minimum at or below the threshold raises the level without a warning."""

    ruleset = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="forecast_rules")
    night_min_at_or_below_c = models.DecimalField(
        _("夜间最低气温 ≤（°C）"), max_digits=4, decimal_places=1
    )
    level = models.PositiveSmallIntegerField(_("响应等级"), choices=ResponseLevel.choices)
    source = models.CharField(_("依据"), max_length=200)

    class Meta:
        verbose_name = _("预报响应规则")
        verbose_name_plural = _("预报响应规则")
        ordering = ["-night_min_at_or_below_c"]

    def __str__(self) -> str:
        return f"≤ {self.night_min_at_or_below_c} °C → {self.get_level_display()}"


class LevelEffect(models.Model):
    """What a level switches on."""

    ruleset = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="effects")
    level = models.PositiveSmallIntegerField(_("响应等级"), choices=ResponseLevel.choices)
    lead_priority_boost = models.SmallIntegerField(_("线索优先级加分"), default=0)
    time_limit_factor = models.DecimalField(
        _("时限系数"), max_digits=3, decimal_places=2, default=1
    )
    shelters_open = models.BooleanField(_("开放临时救助场所和求助引导点"), default=False)
    stock_check = models.BooleanField(_("盘点救助物资"), default=False)
    notify_roles = models.JSONField(_("通知的角色"), default=list, blank=True)

    class Meta:
        verbose_name = _("等级措施")
        verbose_name_plural = _("等级措施")
        ordering = ["level"]
        constraints = [
            models.UniqueConstraint(fields=["ruleset", "level"], name="weather_effect_unique")
        ]

    def __str__(self) -> str:
        return str(self.get_level_display())


class PatrolRequirement(models.Model):
    """How often places of a kind must be patrolled per night at a level."""

    ruleset = models.ForeignKey(
        RuleSet, on_delete=models.CASCADE, related_name="patrol_requirements"
    )
    level = models.PositiveSmallIntegerField(_("响应等级"), choices=ResponseLevel.choices)
    place_kind = models.CharField(_("地点类型"), max_length=32, choices=PlaceKind.choices)
    key_place_type = models.CharField(
        _("重点点位类型（空为全部）"), max_length=32, choices=KeyPlaceType.choices, blank=True
    )
    visits_per_night = models.PositiveSmallIntegerField(_("每夜巡查次数"))
    window_start = models.TimeField(_("时段开始"))
    window_end = models.TimeField(_("时段结束"))

    class Meta:
        verbose_name = _("巡查频次")
        verbose_name_plural = _("巡查频次")
        ordering = ["level", "place_kind", "key_place_type"]

    def __str__(self) -> str:
        return (
            f"{self.get_level_display()} {self.get_place_kind_display()} ×{self.visits_per_night}"
        )


class Forecast(models.Model):
    """A forecast night minimum for a district (or the whole city when district is empty)."""

    district = models.ForeignKey(
        OrgUnit,
        verbose_name=_("区"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    night = models.DateField(_("夜间（起始日期）"))
    min_temp_c = models.DecimalField(
        _("预报最低气温（°C）"),
        max_digits=4,
        decimal_places=1,
        validators=between(Decimal(-40), Decimal(45), _("气温超出合理范围（-40 至 45 °C）")),
    )
    issuer = models.CharField(_("发布单位"), max_length=100, blank=True)
    received_at = models.DateTimeField(_("接收时间"), default=timezone.now)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("气温预报")
        verbose_name_plural = _("气温预报")
        ordering = ["-night", "-received_at"]

    def __str__(self) -> str:
        return f"{self.night} {self.min_temp_c} °C"


class LevelCause(models.TextChoices):
    WARNING = "warning", _("预警")
    FORECAST = "forecast", _("预报")
    MANUAL = "manual", _("人工调整")
    EXPIRY = "expiry", _("预警过期")
    CANCEL = "cancel", _("预警解除")


class LevelEvent(models.Model):
    """One change of a district's response level. Append-only; the latest one is in force."""

    district = models.ForeignKey(
        OrgUnit, verbose_name=_("区"), on_delete=models.PROTECT, related_name="level_events"
    )
    from_level = models.PositiveSmallIntegerField(_("原等级"), choices=ResponseLevel.choices)
    to_level = models.PositiveSmallIntegerField(_("新等级"), choices=ResponseLevel.choices)
    cause = models.CharField(_("原因类型"), max_length=10, choices=LevelCause.choices)
    reason = models.CharField(_("原因"), max_length=500)
    warning = models.ForeignKey(
        WeatherWarning,
        verbose_name=_("相关预警"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="level_events",
    )
    ruleset = models.ForeignKey(
        RuleSet, verbose_name=_("规则版本"), on_delete=models.PROTECT, null=True, blank=True
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    scope: ClassVar[Scope] = Scope(org_field="district")

    class Meta:
        verbose_name = _("响应等级变更")
        verbose_name_plural = _("响应等级变更")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["district", "-at", "-id"])]

    def __str__(self) -> str:
        return f"{self.district} {self.get_from_level_display()} → {self.get_to_level_display()}"


class PlaceActivation(models.Model):
    """A shelter or help point switched to open by a level change, until it is closed again."""

    place = models.ForeignKey(
        "places.Place", verbose_name=_("地点"), on_delete=models.PROTECT, related_name="+"
    )
    district = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(_("开放时间"))
    opened_by_event = models.ForeignKey(
        LevelEvent, on_delete=models.PROTECT, related_name="opened_places"
    )
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    closed_by_event = models.ForeignKey(
        LevelEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="closed_places"
    )

    scope: ClassVar[Scope] = Scope(org_field="district")

    class Meta:
        verbose_name = _("临时开放")
        verbose_name_plural = _("临时开放")
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["place"],
                condition=models.Q(closed_at__isnull=True),
                name="weather_one_open_activation_per_place",
            )
        ]

    def __str__(self) -> str:
        return f"{self.place} {self.opened_at:%Y-%m-%d %H:%M}"
