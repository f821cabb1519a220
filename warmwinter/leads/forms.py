"""Forms of the report channels. They parse and validate; `lead_receive` records."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from warmwinter.core.photos import CleanPhoto, clean_photo
from warmwinter.core.validation import form_field
from warmwinter.leads.models import Lead, LeadChannel, LeadCheckIn, UrgencySignal
from warmwinter.leads.services import MAX_PHOTOS, LeadReport
from warmwinter.places.models import Place
from warmwinter.places.selectors import public_places
from warmwinter.places.validators import LATITUDE, LONGITUDE

PHONE_RE = r"^[0-9+\- ]{5,20}$"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[CleanPhoto]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > MAX_PHOTOS:
            raise ValidationError(_("最多上传 3 张照片"))
        return [clean_photo(f) for f in files if f]


class LeadReportForm(forms.Form):
    """Fields every human channel shares."""

    lat = form_field(
        LATITUDE, form_class=forms.FloatField, required=False, widget=forms.HiddenInput
    )
    lng = form_field(
        LONGITUDE, form_class=forms.FloatField, required=False, widget=forms.HiddenInput
    )
    datum = forms.ChoiceField(
        choices=[("wgs84", "WGS-84"), ("gcj02", "GCJ-02")],
        initial="wgs84",
        required=False,
        widget=forms.HiddenInput,
    )
    place = forms.ModelChoiceField(
        label=_("地标（可选）"), queryset=Place.objects.none(), required=False
    )
    address = form_field(Lead, "address", label=_("地址或位置说明"))
    description = form_field(Lead, "description", widget=forms.Textarea(attrs={"rows": 3}))
    people_count = form_field(Lead, "people_count")
    signals = forms.MultipleChoiceField(
        label=_("紧急情形"),
        choices=UrgencySignal.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    photos = MultipleImageField(label=_("照片（可选，最多 3 张）"), required=False)
    client_uuid = forms.UUIDField(widget=forms.HiddenInput, required=False)

    channel: str = LeadChannel.PUBLIC_WEB

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        place_field: Any = self.fields["place"]
        place_field.queryset = public_places().order_by("name")
        if not self.is_bound:
            self.initial.setdefault("client_uuid", str(uuid.uuid4()))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        has_point = data.get("lat") is not None and data.get("lng") is not None
        if not has_point and data.get("place") is None:
            raise ValidationError(_("请提供位置：在地图上选点、使用当前位置或选择地标"))
        return data

    def idempotency_key(self) -> str | None:
        value = self.cleaned_data.get("client_uuid")
        return f"uuid:{value}" if value else None

    def to_report(self) -> LeadReport:
        d = self.cleaned_data
        return LeadReport(
            channel=d.get("channel") or self.channel,
            lat=d.get("lat"),
            lng=d.get("lng"),
            datum=d.get("datum") or "wgs84",
            place=d.get("place"),
            address=d.get("address", ""),
            description=d.get("description", ""),
            people_count=d.get("people_count") or 1,
            signals=d.get("signals") or [],
            reporter_name=d.get("reporter_name", ""),
            reporter_phone=d.get("reporter_phone", ""),
            recording_ref=d.get("recording_ref", ""),
            photos=d.get("photos") or [],
        )


class PublicReportForm(LeadReportForm):
    reporter_phone = forms.RegexField(
        label=_("您的电话（可选，便于回访）"),
        regex=PHONE_RE,
        required=False,
        error_messages={"invalid": _("电话号码格式不正确")},
    )


class QuickReportForm(LeadReportForm):
    """Logged-in reporters (service points, social forces) and staff."""

    channel = forms.ChoiceField(  # type: ignore[assignment]
        label=_("来源"),
        choices=[
            (LeadChannel.SERVICE_POINT, LeadChannel.SERVICE_POINT.label),
            (LeadChannel.SOCIAL_FORCE, LeadChannel.SOCIAL_FORCE.label),
            (LeadChannel.PATROL, LeadChannel.PATROL.label),
            (LeadChannel.VIDEO_PATROL, LeadChannel.VIDEO_PATROL.label),
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        place_field: Any = self.fields["place"]
        place_field.queryset = Place.objects.active().order_by("name")


class HotlineForm(LeadReportForm):
    """The hotline console: fast keyboard entry; the recording reference is required."""

    channel = forms.ChoiceField(  # type: ignore[assignment]
        label=_("来源"),
        choices=[
            (LeadChannel.HOTLINE, LeadChannel.HOTLINE.label),
            (LeadChannel.TRANSFER_12345, LeadChannel.TRANSFER_12345.label),
            (LeadChannel.TRANSFER_110, LeadChannel.TRANSFER_110.label),
        ],
    )
    reporter_phone = forms.RegexField(
        label=_("来电号码"),
        regex=PHONE_RE,
        required=False,
        error_messages={"invalid": _("电话号码格式不正确")},
    )
    reporter_name = form_field(Lead, "reporter_name", label=_("来电人称呼"))
    recording_ref = form_field(Lead, "recording_ref")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        place_field: Any = self.fields["place"]
        place_field.queryset = Place.objects.active()
        place_field.widget = forms.HiddenInput()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("channel") == LeadChannel.HOTLINE and not data.get("recording_ref"):
            self.add_error("recording_ref", _("热线来电须填写通话录音编号"))
        return data


class NobodyFoundForm(forms.Form):
    """ "Nobody found at the place": the phone's GPS fix (filled in by `dispatch/checkin.js`)
    and what the team did there. The lifecycle checks the distance."""

    latitude = form_field(LeadCheckIn, "lat", widget=forms.HiddenInput)
    longitude = form_field(LeadCheckIn, "lng", widget=forms.HiddenInput)
    accuracy_m = form_field(LeadCheckIn, "accuracy_m", widget=forms.HiddenInput)
    note = form_field(
        LeadCheckIn,
        "note",
        label=_("现场情况（必填）"),
        widget=forms.Textarea({"rows": 2}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if any(self.has_error(f) for f in ("latitude", "longitude", "accuracy_m")):
            for name in ("latitude", "longitude", "accuracy_m"):
                self.errors.pop(name, None)
            self.add_error(None, _("没有取得手机定位：请允许本页面使用定位后重试"))
        return data


class CancelForm(forms.Form):
    reason = form_field(Lead, "cancel_reason", required=True)
