from django import forms
from django.utils.translation import gettext_lazy as _

from warmwinter.core.validation import form_field
from warmwinter.patrols.models import PlaceWatch


class PlaceWatchForm(forms.Form):
    risk = form_field(PlaceWatch, "risk", help_text="", initial=None)
    watch_from = forms.TimeField(label=_("重点时段开始"))
    watch_until = forms.TimeField(label=_("重点时段结束"))
    dwell_min = form_field(PlaceWatch, "dwell_min", initial=None)
