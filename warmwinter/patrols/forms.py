from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from warmwinter.core.validation import form_field
from warmwinter.patrols.models import PlaceWatch
from warmwinter.patrols.rules import Willingness


class PlaceWatchForm(forms.Form):
    risk = form_field(PlaceWatch, "risk", help_text="", initial=None)
    watch_from = forms.TimeField(label=_("重点时段开始"))
    watch_until = forms.TimeField(label=_("重点时段结束"))
    dwell_min = form_field(PlaceWatch, "dwell_min", initial=None)


class FollowUpVisitForm(forms.Form):
    """A follow-up's visit record on the phone: found (state, willingness, items given) or not
    found (the GPS check-in the page takes, and a note)."""

    found = forms.TypedChoiceField(
        label=_("是否找到本人"),
        choices=[("1", _("找到本人")), ("0", _("未找到本人"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    state = forms.CharField(label=_("现状（身体、精神、衣被等）"), required=False, max_length=300)
    willingness = forms.ChoiceField(
        label=_("本人现在的意愿"), required=False, choices=[("", "—"), *Willingness.choices]
    )
    items = forms.MultipleChoiceField(
        label=_("本次发放的物资（各 1 份）"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label=_("跟踪情况"), required=False, max_length=300, widget=forms.Textarea({"rows": 3})
    )
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    lng = forms.FloatField(required=False, widget=forms.HiddenInput)
    accuracy = forms.FloatField(required=False, min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args: Any, items: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["items"]
        assert isinstance(field, forms.MultipleChoiceField)  # noqa: S101 - declared above
        field.choices = items
