"""Writes of places and org units."""

from __future__ import annotations

from django.db import transaction

from warmwinter.accounts.permissions import Actor, require
from warmwinter.accounts.roles import Capability
from warmwinter.audit.models import AuditAction
from warmwinter.audit.services import audit_record
from warmwinter.places import geo
from warmwinter.places.models import OrgUnit, Place


def place_create(
    *,
    by: Actor,
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
    require(by, Capability.MANAGE_PLACES, within=org_unit)
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
