"""Rescue stations (救助管理站): zones and beds, admissions (入站), bed assignments, stay
extensions, discharge (离站) and visits to people placed outside the station.

The station side is an `OrgUnit` of level "station". A temporary shelter (临时救助场所, a
`Place` of kind temp_shelter) uses the same machinery with fewer steps: its admissions carry
`shelter`, and `station` is then the unit that runs the shelter (the shelter's street or
district), so the one scoping rule still applies. A shelter has no zones or beds (its capacity
is the place's), no services and no roster.

Also here: decisions to refuse or to end aid (不予救助、终止救助, 民发〔2014〕132号), night
rounds (值班巡查) and the placement steps of long-stay people (长期滞留人员安置).
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from warmwinter.accounts.scoping import Scope
from warmwinter.core import clock
from warmwinter.core.models import TrackedModel
from warmwinter.core.validation import between
from warmwinter.stations.rules import ZoneKind
from warmwinter.stations.validators import TEMPERATURE

_STATION = {"level": "station"}


class Zone(TrackedModel):
    station = models.ForeignKey(
        "places.OrgUnit",
        verbose_name=_("救助管理站"),
        on_delete=models.PROTECT,
        limit_choices_to=_STATION,
        related_name="station_zones",
    )
    kind = models.CharField(_("分区类型"), max_length=20, choices=ZoneKind.choices)
    name = models.CharField(_("名称"), max_length=60)

    scope: ClassVar[Scope] = Scope(org_field="station")

    class Meta:
        verbose_name = _("分区")
        verbose_name_plural = _("分区")
        ordering = ["station", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["station", "name"], name="stations_zone_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Bed(models.Model):
    zone = models.ForeignKey(
        Zone, verbose_name=_("分区"), on_delete=models.PROTECT, related_name="beds"
    )
    label = models.CharField(_("床号"), max_length=20)
    in_service = models.BooleanField(_("可用"), default=True)

    scope: ClassVar[Scope] = Scope(org_field="zone__station")

    class Meta:
        verbose_name = _("床位")
        verbose_name_plural = _("床位")
        ordering = ["zone", "label"]
        constraints = [
            models.UniqueConstraint(fields=["zone", "label"], name="stations_bed_label_unique")
        ]

    def __str__(self) -> str:
        return f"{self.zone.name} {self.label}"


class BroughtBy(models.TextChoices):
    PATROL = "patrol", _("救助分队护送")
    POLICE = "police", _("公安护送")
    SELF = "self", _("自行求助")
    FAMILY = "family", _("家属/他人送来")
    HOSPITAL = "hospital", _("医院转来")
    OTHER = "other", _("其他")


class DistressCategory(models.TextChoices):
    VAGRANT_BEGGING = "vagrant", _("流浪乞讨")
    NO_WORK = "no_work", _("务工不着")
    KIN_NOT_FOUND = "kin_not_found", _("寻亲不遇")
    ROBBED = "robbed", _("被盗被抢")
    DOMESTIC_VIOLENCE = "domestic_violence", _("家暴受害")
    LOST = "lost", _("离家走失")
    DISASTER = "disaster", _("因灾遇困")
    MEDICAL = "medical", _("因病遇困")
    OTHER = "other", _("其他临时遇困")


class SecurityItem(models.TextChoices):
    """入站安检 checklist."""

    BODY_SEARCH = "body_search", _("人身安全检查（同性别工作人员）")
    BAGGAGE = "baggage", _("随身行李检查")
    DANGEROUS_ITEMS = "dangerous", _("无管制刀具、易燃易爆等危险品")
    MEDICINE = "medicine", _("随身药品已登记")
    VALUABLES = "valuables", _("贵重物品、证件已登记代保管")


class AdmissionStatus(models.TextChoices):
    IN_STATION = "in_station", _("在站")
    DISCHARGED = "discharged", _("已离站")


class DischargeReason(models.TextChoices):
    RETURNED_HOME = "returned_home", _("返乡/返家")
    TO_FAMILY = "to_family", _("交亲属接回")
    TO_HOSPITAL = "to_hospital", _("送医治疗")
    OUTSIDE_CARE = "outside_care", _("站外托养")
    TRANSFERRED = "transferred", _("转移至其他救助站")
    LEFT = "left", _("自行离站")
    LONG_TERM = "long_term", _("长期安置")
    TERMINATED = "terminated", _("终止救助")


#: Discharges after which the station keeps visiting the person (走访).
VISITED_DISCHARGES = frozenset({DischargeReason.TO_HOSPITAL, DischargeReason.OUTSIDE_CARE})


class Admission(TrackedModel):
    """One stay in a station, from 入站 to 离站. `first_receiver` is the staff member who
    received the person (首接负责制) and stays responsible on the record."""

    station = models.ForeignKey(
        "places.OrgUnit",
        verbose_name=_("救助管理站"),
        on_delete=models.PROTECT,
        limit_choices_to=_STATION,
        related_name="station_admissions",
    )
    shelter = models.ForeignKey(
        "places.Place",
        verbose_name=_("临时救助场所"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        limit_choices_to={"kind": "temp_shelter"},
        related_name="shelter_admissions",
    )
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("人员档案"),
        on_delete=models.PROTECT,
        related_name="admissions",
    )
    admitted_at = models.DateTimeField(_("入站时间"), default=timezone.now, db_index=True)
    brought_by = models.CharField(_("来站方式"), max_length=20, choices=BroughtBy.choices)
    escort_note = models.CharField(_("护送单位/人员"), max_length=120, blank=True)
    encounter = models.ForeignKey(
        "patrols.Encounter",
        verbose_name=_("护送来站的街面处置"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="admissions",
    )
    category = models.CharField(_("求助类别"), max_length=20, choices=DistressCategory.choices)
    first_receiver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("首接责任人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    security_checks = models.JSONField(_("安检项目"), default=list, blank=True)
    held_items = models.TextField(_("代保管物品清单"), blank=True, max_length=2000)
    held_items_seal = models.CharField(_("封存编号"), max_length=40, blank=True)
    held_items_signed = models.BooleanField(_("受助人已签字确认"), default=False)
    temperature = models.DecimalField(
        _("体温（℃）"),
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=TEMPERATURE,
    )
    injuries = models.CharField(_("外伤"), max_length=200, blank=True)
    symptoms = models.JSONField(_("症状"), default=list, blank=True)
    mental_signs = models.JSONField(_("精神状况表现"), default=list, blank=True)
    zone_kind = models.CharField(_("建议分区"), max_length=20, choices=ZoneKind.choices)
    hospital_suggested = models.BooleanField(_("建议送医"), default=False)
    classification_reasons = models.JSONField(_("分区理由"), default=list, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=AdmissionStatus.choices,
        default=AdmissionStatus.IN_STATION,
        db_index=True,
    )
    stay_until = models.DateField(_("在站期限"))
    discharged_at = models.DateTimeField(_("离站时间"), null=True, blank=True)
    discharge_reason = models.CharField(
        _("离站原因"), max_length=20, choices=DischargeReason.choices, blank=True
    )
    discharge_destination = models.CharField(_("去向"), max_length=200, blank=True)
    discharge_note = models.TextField(_("离站说明"), blank=True, max_length=2000)
    discharged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    visit_every_days = models.PositiveSmallIntegerField(
        _("走访周期（天）"),
        null=True,
        blank=True,
        validators=between(1, 365, _("走访周期应在 1–365 天之间")),
    )
    next_visit_due = models.DateField(_("下次走访日期"), null=True, blank=True, db_index=True)

    scope: ClassVar[Scope] = Scope(org_field="station")

    class Meta:
        verbose_name = _("入站记录")
        verbose_name_plural = _("入站记录")
        ordering = ["-admitted_at", "-id"]
        constraints = [
            # One open stay per person across all stations.
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(status="in_station"),
                name="stations_one_open_stay_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.station} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("stations:admission", args=[self.pk])

    @property
    def site_name(self) -> str:
        """The station's name, or the shelter's for a shelter stay."""
        return self.shelter.name if self.shelter is not None else self.station.name

    @property
    def days_in_station(self) -> int:
        end = self.discharged_at or timezone.now()
        return (clock.local_date(end) - clock.local_date(self.admitted_at)).days

    @property
    def stay_state(self) -> str:
        """期限内 / 临近期限 / 已超期, as of today (Asia/Shanghai)."""
        from warmwinter.stations.rules import stay_state

        return stay_state(until=self.stay_until, today=clock.local_date())

    @property
    def security_check_labels(self) -> list[str]:
        labels = dict(SecurityItem.choices)
        return [str(labels.get(c, c)) for c in self.security_checks]


class BedAssignment(models.Model):
    """A person in a bed from `started_at` until `ended_at`. The database keeps one open
    assignment per bed and per admission."""

    admission = models.ForeignKey(
        Admission, on_delete=models.PROTECT, related_name="bed_assignments"
    )
    bed = models.ForeignKey(Bed, on_delete=models.PROTECT, related_name="assignments")
    started_at = models.DateTimeField(_("入住时间"), default=timezone.now)
    ended_at = models.DateTimeField(_("退床时间"), null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    scope: ClassVar[Scope] = Scope(org_field="admission__station")

    class Meta:
        verbose_name = _("床位安排")
        verbose_name_plural = _("床位安排")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["bed"],
                condition=models.Q(ended_at__isnull=True),
                name="stations_one_open_assignment_per_bed",
            ),
            models.UniqueConstraint(
                fields=["admission"],
                condition=models.Q(ended_at__isnull=True),
                name="stations_one_open_bed_per_admission",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bed} ← #{self.admission_id}"


class StayExtension(models.Model):
    """在站期限延长: a reason and the approving station leader."""

    admission = models.ForeignKey(Admission, on_delete=models.PROTECT, related_name="extensions")
    previous_until = models.DateField(_("原期限"))
    until = models.DateField(_("延长至"))
    reason = models.CharField(_("延长理由"), max_length=300)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("审批时间"), default=timezone.now)

    scope: ClassVar[Scope] = Scope(org_field="admission__station")

    class Meta:
        verbose_name = _("延长在站期限")
        verbose_name_plural = _("延长在站期限")
        ordering = ["-approved_at"]

    def __str__(self) -> str:
        return f"#{self.admission_id} → {self.until}"


class Visit(models.Model):
    """A visit in person (当面了解) to someone discharged to hospital or outside care."""

    admission = models.ForeignKey(Admission, on_delete=models.PROTECT, related_name="visits")
    visited_at = models.DateTimeField(_("走访时间"))
    physical_state = models.CharField(_("身体状况"), max_length=300)
    mental_state = models.CharField(_("精神状况"), max_length=300)
    note = models.TextField(_("备注"), blank=True, max_length=2000)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("走访人"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    scope: ClassVar[Scope] = Scope(org_field="admission__station")

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering = ["-visited_at"]

    def __str__(self) -> str:
        return f"#{self.admission_id} {self.visited_at:%Y-%m-%d}"


class ServiceKind(models.TextChoices):
    COUNSELLING = "counselling", _("心理疏导")
    LEGAL_AID = "legal_aid", _("法律援助")
    EMPLOYMENT = "employment", _("就业帮扶")
    TRACING = "tracing", _("甄别寻亲")
    ASSISTED_RETURN = "assisted_return", _("护送返乡/协助返回")
    RESIDENT_REFERRAL = "resident_referral", _("本市户籍转介托底保障")


class ServiceStatus(models.TextChoices):
    OPEN = "open", _("进行中")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已终止")


class ServiceCase(TrackedModel):
    """A service given during a stay, tracked as a case with an owner, steps and an outcome.
    Assisted return keeps its destination, ticket or transport, escort and handover; a
    Shanghai resident's referral keeps the household street it went to (托底保障)."""

    admission = models.ForeignKey(Admission, on_delete=models.PROTECT, related_name="services")
    kind = models.CharField(_("服务类型"), max_length=20, choices=ServiceKind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=ServiceStatus.choices, default=ServiceStatus.OPEN
    )
    destination = models.CharField(_("目的地/转介街镇"), max_length=200, blank=True)
    transport = models.CharField(_("车票/交通方式"), max_length=200, blank=True)
    escort = models.CharField(_("护送人员"), max_length=120, blank=True)
    handover_to = models.CharField(_("交接对象"), max_length=200, blank=True)
    outcome = models.TextField(_("结果"), blank=True, max_length=2000)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    scope: ClassVar[Scope] = Scope(org_field="admission__station")

    class Meta:
        verbose_name = _("救助服务")
        verbose_name_plural = _("救助服务")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class ServiceStep(models.Model):
    case = models.ForeignKey(ServiceCase, on_delete=models.PROTECT, related_name="steps")
    at = models.DateTimeField(_("时间"), default=timezone.now)
    note = models.CharField(_("进展"), max_length=500)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    scope: ClassVar[Scope] = Scope(org_field="case__admission__station")

    class Meta:
        verbose_name = _("服务进展")
        verbose_name_plural = _("服务进展")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.note


class HealthCheck(models.Model):
    """健康监测: one entry per person in the station per day."""

    admission = models.ForeignKey(Admission, on_delete=models.PROTECT, related_name="health_checks")
    day = models.DateField(_("日期"))
    temperature = models.DecimalField(
        _("体温（℃）"), max_digits=3, decimal_places=1, validators=TEMPERATURE
    )
    note = models.CharField(_("情况"), max_length=300, blank=True)
    abnormal = models.BooleanField(_("异常"), default=False)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    scope: ClassVar[Scope] = Scope(org_field="admission__station")

    class Meta:
        verbose_name = _("健康监测")
        verbose_name_plural = _("健康监测")
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["admission", "day"], name="stations_one_check_a_day")
        ]

    def __str__(self) -> str:
        return f"#{self.admission_id} {self.day}"


class Disinfection(models.Model):
    """日常消毒: one entry per zone per day."""

    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="disinfections")
    day = models.DateField(_("日期"))
    note = models.CharField(_("消毒方式/范围"), max_length=200, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    scope: ClassVar[Scope] = Scope(org_field="zone__station")

    class Meta:
        verbose_name = _("消毒记录")
        verbose_name_plural = _("消毒记录")
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["zone", "day"], name="stations_one_disinfection_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.zone} {self.day}"


class DutyShift(TrackedModel):
    """值班: who is on duty when; `is_leader` marks the leader on duty (领导带班)."""

    station = models.ForeignKey(
        "places.OrgUnit", on_delete=models.PROTECT, limit_choices_to=_STATION, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("值班人员"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))
    is_leader = models.BooleanField(_("带班领导"), default=False)

    scope: ClassVar[Scope] = Scope(org_field="station")

    class Meta:
        verbose_name = _("值班安排")
        verbose_name_plural = _("值班安排")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="stations_shift_positive",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.starts_at:%m-%d %H:%M}"


class AidDecisionKind(models.TextChoices):
    REFUSE = "refuse", _("不予救助")
    TERMINATE = "terminate", _("终止救助")


class AidDecisionReason(models.TextChoices):
    """Grounds of 不予救助 and 终止救助 (《城市生活无着的流浪乞讨人员救助管理办法实施细则》,
    民发〔2014〕132号 工作规程)."""

    NOT_IN_NEED = "not_in_need", _("有条件自行解决食宿或返回，不属于生活无着人员")
    FALSE_INFO = "false_info", _("拒不如实提供或故意提供虚假个人情况")
    VIOLATED_RULES = "violated_rules", _("严重违反救助管理机构规章制度")
    LEFT_WITHOUT_LEAVE = "left_without_leave", _("未办理离站手续擅自离站")
    STAY_ENDED = "stay_ended", _("救助期满无正当理由不愿离站")
    OTHER = "other", _("其他（见说明）")


#: The grounds each kind of decision may rest on.
DECISION_REASONS = {
    AidDecisionKind.REFUSE: (
        AidDecisionReason.NOT_IN_NEED,
        AidDecisionReason.FALSE_INFO,
        AidDecisionReason.OTHER,
    ),
    AidDecisionKind.TERMINATE: (
        AidDecisionReason.FALSE_INFO,
        AidDecisionReason.VIOLATED_RULES,
        AidDecisionReason.LEFT_WITHOUT_LEAVE,
        AidDecisionReason.STAY_ENDED,
        AidDecisionReason.OTHER,
    ),
}


class AidDecision(models.Model):
    """不予救助 (a person who asked for help and is not eligible) or 终止救助 (a stay ended
    because of the person's conduct), with the grounds, who decided and when. The notice
    (不予救助通知书 / 终止救助通知书) prints from it. Decisions are never edited."""

    kind = models.CharField(_("决定类型"), max_length=10, choices=AidDecisionKind.choices)
    station = models.ForeignKey(
        "places.OrgUnit",
        verbose_name=_("救助管理站"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("人员档案"),
        on_delete=models.PROTECT,
        related_name="aid_decisions",
    )
    admission = models.OneToOneField(
        Admission,
        verbose_name=_("入站记录"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="termination",
    )
    reason = models.CharField(_("理由"), max_length=24, choices=AidDecisionReason.choices)
    detail = models.TextField(_("事实和说明"), max_length=2000)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("决定人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("决定时间"), default=timezone.now)

    scope: ClassVar[Scope] = Scope(org_field="station")

    class Meta:
        verbose_name = _("救助决定")
        verbose_name_plural = _("救助决定")
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="refuse", admission__isnull=True)
                | models.Q(kind="terminate", admission__isnull=False),
                name="stations_decision_admission_matches_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("stations:decision_print", args=[self.pk])


class NightRound(models.Model):
    """值班巡查: a round of the sleeping areas at night by the staff on duty."""

    station = models.ForeignKey(
        "places.OrgUnit",
        verbose_name=_("救助管理站"),
        on_delete=models.PROTECT,
        limit_choices_to=_STATION,
        related_name="+",
    )
    at = models.DateTimeField(_("巡查时间"), db_index=True)
    note = models.CharField(_("巡查情况"), max_length=300, blank=True)
    issues = models.CharField(_("发现的问题及处置"), max_length=300, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("巡查人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    scope: ClassVar[Scope] = Scope(org_field="station")

    class Meta:
        verbose_name = _("值班巡查")
        verbose_name_plural = _("值班巡查")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.station} {self.at:%m-%d %H:%M}"


class PlacementStepKind(models.TextChoices):
    """The placement process of a long-stay person whose identity cannot be found
    (长期滞留人员安置), in order."""

    DNA = "dna", _("采集 DNA 并入库比对")
    FACE = "face", _("人脸识别比对")
    NOTICE = "notice", _("发布寻亲公告（公告期满）")
    HOUSEHOLD = "household", _("报请公安机关办理户籍登记")
    SUPPORT = "support", _("申请纳入特困人员救助供养")
    PLACED = "placed", _("送福利机构或托养机构安置")


class PlacementStep(models.Model):
    admission = models.ForeignKey(
        Admission, on_delete=models.PROTECT, related_name="placement_steps"
    )
    kind = models.CharField(_("步骤"), max_length=12, choices=PlacementStepKind.choices)
    done_on = models.DateField(_("完成日期"))
    note = models.CharField(_("说明"), max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    scope: ClassVar[Scope] = Scope(org_field="admission__station")

    class Meta:
        verbose_name = _("安置步骤")
        verbose_name_plural = _("安置步骤")
        ordering = ["done_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["admission", "kind"], name="stations_one_placement_step_each"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.admission_id} {self.kind}"
