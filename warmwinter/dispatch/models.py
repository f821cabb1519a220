"""Rescue teams (救助分队) of the 「三合一」 joint patrol, their on-duty shifts, and each district's
dispatch settings."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from warmwinter.accounts.scoping import Scope
from warmwinter.core.models import ArchivableModel
from warmwinter.core.validation import between


class Team(ArchivableModel):
    name = models.CharField(_("名称"), max_length=80)
    district = models.ForeignKey(
        "places.OrgUnit", verbose_name=_("所属区"), on_delete=models.PROTECT, related_name="teams"
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("队员"), related_name="teams", blank=True
    )
    base_place = models.ForeignKey(
        "places.Place",
        verbose_name=_("驻点"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    lat = models.FloatField(_("驻点纬度（WGS-84）"))
    lng = models.FloatField(_("驻点经度（WGS-84）"))
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    max_load = models.PositiveSmallIntegerField(
        _("同时处置上限"),
        default=3,
        validators=between(1, 20, _("同时处置上限须在 1 至 20 之间")),
        help_text=_("在办线索达到此数时不再推荐（1 至 20）"),
    )

    scope: ClassVar[Scope] = Scope(org_field="district")

    class Meta:
        verbose_name = _("救助分队")
        verbose_name_plural = _("救助分队")
        ordering = ["district__code", "name"]
        constraints = [models.UniqueConstraint(fields=["district", "name"], name="team_unique")]

    def __str__(self) -> str:
        return self.name


class Shift(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="shifts")
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))

    scope: ClassVar[Scope] = Scope(org_field="team__district")

    class Meta:
        verbose_name = _("值班")
        verbose_name_plural = _("值班")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="shift_ends_after"
            ),
            models.UniqueConstraint(fields=["team", "starts_at"], name="shift_unique_start"),
        ]
        indexes = [models.Index(fields=["starts_at", "ends_at"])]

    def __str__(self) -> str:
        return f"{self.team} {self.starts_at:%m-%d %H:%M}–{self.ends_at:%H:%M}"


class DistrictDispatch(models.Model):
    """Per-district dispatch switches."""

    district = models.OneToOneField(
        "places.OrgUnit",
        verbose_name=_("区"),
        on_delete=models.PROTECT,
        related_name="dispatch_settings",
    )
    auto_dispatch = models.BooleanField(
        _("自动派单"), default=False, help_text=_("开启后，新线索自动派给推荐的第一支分队")
    )

    scope: ClassVar[Scope] = Scope(org_field="district")

    class Meta:
        verbose_name = _("区调度设置")
        verbose_name_plural = _("区调度设置")

    def __str__(self) -> str:
        return f"{self.district}"
