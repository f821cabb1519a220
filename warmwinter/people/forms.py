from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from warmwinter.people.models import FocusGroup, IdentityStatus, RiskFlag, Sex


class PersonSearchForm(forms.Form):
    q = forms.CharField(label=_("姓名/拼音/身份证号"), max_length=40, required=False, strip=True)
    focus = forms.ChoiceField(
        label=_("重点人群"), choices=[("", _("全部"))] + FocusGroup.choices, required=False
    )
    identity = forms.ChoiceField(
        label=_("身份状态"), choices=[("", _("全部"))] + IdentityStatus.choices, required=False
    )


class PersonForm(forms.Form):
    """Create/edit. Everything is optional: 先行救助 opens a file with nothing known."""

    name = forms.CharField(label=_("姓名"), max_length=60, required=False)
    aliases = forms.CharField(label=_("别名/称呼"), max_length=200, required=False)
    sex = forms.ChoiceField(label=_("性别"), choices=Sex.choices, initial=Sex.UNKNOWN)
    birth_date = forms.DateField(label=_("出生日期"), required=False)
    age_estimate = forms.IntegerField(
        label=_("估计年龄"), min_value=0, max_value=120, required=False
    )
    id_number = forms.CharField(label=_("身份证号"), max_length=24, required=False)
    identity_status = forms.ChoiceField(
        label=_("身份状态"), choices=IdentityStatus.choices, initial=IdentityStatus.UNKNOWN
    )
    household_registration = forms.CharField(label=_("户籍地"), max_length=200, required=False)
    native_place = forms.CharField(label=_("籍贯"), max_length=100, required=False)
    dialect = forms.CharField(label=_("方言"), max_length=40, required=False)
    phone = forms.RegexField(
        label=_("联系电话"), regex=r"^[0-9+\- ]{0,20}$", max_length=20, required=False
    )
    height_cm = forms.IntegerField(
        label=_("身高（厘米）"), min_value=40, max_value=250, required=False
    )
    build = forms.CharField(label=_("体型"), max_length=40, required=False)
    features = forms.CharField(
        label=_("体貌特征"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    focus_groups = forms.MultipleChoiceField(
        label=_("重点人群"),
        choices=FocusGroup.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    risk_flags = forms.MultipleChoiceField(
        label=_("风险标识"),
        choices=RiskFlag.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    notes = forms.CharField(
        label=_("备注"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    found_place = forms.CharField(
        label=_("发现地点（概略，用于寻亲公告）"), max_length=100, required=False
    )

    def service_kwargs(self, *, creating: bool) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if not creating:
            data.pop("found_place", None)
            if data.get("age_estimate") is None:
                data.pop("age_estimate", None)
        return data


class NoticeForm(forms.Form):
    sex = forms.ChoiceField(label=_("性别"), choices=Sex.choices)
    estimated_age = forms.IntegerField(
        label=_("估计年龄"), min_value=0, max_value=120, required=False
    )
    height_cm = forms.IntegerField(
        label=_("身高（厘米）"), min_value=40, max_value=250, required=False
    )
    health_state = forms.CharField(label=_("健康与精神状况"), max_length=200, required=False)
    features = forms.CharField(label=_("体貌特征"), max_length=300, required=False)
    clothing = forms.CharField(label=_("衣着"), max_length=200, required=False)
    found_area = forms.CharField(label=_("发现地点（概略）"), max_length=100, required=False)
    contact = forms.CharField(label=_("联系单位及电话"), max_length=120)
    photo = forms.ImageField(label=_("照片"), required=False)
