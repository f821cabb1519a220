"""Relief supplies: the catalogue, warehouses, batches, the stock ledger and reserve targets.

The ledger (`StockMovement`) is append-only: every receipt, issue, transfer leg, adjustment and
write-off is one signed row per (warehouse, item, batch). `StockBalance` is the running sum of
those rows, kept in the same transaction as each ledger row and locked with select_for_update,
so that two issues racing for the last unit cannot both succeed. A database CHECK keeps it from
ever going below zero even if a caller forgot the lock.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from warmwinter.accounts.scoping import Scope
from warmwinter.core.models import ArchivableModel
from warmwinter.places.models import OrgUnit
from warmwinter.supplies.validators import TARGET_QUANTITY

#: Quantities: whole units (件/条/箱) are whole numbers, divisible ones up to 3 decimals.
QUANTITY_MAX_DIGITS, QUANTITY_DECIMAL_PLACES = 12, 3


def quantity_field(verbose_name: Any, **kwargs: Any) -> models.DecimalField:  # type: ignore[type-arg]
    return models.DecimalField(
        verbose_name,
        max_digits=QUANTITY_MAX_DIGITS,
        decimal_places=QUANTITY_DECIMAL_PLACES,
        **kwargs,
    )


class ItemCategory(models.TextChoices):
    BEDDING = "bedding", _("被褥")
    CLOTHING = "clothing", _("御寒衣物")
    WARMER = "warmer", _("取暖用品")
    FOOD = "food", _("食品")
    WATER = "water", _("饮用水")
    MEDICINE = "medicine", _("药品")
    OTHER = "other", _("其他")


class Item(ArchivableModel):
    """A kind of relief supply in the catalogue (棉被, 棉大衣, 方便食品 …)."""

    code = models.SlugField(_("物资代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    category = models.CharField(_("类别"), max_length=16, choices=ItemCategory.choices)
    unit = models.CharField(_("计量单位"), max_length=10, help_text=_("件、条、箱、瓶、千克 …"))
    whole_units = models.BooleanField(
        _("按整数计量"), default=True, help_text=_("件、条、箱等不可拆分的单位只能按整数发放")
    )
    shelf_life_days = models.PositiveIntegerField(_("保质期（天）"), null=True, blank=True)

    class Meta:
        verbose_name = _("物资品种")
        verbose_name_plural = _("物资品种")
        ordering = ["category", "code"]

    def __str__(self) -> str:
        return self.name


class WarehouseKind(models.TextChoices):
    CITY = "city", _("市级仓库")
    DISTRICT = "district", _("区级仓库")
    STATION = "station", _("救助站仓库")
    MOBILE = "mobile", _("巡查分队随车物资")


class Warehouse(ArchivableModel):
    """Where stock is held. A mobile warehouse is what a patrol team carries; it belongs to the
    district and names who holds it (`holder_label`, optionally `holder`)."""

    code = models.SlugField(_("仓库代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=120)
    kind = models.CharField(_("类型"), max_length=16, choices=WarehouseKind.choices)
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="warehouses"
    )
    holder_label = models.CharField(_("保管人/分队"), max_length=120, blank=True)
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("保管人账号"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="held_warehouses",
    )

    scope: ClassVar[Scope] = Scope(org_field="org_unit")

    class Meta:
        verbose_name = _("仓库")
        verbose_name_plural = _("仓库")
        ordering = ["org_unit__path", "kind", "code"]

    def __str__(self) -> str:
        return self.name


class Batch(models.Model):
    """A batch of one item, as received: its code and, for perishables, its expiry date."""

    item = models.ForeignKey(Item, verbose_name=_("物资"), on_delete=models.PROTECT)
    code = models.CharField(_("批次号"), max_length=60)
    expires_on = models.DateField(_("有效期至"), null=True, blank=True)

    class Meta:
        verbose_name = _("批次")
        verbose_name_plural = _("批次")
        constraints = [
            models.UniqueConstraint(fields=["item", "code"], name="supplies_batch_item_code")
        ]

    def __str__(self) -> str:
        return self.code


class MovementKind(models.TextChoices):
    RECEIPT = "receipt", _("入库")
    ISSUE = "issue", _("发放")
    TRANSFER_OUT = "transfer_out", _("调拨出库")
    TRANSFER_IN = "transfer_in", _("调拨入库")
    ADJUSTMENT = "adjustment", _("盘点调整")
    WRITE_OFF = "write_off", _("报损核销")


class ReceiptSource(models.TextChoices):
    DONATION = "donation", _("社会捐赠")
    PURCHASE = "purchase", _("采购")


class RecipientKind(models.TextChoices):
    PERSON = "person", _("受助人员")
    SHELTER = "shelter", _("临时救助场所")


class StockMovementQuerySet(models.QuerySet["StockMovement"]):
    def update(self, **kwargs: Any) -> int:
        raise RuntimeError("the stock ledger is append-only")

    def delete(self) -> Any:
        raise RuntimeError("the stock ledger is append-only")


class StockMovement(models.Model):
    """One line of the ledger: a signed quantity of one batch into (+) or out of (−) one
    warehouse. Lines written together (an issue of a coat and food) share a `voucher`."""

    voucher = models.CharField(_("单据号"), max_length=32, db_index=True)
    kind = models.CharField(_("类型"), max_length=16, choices=MovementKind.choices)
    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("仓库"), on_delete=models.PROTECT, related_name="movements"
    )
    item = models.ForeignKey(Item, verbose_name=_("物资"), on_delete=models.PROTECT)
    batch = models.ForeignKey(Batch, verbose_name=_("批次"), on_delete=models.PROTECT)
    quantity = quantity_field(_("数量（入正出负）"))
    occurred_at = models.DateTimeField(_("发生时间"), db_index=True)
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # receipt
    source_kind = models.CharField(
        _("来源类型"), max_length=16, choices=ReceiptSource.choices, blank=True
    )
    source = models.CharField(_("来源（捐赠方/供应商）"), max_length=120, blank=True)
    # issue
    recipient_kind = models.CharField(
        _("发放对象"), max_length=16, choices=RecipientKind.choices, blank=True
    )
    recipient_label = models.CharField(_("受领人"), max_length=120, blank=True)
    shelter = models.ForeignKey(
        "places.Place",
        verbose_name=_("临时救助场所"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    #: The document this line came from, as "app_label.model" + id (an encounter, an admission),
    #: kept loose because those apps are built separately.
    ref_type = models.CharField(_("来源单据类型"), max_length=60, blank=True)
    ref_id = models.CharField(_("来源单据编号"), max_length=64, blank=True)
    #: The person file the items went to, as "app_label.model:id", when known.
    person_ref = models.CharField(_("人员档案"), max_length=80, blank=True, db_index=True)
    # transfer
    transfer = models.ForeignKey(
        "Transfer",
        verbose_name=_("调拨单"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="movements",
    )
    reason = models.CharField(_("原因/备注"), max_length=200, blank=True)

    objects = StockMovementQuerySet.as_manager()

    scope: ClassVar[Scope] = Scope(org_field="warehouse__org_unit")

    class Meta:
        verbose_name = _("库存流水")
        verbose_name_plural = _("库存流水")
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["warehouse", "item", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.voucher} {self.get_kind_display()} {self.item_id} {self.quantity}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("the stock ledger is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the stock ledger is append-only")


class StockBalance(models.Model):
    """The on-hand quantity of one batch in one warehouse: the sum of its ledger lines.

    Written only by `services._post`, under select_for_update, in the same transaction as the
    ledger line."""

    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("仓库"), on_delete=models.PROTECT, related_name="balances"
    )
    item = models.ForeignKey(Item, verbose_name=_("物资"), on_delete=models.PROTECT)
    batch = models.ForeignKey(Batch, verbose_name=_("批次"), on_delete=models.PROTECT)
    quantity = quantity_field(_("结存"), default=Decimal(0))

    scope: ClassVar[Scope] = Scope(org_field="warehouse__org_unit")

    class Meta:
        verbose_name = _("库存结存")
        verbose_name_plural = _("库存结存")
        constraints = [
            models.UniqueConstraint(
                fields=["warehouse", "batch"], name="supplies_balance_warehouse_batch"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=0), name="supplies_balance_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["warehouse", "item"])]

    def __str__(self) -> str:
        return f"{self.warehouse_id}/{self.batch_id}: {self.quantity}"


class TransferStatus(models.TextChoices):
    IN_TRANSIT = "in_transit", _("在途")
    RECEIVED = "received", _("已签收")


class Transfer(models.Model):
    """Stock on its way between warehouses: out of one when sent, into the other when received."""

    from_warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("调出仓库"), on_delete=models.PROTECT, related_name="+"
    )
    to_warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("调入仓库"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=TransferStatus.choices, default=TransferStatus.IN_TRANSIT
    )
    sent_at = models.DateTimeField(_("发出时间"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发出人"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    received_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签收人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    scope: ClassVar[Scope] = Scope(org_field="from_warehouse__org_unit")

    class Meta:
        verbose_name = _("调拨单")
        verbose_name_plural = _("调拨单")
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return f"{_('调拨')} #{self.pk}"


class ReserveTarget(models.Model):
    """How much of an item a warehouse should hold at a response level. A level without its own
    row uses the nearest lower level's target."""

    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("仓库"), on_delete=models.PROTECT, related_name="targets"
    )
    item = models.ForeignKey(Item, verbose_name=_("物资"), on_delete=models.PROTECT)
    level = models.PositiveSmallIntegerField(_("响应等级"))
    quantity = quantity_field(_("储备目标"), validators=TARGET_QUANTITY)
    modified_at = models.DateTimeField(_("修改时间"), auto_now=True)
    modified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修改人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    scope: ClassVar[Scope] = Scope(org_field="warehouse__org_unit")

    class Meta:
        verbose_name = _("储备目标")
        verbose_name_plural = _("储备目标")
        constraints = [
            models.UniqueConstraint(
                fields=["warehouse", "item", "level"], name="supplies_target_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=0), name="supplies_target_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.warehouse_id}/{self.item_id}@{self.level}: {self.quantity}"


class AlertKind(models.TextChoices):
    BELOW_TARGET = "below_target", _("低于储备目标")
    LEVEL_RAISED = "level_raised", _("响应等级提高后储备不足")
    NEAR_EXPIRY = "near_expiry", _("批次临近过期")


class StockAlert(models.Model):
    """A shortfall or an expiring batch someone must act on. One open alert per
    (warehouse, item, kind); a later check updates it, and it closes when the cause is gone."""

    kind = models.CharField(_("类型"), max_length=16, choices=AlertKind.choices)
    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("仓库"), on_delete=models.PROTECT, related_name="alerts"
    )
    item = models.ForeignKey(Item, verbose_name=_("物资"), on_delete=models.PROTECT)
    batch = models.ForeignKey(
        Batch, verbose_name=_("批次"), on_delete=models.PROTECT, null=True, blank=True
    )
    level = models.PositiveSmallIntegerField(_("响应等级"), null=True, blank=True)
    quantity = quantity_field(_("缺口/临期数量"))
    message = models.CharField(_("内容"), max_length=200)
    raised_at = models.DateTimeField(_("提醒时间"))
    resolved_at = models.DateTimeField(_("解除时间"), null=True, blank=True)

    scope: ClassVar[Scope] = Scope(org_field="warehouse__org_unit")

    class Meta:
        verbose_name = _("物资提醒")
        verbose_name_plural = _("物资提醒")
        ordering = ["-raised_at", "-id"]

    def __str__(self) -> str:
        return self.message


class LevelSeen(models.Model):
    """The response level the last reserve review of a district saw, so that a review can tell
    that the level has risen since."""

    district = models.OneToOneField(
        OrgUnit, verbose_name=_("区"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.PositiveSmallIntegerField(_("响应等级"))
    reviewed_at = models.DateTimeField(_("检查时间"))

    class Meta:
        verbose_name = _("储备检查记录")
        verbose_name_plural = _("储备检查记录")

    def __str__(self) -> str:
        return f"{self.district_id}@{self.level}"
