from django import forms
from django.utils.translation import gettext_lazy as _


class PlaceWatchForm(forms.Form):
    risk = forms.IntegerField(label=_("风险等级"), min_value=1, max_value=5)
    watch_from = forms.TimeField(label=_("重点时段开始"))
    watch_until = forms.TimeField(label=_("重点时段结束"))
    dwell_min = forms.IntegerField(label=_("巡查用时（分钟）"), min_value=1, max_value=120)
