"""The lead lifecycle in one place: assign, accept, arrive, close, cancel, merge and
auto-dispatch.

A lead closes only through what happened: an encounter recorded for it (its outcome becomes the
lead's, `lead_close_by_encounter`), or "nobody found" with a GPS check-in near the place and a
note (`lead_close_nobody_found`). There is no close with a freely chosen outcome. Teams, shifts and suggestions belong to `dispatch`; this module uses them and
`dispatch` never calls back.

Every transition takes the lead's row lock, re-checks the state and writes the LeadEvent and the
audit event in the same transaction, so that two people racing on one lead produce one
transition and a LeadConflictError for the other.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from types import MethodType
from typing import Any, Protocol

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import can_proceed

from warmwinter.accounts.permissions import Actor, require
from warmwinter.accounts.roles import Capability
from warmwinter.audit.models import AuditAction
from warmwinter.audit.services import audit_record
from warmwinter.dispatch import selectors as dispatch_selectors
from warmwinter.dispatch.models import Team
from warmwinter.leads import alerts, locator, rules
from warmwinter.leads.models import (
    Lead,
    LeadCheckIn,
    LeadEvent,
    LeadEventKind,
    LeadStatus,
    Outcome,
)
from warmwinter.places.geo import LatLng, OutsideServiceAreaError, check_in_shanghai, distance_m
from warmwinter.places.models import OrgUnit


class LeadConflictError(Exception):
    """The lead is no longer in a state that allows this (somebody else was first)."""


#: A transition of the lead's state machine, as the model declares it: `Lead.accept`, …
Transition = Callable[..., None]


def lead_transition(
    *,
    lead_id: int,
    transition: Transition,
    by: Actor | None,
    note: str = "",
    check: Callable[[Lead], None] | None = None,
    **kwargs: Any,
) -> Lead:
    """Apply `transition` (one of Lead's declared transitions: `Lead.dispatch`, `Lead.accept`,
    `Lead.arrive`, `Lead.close`, `Lead.merge`, `Lead.cancel`, `Lead.recall`) to a lead, holding
    its row lock.

    The common core of the transitions below, which check `by` before they call it; `by` is
    None when the system acts (auto-dispatch). It checks no capability itself.

    `check`, if given, runs on the locked row before the transition (e.g. "the user is in the
    lead's team") and raises to refuse. Raises LeadConflictError when the lead's state no longer
    allows the transition: the second of two racing dispatchers gets it.
    """
    now = timezone.now()
    with transaction.atomic():
        lead = Lead.objects.select_for_update().get(pk=lead_id)
        method = MethodType(transition, lead)
        if not can_proceed(method):
            raise LeadConflictError(
                _("线索当前状态为「%(s)s」，不能执行此操作（可能已被他人处理）")
                % {"s": LeadStatus(lead.status).label}
            )
        if check is not None:
            check(lead)
        from_status = lead.status
        method(at=now, **kwargs)
        stage = rules.STAGE_OF_STATUS.get(lead.status)
        if stage is not None:
            lead.due_at = now + rules.time_limit(
                priority=lead.priority, stage=stage[0], factor=lead.time_limit_factor
            )
        lead.escalation_level = 0
        lead.modified_by = by if getattr(by, "is_authenticated", False) else None
        lead.save()
        LeadEvent.objects.create(
            lead=lead,
            kind=LeadEventKind.TRANSITION,
            at=now,
            by=lead.modified_by,
            from_status=from_status,
            to_status=lead.status,
            note=note[:500],
        )
        audit_record(
            actor=by,
            action=AuditAction.UPDATE,
            target=lead,
            detail={"from": from_status, "to": lead.status},
        )
    return lead


def lead_cancel(*, lead: Lead, by: Actor, reason: str) -> Lead:
    """Cancel a lead with a reason (a dispatcher whose unit holds the lead)."""
    require(by, Capability.DISPATCH_LEADS, within=lead.org_unit)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("请填写取消原因")})
    return lead_transition(
        lead_id=lead.pk, transition=Lead.cancel, by=by, note=reason, reason=reason
    )


def lead_merge(*, lead: Lead, into: Lead, by: Actor, note: str = "") -> Lead:
    """Merge a duplicate into the lead it repeats; it stays readable under that lead. A
    dispatcher whose unit holds the duplicate merges it (into a lead the caller resolved
    through the same user's scope)."""
    require(by, Capability.DISPATCH_LEADS, within=lead.org_unit)
    if lead.pk == into.pk:
        raise ValidationError(_("不能把线索合并到它自己"))
    if into.status in (LeadStatus.MERGED, LeadStatus.CANCELLED):
        raise LeadConflictError(_("目标线索已合并或已取消"))
    with transaction.atomic():
        merged = lead_transition(
            lead_id=lead.pk,
            transition=Lead.merge,
            by=by,
            note=note or into.tracking_code,
            into=into,
        )
        LeadEvent.objects.create(
            lead=into,
            kind=LeadEventKind.NOTE,
            by=merged.modified_by,
            note=_("合并了重复线索 %(code)s") % {"code": merged.tracking_code},
        )
    return merged


def lead_assign(*, lead: Lead, team: Team, by: Actor, note: str = "") -> Lead:
    """Dispatch a received lead to `team` (one of the lead's district). The second of two
    dispatchers racing on one lead gets LeadConflictError.

    A lead near a border (`neighbour_district`) may also be taken by the neighbour district's
    dispatcher with one of its teams: the lead then becomes that district's. Either way the
    neighbour is cleared, so it leaves the other district's board."""
    takes_over = (
        lead.neighbour_district_id is not None and team.district_id == lead.neighbour_district_id
    )
    require(by, Capability.DISPATCH_LEADS, within=team.district if takes_over else lead.org_unit)
    if (team.district_id != lead.district_id and not takes_over) or team.is_archived:
        raise ValidationError({"team": _("只能派给线索所在区的救助分队")})
    takeover: dict[str, Any] = {}
    if takes_over:

        def still_neighbour(locked: Lead) -> None:
            # On the locked row: the other district may have taken it a moment ago.
            if locked.neighbour_district_id != team.district_id:
                raise LeadConflictError(_("线索已由相邻区接单"))

        takeover = {
            "check": still_neighbour,
            "org_unit": _street_for_takeover(lead, team.district),
        }
        note = note or _("%(team)s（%(district)s接手边界线索）") % {
            "team": team.name,
            "district": team.district.name,
        }
    assigned = lead_transition(
        lead_id=lead.pk,
        transition=Lead.dispatch,
        by=by,
        note=note or team.name,
        team=team,
        **takeover,
    )
    _alert_team_on_commit(assigned.pk)
    return assigned


def _street_for_takeover(lead: Lead, district: OrgUnit) -> OrgUnit:
    """The street of `district` nearest the lead (from known places), else the district."""
    return next(
        (s for s in locator.streets_near(lead.lat, lead.lng) if s.parent_id == district.pk),
        district,
    )


def _alert_team_on_commit(lead_id: int, round_: int = 1) -> None:
    """Queue the alert to the team once the dispatch is committed (a rolled-back dispatch
    alerts nobody)."""

    def enqueue() -> None:
        from warmwinter.leads.tasks import alert_team

        alert_team.enqueue(lead_id, round_)

    transaction.on_commit(enqueue)


#: A team's steps (accept, on scene, close) are the team's; a dispatcher may record what a team
#: reported by radio.
_TEAM_STEP = (Capability.HANDLE_LEADS, Capability.DISPATCH_LEADS)


def _member_check(user: Actor) -> Callable[[Lead], None]:
    """On the locked row: a patrol member must be in the team the lead is dispatched to."""

    def check(lead: Lead) -> None:
        if user.can(Capability.DISPATCH_LEADS):
            return
        if lead.team is None or not lead.team.members.filter(pk=user.pk).exists():
            raise PermissionDenied(_("只有被派单的分队队员可以处理此线索"))

    return check


def lead_accept(*, lead: Lead, by: Actor) -> Lead:
    require(by, _TEAM_STEP, within=lead.org_unit)
    return lead_transition(lead_id=lead.pk, transition=Lead.accept, by=by, check=_member_check(by))


def lead_arrive(*, lead: Lead, by: Actor) -> Lead:
    require(by, _TEAM_STEP, within=lead.org_unit)
    return lead_transition(lead_id=lead.pk, transition=Lead.arrive, by=by, check=_member_check(by))


#: The answer to a close with an outcome chosen freely (an old page, an API client).
CLOSE_THROUGH_ENCOUNTER = gettext_lazy(
    "不能直接选择处置结果办结线索：请登记街面处置（处置结果由登记决定），"
    "或在现场签到后按「现场未发现求助对象」办结"
)


class RecordedEncounter(Protocol):
    """An encounter (街面处置, `patrols.Encounter`) as the lifecycle needs it: which lead it was
    recorded for and the lead outcome its disposition means. `patrols` sits above `leads`, so
    the lifecycle names the shape, not the model."""

    pk: int
    lead_id: int | None
    note: str

    @property
    def lead_outcome(self) -> str: ...


def lead_close_by_encounter(*, lead: Lead, by: Actor, encounter: RecordedEncounter) -> Lead:
    """Close a lead through the encounter the team recorded for it: the encounter's outcome
    becomes the lead's. The only way a lead closes with a person found; `patrols` calls it when
    it stores an encounter with `lead_id`."""
    require(by, _TEAM_STEP, within=lead.org_unit)
    if encounter.lead_id != lead.pk:
        raise ValidationError({"lead_id": _("该街面处置记录不是为此线索登记的")})
    outcome = encounter.lead_outcome
    if outcome not in Outcome.values or outcome == Outcome.NOT_FOUND:
        raise ValidationError({"disposition": _("该处置不能作为线索的处置结果")})
    return lead_transition(
        lead_id=lead.pk,
        transition=Lead.close,
        by=by,
        note=_("街面处置 #%(id)s") % {"id": encounter.pk},
        check=_member_check(by),
        outcome=outcome,
        outcome_note=encounter.note or _("见街面处置记录 #%(id)s") % {"id": encounter.pk},
    )


def lead_close_nobody_found(
    *,
    lead: Lead,
    by: Actor,
    latitude: float,
    longitude: float,
    accuracy_m: float,
    note: str,
) -> Lead:
    """Close a lead as "nobody found at the place" (现场未发现求助对象): only with the phone's GPS
    check-in near the lead's place (`rules.nobody_found_refusal`) and a note of what the team
    did there. The check-in is kept (`LeadCheckIn`) beside the transition."""
    require(by, _TEAM_STEP, within=lead.org_unit)
    note = note.strip()
    errors: dict[str, str] = {}
    if not note:
        errors["note"] = _("请填写现场情况（如：已在周边 200 米内查找，询问保安，未发现求助对象）")
    try:
        check_in_shanghai(latitude, longitude)
    except OutsideServiceAreaError as exc:
        errors["latitude"] = str(exc)
    if not 0 <= accuracy_m <= 100000:
        errors["accuracy_m"] = _("定位精度须为 0 至 100000 米")
    if errors:
        raise ValidationError(errors)
    away = distance_m(LatLng(latitude, longitude), LatLng(lead.lat, lead.lng))
    refusal = rules.nobody_found_refusal(distance_m=away, accuracy_m=accuracy_m)
    if refusal:
        raise ValidationError({"latitude": refusal})
    with transaction.atomic():
        closed = lead_transition(
            lead_id=lead.pk,
            transition=Lead.close,
            by=by,
            note=_("现场未发现求助对象（签到距线索地点 %(n)d 米）：%(note)s")
            % {"n": round(away), "note": note},
            check=_member_check(by),
            outcome=Outcome.NOT_FOUND,
            outcome_note=note,
        )
        checkin = LeadCheckIn(
            lead=closed,
            event=closed.events.filter(kind=LeadEventKind.TRANSITION).last(),
            at=closed.closed_at or timezone.now(),
            by=by,
            lat=latitude,
            lng=longitude,
            accuracy_m=accuracy_m,
            distance_m=away,
            note=note,
        )
        checkin.full_clean()
        checkin.save()
    return closed


def auto_dispatch(*, lead_id: int) -> Lead | None:
    """Assign a just-received lead to the top available suggestion, if there is one and the
    lead is still waiting (a dispatcher may have been faster)."""
    lead = Lead.objects.select_related("district").filter(pk=lead_id).first()
    if lead is None or not dispatch_selectors.auto_dispatch_on(lead.district_id):
        return None
    best = next((s for s in dispatch_selectors.suggestions_for(lead) if s.available), None)
    if best is None:
        return None
    try:
        assigned = lead_transition(
            lead_id=lead.pk,
            transition=Lead.dispatch,
            by=None,
            note=_("自动派单：%(team)s") % {"team": best.team.name},
            team=best.team,
        )
    except LeadConflictError:
        return None
    _alert_team_on_commit(assigned.pk)
    return assigned


def chase_unaccepted(*, now: datetime | None = None) -> int:
    """The periodic chase of dispatched leads nobody accepted: past the first limit of the
    rulebook's `leads.accept_alerts` the team is alerted again; past the second the lead goes
    back to the dispatcher's board as 「未接单」 (a recall with a history entry) and the
    district's dispatchers are told. Returns how many leads were chased."""
    from warmwinter.accounts.roles import Role
    from warmwinter.notifications.models import Urgency
    from warmwinter.notifications.services import notify, recipients_for

    now = now or timezone.now()
    chased = 0
    for lead in alerts.leads_to_chase():
        assert lead.dispatched_at is not None  # noqa: S101 - the query's filter
        again, back = rules.accept_alert_limits(
            priority=lead.priority, factor=lead.time_limit_factor
        )
        if lead.dispatched_at + back <= now:
            try:
                with transaction.atomic():
                    recalled = lead_transition(
                        lead_id=lead.pk,
                        transition=Lead.recall,
                        by=None,
                        note=_("未接单：派单后 %(m)d 分钟无人接单，退回调度台")
                        % {"m": int(back.total_seconds() // 60)},
                        check=_still_dispatched_at(lead.dispatched_at),
                        not_accepted=True,
                    )
                    notify(
                        recipients=recipients_for(
                            org_unit=recalled.district, roles=[Role.DISPATCHER]
                        ),
                        title=_("线索未接单，已退回调度台"),
                        body=_("线索 %(code)s 派单后无人接单，请重新派单")
                        % {"code": recalled.tracking_code},
                        url=f"/leads/{recalled.pk}/",
                        urgency=Urgency.WARNING,
                        source="leads",
                    )
            except (LeadConflictError, _RedispatchedError):
                continue
            chased += 1
        elif lead.dispatched_at + again <= now and lead.alerts_sent < 2:
            Lead.objects.filter(pk=lead.pk, alerts_sent__lt=2).update(alerts_sent=2)
            _alert_team_on_commit(lead.pk, round_=2)
            chased += 1
    return chased


class _RedispatchedError(Exception):
    """The lead was dispatched again between the chase's read and its lock."""


def _still_dispatched_at(at: datetime) -> Callable[[Lead], None]:
    """On the locked row: the dispatch the chase read is still the lead's."""

    def check(lead: Lead) -> None:
        if lead.dispatched_at != at:
            raise _RedispatchedError

    return check
