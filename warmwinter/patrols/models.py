"""Street patrols (街面巡查): key places and their watch windows, each district's plan for a
night with one optimised route per team, check-ins, and the encounters (街面处置) at the kerb with
their escorts, supplies and follow-ups."""

from __future__ import annotations

from datetime import time
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from warmwinter.accounts.scoping import Scope
from warmwinter.core.models import TrackedModel
from warmwinter.core.validation import between
from warmwinter.leads.models import Outcome
from warmwinter.patrols.rules import Disposition, Willingness

#: What an encounter's disposition means for the lead it was recorded for: the lead's outcome.
DISPOSITION_OUTCOME = {
    Disposition.HOSPITAL: Outcome.ESCORTED_HOSPITAL,
    Disposition.ESCORT_STATION: Outcome.ESCORTED_STATION,
    Disposition.GUIDE_STATION: Outcome.ESCORTED_STATION,
    Disposition.GUIDE_SHELTER: Outcome.SHELTERED,
    Disposition.SUPPLIES: Outcome.REFUSED_SUPPLIES,
    Disposition.NOT_NEEDED: Outcome.NOT_IN_NEED,
}


def _watch_from() -> time:
    return time(22, 0)


def _watch_until() -> time:
    return time(6, 0)


class PlaceWatch(TrackedModel):
    """How much a key place matters to the patrol, and when: the hours people shelter there."""

    place = models.OneToOneField(
        "places.Place", verbose_name=_("地点"), on_delete=models.CASCADE, related_name="watch"
    )
    risk = models.PositiveSmallIntegerField(
        _("风险等级"),
        default=3,
        validators=between(1, 5),
        help_text=_("1 低 … 5 高：决定巡查优先级"),
    )
    watch_from = models.TimeField(_("重点时段开始"), default=_watch_from)
    watch_until = models.TimeField(_("重点时段结束"), default=_watch_until)
    dwell_min = models.PositiveSmallIntegerField(
        _("巡查用时（分钟）"), default=10, validators=between(1, 120)
    )

    scope: ClassVar[Scope] = Scope(org_field="place__org_unit")

    class Meta:
        verbose_name = _("重点点位巡查设置")
        verbose_name_plural = _("重点点位巡查设置")

    def __str__(self) -> str:
        return f"{self.place} R{self.risk}"


class PatrolNight(TrackedModel):
    """A district's patrol plan for one night (22:00 to 06:00 the next morning)."""

    district = models.ForeignKey(
        "places.OrgUnit", verbose_name=_("区"), on_delete=models.PROTECT, related_name="+"
    )
    night = models.DateField(_("日期（当晚）"))
    level = models.PositiveSmallIntegerField(_("生成时的响应等级"), default=0)
    method = models.CharField(_("算法"), max_length=40, blank=True)
    solve_s = models.FloatField(_("求解用时（秒）"), default=0)
    planned_at = models.DateTimeField(_("生成时间"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    scope: ClassVar[Scope] = Scope(org_field="district")

    class Meta:
        verbose_name = _("巡查计划")
        verbose_name_plural = _("巡查计划")
        ordering = ["-night", "district__code"]
        constraints = [
            models.UniqueConstraint(fields=["district", "night"], name="patrol_night_unique")
        ]

    def __str__(self) -> str:
        return f"{self.district} {self.night:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("patrols:night", args=[self.pk])


class PatrolRoute(models.Model):
    """One team's route of a night: its stops in order, from its base back to its base."""

    night = models.ForeignKey(PatrolNight, on_delete=models.CASCADE, related_name="routes")
    team = models.ForeignKey(
        "dispatch.Team", verbose_name=_("分队"), on_delete=models.PROTECT, related_name="+"
    )
    starts_at = models.DateTimeField(_("出发"))
    ends_at = models.DateTimeField(_("收队"))
    travel_min = models.PositiveIntegerField(_("行程（分钟）"), default=0)

    scope: ClassVar[Scope] = Scope(org_field="night__district")

    class Meta:
        verbose_name = _("巡查路线")
        verbose_name_plural = _("巡查路线")
        ordering = ["team__name"]
        constraints = [
            models.UniqueConstraint(fields=["night", "team"], name="patrol_route_unique")
        ]

    def __str__(self) -> str:
        return f"{self.night} {self.team}"


class StopSource(models.TextChoices):
    REQUIRED = "required", _("响应等级要求")
    KEY_PLACE = "key_place", _("重点巡查点位")
    RECENT = "recent", _("近期发现人员")
    LEAD = "lead", _("待处置线索")
    MANUAL = "manual", _("调度员添加")


class StopResult(models.TextChoices):
    PENDING = "pending", _("待巡查")
    NOBODY = "nobody", _("未发现需救助人员")
    ENCOUNTERED = "encountered", _("已发现并处置")


class PatrolStop(models.Model):
    """A visit in a night's plan. `route` is empty while the stop is not assigned to a team
    (the solver could not fit it in, or the dispatcher took it off a route)."""

    night = models.ForeignKey(PatrolNight, on_delete=models.CASCADE, related_name="stops")
    route = models.ForeignKey(
        PatrolRoute, on_delete=models.SET_NULL, null=True, blank=True, related_name="stops"
    )
    seq = models.PositiveSmallIntegerField(_("顺序"), default=0)
    place = models.ForeignKey(
        "places.Place", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lead = models.ForeignKey(
        "leads.Lead", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    label = models.CharField(_("点位"), max_length=120)
    lat = models.FloatField()
    lng = models.FloatField()
    source = models.CharField(_("来源"), max_length=10, choices=StopSource.choices)
    reason = models.CharField(_("理由"), max_length=200, blank=True)
    priority = models.PositiveSmallIntegerField(_("优先级"), default=50)
    required = models.BooleanField(_("必巡"), default=False)
    window_start = models.DateTimeField(_("时间窗开始"))
    window_end = models.DateTimeField(_("时间窗结束"))
    dwell_min = models.PositiveSmallIntegerField(_("停留（分钟）"), default=10)
    planned_at = models.DateTimeField(_("计划到达"), null=True, blank=True)
    result = models.CharField(
        _("结果"), max_length=12, choices=StopResult.choices, default=StopResult.PENDING
    )
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    checkin_lat = models.FloatField(null=True, blank=True)
    checkin_lng = models.FloatField(null=True, blank=True)
    checkin_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    scope: ClassVar[Scope] = Scope(org_field="night__district")

    class Meta:
        verbose_name = _("巡查点位")
        verbose_name_plural = _("巡查点位")
        ordering = ["route_id", "seq", "window_start", "id"]

    def __str__(self) -> str:
        return self.label

    @property
    def done(self) -> bool:
        return self.result != StopResult.PENDING


class Encounter(TrackedModel):
    """A person met in the street (街面处置), and what the patrol did.

    `client_uuid` is minted on the phone when the form is filled in: a submission replayed by
    the offline queue, or sent twice, is the same encounter."""

    client_uuid = models.UUIDField(unique=True, editable=False)
    district = models.ForeignKey(
        "places.OrgUnit", verbose_name=_("区"), on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey(
        "dispatch.Team",
        verbose_name=_("分队"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    stop = models.ForeignKey(
        PatrolStop,
        verbose_name=_("巡查点位"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="encounters",
    )
    lead = models.ForeignKey(
        "leads.Lead",
        verbose_name=_("求助线索"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="encounters",
    )
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("人员档案"),
        on_delete=models.PROTECT,
        related_name="encounters",
    )
    occurred_at = models.DateTimeField(_("发现时间"), db_index=True)
    lat = models.FloatField(_("纬度（WGS-84）"))
    lng = models.FloatField(_("经度（WGS-84）"))
    place_name = models.CharField(_("地点"), max_length=120, blank=True)
    flags = models.JSONField(_("评估"), default=list, blank=True)
    willingness = models.CharField(
        _("意愿"), max_length=10, choices=Willingness.choices, default=Willingness.UNKNOWN
    )
    level = models.PositiveSmallIntegerField(_("当时响应等级"), default=0)
    suggested = models.CharField(_("建议处置"), max_length=16, choices=Disposition.choices)
    disposition = models.CharField(_("实际处置"), max_length=16, choices=Disposition.choices)
    deviation_reason = models.CharField(_("未按建议处置的理由"), max_length=300, blank=True)
    help_contact_left = models.BooleanField(_("已留下求助方式"), default=False)
    escort_members = models.CharField(_("护送人员"), max_length=200, blank=True)
    escort_to = models.ForeignKey(
        "places.Place",
        verbose_name=_("送往"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    escort_destination = models.CharField(
        _("送往（医院等）"), max_length=120, blank=True, help_text=_("送医时填写医疗机构名称")
    )
    escort_arrived_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    handover_to = models.CharField(_("交接人"), max_length=120, blank=True)
    household_street = models.ForeignKey(
        "places.OrgUnit",
        verbose_name=_("户籍所在街道（乡镇）"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("备注"), blank=True, max_length=2000)

    scope: ClassVar[Scope] = Scope(org_field="district")

    class Meta:
        verbose_name = _("街面处置")
        verbose_name_plural = _("街面处置")
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return f"{self.occurred_at:%m-%d %H:%M} {self.place_name}"

    def get_absolute_url(self) -> str:
        return reverse("patrols:encounter", args=[self.pk])

    @property
    def deviated(self) -> bool:
        return bool(self.deviation_reason)

    @property
    def lead_outcome(self) -> str:
        """The outcome of the lead this encounter was recorded for (the lifecycle closes the
        lead with it: `leads.lifecycle.lead_close_by_encounter`)."""
        return str(DISPOSITION_OUTCOME[Disposition(self.disposition)])


class EncounterPhoto(models.Model):
    encounter = models.ForeignKey(Encounter, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="patrols/encounters/%Y/%m/")

    class Meta:
        verbose_name = _("现场照片")
        verbose_name_plural = _("现场照片")

    def __str__(self) -> str:
        return self.image.name


class EncounterItem(models.Model):
    """Supplies given at the kerb, as catalogue quantities; the stock movement is posted by the
    supplies app from the team's mobile stock in the same transaction."""

    encounter = models.ForeignKey(Encounter, on_delete=models.CASCADE, related_name="items")
    item = models.ForeignKey("supplies.Item", verbose_name=_("物资"), on_delete=models.PROTECT)
    quantity = models.DecimalField(_("数量"), max_digits=10, decimal_places=2)
    warehouse = models.ForeignKey(
        "supplies.Warehouse", verbose_name=_("出库"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("发放物资")
        verbose_name_plural = _("发放物资")

    def __str__(self) -> str:
        return f"{self.item} × {self.quantity}"


class FollowUpKind(models.TextChoices):
    REFUSAL = "refusal", _("不愿入站：后续跟踪")
    HOSPITAL_VISIT = "hospital_visit", _("送医救治：定期探视")


class FollowUpPriority(models.TextChoices):
    NORMAL = "normal", _("一般")
    HIGH = "high", _("加急")


class FollowUp(TrackedModel):
    """后续跟踪: going back to a person who would not come in (or who was left in a hospital).
    On the team's task list until done; done only with a visit record (found: the person's
    state, items given, what they want; not found: a GPS check-in at the place and a note).
    Overdue ones escalate to the district, then the city; misses in a row go to the dispatcher
    and the next follow-up goes first."""

    encounter = models.ForeignKey(Encounter, on_delete=models.PROTECT, related_name="follow_ups")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey("places.OrgUnit", on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(
        "dispatch.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(
        _("类型"), max_length=16, choices=FollowUpKind.choices, default=FollowUpKind.REFUSAL
    )
    place = models.ForeignKey(
        "places.Place",
        verbose_name=_("跟踪地点"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("送医探视时为医院；否则为发现地点"),
    )
    vulnerable = models.BooleanField(_("老年人、未成年人、残疾人、患病者等"), default=False)
    priority = models.CharField(
        _("优先级"),
        max_length=8,
        choices=FollowUpPriority.choices,
        default=FollowUpPriority.NORMAL,
    )
    #: "not found" visits in a row before this follow-up (its predecessors')
    misses = models.PositiveSmallIntegerField(_("连续未找到次数"), default=0)
    previous = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="next"
    )
    due_at = models.DateTimeField(_("应跟踪时间"), db_index=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    found = models.BooleanField(_("找到本人"), null=True, blank=True)
    state = models.CharField(_("现状"), max_length=300, blank=True)
    willingness = models.CharField(
        _("意愿"), max_length=10, choices=Willingness.choices, blank=True
    )
    note = models.CharField(_("跟踪情况"), max_length=300, blank=True)
    checkin_lat = models.FloatField(_("签到纬度"), null=True, blank=True)
    checkin_lng = models.FloatField(_("签到经度"), null=True, blank=True)
    checkin_accuracy = models.FloatField(
        _("定位精度（米）"), null=True, blank=True, validators=between(0, 10000)
    )
    checkin_away_m = models.PositiveIntegerField(_("距跟踪地点（米）"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(default=0)
    done_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    scope: ClassVar[Scope] = Scope(org_field="district")

    class Meta:
        verbose_name = _("后续跟踪")
        verbose_name_plural = _("后续跟踪")
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["done_at", "due_at"])]

    def __str__(self) -> str:
        return f"{self.person} {self.due_at:%m-%d %H:%M}"

    @property
    def is_overdue(self) -> bool:
        return self.done_at is None and self.due_at < timezone.now()

    def get_absolute_url(self) -> str:
        return reverse("patrols:follow_up_done", args=[self.pk])

    @property
    def where(self) -> tuple[float, float]:
        """The place to go back to: the hospital, else where the person was met."""
        if self.place is not None:
            return self.place.lat, self.place.lng
        return self.encounter.lat, self.encounter.lng

    @property
    def place_label(self) -> str:
        return self.place.name if self.place is not None else self.encounter.place_name


class FollowUpItem(models.Model):
    """Supplies handed over on a follow-up visit, posted from the team's mobile stock."""

    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="items")
    item = models.ForeignKey("supplies.Item", verbose_name=_("物资"), on_delete=models.PROTECT)
    quantity = models.DecimalField(_("数量"), max_digits=10, decimal_places=2)
    warehouse = models.ForeignKey(
        "supplies.Warehouse", verbose_name=_("出库"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("跟踪时发放物资")
        verbose_name_plural = _("跟踪时发放物资")

    def __str__(self) -> str:
        return f"{self.item} × {self.quantity}"
