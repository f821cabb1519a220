from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from warmwinter.core.validation import form_field
from warmwinter.weather.levels import ResponseLevel
from warmwinter.weather.models import LevelEvent


class LevelForm(forms.Form):
    level = forms.TypedChoiceField(
        label=_("新的响应等级"), choices=ResponseLevel.choices, coerce=int
    )
    reason = form_field(LevelEvent, "reason", label=_("调整原因"), widget=forms.TextInput)


class IngestForm(forms.Form):
    message = forms.CharField(
        label=_("预警消息（CAP XML 或预警信号文本）"),
        max_length=256 * 1024,
        widget=forms.Textarea(attrs={"rows": 10, "cols": 80}),
    )
