"""Cancelling and merging a lead are a dispatcher's: anyone else is refused (403) and the lead,
its history and the audit trail stay as they were, in the service, on the page and in the API.
(Before the one permission check, `lead_cancel` and `lead_merge` checked nobody.)"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from warmwinter.audit.models import AuditEvent
from warmwinter.leads import lifecycle
from warmwinter.leads.models import Lead, LeadEvent, LeadStatus

REFUSAL = "您的角色不能调度线索、管理救助分队与排班"


@pytest.fixture
def leads(make_lead: Any, reporter: Any) -> tuple[Lead, Lead]:
    """A lead and a likely duplicate, both reported by the reporter (so that they see them)."""
    first = make_lead(channel="service_point", by=reporter)
    again = make_lead(channel="service_point", by=reporter, description="桥下又有人")
    return first, again


def _trail() -> tuple[int, int, list[str]]:
    return (
        LeadEvent.objects.count(),
        AuditEvent.objects.count(),
        list(Lead.objects.order_by("pk").values_list("status", flat=True)),
    )


@pytest.mark.parametrize("persona", ["huangpu_patrol", "reporter"])
def test_only_a_dispatcher_may_cancel_or_merge_a_lead(
    persona: str, request: Any, leads: tuple[Lead, Lead]
) -> None:
    user = request.getfixturevalue(persona)
    lead, duplicate = leads
    before = _trail()
    with pytest.raises(PermissionDenied, match=REFUSAL):
        lifecycle.lead_cancel(lead=lead, by=user, reason="报告人说已离开")
    with pytest.raises(PermissionDenied, match=REFUSAL):
        lifecycle.lead_merge(lead=duplicate, into=lead, by=user)
    assert _trail() == before
    assert set(Lead.objects.values_list("status", flat=True)) == {LeadStatus.RECEIVED}


@pytest.mark.parametrize("persona", ["huangpu_patrol", "reporter"])
def test_the_page_refuses_cancel_and_merge_and_nothing_changes(
    persona: str, request: Any, leads: tuple[Lead, Lead], client_for: Any
) -> None:
    client = client_for(request.getfixturevalue(persona))
    lead, duplicate = leads
    before = _trail()
    cancel = client.post(f"/leads/{lead.pk}/cancel/", {"reason": "报告人说已离开"})
    merge = client.post(f"/leads/{duplicate.pk}/merge/", {"into": lead.pk})
    assert (cancel.status_code, merge.status_code) == (403, 403)
    assert _trail() == before


@pytest.mark.parametrize("persona", ["huangpu_patrol", "reporter"])
def test_the_api_refuses_cancel_and_merge_and_nothing_changes(
    persona: str, request: Any, leads: tuple[Lead, Lead], client: Any, token_for: Any
) -> None:
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_for(request.getfixturevalue(persona))}"}
    lead, duplicate = leads
    before = _trail()
    cancel = client.post(
        f"/api/v1/leads/{lead.pk}/cancel",
        json.dumps({"reason": "报告人说已离开"}),
        content_type="application/json",
        **auth,
    )
    merge = client.post(
        f"/api/v1/leads/{duplicate.pk}/merge",
        json.dumps({"into_id": lead.pk}),
        content_type="application/json",
        **auth,
    )
    assert (cancel.status_code, merge.status_code) == (403, 403)
    assert cancel.json() == {"detail": REFUSAL, "errors": []}
    assert merge.json() == {"detail": REFUSAL, "errors": []}
    assert _trail() == before


def test_the_district_dispatcher_still_cancels_and_merges(
    leads: tuple[Lead, Lead], huangpu_dispatcher: Any
) -> None:
    lead, duplicate = leads
    lifecycle.lead_merge(lead=duplicate, into=lead, by=huangpu_dispatcher)
    lifecycle.lead_cancel(lead=lead, by=huangpu_dispatcher, reason="报告人说已离开")
    statuses = dict(Lead.objects.values_list("pk", "status"))
    assert statuses == {lead.pk: LeadStatus.CANCELLED, duplicate.pk: LeadStatus.MERGED}


def test_another_districts_dispatcher_is_refused(
    leads: tuple[Lead, Lead], pudong_dispatcher: Any
) -> None:
    lead, _duplicate = leads
    with pytest.raises(PermissionDenied, match="不在您所属单位的范围内"):
        lifecycle.lead_cancel(lead=lead, by=pudong_dispatcher, reason="报告人说已离开")
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.RECEIVED
