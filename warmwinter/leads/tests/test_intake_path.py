"""The machine intake's fast path: what it caches and what it writes must be what the plain
path would (the token still refused once revoked, the same trail, the same answer)."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from warmwinter.accounts.models import ApiToken
from warmwinter.audit.middleware import current_request
from warmwinter.audit.models import AuditAction, AuditEvent
from warmwinter.audit.services import audit_record
from warmwinter.dispatch.models import DistrictDispatch
from warmwinter.leads import store
from warmwinter.leads.api import LeadOut
from warmwinter.leads.models import Lead, LeadEventKind, LeadStatus


@pytest.fixture
def grid_user(make_user):
    return make_user("grid_platform", "dispatcher", "310000")


def _intake(client, token, key, **body):
    payload = {"lat": 31.2320, "lng": 121.4750, "description": "网格员上报", **body}
    return client.post(
        "/api/v1/leads/intake",
        json.dumps(payload),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
    )


def test_a_revoked_token_is_refused_at_once_although_token_lookups_are_cached(
    client, grid_user, token_for, huangpu_key_place
):
    token = token_for(grid_user)
    assert _intake(client, token, "grid-rev-0001").status_code == 201
    row = ApiToken.objects.get(user=grid_user)
    row.revoked_at = timezone.now()
    row.save()
    assert _intake(client, token, "grid-rev-0002").status_code == 401
    assert Lead.objects.count() == 1


def test_a_token_is_refused_once_it_expires_although_token_lookups_are_cached(
    client, grid_user, token_for, huangpu_key_place
):
    token = token_for(grid_user)
    expires = timezone.now() + timedelta(seconds=2.5)
    ApiToken.objects.filter(user=grid_user).update(expires_at=expires)
    assert _intake(client, token, "grid-exp-0001").status_code == 201
    time.sleep(max(0.0, (expires - timezone.now()).total_seconds()) + 0.6)
    assert _intake(client, token, "grid-exp-0002").status_code == 401


def test_a_deactivated_platform_account_is_refused_at_once(
    client, grid_user, token_for, huangpu_key_place
):
    token = token_for(grid_user)
    assert _intake(client, token, "grid-off-0001").status_code == 201
    grid_user.is_active = False
    grid_user.save()
    assert _intake(client, token, "grid-off-0002").status_code == 401


def test_an_intake_stores_the_lead_with_its_event_and_its_audit_event(
    client, grid_user, token_for, huangpu_key_place
):
    r = _intake(client, token_for(grid_user), "grid-trail-0001", signals=["child"])
    assert r.status_code == 201, r.content
    lead = Lead.objects.get(pk=r.json()["id"])
    event = lead.events.get()
    assert (event.kind, event.to_status, event.by, event.at) == (
        LeadEventKind.CREATED,
        LeadStatus.RECEIVED,
        grid_user,
        lead.received_at,
    )
    audit = AuditEvent.objects.get(target_type="leads.lead", target_id=str(lead.pk))
    assert (audit.actor, audit.action, audit.target_label, audit.org_unit, audit.via) == (
        grid_user,
        AuditAction.CREATE,
        lead.tracking_code,
        lead.org_unit,
        "api",
    )
    assert lead.modified_at is not None and lead.created_by == grid_user


@pytest.mark.parametrize("with_request", [True, False])
@pytest.mark.parametrize("by_user", [True, False])
def test_the_one_statement_store_records_what_audit_record_records(
    make_lead, grid_user, rf, with_request, by_user
):
    by = grid_user if by_user else None
    lead = make_lead(by=by)
    token = current_request.set(rf.post("/api/v1/leads/intake") if with_request else None)
    try:
        expected = audit_record(actor=by, action=AuditAction.CREATE, target=lead)
        built = store.audit_event_for_new_lead(lead, by)
    finally:
        current_request.reset(token)
    fields = [
        f.attname
        for f in AuditEvent._meta.concrete_fields
        if f.attname not in ("id", "at", "target_id")
    ]
    assert {f: getattr(built, f) for f in fields} == {f: getattr(expected, f) for f in fields}


def test_the_intake_answer_is_the_lead_as_the_other_endpoints_show_it(make_lead):
    lead = Lead.objects.select_related("district", "org_unit").get(pk=make_lead().pk)
    assert LeadOut.of(lead).model_dump() == LeadOut.from_orm(lead).model_dump()


def test_a_retry_of_an_accepted_report_gets_its_lead_even_if_the_copy_is_now_refused(
    client, grid_user, token_for, huangpu_key_place, time_machine
):
    token = token_for(grid_user)
    stated = timezone.now().isoformat()
    first = _intake(client, token, "grid-retry-0001", received_at=stated)
    assert first.status_code == 201
    time_machine.move_to(timezone.now() + timedelta(days=2))  # the copy is now too old
    retry = _intake(client, token, "grid-retry-0001", received_at=stated)
    assert retry.status_code == 200
    assert retry.json()["id"] == first.json()["id"]
    assert _intake(client, token, "grid-retry-0002", received_at=stated).status_code == 422
    assert Lead.objects.count() == 1


def test_switching_auto_dispatch_off_applies_to_the_very_next_lead(
    make_lead, huangpu_team, huangpu_dispatcher, client_for, django_capture_on_commit_callbacks
):
    c = client_for(huangpu_dispatcher)
    assert c.post("/dispatch/auto-dispatch/", {"district": "310101", "on": "1"}).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        first = make_lead()
    first.refresh_from_db()
    assert first.status == LeadStatus.DISPATCHED
    assert c.post("/dispatch/auto-dispatch/", {"district": "310101", "on": ""}).status_code == 302
    assert not DistrictDispatch.objects.get(district__code="310101").auto_dispatch
    with django_capture_on_commit_callbacks(execute=True):
        second = make_lead()
    second.refresh_from_db()
    assert second.status == LeadStatus.RECEIVED


def test_tracking_codes_are_ten_symbols_drawn_from_the_whole_alphabet_at_every_position():
    from warmwinter.leads.services import _CODE_ALPHABET, new_tracking_code

    codes = [new_tracking_code() for _ in range(3000)]
    assert all(len(code) == 10 and set(code) <= set(_CODE_ALPHABET) for code in codes)
    assert len(set(codes)) == len(codes)
    # 3,000 codes give each symbol ~94 chances per position: a missing one means lost bits.
    for position in range(10):
        assert {code[position] for code in codes} == set(_CODE_ALPHABET)
