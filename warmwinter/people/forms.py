from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from warmwinter.core import clock
from warmwinter.core.validation import form_field
from warmwinter.people.models import (
    FamilyInquiry,
    FocusGroup,
    IdentityStatus,
    Person,
    RiskFlag,
    Sex,
    TracingNotice,
)
from warmwinter.people.validators import AGE_ESTIMATE, ID_NUMBER_TYPED, SEARCH_TEXT

PHONE_CHARS = RegexValidator(r"^[0-9+\- ]*$")


class PersonSearchForm(forms.Form):
    q = form_field(SEARCH_TEXT, label=_("姓名/拼音/身份证号"), required=False)
    focus = forms.ChoiceField(
        label=_("重点人群"), choices=[("", _("全部"))] + FocusGroup.choices, required=False
    )
    identity = forms.ChoiceField(
        label=_("身份状态"), choices=[("", _("全部"))] + IdentityStatus.choices, required=False
    )


class PersonForm(forms.Form):
    """Create/edit. Everything is optional: 先行救助 opens a file with nothing known."""

    name = form_field(Person, "name")
    aliases = form_field(Person, "aliases", help_text="")
    sex = forms.ChoiceField(label=_("性别"), choices=Sex.choices, initial=Sex.UNKNOWN)
    birth_date = forms.DateField(label=_("出生日期"), required=False)
    age_estimate = form_field(AGE_ESTIMATE, label=_("估计年龄"), required=False)
    id_number = form_field(ID_NUMBER_TYPED, label=_("身份证号"), required=False)
    identity_status = forms.ChoiceField(
        label=_("身份状态"), choices=IdentityStatus.choices, initial=IdentityStatus.UNKNOWN
    )
    household_registration = form_field(Person, "household_registration")
    native_place = form_field(Person, "native_place")
    dialect = form_field(Person, "dialect")
    phone = form_field(Person, "phone", validators=[PHONE_CHARS])
    height_cm = form_field(Person, "height_cm")
    build = form_field(Person, "build")
    features = form_field(Person, "features", widget=forms.Textarea(attrs={"rows": 2}))
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
    notes = form_field(Person, "notes", widget=forms.Textarea(attrs={"rows": 2}))
    found_place = form_field(
        TracingNotice, "found_area", label=_("发现地点（概略，用于寻亲公告）"), help_text=""
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
    estimated_age = form_field(TracingNotice, "estimated_age")
    height_cm = form_field(TracingNotice, "height_cm")
    health_state = form_field(TracingNotice, "health_state")
    features = form_field(TracingNotice, "features")
    clothing = form_field(TracingNotice, "clothing")
    found_area = form_field(TracingNotice, "found_area", help_text="")
    contact = form_field(TracingNotice, "contact")
    photo = forms.ImageField(label=_("照片"), required=False)


class InquiryForm(forms.Form):
    """A family's inquiry (甄别寻亲): who is sought, what they look like, when and where they
    were last seen, and how to reach the family."""

    sought_name = form_field(FamilyInquiry, "sought_name")
    sex = forms.ChoiceField(label=_("性别"), choices=Sex.choices, initial=Sex.UNKNOWN)
    birth_year = form_field(FamilyInquiry, "birth_year", label=_("出生年份"))
    age_estimate = form_field(AGE_ESTIMATE, label=_("或估计年龄"), required=False)
    id_number = form_field(ID_NUMBER_TYPED, label=_("身份证号"), required=False)
    description = form_field(FamilyInquiry, "description", widget=forms.Textarea(attrs={"rows": 3}))
    photo = forms.ImageField(label=_("照片"), required=False)
    last_seen_at = forms.DateField(
        label=_("最后见到日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    last_seen_place = form_field(FamilyInquiry, "last_seen_place")
    contact_name = form_field(
        FamilyInquiry, "contact_name", error_messages={"required": _("请填写联系人")}
    )
    contact_phone = form_field(
        FamilyInquiry,
        "contact_phone",
        validators=[RegexValidator(r"^[0-9+\- ]{5,}$")],
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
