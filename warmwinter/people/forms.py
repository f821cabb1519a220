from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from warmwinter.core import clock
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


class InquiryForm(forms.Form):
    """A family's inquiry (甄别寻亲): who is sought, what they look like, when and where they
    were last seen, and how to reach the family."""

    sought_name = forms.CharField(label=_("被寻人姓名/称呼"), max_length=60, required=False)
    sex = forms.ChoiceField(label=_("性别"), choices=Sex.choices, initial=Sex.UNKNOWN)
    birth_year = forms.IntegerField(
        label=_("出生年份"), min_value=1900, max_value=2100, required=False
    )
    age_estimate = forms.IntegerField(
        label=_("或估计年龄"), min_value=0, max_value=120, required=False
    )
    id_number = forms.CharField(label=_("身份证号"), max_length=24, required=False)
    description = forms.CharField(
        label=_("体貌特征与情况"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    photo = forms.ImageField(label=_("照片"), required=False)
    last_seen_at = forms.DateField(
        label=_("最后见到日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    last_seen_place = forms.CharField(label=_("最后见到地点"), max_length=200, required=False)
    contact_name = forms.CharField(
        label=_("联系人"), max_length=60, error_messages={"required": _("请填写联系人")}
    )
    contact_phone = forms.RegexField(
        label=_("联系电话"),
        regex=r"^[0-9+\- ]{5,20}$",
        max_length=20,
        error_messages={
            "required": _("请填写联系电话"),
            "invalid": _("联系电话只能包含数字、空格、+ 和 -（至少 5 位）"),
        },
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        seen = data.get("last_seen_at")
        if seen and seen > clock.local_date():
            self.add_error("last_seen_at", _("最后见到日期不能晚于今天"))
        if not (data.get("sought_name") or data.get("id_number") or data.get("description")):
            raise forms.ValidationError(_("请至少填写被寻人的姓名/称呼、身份证号或体貌特征之一"))
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        age = data.pop("age_estimate", None)
        if data.get("birth_year") is None and age is not None:
            data["birth_year"] = clock.local_date().year - age
        return data
