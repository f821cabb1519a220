from django import forms
from django.utils.translation import gettext_lazy as _

from warmwinter.core.validation import form_field
from warmwinter.places.models import PlaceKind
from warmwinter.places.validators import PLACE_SEARCH


class PlaceFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("类型"), required=False, choices=[("", _("全部类型")), *PlaceKind.choices]
    )
    district = forms.RegexField(
        label=_("区代码"),
        required=False,
        regex=r"^\d{6}$",
        error_messages={"invalid": _("区代码为 6 位数字")},
    )
    q = form_field(PLACE_SEARCH, label=_("名称或地址"), required=False)
