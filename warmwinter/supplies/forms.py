from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from warmwinter.core import clock
from warmwinter.core.validation import form_field
from warmwinter.places.models import Place
from warmwinter.supplies.models import (
    QUANTITY_DECIMAL_PLACES,
    QUANTITY_MAX_DIGITS,
    Batch,
    Item,
    MovementKind,
    ReceiptSource,
    RecipientKind,
    ReserveTarget,
    StockMovement,
    Transfer,
    Warehouse,
    WarehouseKind,
)
from warmwinter.supplies.validators import QUANTITY
from warmwinter.weather.levels import ResponseLevel


def _quantity_field() -> forms.Field:
    return form_field(
        QUANTITY,
        label=_("数量"),
        max_digits=QUANTITY_MAX_DIGITS,
        decimal_places=QUANTITY_DECIMAL_PLACES,
    )


class ItemChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.unit}）"


class WarehouseFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("类型"), required=False, choices=[("", _("全部类型")), *WarehouseKind.choices]
    )
    district = forms.RegexField(
        label=_("区代码"),
        required=False,
        regex=r"^\d{6}$",
        error_messages={"invalid": _("区代码为 6 位数字")},
    )


class ReceiptForm(forms.Form):
    item = ItemChoiceField(label=_("物资"), queryset=Item.objects.active())
    quantity = _quantity_field()
    source_kind = forms.ChoiceField(label=_("来源类型"), choices=ReceiptSource.choices)
    source = form_field(StockMovement, "source", label=_("捐赠方/供应商"), required=True)
    batch_code = form_field(Batch, "code", required=False)
    expires_on = forms.DateField(
        label=_("有效期至"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class IssueForm(forms.Form):
    item = ItemChoiceField(label=_("物资"), queryset=Item.objects.active())
    quantity = _quantity_field()
    recipient_kind = forms.ChoiceField(label=_("发放对象"), choices=RecipientKind.choices)
    recipient_label = form_field(
        StockMovement, "recipient_label", help_text=_("可写体貌特征或临时编号")
    )
    shelter = forms.ModelChoiceField(
        label=_("临时救助场所"), queryset=Place.objects.none(), required=False
    )
    person_ref = form_field(StockMovement, "person_ref")

    def __init__(self, *args: Any, shelters: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["shelter"].queryset = shelters  # type: ignore[attr-defined]


class TransferForm(forms.Form):
    to_warehouse = forms.ModelChoiceField(
        label=_("调入仓库"), queryset=Warehouse.objects.active().order_by("code")
    )
    item = ItemChoiceField(label=_("物资"), queryset=Item.objects.active())
    quantity = _quantity_field()
    note = form_field(Transfer, "note")


class CorrectionForm(forms.Form):
    batch = forms.ModelChoiceField(label=_("批次"), queryset=Batch.objects.none())
    kind = forms.ChoiceField(
        label=_("类型"),
        choices=[
            (MovementKind.WRITE_OFF, MovementKind.WRITE_OFF.label),
            (MovementKind.ADJUSTMENT, MovementKind.ADJUSTMENT.label),
        ],
    )
    increase = forms.BooleanField(label=_("盘盈（增加）"), required=False)
    quantity = _quantity_field()
    reason = form_field(StockMovement, "reason", label=_("原因"), required=True)

    def __init__(self, *args: Any, batches: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["batch"].queryset = batches  # type: ignore[attr-defined]


class ReserveFilterForm(forms.Form):
    district = forms.RegexField(
        label=_("区代码"),
        required=False,
        regex=r"^\d{6}$",
        error_messages={"invalid": _("区代码为 6 位数字")},
    )
    level = forms.TypedChoiceField(
        label=_("响应等级"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("当前等级")), *ResponseLevel.choices],
    )


class TargetForm(forms.Form):
    warehouse = forms.ModelChoiceField(label=_("仓库"), queryset=Warehouse.objects.none())
    item = ItemChoiceField(label=_("物资"), queryset=Item.objects.active())
    level = forms.TypedChoiceField(label=_("响应等级"), coerce=int, choices=ResponseLevel.choices)
    quantity = form_field(ReserveTarget, "quantity")

    def __init__(self, *args: Any, warehouses: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = warehouses  # type: ignore[attr-defined]


class PeriodForm(forms.Form):
    """A period in whole days, Asia/Shanghai: [since, until]."""

    since = forms.DateField(
        label=_("起"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("止"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    kind = forms.ChoiceField(
        label=_("类型"), required=False, choices=[("", _("全部")), *MovementKind.choices]
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError(_("开始日期不能晚于结束日期"))
        if since and until and (until - since).days > 366:
            raise forms.ValidationError(_("期间最长一年"))
        return data

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        since, until = self.cleaned_data.get("since"), self.cleaned_data.get("until")
        return (
            clock.day_bounds(since)[0] if since else None,
            clock.day_bounds(until)[1] if until else None,
        )
