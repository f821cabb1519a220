"""Person files (一人一档一画像): one file per person, its timeline, the linkage review queue,
reversible merges and public search notices (寻亲公告).

The profile (画像) is not stored: `selectors.person_profile` derives it from the timeline.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from warmwinter.accounts.scoping import Scope
from warmwinter.core.models import ArchivableModel, TrackedModel
from warmwinter.people.validators import AGE_ESTIMATE, BIRTH_YEAR, HEIGHT_CM


class Sex(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")
    UNKNOWN = "unknown", _("不详")


class IdentityStatus(models.TextChoices):
    VERIFIED = "verified", _("已核实")
    CLAIMED = "claimed", _("自述未核实")
    UNKNOWN = "unknown", _("身份不明")


class FocusGroup(models.TextChoices):
    PROFESSIONAL_BEGGING = "begging", _("职业乞讨")
    ROUGH_SLEEPING = "rough_sleeping", _("露宿街头")
    STREET_CHILD = "street_child", _("流浪儿童")
    SUSPECTED_MENTAL_DISORDER = "mental", _("疑似精神障碍")
    REPEAT_CONTACT = "repeat", _("长期反复求助")
    ELDERLY_ALONE = "elderly", _("高龄独居或失能")
    LONG_STAY = "long_stay", _("长期滞留")


class RiskFlag(models.TextChoices):
    CHRONIC_ILLNESS = "chronic_illness", _("慢性病")
    DISABILITY = "disability", _("残疾")
    VIOLENCE = "violence", _("有暴力倾向")
    INFECTIOUS = "infectious", _("疑似传染病")
    SUBSTANCE = "substance", _("酗酒或药物依赖")
    WANDERING = "wandering", _("走失风险")
    SELF_HARM = "self_harm", _("自伤风险")


class Person(ArchivableModel):
    """One person's file. A file opened before anyone knows who the person is (先行救助) needs
    no name at all; identity is added as it is learnt."""

    org_unit = models.ForeignKey(
        "places.OrgUnit",
        verbose_name=_("建档/管理单位"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("姓名"), max_length=60, blank=True)
    aliases = models.CharField(
        _("别名/称呼"), max_length=200, blank=True, help_text=_("如 老张、阿强，用逗号分隔")
    )
    sex = models.CharField(_("性别"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(
        _("出生年份（含估计）"), null=True, blank=True, db_index=True, validators=BIRTH_YEAR
    )
    birth_year_estimated = models.BooleanField(_("出生年份为估计"), default=False)
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True)
    id_number_digest = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    id_number_masked = models.CharField(_("身份证号（脱敏）"), max_length=18, blank=True)
    household_registration = models.CharField(_("户籍地"), max_length=200, blank=True)
    native_place = models.CharField(_("籍贯"), max_length=100, blank=True)
    dialect = models.CharField(_("方言"), max_length=40, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True, db_index=True)
    height_cm = models.PositiveSmallIntegerField(
        _("身高（厘米）"), null=True, blank=True, validators=HEIGHT_CM
    )
    build = models.CharField(_("体型"), max_length=40, blank=True)
    features = models.TextField(_("体貌特征"), blank=True, max_length=2000)
    photo = models.ImageField(_("照片"), upload_to="people/photos/", blank=True)
    identity_status = models.CharField(
        _("身份状态"),
        max_length=10,
        choices=IdentityStatus.choices,
        default=IdentityStatus.UNKNOWN,
        db_index=True,
    )
    risk_flags = models.JSONField(_("风险标识"), default=list, blank=True)
    notes = models.TextField(_("备注"), blank=True, max_length=2000)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("已合并到"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_files",
        editable=False,
    )

    scope: ClassVar[Scope] = Scope(org_field="org_unit")

    class Meta:
        verbose_name = _("人员档案")
        verbose_name_plural = _("人员档案")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.display_name} (#{self.pk})"

    @property
    def display_name(self) -> str:
        if self.name:
            return self.name
        first_alias = self.aliases.split(",")[0].strip() if self.aliases else ""
        return first_alias or str(_("无名氏"))

    @property
    def risk_flag_labels(self) -> list[str]:
        labels = dict(RiskFlag.choices)
        return [str(labels.get(flag, flag)) for flag in self.risk_flags]

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("people:detail", args=[self.pk])


class PersonNameKey(models.Model):
    """Blocking keys of a file's name and aliases (pinyin of the whole name, surname, given
    name, last given character), so that ranking candidates reads a few indexed rows instead of
    every file. Rebuilt by `services` whenever the name or aliases change."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="name_keys")
    key = models.CharField(max_length=80)
    # the file's birth year, copied here so that a common key (a bare surname, 张伟 in a
    # registry of a million) is narrowed by age inside the index, without a join
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "key"], name="people_namekey_unique")
        ]
        indexes = [models.Index(fields=["key", "birth_year"], name="people_namekey_key_year")]

    def __str__(self) -> str:
        return self.key


class PersonFocus(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="focus_groups")
    group = models.CharField(_("重点人群"), max_length=20, choices=FocusGroup.choices)
    since = models.DateTimeField(_("列入时间"), default=timezone.now)

    class Meta:
        verbose_name = _("重点人群标识")
        verbose_name_plural = _("重点人群标识")
        constraints = [
            models.UniqueConstraint(fields=["person", "group"], name="people_focus_unique")
        ]
        indexes = [models.Index(fields=["group"])]

    def __str__(self) -> str:
        return str(self.get_group_display())


class TimelineKind(models.TextChoices):
    LEAD = "lead", _("求助线索")
    ENCOUNTER = "encounter", _("街面发现/巡查")
    ADMISSION = "admission", _("入站救助")
    DISCHARGE = "discharge", _("离站")
    SERVICE = "service", _("救助服务")
    SUPPLY = "supply", _("物资发放")
    FOLLOW_UP = "follow_up", _("回访跟进")
    VISIT = "visit", _("走访")
    TRACING = "tracing", _("甄别寻亲")
    IDENTITY = "identity", _("身份信息")
    FILE = "file", _("档案变更")


#: Kinds that mean the person was physically seen somewhere.
SEEN_KINDS = (TimelineKind.LEAD, TimelineKind.ENCOUNTER, TimelineKind.ADMISSION)
STAY_KINDS = (TimelineKind.ADMISSION,)
SERVICE_KINDS = (TimelineKind.SERVICE, TimelineKind.SUPPLY, TimelineKind.FOLLOW_UP)


class TimelineEntry(models.Model):
    """Something that touched a person, recorded by the unit that did it. Other apps write these
    through `services.timeline_record`; the entry is scoped to the recording unit, so a person
    seen in two districts shows each district the events it recorded."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="timeline")
    at = models.DateTimeField(_("时间"), db_index=True)
    kind = models.CharField(_("类型"), max_length=20, choices=TimelineKind.choices)
    summary = models.CharField(_("摘要"), max_length=300)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    source_app = models.CharField(_("来源模块"), max_length=40, blank=True)
    source_model = models.CharField(max_length=60, blank=True)
    source_id = models.CharField(_("来源编号"), max_length=64, blank=True)
    org_unit = models.ForeignKey(
        "places.OrgUnit", verbose_name=_("记录单位"), on_delete=models.PROTECT, related_name="+"
    )
    place_name = models.CharField(_("地点"), max_length=120, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    h3_cell = models.CharField(max_length=20, blank=True, db_index=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    scope: ClassVar[Scope] = Scope(org_field="org_unit")

    class Meta:
        verbose_name = _("时间线条目")
        verbose_name_plural = _("时间线条目")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["person", "-at"]),
            models.Index(fields=["source_app", "source_model", "source_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.summary}"


class LinkStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    LINKED = "linked", _("已确认同一人")
    REJECTED = "rejected", _("已否定")


class LinkReview(TrackedModel):
    """A pair of files that may be one person. `person_low` has the smaller id, so a pair has
    one row whichever way it was found; a rejected pair is never suggested again."""

    person_low = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    person_high = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    score = models.FloatField(_("相似度"))
    reasons = models.JSONField(_("理由"), default=list)
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=LinkStatus.choices,
        default=LinkStatus.PENDING,
        db_index=True,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    scope: ClassVar[Scope] = Scope(org_field="person_low__org_unit")

    class Meta:
        verbose_name = _("疑似同一人")
        verbose_name_plural = _("疑似同一人")
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person_low", "person_high"], name="people_pair_once"),
            models.CheckConstraint(
                condition=models.Q(person_low__lt=models.F("person_high")),
                name="people_pair_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.person_low_id} ~ #{self.person_high_id}"


class PersonMerge(TrackedModel):
    """`merged` was found to be `survivor`: its file is archived and its timeline moved. Undoing
    moves exactly the entries that were moved back and reopens the file."""

    survivor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_kept")
    merged = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_absorbed")
    review = models.ForeignKey(
        LinkReview, on_delete=models.PROTECT, null=True, blank=True, related_name="merges"
    )
    reason = models.CharField(_("原因"), max_length=300)
    moved_entry_ids = models.JSONField(default=list)
    moved_focus = models.JSONField(default=list)
    undone_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    scope: ClassVar[Scope] = Scope(org_field="survivor__org_unit")

    class Meta:
        verbose_name = _("档案合并")
        verbose_name_plural = _("档案合并")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"#{self.merged_id} → #{self.survivor_id}"


class NoticeStatus(models.TextChoices):
    DRAFT = "draft", _("待审批")
    PUBLISHED = "published", _("已发布")
    WITHDRAWN = "withdrawn", _("已撤回")


class TracingNotice(TrackedModel):
    """寻亲公告 for an unidentified person. Its fields are a copy chosen for the public (the
    fields the national 全国救助寻亲网 uses), never read from the person file on the public
    page, and shown only after an approval."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="tracing_notices")
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=NoticeStatus.choices,
        default=NoticeStatus.DRAFT,
        db_index=True,
    )
    due_at = models.DateTimeField(_("应发布时限"), db_index=True)
    photo = models.ImageField(_("照片"), upload_to="people/notices/", blank=True)
    sex = models.CharField(_("性别"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    estimated_age = models.PositiveSmallIntegerField(
        _("估计年龄"), null=True, blank=True, validators=AGE_ESTIMATE
    )
    height_cm = models.PositiveSmallIntegerField(
        _("身高（厘米）"), null=True, blank=True, validators=HEIGHT_CM
    )
    health_state = models.CharField(_("健康与精神状况"), max_length=200, blank=True)
    features = models.CharField(_("体貌特征"), max_length=300, blank=True)
    clothing = models.CharField(_("衣着"), max_length=200, blank=True)
    found_at = models.DateTimeField(_("发现时间"))
    found_area = models.CharField(
        _("发现地点（概略）"), max_length=100, blank=True, help_text=_("只写到区、街道或路段")
    )
    contact = models.CharField(_("联系单位及电话"), max_length=120)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    withdraw_reason = models.CharField(_("撤回原因"), max_length=200, blank=True)

    scope: ClassVar[Scope] = Scope(org_field="person__org_unit")

    class Meta:
        verbose_name = _("寻亲公告")
        verbose_name_plural = _("寻亲公告")
        ordering = ["due_at"]

    def __str__(self) -> str:
        return str(_("寻亲公告 #%(n)s") % {"n": self.pk})

    def public_fields(self) -> dict[str, Any]:
        return {
            "id": self.pk,
            "sex": self.get_sex_display(),
            "estimated_age": self.estimated_age,
            "height_cm": self.height_cm,
            "health_state": self.health_state,
            "features": self.features,
            "clothing": self.clothing,
            "found_at": self.found_at,
            "found_area": self.found_area,
            "contact": self.contact,
            "has_photo": bool(self.photo),
            "published_at": self.published_at,
        }


class InquiryStatus(models.TextChoices):
    OPEN = "open", _("查找中")
    FOUND = "found", _("已找到")
    CLOSED = "closed", _("已结束")


class FamilyInquiry(TrackedModel):
    """A family looking for someone (甄别寻亲). Matched against person files when filed and
    again whenever a file is opened or its identity changes, with the same reasons as linkage."""

    org_unit = models.ForeignKey(
        "places.OrgUnit", verbose_name=_("受理单位"), on_delete=models.PROTECT, related_name="+"
    )
    sought_name = models.CharField(_("被寻人姓名/称呼"), max_length=60, blank=True)
    sex = models.CharField(_("性别"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_year = models.PositiveSmallIntegerField(
        _("出生年份（含估计）"), null=True, blank=True, validators=BIRTH_YEAR
    )
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True)
    description = models.TextField(_("体貌特征与情况"), blank=True, max_length=2000)
    last_seen_at = models.DateField(_("最后见到日期"), null=True, blank=True)
    last_seen_place = models.CharField(_("最后见到地点"), max_length=200, blank=True)
    photo = models.ImageField(_("照片"), upload_to="people/inquiries/", blank=True)
    contact_name = models.CharField(_("联系人"), max_length=60)
    contact_phone = models.CharField(_("联系电话"), max_length=20)
    status = models.CharField(
        _("状态"), max_length=10, choices=InquiryStatus.choices, default=InquiryStatus.OPEN
    )

    scope: ClassVar[Scope] = Scope(org_field="org_unit")

    class Meta:
        verbose_name = _("寻亲登记")
        verbose_name_plural = _("寻亲登记")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return str(_("寻亲登记 #%(n)s") % {"n": self.pk})


class InquiryMatch(TrackedModel):
    inquiry = models.ForeignKey(FamilyInquiry, on_delete=models.PROTECT, related_name="matches")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="inquiry_matches")
    score = models.FloatField(_("相似度"))
    reasons = models.JSONField(_("理由"), default=list)
    status = models.CharField(
        _("状态"), max_length=10, choices=LinkStatus.choices, default=LinkStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    scope: ClassVar[Scope] = Scope(org_field="inquiry__org_unit")

    class Meta:
        verbose_name = _("寻亲比对结果")
        verbose_name_plural = _("寻亲比对结果")
        ordering = ["-score"]
        constraints = [
            models.UniqueConstraint(fields=["inquiry", "person"], name="people_inquiry_match_once")
        ]

    def __str__(self) -> str:
        return f"{self.inquiry_id} ~ {self.person_id}"
