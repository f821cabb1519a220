"""Writes of places and org units."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from warmwinter.accounts.roles import Capability
from warmwinter.audit.models import AuditAction
from warmwinter.audit.services import audit_record
from warmwinter.places import geo
from warmwinter.places.models import OrgUnit, Place


def place_create(
    *,
    by: Any,
    kind: str,
    name: str,
    org_unit: OrgUnit,
    lat: float,
    lng: float,
    datum: str = "wgs84",
    key_place_type: str = "",
    address: str = "",
    phone: str = "",
    opening_hours: str = "",
    capacity: int | None = None,
    risk_notes: str = "",
    is_public: bool = False,
) -> Place:
    """Create a place owned by `org_unit`, which must lie in the creator's scope."""
    if not by.can(Capability.MANAGE_PLACES):
        raise PermissionDenied(_("您的角色不能管理地点"))
    if by.org_unit is None or not by.org_unit.contains(org_unit):
        # The caller resolved org_unit through the user's scope; this is a second lock.
        raise PermissionDenied(_("只能在本单位范围内新建地点"))
    point = geo.to_wgs84(lat, lng, datum=datum)
    place = Place(
        kind=kind,
        key_place_type=key_place_type,
        name=name,
        org_unit=org_unit,
        lat=point.lat,
        lng=point.lng,
        address=address,
        phone=phone,
        opening_hours=opening_hours,
        capacity=capacity,
        risk_notes=risk_notes,
        is_public=is_public,
        created_by=by,
        modified_by=by,
    )
    place.full_clean()
    with transaction.atomic():
        place.save()
        audit_record(actor=by, action=AuditAction.CREATE, target=place)
    return place
