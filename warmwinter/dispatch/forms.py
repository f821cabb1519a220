"""Forms of the team pages. They parse and validate input; the services in `services.py`
apply the rules (district, name, coordinates, members, shift times) and write."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from warmwinter.accounts.models import User
from warmwinter.core import clock
from warmwinter.core.validation import form_field
from warmwinter.dispatch import selectors
from warmwinter.dispatch.models import Team
from warmwinter.places.models import OrgUnit, Place
from warmwinter.places.selectors import districts_visible_to

PHONE_RE = r"^[0-9+\- ]{5,20}$"
#: datetime-local inputs send and show minutes, in the site's time zone (Asia/Shanghai).
LOCAL_INPUT_FORMAT = "%Y-%m-%dT%H:%M"


class MemberChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        agency = obj.get_agency_display() or obj.get_role_display()
        unit = obj.org_unit.name if obj.org_unit_id else ""
        return f"{obj}（{agency}）· {unit}"


class BasePlaceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.get_kind_display()}）"


class TeamForm(forms.Form):
    """New team (`team=None`) or an existing one; its district is fixed once created."""

    name = form_field(Team, "name", label=_("分队名称"))
    district = forms.ModelChoiceField(
        label=_("所属区"), queryset=OrgUnit.objects.none(), empty_label=None
    )
    base_place = BasePlaceChoiceField(
        label=_("驻点（可选）"),
        queryset=Place.objects.none(),
        required=False,
        help_text=_("选择驻点后，经纬度不填即取驻点的坐标"),
    )
    # No bounds here: the service says "not in Shanghai (swapped?)", which helps more.
    lat = forms.FloatField(label=_("驻点纬度（WGS-84）"), required=False)
    lng = forms.FloatField(label=_("驻点经度（WGS-84）"), required=False)
    phone = form_field(
        Team, "phone", validators=[RegexValidator(PHONE_RE, _("请输入有效的电话号码"))]
    )
    max_load = form_field(Team, "max_load")
    members = MemberChoiceField(
        label=_("队员"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("所选人员不是本区的巡查队员：%(value)s")},
    )

    def __init__(self, *args: Any, user: Any, team: Team | None = None, **kwargs: Any) -> None:
        self.team = team
        if team is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": team.name,
                    "district": team.district_id,
                    "base_place": team.base_place_id,
                    "lat": team.lat,
                    "lng": team.lng,
                    "phone": team.phone,
                    "max_load": team.max_load,
                    "members": list(team.members.values_list("pk", flat=True)),
                },
            )
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        if team is not None:
            districts = [team.district]
            fields["district"].queryset = OrgUnit.objects.filter(pk=team.district_id)
            fields["district"].disabled = True
        else:
            # A district user puts a team in their own district, city users in any.
            district_qs = districts_visible_to(user)
            districts = list(district_qs)
            fields["district"].queryset = district_qs
        fields["base_place"].queryset = selectors.base_places_for(user=user, districts=districts)
        fields["members"].queryset = selectors.member_candidates(districts=districts, team=team)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        place: Place | None = data.get("base_place")
        lat, lng = data.get("lat"), data.get("lng")
        if "lat" in self.errors or "lng" in self.errors:
            return data
        moved_base = (
            self.team is not None
            and "base_place" in self.changed_data
            and "lat" not in self.changed_data
            and "lng" not in self.changed_data
        )
        if place is not None and ((lat is None and lng is None) or moved_base):
            # The base's coordinates, unless the dispatcher entered others (e.g. the gate).
            data["lat"], data["lng"] = place.lat, place.lng
        elif lat is None or lng is None:
            self.add_error("lat", _("请选择驻点，或填写驻点的纬度和经度"))
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "base_place": data.get("base_place"),
            "lat": data["lat"],
            "lng": data["lng"],
            "phone": data.get("phone", ""),
            "max_load": data["max_load"],
            "members": list(data.get("members") or []),
        }


def _local_input(moment: datetime) -> str:
    return clock.local(moment).strftime(LOCAL_INPUT_FORMAT)


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format=LOCAL_INPUT_FORMAT, **kwargs)


class ShiftForm(forms.Form):
    """Start and end, as the browser's datetime-local sends them, read in Asia/Shanghai."""

    starts_at = forms.DateTimeField(label=_("开始"), widget=LocalDateTimeInput())
    ends_at = forms.DateTimeField(label=_("结束"), widget=LocalDateTimeInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if not args or args[0] is None:
            # Tonight 20:00 to tomorrow 08:00, the usual night shift of the joint patrol.
            start = clock.at(clock.local_date(), time(20, 0))
            kwargs.setdefault(
                "initial",
                {
                    "starts_at": _local_input(start),
                    "ends_at": _local_input(start + timedelta(hours=12)),
                },
            )
        super().__init__(*args, **kwargs)


class ArchiveForm(forms.Form):
    reason = form_field(Team, "archive_reason", required=True)
