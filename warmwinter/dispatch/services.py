"""Writes for dispatch: the district's auto-dispatch switch, and the teams and their shifts that
the district's dispatcher sets up. The lead lifecycle itself is `leads.lifecycle`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from warmwinter.accounts.permissions import Actor, require
from warmwinter.accounts.roles import Capability
from warmwinter.audit.models import AuditAction
from warmwinter.audit.services import audit_record
from warmwinter.core import clock, shifts
from warmwinter.dispatch import selectors
from warmwinter.dispatch.models import DistrictDispatch, Shift, Team
from warmwinter.places import geo
from warmwinter.places.geo import OutsideServiceAreaError
from warmwinter.places.models import OrgLevel, OrgUnit, Place


def auto_dispatch_set(*, district: OrgUnit, on: bool, by: Actor) -> DistrictDispatch:
    require(by, Capability.DISPATCH_LEADS, within=district)
    with transaction.atomic():
        setting, _created = DistrictDispatch.objects.select_for_update().get_or_create(
            district=district
        )
        setting.auto_dispatch = on
        setting.save()
    # Forget the cached answer now, and again when a caller's transaction (if any) commits,
    # in case a lead in between cached the old value.
    key = selectors.auto_dispatch_cache_key(district.pk)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))
    return setting


# --- Teams ------------------------------------------------------------------------------------


def _team_errors(team: Team, members: list[Any]) -> dict[str, str]:
    """What is wrong with `team` as it is about to be saved (new or changed) and its members."""
    district, name = team.district, team.name
    errors: dict[str, str] = {}
    if district.level != OrgLevel.DISTRICT:
        errors["district"] = _("救助分队须属于一个区")
    if not name:
        errors["name"] = _("请填写分队名称")
    else:
        existing = Team.objects.filter(district=district, name=name).exclude(pk=team.pk).first()
        if existing is not None:
            errors["name"] = (
                _("%(district)s已有已归档的同名分队“%(name)s”，请换一个名称")
                if existing.is_archived
                else _("%(district)s已有名为“%(name)s”的分队，请换一个名称")
            ) % {"district": district.name, "name": name}
    if team.base_place is not None and not district.contains(team.base_place.org_unit):
        errors["base_place"] = _("驻点须在%(district)s内") % {"district": district.name}
    try:
        geo.check_in_shanghai(team.lat, team.lng)
    except OutsideServiceAreaError as exc:
        errors["lat"] = str(exc)
    outside = [
        str(m)
        for m in members
        if not m.is_active
        or m.role not in selectors.MEMBER_ROLES
        or m.org_unit is None
        or not district.contains(m.org_unit)
    ]
    if outside:
        errors["members"] = _("以下人员不是%(district)s的巡查队员，不能编入本分队：%(names)s") % {
            "district": district.name,
            "names": "、".join(outside),
        }
    return errors


def _save_team(team: Team, members: list[Any]) -> None:
    """Check the team and its members, validate the row (the model's bounds: lengths, the
    load) and save it; a duplicate name that slipped past the check (two dispatchers at once)
    becomes the same form error, not a 500."""
    errors = _team_errors(team, members)
    try:
        team.full_clean(validate_constraints=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, " ".join(messages))
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            team.save()
    except IntegrityError:
        raise ValidationError(
            {
                "name": _("%(district)s已有名为“%(name)s”的分队，请换一个名称")
                % {"district": team.district.name, "name": team.name}
            }
        ) from None


def team_create(
    *,
    by: Actor,
    district: OrgUnit,
    name: str,
    lat: float,
    lng: float,
    base_place: Place | None = None,
    phone: str = "",
    max_load: int = 3,
    members: Iterable[Any] = (),
) -> Team:
    """A new rescue team of `district` (which the caller resolved through the user's scope)."""
    require(by, Capability.DISPATCH_LEADS, within=district)
    members = list(members)
    name = name.strip()
    team = Team(
        district=district,
        name=name,
        base_place=base_place,
        lat=lat,
        lng=lng,
        phone=phone.strip(),
        max_load=max_load,
        created_by=by,
        modified_by=by,
    )
    with transaction.atomic():
        _save_team(team, members)
        team.members.set(members)
        audit_record(
            actor=by,
            action=AuditAction.CREATE,
            target=team,
            detail={"members": sorted(m.username for m in members)},
        )
    return team


#: Fields of a team whose changes the audit trail spells out.
_TEAM_FIELDS = ("name", "base_place_id", "lat", "lng", "phone", "max_load")


def team_update(
    *,
    team: Team,
    by: Actor,
    name: str,
    lat: float,
    lng: float,
    base_place: Place | None = None,
    phone: str = "",
    max_load: int = 3,
    members: Iterable[Any] = (),
) -> Team:
    """Change a team's name, base, phone, load limit and members. Its district stays."""
    require(by, Capability.DISPATCH_LEADS, within=team.district)
    members = list(members)
    name = name.strip()
    with transaction.atomic():
        team = Team.objects.select_for_update().select_related("district").get(pk=team.pk)
        if team.is_archived:
            raise ValidationError(_("分队已归档，不能修改"))
        before = {f: getattr(team, f) for f in _TEAM_FIELDS}
        old_members = set(team.members.values_list("username", flat=True))
        team.name = name
        team.base_place = base_place
        team.lat, team.lng = lat, lng
        team.phone = phone.strip()
        team.max_load = max_load
        team.modified_by = by
        _save_team(team, members)
        team.members.set(members)
        new_members = {m.username for m in members}
        changed: dict[str, Any] = {
            f: [before[f], getattr(team, f)] for f in _TEAM_FIELDS if before[f] != getattr(team, f)
        }
        if new_members != old_members:
            changed["members_added"] = sorted(new_members - old_members)
            changed["members_removed"] = sorted(old_members - new_members)
        audit_record(actor=by, action=AuditAction.UPDATE, target=team, detail=changed)
    return team


def team_archive(*, team: Team, by: Actor, reason: str) -> Team:
    """Archive a team (never delete: leads and encounters point at it). Refused while it still
    has leads in hand; its shifts stay as the record of who was on duty."""
    require(by, Capability.DISPATCH_LEADS, within=team.district)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("请说明归档原因")})
    with transaction.atomic():
        team = Team.objects.select_for_update().select_related("district").get(pk=team.pk)
        if team.is_archived:
            raise ValidationError(_("分队已归档"))
        in_hand = team.leads.filter(status__in=selectors.ACTIVE_STATUSES).count()
        if in_hand:
            raise ValidationError(
                _("分队还有 %(n)s 条在办线索，办结或改派后才能归档") % {"n": in_hand}
            )
        team.archived_at = timezone.now()
        team.archived_by = by
        team.archive_reason = reason[:200]
        team.modified_by = by
        team.save(update_fields=["archived_at", "archived_by", "archive_reason", "modified_by"])
        audit_record(
            actor=by, action=AuditAction.ARCHIVE, target=team, detail={"reason": reason[:200]}
        )
    return team


# --- Shifts -----------------------------------------------------------------------------------

#: The convenience copy: tonight's shift onto this many following nights.
REPEAT_NIGHTS = 7


def _locked_team(team: Team) -> Team:
    """The team's row, locked: shifts of one team are added and removed one writer at a time,
    so two dispatchers cannot both add overlapping shifts. Caller is in a transaction."""
    locked = Team.objects.select_for_update().select_related("district").get(pk=team.pk)
    if locked.is_archived:
        raise ValidationError(_("分队已归档，不能排班"))
    return locked


def shift_add(
    *, team: Team, starts_at: datetime, ends_at: datetime, by: Actor, now: datetime | None = None
) -> Shift:
    """Put `team` on duty from `starts_at` to `ends_at` (at most 24 h, not overlapping another
    of its shifts, not yet over, at most 60 days ahead: `core/shifts.py`)."""
    require(by, Capability.DISPATCH_LEADS, within=team.district)
    now = now or timezone.now()
    errors = shifts.shift_errors(starts_at, ends_at, now=now)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        team = _locked_team(team)
        shifts.refuse_overlap(Shift.objects.filter(team=team), starts_at, ends_at)
        shift = Shift.objects.create(team=team, starts_at=starts_at, ends_at=ends_at)
        audit_record(actor=by, action=AuditAction.CREATE, target=shift)
    return shift


def shift_remove(*, shift: Shift, by: Actor, now: datetime | None = None) -> None:
    """Take a shift that has not begun off the roster. One already begun is the record of who
    was on duty and stays."""
    require(by, Capability.DISPATCH_LEADS, within=shift.team.district)
    now = now or timezone.now()
    with transaction.atomic():
        _locked_team(shift.team)
        shift = Shift.objects.select_related("team").get(pk=shift.pk)
        if shift.starts_at <= now:
            raise ValidationError(_("只能删除尚未开始的班次"))
        # Shifts are not archivable: the trail keeps what was removed (as patrol stops do).
        audit_record(
            actor=by,
            action=AuditAction.ARCHIVE,
            target=shift,
            detail={
                "removed": True,
                "starts_at": clock.local(shift.starts_at).isoformat(),
                "ends_at": clock.local(shift.ends_at).isoformat(),
            },
        )
        shift.delete()


def shift_repeat(
    *, shift: Shift, by: Actor, nights: int = REPEAT_NIGHTS, now: datetime | None = None
) -> tuple[list[Shift], int]:
    """Copy `shift` to the same local hours on each of the next `nights` days. Days that
    already have an overlapping shift (or lie beyond the 60 days) are skipped. Returns the new
    shifts and how many days were skipped."""
    require(by, Capability.DISPATCH_LEADS, within=shift.team.district)
    now = now or timezone.now()
    start = clock.local(shift.starts_at)
    length = shift.ends_at - shift.starts_at
    created: list[Shift] = []
    skipped = 0
    with transaction.atomic():
        team = _locked_team(shift.team)
        for day in range(1, nights + 1):
            # Same wall-clock time on a later date (a fixed 24 h step would drift under DST).
            starts_at = clock.at(start.date() + timedelta(days=day), start.time())
            ends_at = starts_at + length
            if shifts.shift_errors(starts_at, ends_at, now=now) or (
                shifts.overlapping(Shift.objects.filter(team=team), starts_at, ends_at).exists()
            ):
                skipped += 1
                continue
            copy = Shift.objects.create(team=team, starts_at=starts_at, ends_at=ends_at)
            audit_record(
                actor=by, action=AuditAction.CREATE, target=copy, detail={"copied_from": shift.pk}
            )
            created.append(copy)
    return created, skipped
