from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from warmwinter.core.validation import form_field
from warmwinter.people.models import Person, Sex
from warmwinter.people.validators import AGE_ESTIMATE
from warmwinter.stations.models import (
    DECISION_REASONS,
    Admission,
    AidDecision,
    AidDecisionKind,
    BroughtBy,
    DischargeReason,
    Disinfection,
    DistressCategory,
    HealthCheck,
    NightRound,
    PlacementStep,
    PlacementStepKind,
    SecurityItem,
    ServiceCase,
    ServiceKind,
    ServiceStep,
    StayExtension,
    Visit,
)
from warmwinter.stations.rules import MentalSign, Symptom

#: Fields of a form that picks a person file or opens a new one; not passed to the service.
PERSON_FIELDS = ("person_id", "name", "sex", "age_estimate")


def new_person_from(data: dict[str, Any]) -> dict[str, Any] | None:
    """The new file's fields, or None when an existing file (`person_id`) was chosen."""
    if data.get("person_id"):
        return None
    person: dict[str, Any] = {"sex": data["sex"]}
    if data.get("name"):
        person["name"] = data["name"]
    if data.get("age_estimate") is not None:
        person["age_estimate"] = data["age_estimate"]
    return person


class AdmissionForm(forms.Form):
    brought_by = forms.ChoiceField(label=_("来站方式"), choices=BroughtBy.choices)
    escort_note = form_field(Admission, "escort_note")
    category = forms.ChoiceField(label=_("求助类别"), choices=DistressCategory.choices)
    person_id = forms.IntegerField(
        label=_("已有档案编号"),
        required=False,
        min_value=1,
        help_text=_("已建档的填编号；否则填写下方信息新建档案"),
    )
    name = form_field(Person, "name", help_text=_("不详可不填（先行救助）"))
    sex = forms.ChoiceField(label=_("性别"), choices=Sex.choices, initial=Sex.UNKNOWN)
    age_estimate = form_field(AGE_ESTIMATE, label=_("年龄（可估计）"), required=False)
    security_checks = forms.MultipleChoiceField(
        label=_("入站安检"),
        choices=SecurityItem.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    held_items = form_field(Admission, "held_items", widget=forms.Textarea(attrs={"rows": 2}))
    held_items_seal = form_field(Admission, "held_items_seal")
    held_items_signed = forms.BooleanField(label=_("受助人已在清单上签字"), required=False)
    temperature = form_field(Admission, "temperature")
    injuries = form_field(Admission, "injuries")
    symptoms = forms.MultipleChoiceField(
        label=_("症状"),
        choices=Symptom.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    mental_signs = forms.MultipleChoiceField(
        label=_("精神状况表现"),
        choices=MentalSign.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def new_person(self) -> dict[str, Any] | None:
        return new_person_from(self.cleaned_data)


class BedForm(forms.Form):
    bed = forms.IntegerField(label=_("床位"), min_value=1)


class DischargeForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("离站原因"),
        # 终止救助 is a leader's decision with its own page and notice.
        choices=[c for c in DischargeReason.choices if c[0] != DischargeReason.TERMINATED],
    )
    destination = form_field(
        Admission, "discharge_destination", label=_("去向（医院、托养机构、目的地）")
    )
    note = form_field(Admission, "discharge_note", widget=forms.Textarea(attrs={"rows": 2}))
    visit_every_days = form_field(
        Admission, "visit_every_days", help_text=_("送医、站外托养：默认每月走访一次")
    )


class ExtendForm(forms.Form):
    until = forms.DateField(label=_("延长至"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = form_field(StayExtension, "reason")


class VisitForm(forms.Form):
    physical_state = form_field(Visit, "physical_state", label=_("身体状况（当面了解）"))
    mental_state = form_field(Visit, "mental_state", label=_("精神状况（当面了解）"))
    note = form_field(Visit, "note", widget=forms.Textarea(attrs={"rows": 2}))


class ServiceOpenForm(forms.Form):
    kind = forms.ChoiceField(label=_("服务类型"), choices=ServiceKind.choices)
    destination = form_field(ServiceCase, "destination")
    transport = form_field(ServiceCase, "transport")
    escort = form_field(ServiceCase, "escort")
    handover_to = form_field(ServiceCase, "handover_to")


class ServiceStepForm(forms.Form):
    note = form_field(ServiceStep, "note")
    transport = form_field(ServiceCase, "transport")
    escort = form_field(ServiceCase, "escort")
    handover_to = form_field(ServiceCase, "handover_to")


class ServiceCloseForm(forms.Form):
    outcome = form_field(
        ServiceCase, "outcome", label=_("服务结果"), required=True, widget=forms.TextInput
    )
    done = forms.TypedChoiceField(
        label=_("结束方式"),
        choices=[("1", _("已完成")), ("0", _("终止"))],
        coerce=lambda v: v == "1",
        initial="1",
    )


class HealthCheckForm(forms.Form):
    temperature = form_field(HealthCheck, "temperature", label=_("今日体温（℃）"))
    note = form_field(HealthCheck, "note")


class DisinfectionForm(forms.Form):
    zone = forms.IntegerField(label=_("分区"), min_value=1)
    note = form_field(Disinfection, "note")


class DutyShiftForm(forms.Form):
    user: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("值班人员"),
        queryset=None,  # type: ignore[arg-type]
    )
    starts_at = forms.DateTimeField(
        label=_("开始"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=_("结束"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    is_leader = forms.BooleanField(label=_("带班领导"), required=False)

    def __init__(self, *args: Any, staff: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = staff  # type: ignore[attr-defined]


def _reasons(kind: str) -> list[tuple[str, Any]]:
    return [(r.value, r.label) for r in DECISION_REASONS[AidDecisionKind(kind)]]


class RefuseForm(forms.Form):
    """不予救助: who asked (an existing file or a new one) and why they are not eligible."""

    person_id = forms.IntegerField(
        label=_("已有档案编号"),
        required=False,
        min_value=1,
        help_text=_("已建档的填编号；否则填写下方信息新建档案"),
    )
    name = form_field(Person, "name")
    sex = forms.ChoiceField(label=_("性别"), choices=Sex.choices, initial=Sex.UNKNOWN)
    age_estimate = form_field(AGE_ESTIMATE, label=_("年龄（可估计）"), required=False)
    reason = forms.ChoiceField(label=_("不予救助理由"), choices=_reasons(AidDecisionKind.REFUSE))
    detail = form_field(
        AidDecision, "detail", label=_("询问甄别情况"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def new_person(self) -> dict[str, Any] | None:
        return new_person_from(self.cleaned_data)


class TerminateForm(forms.Form):
    reason = forms.ChoiceField(label=_("终止救助理由"), choices=_reasons(AidDecisionKind.TERMINATE))
    detail = form_field(
        AidDecision, "detail", label=_("事实经过"), widget=forms.Textarea(attrs={"rows": 3})
    )


class NightRoundForm(forms.Form):
    at = forms.DateTimeField(
        label=_("巡查时间（补记时填写）"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    note = form_field(NightRound, "note")
    issues = form_field(NightRound, "issues")


class PlacementStepForm(forms.Form):
    kind = forms.ChoiceField(label=_("安置步骤"), choices=PlacementStepKind.choices)
    done_on = forms.DateField(
        label=_("完成日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = form_field(PlacementStep, "note")
