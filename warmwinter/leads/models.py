"""A lead (求助线索): somebody reported a person in the cold. It is never deleted and never lost:
every report is committed before it is acknowledged, and it moves through one state machine
until it ends closed with an outcome, merged into another lead, or cancelled with a reason."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from warmwinter.accounts.scoping import Scope
from warmwinter.core.models import TrackedModel
from warmwinter.core.validation import between
from warmwinter.leads.rules import needs_ambulance


class LeadChannel(models.TextChoices):
    HOTLINE = "hotline", _("救助热线")
    TRANSFER_12345 = "12345", _("12345 转办")
    TRANSFER_110 = "110", _("110 转警")
    PUBLIC_WEB = "public_web", _("公众网页报告")
    SERVICE_POINT = "service_point", _("服务网点")
    SOCIAL_FORCE = "social_force", _("社会力量报告")
    GRID = "grid", _("一网统管")
    VIDEO_PATROL = "video_patrol", _("视频巡查")
    PATROL = "patrol", _("巡查发现")
    OPEN311 = "open311", _("Open311 接口")


class UrgencySignal(models.TextChoices):
    LYING_STILL = "lying_still", _("躺卧不动")
    UNRESPONSIVE = "unresponsive", _("叫不醒")
    CHILD = "child", _("儿童")
    ELDERLY = "elderly", _("老人")
    INJURED_ILL = "injured_ill", _("受伤或患病")
    NO_WARM_CLOTHING = "no_warm_clothing", _("衣着单薄")
    DRUNK = "drunk", _("醉酒")
    MENTAL = "mental", _("疑似精神障碍")


class LeadStatus(models.TextChoices):
    RECEIVED = "received", _("已接收")
    DISPATCHED = "dispatched", _("已派单")
    ACCEPTED = "accepted", _("已接单")
    ON_SCENE = "on_scene", _("已到场")
    CLOSED = "closed", _("已办结")
    MERGED = "merged", _("已合并")
    CANCELLED = "cancelled", _("已取消")


OPEN_STATUSES = (
    LeadStatus.RECEIVED,
    LeadStatus.DISPATCHED,
    LeadStatus.ACCEPTED,
    LeadStatus.ON_SCENE,
)
FINAL_STATUSES = (LeadStatus.CLOSED, LeadStatus.MERGED, LeadStatus.CANCELLED)


class Outcome(models.TextChoices):
    ESCORTED_STATION = "escorted_station", _("护送至救助站")
    ESCORTED_HOSPITAL = "escorted_hospital", _("送医救治")
    SHELTERED = "sheltered", _("引导至临时救助场所")
    REFUSED_SUPPLIES = "refused_supplies", _("拒绝救助，已发放物资")
    RETURNED_HOME = "returned_home", _("已返家或联系到家属")
    NOT_FOUND = "not_found", _("现场未找到")
    NOT_IN_NEED = "not_in_need", _("经核实无需救助")
    HANDED_TO_POLICE = "handed_to_police", _("移交公安处置")


class LocationSource(models.TextChoices):
    """How the district and street of a lead were resolved."""

    PLACE = "place", _("所选地点")
    EXPLICIT = "explicit", _("报告方指定")
    BOUNDARY = "boundary", _("行政区边界")
    #: Outside every district boundary (at sea, in the estuary): the nearest place or centre.
    OUTSIDE_BOUNDARY = "outside_boundary", _("边界外就近")
    # Before the boundaries (leads received then keep them):
    NEAREST_PLACE = "nearest_place", _("最近的已知地点")
    NEAREST_CENTRE = "nearest_centre", _("最近的区中心")


def _neighbour_of(paths: list[str]) -> models.Q:
    """Leads near the border of a district under one of `paths`, not yet taken by either
    district (received, no team): shown to both districts' dispatchers until one assigns it."""
    q = models.Q(pk__in=[])
    for path in paths:
        q |= models.Q(neighbour_district__path__startswith=path)
    return q & models.Q(status=LeadStatus.RECEIVED, team__isnull=True)


def neighbour_scope(unit: Any) -> models.Q:
    """What a unit sees beyond its subtree (`Scope.shared`): its border leads."""
    return _neighbour_of([unit.path])


class LeadQuerySet(models.QuerySet["Lead"]):
    def open(self) -> LeadQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def in_district(self, district: Any) -> LeadQuerySet:
        """Leads of `district`'s subtree, and the open ones near its border it may take."""
        return self.filter(
            models.Q(org_unit__path__startswith=district.path) | _neighbour_of([district.path])
        )

    def overdue(self, now: Any = None) -> LeadQuerySet:
        return self.open().filter(due_at__lt=now or timezone.now())


class Lead(FSMModelMixin, TrackedModel):
    # Unique by constraint (Meta), not `unique=True`: on PostgreSQL that would add a second,
    # LIKE-pattern index that no query uses and every intake would have to maintain.
    tracking_code = models.CharField(_("查询码"), max_length=12, editable=False)
    # NULL (not "") for a lead without a key: the unique constraint lets NULLs repeat.
    idempotency_key = models.CharField(  # noqa: DJ001
        _("幂等键"),
        max_length=120,
        null=True,
        blank=True,
        editable=False,
        help_text=_("同一次提交重试时使用同一个键（或客户端 UUID），只会生成一条线索"),
    )
    # What was submitted with the key (SHA-256 of the canonical body): a retry must repeat it.
    idempotency_fingerprint = models.CharField(
        _("提交内容指纹"), max_length=64, blank=True, editable=False
    )
    channel = models.CharField(_("来源渠道"), max_length=24, choices=LeadChannel.choices)
    received_at = models.DateTimeField(_("接收时间"), default=timezone.now, db_index=True)

    lat = models.FloatField(_("纬度（WGS-84）"))
    lng = models.FloatField(_("经度（WGS-84）"))
    h3_cell = models.CharField(_("H3 网格"), max_length=16, editable=False)
    place = models.ForeignKey(
        "places.Place",
        verbose_name=_("地点"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="leads",
    )
    address = models.CharField(_("地址/地标"), max_length=200, blank=True)
    district = models.ForeignKey(
        "places.OrgUnit", verbose_name=_("所在区"), on_delete=models.PROTECT, related_name="+"
    )
    org_unit = models.ForeignKey(
        "places.OrgUnit",
        verbose_name=_("所属单位（街镇或区）"),
        on_delete=models.PROTECT,
        related_name="leads",
    )
    location_source = models.CharField(
        _("区域判定方式"), max_length=20, choices=LocationSource.choices
    )
    # Set while a received lead lies within the border distance of another district; cleared
    # when a team is assigned (the district that takes it becomes the lead's district).
    neighbour_district = models.ForeignKey(
        "places.OrgUnit",
        verbose_name=_("相邻区（边界线索）"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    description = models.TextField(_("情况描述"), max_length=2000, blank=True)
    people_count = models.PositiveSmallIntegerField(
        _("人数"), default=1, validators=between(1, 200, _("人数须在 1 至 200 之间"))
    )
    signals = models.JSONField(_("紧急情形"), default=list, blank=True)

    reporter_name = models.CharField(_("报告人姓名"), max_length=60, blank=True)
    reporter_phone = models.CharField(_("报告人电话"), max_length=20, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报告人账号"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reported_leads",
    )
    recording_ref = models.CharField(_("通话录音编号"), max_length=120, blank=True)
    # Kept as the reporter's reference only: the server never fetches it, and pages show it as
    # a link, never as an image (which would make every viewer's browser fetch it).
    media_url = models.URLField(
        _("报告方图片链接"),
        max_length=500,
        blank=True,
        help_text=_("Open311 media_url：仅保存链接，系统不下载"),
    )
    recording_retain_until = models.DateField(_("录音保存至"), null=True, blank=True)

    priority = models.PositiveSmallIntegerField(_("优先级"), default=3)
    priority_score = models.SmallIntegerField(_("分诊得分"), default=0)
    priority_reasons = models.JSONField(_("分诊依据"), default=list, blank=True)

    status = FSMField(
        _("状态"),
        max_length=16,
        choices=LeadStatus.choices,
        default=LeadStatus.RECEIVED,
        protected=True,
    )
    team = models.ForeignKey(
        "dispatch.Team",
        verbose_name=_("救助分队"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="leads",
    )
    time_limit_factor = models.FloatField(_("时限系数"), default=1.0)
    due_at = models.DateTimeField(_("当前环节时限"), null=True, blank=True, db_index=True)
    escalation_level = models.PositiveSmallIntegerField(_("督办级别"), default=0)
    # Alerts to the team of the current dispatch (1 at dispatch, 2 after the first limit) and
    # when it went back to the board unaccepted (「未接单」, until it is dispatched again).
    alerts_sent = models.PositiveSmallIntegerField(_("接单提醒次数"), default=0)
    not_accepted_at = models.DateTimeField(_("未接单退回时间"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("派单时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("接单时间"), null=True, blank=True)
    on_scene_at = models.DateTimeField(_("到场时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    outcome = models.CharField(_("处置结果"), max_length=24, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(_("处置说明"), max_length=2000, blank=True)
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)
    # 120 first: whether an ambulance was called for a lead whose signals mean danger to life
    # (None: not recorded yet), who said so and when.
    ambulance_called = models.BooleanField(_("已拨打 120"), null=True, blank=True)
    ambulance_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("120 记录人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    ambulance_recorded_at = models.DateTimeField(_("120 记录时间"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("合并到"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_leads",
    )

    objects = LeadQuerySet.as_manager()
    scope: ClassVar[Scope] = Scope(
        org_field="org_unit", reporter_field="reported_by", shared=neighbour_scope
    )

    class Meta:
        verbose_name = _("求助线索")
        verbose_name_plural = _("求助线索")
        ordering = ["priority", "-received_at"]
        # Only what queries use: every index is written on every intake. Status lookups use
        # the (status, due_at) index; h3 cells and phone numbers are matched exactly.
        indexes = [
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["h3_cell"], name="lead_h3_cell_idx"),
            models.Index(fields=["reporter_phone"], name="lead_reporter_phone_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["tracking_code"], name="lead_tracking_code_unique"),
            models.UniqueConstraint(fields=["idempotency_key"], name="lead_idempotency_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_code}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_at is not None and self.due_at < timezone.now()

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.reporter_phone)

    @property
    def needs_ambulance(self) -> bool:
        """Its signals mean danger to life: call 120 first (`rules.needs_ambulance`)."""
        return needs_ambulance(self.signals)

    def signal_labels(self) -> list[str]:
        return [str(UrgencySignal(s).label) for s in self.signals if s in UrgencySignal.values]

    # The lifecycle. Only services call these, holding the row lock; each returns nothing and
    # the service records the LeadEvent.
    @property
    def is_border_lead(self) -> bool:
        """Shown to two districts' dispatchers until one of them takes it."""
        return self.neighbour_district_id is not None and self.status == LeadStatus.RECEIVED

    @transition(field=status, source=LeadStatus.RECEIVED, target=LeadStatus.DISPATCHED)
    def dispatch(self, *, team: Any, at: Any, org_unit: Any = None) -> None:
        """`org_unit`: where the lead now belongs when the neighbour district takes it."""
        if org_unit is not None:
            self.org_unit = org_unit
            self.district = team.district
        self.neighbour_district = None
        self.team = team
        self.dispatched_at = at
        self.alerts_sent = 0
        self.not_accepted_at = None

    @transition(field=status, source=LeadStatus.DISPATCHED, target=LeadStatus.RECEIVED)
    def recall(self, *, at: Any, not_accepted: bool = False) -> None:
        self.team = None
        self.dispatched_at = None
        if not_accepted:
            self.not_accepted_at = at

    @transition(field=status, source=LeadStatus.DISPATCHED, target=LeadStatus.ACCEPTED)
    def accept(self, *, at: Any) -> None:
        self.accepted_at = at

    @transition(field=status, source=LeadStatus.ACCEPTED, target=LeadStatus.ON_SCENE)
    def arrive(self, *, at: Any) -> None:
        self.on_scene_at = at

    @transition(
        field=status,
        source=[LeadStatus.ACCEPTED, LeadStatus.ON_SCENE],
        target=LeadStatus.CLOSED,
    )
    def close(self, *, outcome: str, outcome_note: str, at: Any) -> None:
        self.outcome = outcome
        self.outcome_note = outcome_note
        self.closed_at = at
        self.due_at = None

    @transition(field=status, source=list(OPEN_STATUSES), target=LeadStatus.MERGED)
    def merge(self, *, into: Lead, at: Any) -> None:
        self.merged_into = into
        self.closed_at = at
        self.due_at = None

    @transition(field=status, source=list(OPEN_STATUSES), target=LeadStatus.CANCELLED)
    def cancel(self, *, reason: str, at: Any) -> None:
        self.cancel_reason = reason
        self.closed_at = at
        self.due_at = None


def mask_phone(phone: str) -> str:
    """Show a reporter's phone as 138****5678: enough to recognise a caller, not to dial."""
    digits = phone.strip()
    if not digits:
        return ""
    if len(digits) <= 4:
        return "*" * len(digits)
    keep_head = 3 if len(digits) >= 8 else 1
    return digits[:keep_head] + "*" * (len(digits) - keep_head - 4) + digits[-4:]


class LeadEventKind(models.TextChoices):
    CREATED = "created", _("接收")
    TRANSITION = "transition", _("状态变更")
    ESCALATED = "escalated", _("超时督办")
    AMBULANCE = "ambulance", _("120 急救")
    NOTE = "note", _("备注")
    RETRIAGED = "retriaged", _("重新分诊")


class LeadEvent(models.Model):
    """Append-only: who did what to a lead, when, from which state to which, and why."""

    lead = models.ForeignKey(Lead, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("类型"), max_length=16, choices=LeadEventKind.choices)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    from_status = models.CharField(_("原状态"), max_length=16, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16, blank=True)
    note = models.CharField(_("说明"), max_length=500, blank=True)

    scope: ClassVar[Scope] = Scope(org_field="lead__org_unit", reporter_field="lead__reported_by")

    class Meta:
        verbose_name = _("线索记录")
        verbose_name_plural = _("线索记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.lead_id} {self.kind} {self.to_status}"

    @property
    def from_label(self) -> str:
        return str(LeadStatus(self.from_status).label) if self.from_status else ""

    @property
    def to_label(self) -> str:
        return str(LeadStatus(self.to_status).label) if self.to_status else ""


class LeadCheckIn(models.Model):
    """Where the team stood when it closed a lead as "nobody found" (现场未发现求助对象): the
    phone's GPS fix, its accuracy and its distance from the lead's place, with the team's note.
    The proof that someone went there, kept beside the transition it allowed."""

    lead = models.ForeignKey(Lead, on_delete=models.PROTECT, related_name="checkins")
    event = models.OneToOneField(
        LeadEvent, on_delete=models.PROTECT, related_name="checkin", null=True, blank=True
    )
    at = models.DateTimeField(_("签到时间"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签到人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    lat = models.FloatField(_("纬度（WGS-84）"), validators=between(-90, 90, _("纬度无效")))
    lng = models.FloatField(_("经度（WGS-84）"), validators=between(-180, 180, _("经度无效")))
    accuracy_m = models.FloatField(
        _("定位精度（米）"), validators=between(0, 100000, _("定位精度须为 0 至 100000 米"))
    )
    distance_m = models.FloatField(_("距线索地点（米）"))
    note = models.TextField(_("现场情况"), max_length=2000)

    scope: ClassVar[Scope] = Scope(org_field="lead__org_unit", reporter_field="lead__reported_by")

    class Meta:
        verbose_name = _("线索现场签到")
        verbose_name_plural = _("线索现场签到")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.lead_id} {self.distance_m:.0f} m"


def _photo_path(instance: LeadPhoto, filename: str) -> str:
    return f"leads/{timezone.now():%Y/%m}/{filename}"


class LeadPhoto(models.Model):
    """A photo re-encoded on intake (metadata such as GPS EXIF stripped)."""

    lead = models.ForeignKey(Lead, on_delete=models.PROTECT, related_name="photos")
    image = models.FileField(_("照片"), upload_to=_photo_path)
    content_type = models.CharField(max_length=40)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(default=timezone.now)

    scope: ClassVar[Scope] = Scope(org_field="lead__org_unit", reporter_field="lead__reported_by")

    class Meta:
        verbose_name = _("线索照片")
        verbose_name_plural = _("线索照片")

    def __str__(self) -> str:
        return self.image.name
