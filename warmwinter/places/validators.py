"""Coordinates as typed or sent, before the datum is converted and Shanghai is checked
(`geo.check_in_shanghai` gives the clearer refusal for a point that is merely elsewhere), and
the API's one latitude and longitude types derived from them."""

from __future__ import annotations

from typing import Annotated

from django.core.validators import MaxLengthValidator

from warmwinter.core.validation import api_field, between
from warmwinter.places.models import OrgUnit, org_code_validator

LATITUDE = between(-90, 90)
LONGITUDE = between(-180, 180)

Lat = Annotated[float, api_field(LATITUDE, allow_inf_nan=False, description="纬度")]
Lng = Annotated[float, api_field(LONGITUDE, allow_inf_nan=False, description="经度")]
#: The code of an org unit (区划/单位代码), refused by the schema's pattern before any lookup.
OrgCode = Annotated[
    str,
    api_field(
        OrgUnit, "code", pattern=org_code_validator.regex.pattern, description="区划/单位代码"
    ),
]

#: What may be typed into the search box of places (name or address).
PLACE_SEARCH = [MaxLengthValidator(50)]
