"""The org hierarchy and the physical places of the campaign.

OrgUnit is who is responsible (市 → 区 → 街道/乡镇 → 居村委, and the rescue stations);
Place is where something is (a station's building, a shelter, a help point, a key patrol place).
Every scoped record in the system points at an OrgUnit; a user's view is the subtree of theirs.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from warmwinter.accounts.scoping import Scope
from warmwinter.core.models import ArchivableModel
from warmwinter.core.validation import between
from warmwinter.places import geo


class OrgLevel(models.TextChoices):
    CITY = "city", _("市")
    DISTRICT = "district", _("区")
    STREET = "street", _("街道/乡镇")
    COMMUNITY = "community", _("居（村）委会")
    STATION = "station", _("救助管理站")


org_code_validator = RegexValidator(
    r"^[0-9A-Za-z-]{2,24}$", _("代码只能包含数字、字母和连字符，2 至 24 位")
)


class OrgUnit(models.Model):
    """A unit that is responsible for something and that a user can act for.

    `path` is the materialised chain of codes from the city down ("310000/310101/"), kept with a
    trailing slash so that a prefix test is exact: a district sees the rows whose org unit's
    path starts with its own.
    """

    code = models.CharField(_("代码"), max_length=24, unique=True, validators=[org_code_validator])
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=16, choices=OrgLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    path = models.CharField(_("层级路径"), max_length=255, db_index=True, editable=False)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lng = models.FloatField(_("经度"), null=True, blank=True)

    scope: ClassVar[Scope] = Scope(org_field="")

    class Meta:
        verbose_name = _("组织单位")
        verbose_name_plural = _("组织单位")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The path is derived data, not business logic: it must always follow the parent.
        self.path = f"{self.parent.path if self.parent else ''}{self.code}/"
        super().save(*args, **kwargs)

    def clean(self) -> None:
        allowed: dict[OrgLevel, set[OrgLevel | None]] = {
            OrgLevel.CITY: {None},
            OrgLevel.DISTRICT: {OrgLevel.CITY},
            OrgLevel.STREET: {OrgLevel.DISTRICT},
            OrgLevel.COMMUNITY: {OrgLevel.STREET},
            OrgLevel.STATION: {OrgLevel.CITY, OrgLevel.DISTRICT},
        }
        allowed_parents = allowed[OrgLevel(self.level)]
        parent_level = OrgLevel(self.parent.level) if self.parent else None
        if parent_level not in allowed_parents:
            raise ValidationError({"parent": _("上级单位的层级不符合组织结构")})

    @property
    def district(self) -> OrgUnit | None:
        """The district this unit lies in (itself for a district), None for city-level units."""
        unit: OrgUnit | None = self
        while unit is not None and unit.level != OrgLevel.DISTRICT:
            unit = unit.parent
        return unit

    def contains(self, other: OrgUnit) -> bool:
        return other.path.startswith(self.path)


class PlaceKind(models.TextChoices):
    STATION = "station", _("救助管理站")
    TEMP_SHELTER = "temp_shelter", _("临时救助场所")
    HELP_POINT = "help_point", _("求助引导点")
    ADVISOR_POINT = "advisor_point", _("社区救助顾问服务站点")
    LOTTERY_OUTLET = "lottery_outlet", _("福利彩票网点")
    AFFAIRS_CENTER = "affairs_center", _("社区事务受理服务中心")
    CIVIL_AFFAIRS_STATION = "civil_affairs_station", _("民政服务站")
    CHARITY_SUPERMARKET = "charity_supermarket", _("慈善超市")
    KEY_PLACE = "key_place", _("重点巡查点位")
    HOSPITAL = "hospital", _("医疗机构（医院）")


#: The five kinds of civil-affairs service points of the notice (section 三).
SERVICE_POINT_KINDS = frozenset(
    {
        PlaceKind.ADVISOR_POINT,
        PlaceKind.LOTTERY_OUTLET,
        PlaceKind.AFFAIRS_CENTER,
        PlaceKind.CIVIL_AFFAIRS_STATION,
        PlaceKind.CHARITY_SUPERMARKET,
    }
)


class KeyPlaceType(models.TextChoices):
    """The key patrol places of the notice (section 四)."""

    STATION_SQUARE = "station_square", _("车站广场")
    COMMERCIAL_STREET = "commercial_street", _("商业街区")
    SCENIC_SPOT = "scenic_spot", _("热门景点")
    UNDERPASS = "underpass", _("地下通道")
    BRIDGE_CULVERT = "bridge_culvert", _("桥梁涵洞")
    ABANDONED_BUILDING = "abandoned_building", _("废弃房屋")
    CONSTRUCTION_SITE = "construction_site", _("在建工地")
    OTHER = "other", _("其他")


class Place(ArchivableModel):
    kind = models.CharField(_("类型"), max_length=32, choices=PlaceKind.choices, db_index=True)
    key_place_type = models.CharField(
        _("重点点位类型"), max_length=32, choices=KeyPlaceType.choices, blank=True
    )
    name = models.CharField(_("名称"), max_length=120)
    address = models.CharField(_("地址"), max_length=255, blank=True)
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="places"
    )
    lat = models.FloatField(_("纬度（WGS-84）"))
    lng = models.FloatField(_("经度（WGS-84）"))
    h3_cell = models.CharField(_("H3 网格"), max_length=16, db_index=True, editable=False)
    phone = models.CharField(_("电话"), max_length=40, blank=True)
    opening_hours = models.CharField(_("开放时间"), max_length=120, blank=True)
    capacity = models.PositiveIntegerField(
        _("床位/容量"), null=True, blank=True, validators=between(0, 100_000)
    )
    risk_notes = models.TextField(_("风险提示（内部）"), blank=True, max_length=2000)
    is_public = models.BooleanField(
        _("对公众公开"),
        default=False,
        help_text=_("站点地址、求助引导点等经批准后可在公众页面显示"),
    )

    scope: ClassVar[Scope] = Scope(org_field="org_unit")

    class Meta:
        verbose_name = _("地点")
        verbose_name_plural = _("地点")
        ordering = ["kind", "name"]
        indexes = [models.Index(fields=["kind", "org_unit"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Keep the spatial index in step with the coordinates it is derived from.
        self.h3_cell = geo.h3_cell(self.lat, self.lng)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if (
            self.lat is not None
            and self.lng is not None
            and not geo.in_shanghai(self.lat, self.lng)
        ):
            errors["lat"] = _("坐标不在上海市范围内")
        if self.kind == PlaceKind.KEY_PLACE and not self.key_place_type:
            errors["key_place_type"] = _("重点巡查点位须选择点位类型")
        if self.kind != PlaceKind.KEY_PLACE and self.key_place_type:
            errors["key_place_type"] = _("只有重点巡查点位才有点位类型")
        if errors:
            raise ValidationError(errors)
