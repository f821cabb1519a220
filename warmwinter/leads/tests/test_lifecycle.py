"""The lifecycle: received → dispatched → accepted → on scene → closed; merged; cancelled.
Every transition records who, when, from, to and why, and is atomic under concurrency."""

from types import SimpleNamespace

import pytest
from django_fsm import TransitionNotAllowed

from warmwinter.leads import lifecycle
from warmwinter.leads.models import Lead, LeadEvent, LeadEventKind, LeadStatus

pytestmark = pytest.mark.django_db


def test_a_lead_goes_from_received_to_closed_and_each_step_is_recorded(
    make_lead, huangpu_team, huangpu_dispatcher, huangpu_patrol
):
    lead = make_lead()
    assert lead.status == LeadStatus.RECEIVED
    lifecycle.lead_assign(lead=lead, team=huangpu_team, by=huangpu_dispatcher)
    lifecycle.lead_accept(lead=lead, by=huangpu_patrol)
    lifecycle.lead_arrive(lead=lead, by=huangpu_patrol)
    # the encounter the team recorded for the lead (patrols' model, in the shape the lifecycle
    # reads: this app sits below patrols)
    encounter = SimpleNamespace(
        pk=7, lead_id=lead.pk, note="已护送至市救助站", lead_outcome="escorted_station"
    )
    lead = lifecycle.lead_close_by_encounter(lead=lead, by=huangpu_patrol, encounter=encounter)
    assert lead.status == LeadStatus.CLOSED
    assert lead.outcome == "escorted_station"
    assert lead.outcome_note == "已护送至市救助站"
    events = list(lead.events.filter(kind=LeadEventKind.TRANSITION))
    assert [(e.from_status, e.to_status) for e in events] == [
        ("received", "dispatched"),
        ("dispatched", "accepted"),
        ("accepted", "on_scene"),
        ("on_scene", "closed"),
    ]
    assert [e.by for e in events] == [huangpu_dispatcher] + [huangpu_patrol] * 3
    assert events[-1].note == "街面处置 #7"
    assert lead.due_at is None


def test_the_status_cannot_be_set_directly_only_through_a_transition(make_lead):
    lead = make_lead()
    with pytest.raises(AttributeError):
        lead.status = LeadStatus.CLOSED


def test_a_closed_lead_cannot_be_accepted(make_lead, huangpu_team, huangpu_dispatcher):
    lead = make_lead()
    with pytest.raises(TransitionNotAllowed):
        lead.accept(at=None)
    lifecycle.lead_assign(lead=lead, team=huangpu_team, by=huangpu_dispatcher)
    lifecycle.lead_cancel(lead=lead, by=huangpu_dispatcher, reason="报告人撤回")
    with pytest.raises(lifecycle.LeadConflictError):
        lifecycle.lead_accept(lead=lead, by=huangpu_dispatcher)


def test_a_second_dispatch_of_the_same_lead_is_a_conflict(
    make_lead, huangpu_team, huangpu_dispatcher
):
    lead = make_lead()
    stale = Lead.objects.get(pk=lead.pk)
    lifecycle.lead_assign(lead=lead, team=huangpu_team, by=huangpu_dispatcher)
    with pytest.raises(lifecycle.LeadConflictError):
        lifecycle.lead_assign(lead=stale, team=huangpu_team, by=huangpu_dispatcher)
    assert lead.events.filter(to_status="dispatched").count() == 1


def test_only_a_member_of_the_assigned_team_may_accept(
    make_lead, huangpu_team, huangpu_dispatcher, make_user
):
    from django.core.exceptions import PermissionDenied

    outsider = make_user("other_patrol", "patrol_member", "310101", "police")
    lead = make_lead()
    lifecycle.lead_assign(lead=lead, team=huangpu_team, by=huangpu_dispatcher)
    with pytest.raises(PermissionDenied):
        lifecycle.lead_accept(lead=lead, by=outsider)
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.DISPATCHED


def test_cancelling_needs_a_reason_and_records_it(make_lead, huangpu_dispatcher):
    from django.core.exceptions import ValidationError

    lead = make_lead()
    with pytest.raises(ValidationError):
        lifecycle.lead_cancel(lead=lead, by=huangpu_dispatcher, reason="  ")
    lead = lifecycle.lead_cancel(lead=lead, by=huangpu_dispatcher, reason="误报")
    assert lead.status == LeadStatus.CANCELLED
    assert lead.cancel_reason == "误报"
    assert LeadEvent.objects.filter(lead=lead, to_status="cancelled", note="误报").exists()


def test_a_merged_lead_stays_readable_under_the_one_it_joined(make_lead, huangpu_dispatcher):
    first = make_lead(description="第一次报告")
    second = make_lead(description="第二次报告")
    lifecycle.lead_merge(lead=second, into=first, by=huangpu_dispatcher)
    second.refresh_from_db()
    assert second.status == LeadStatus.MERGED
    assert second.merged_into == first
    assert list(first.merged_leads.all()) == [second]
    assert first.events.filter(note__contains=second.tracking_code).exists()
