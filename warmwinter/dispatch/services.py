"""Writes for dispatch: assign a lead to a team, the team accepts, arrives, closes."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from warmwinter.accounts.roles import Capability
from warmwinter.dispatch import selectors
from warmwinter.dispatch.models import DistrictDispatch, Team
from warmwinter.leads.models import Lead, Outcome
from warmwinter.leads.services import LeadConflict, lead_transition
from warmwinter.places.models import OrgUnit


def lead_assign(*, lead: Lead, team: Team, by: Any, note: str = "") -> Lead:
    """Dispatch a received lead to `team` (one of the lead's district). The second of two
    dispatchers racing on one lead gets LeadConflict."""
    if by is not None and not by.can(Capability.DISPATCH_LEADS):
        raise PermissionDenied(_("您的角色不能派单"))
    if team.district_id != lead.district_id or team.is_archived:
        raise ValidationError({"team": _("只能派给线索所在区的救助分队")})
    return lead_transition(
        lead_id=lead.pk, action="dispatch", by=by, note=note or team.name, team=team
    )


def _member_check(user: Any) -> Any:
    def check(lead: Lead) -> None:
        if user.can(Capability.DISPATCH_LEADS):
            return  # a dispatcher may record what a team reported by radio
        if lead.team is None or not lead.team.members.filter(pk=user.pk).exists():
            raise PermissionDenied(_("只有被派单的分队队员可以处理此线索"))

    return check


def lead_accept(*, lead: Lead, by: Any) -> Lead:
    return lead_transition(lead_id=lead.pk, action="accept", by=by, check=_member_check(by))


def lead_arrive(*, lead: Lead, by: Any) -> Lead:
    return lead_transition(lead_id=lead.pk, action="arrive", by=by, check=_member_check(by))


def lead_close(*, lead: Lead, by: Any, outcome: str, note: str = "") -> Lead:
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("请选择处置结果")})
    return lead_transition(
        lead_id=lead.pk,
        action="close",
        by=by,
        note=note,
        check=_member_check(by),
        outcome=outcome,
        outcome_note=note,
    )


AUTO_DISPATCH_CACHE_S_DEFAULT = 5


def _auto_dispatch_key(district_id: int) -> str:
    return f"dispatch:auto:{district_id}"


def auto_dispatch_enabled(district_id: int) -> bool:
    """Whether the district has auto-dispatch on. Every received lead asks, so the answer is
    cached for DISPATCH_AUTO_CACHE_S seconds (default 5); switching it through
    `auto_dispatch_set` clears the entry, other processes with their own in-memory cache follow
    within the TTL (a lead in between waits on the board for a dispatcher, as it would anyway).
    """
    ttl = getattr(settings, "DISPATCH_AUTO_CACHE_S", AUTO_DISPATCH_CACHE_S_DEFAULT)
    key = _auto_dispatch_key(district_id)
    on: bool | None = cache.get(key) if ttl > 0 else None
    if on is None:
        on = selectors.auto_dispatch_on(district_id)
        if ttl > 0:
            cache.set(key, on, ttl)
    return on


def auto_dispatch_set(*, district: OrgUnit, on: bool, by: Any) -> DistrictDispatch:
    if not by.can(Capability.DISPATCH_LEADS):
        raise PermissionDenied(_("您的角色不能修改派单设置"))
    with transaction.atomic():
        setting, _created = DistrictDispatch.objects.select_for_update().get_or_create(
            district=district
        )
        setting.auto_dispatch = on
        setting.save()
    # Forget the cached answer now, and again when a caller's transaction (if any) commits,
    # in case a lead in between cached the old value.
    key = _auto_dispatch_key(district.pk)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))
    return setting


def auto_dispatch(*, lead_id: int) -> Lead | None:
    """Assign a just-received lead to the top available suggestion, if there is one and the
    lead is still waiting (a dispatcher may have been faster)."""
    lead = Lead.objects.select_related("district").filter(pk=lead_id).first()
    if lead is None or not selectors.auto_dispatch_on(lead.district_id):
        return None
    best = next((s for s in selectors.suggestions_for(lead) if s.available), None)
    if best is None:
        return None
    try:
        return lead_transition(
            lead_id=lead.pk,
            action="dispatch",
            by=None,
            note=_("自动派单：%(team)s") % {"team": best.team.name},
            team=best.team,
        )
    except LeadConflict:
        return None
