"""A dispatched team is alerted: Web Push to every member's phone (the real protocol, to a
push service of our own), SMS for urgent leads, a second alert when nobody accepts, and then
the lead goes back to the dispatcher's board as 「未接单」."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from unittest import mock

import pytest
import time_machine
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from warmwinter.core import clock
from warmwinter.leads import lifecycle
from warmwinter.leads.models import LeadStatus
from warmwinter.notifications.models import Notification, PushRevokedReason, PushSubscription
from warmwinter.notifications.push import vapid_public_key
from warmwinter.notifications.services import push_subscribe
from warmwinter.notifications.tests.push_endpoint import PushEndpoint

#: A winter evening; the rulebook's limits are read for that day.
EVENING = datetime(2026, 1, 20, 21, 0, tzinfo=clock.SHANGHAI)


@pytest.fixture(autouse=True)
def _push_settings(settings: Any) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    settings.PUSH_VAPID_PRIVATE_KEY = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    settings.PUSH_ALLOW_LOCAL_ENDPOINTS = True


@pytest.fixture
def push_service() -> Iterator[PushEndpoint]:
    with PushEndpoint() as service:
        yield service


@pytest.fixture
def evening() -> Iterator[Any]:
    with time_machine.travel(EVENING, tick=False) as traveller:
        yield traveller


def _subscribe(user: Any, service: PushEndpoint) -> tuple[PushSubscription, Any]:
    endpoint, device = service.device()
    subscription = push_subscribe(
        user=user, endpoint=endpoint, p256dh=device.p256dh, auth=device.auth, label="测试手机"
    )
    return subscription, device


def test_a_dispatched_teams_phone_receives_an_encrypted_push_naming_the_lead(
    push_service,
    make_lead,
    huangpu_team,
    huangpu_patrol,
    huangpu_dispatcher,
    django_capture_on_commit_callbacks,
):
    subscription, _device = _subscribe(huangpu_patrol, push_service)
    lead = make_lead(description="桥下有位老人，张某某，身份证 310101…")
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.lead_assign(lead=lead, team=huangpu_team, by=huangpu_dispatcher)

    received = push_service.wait_for(1)
    assert push_service.refused == []
    (delivery,) = received
    # VAPID: signed by the key the phone subscribed with, for this push service
    assert delivery.vapid_key == vapid_public_key()
    assert delivery.claims["aud"] == push_service.origin
    # decrypted with the phone's own keys (RFC 8291): the lead, its priority, a short place
    assert delivery.payload["lead"] == lead.pk
    assert delivery.payload["priority"] == lead.priority
    assert delivery.payload["place"] == lead.org_unit.name  # the street: no known place
    assert delivery.payload["url"] == f"/dispatch/my/#lead-{lead.pk}"
    assert "张某某" not in str(delivery.payload)  # no person data through a vendor's service
    subscription.refresh_from_db()
    assert subscription.last_success_at is not None
    assert "已提醒黄浦一分队：推送 1 台设备" in [e.note[:17] for e in lead.events.all()][-1]


def test_a_phone_the_push_service_says_is_gone_is_no_longer_alerted(
    push_service,
    make_lead,
    huangpu_team,
    huangpu_patrol,
    huangpu_dispatcher,
    django_capture_on_commit_callbacks,
):
    gone, _ = _subscribe(huangpu_patrol, push_service)
    push_service.answer[gone.endpoint.removeprefix(push_service.origin)] = 410
    kept, _ = _subscribe(huangpu_patrol, push_service)
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.lead_assign(lead=make_lead(), team=huangpu_team, by=huangpu_dispatcher)

    gone.refresh_from_db()
    kept.refresh_from_db()
    assert gone.revoked_reason == PushRevokedReason.GONE and gone.revoked_at is not None
    assert kept.is_active and kept.last_success_at is not None


def test_an_urgent_lead_is_also_texted_to_the_teams_phones(
    make_lead, huangpu_team, huangpu_patrol, huangpu_dispatcher, django_capture_on_commit_callbacks
):
    huangpu_patrol.phone = "13900001111"
    huangpu_patrol.save()
    lead = make_lead(signals=["lying_still", "elderly"], people_count=1)
    assert lead.priority == 1
    backend = mock.Mock()
    with (
        mock.patch("warmwinter.leads.alerts.sms_backend", return_value=backend),
        django_capture_on_commit_callbacks(execute=True),
    ):
        lifecycle.lead_assign(lead=lead, team=huangpu_team, by=huangpu_dispatcher)
    backend.send.assert_called_once()
    assert backend.send.call_args.kwargs["phone"] == "13900001111"
    assert lead.tracking_code in backend.send.call_args.kwargs["text"]


def test_a_lead_of_ordinary_priority_is_not_texted(
    make_lead, huangpu_team, huangpu_patrol, huangpu_dispatcher, django_capture_on_commit_callbacks
):
    huangpu_patrol.phone = "13900001111"
    huangpu_patrol.save()
    lead = make_lead()
    assert lead.priority > 1
    backend = mock.Mock()
    with (
        mock.patch("warmwinter.leads.alerts.sms_backend", return_value=backend),
        django_capture_on_commit_callbacks(execute=True),
    ):
        lifecycle.lead_assign(lead=lead, team=huangpu_team, by=huangpu_dispatcher)
    backend.send.assert_not_called()


def test_an_unaccepted_lead_is_alerted_again_then_shown_on_the_board_as_not_accepted(
    evening,
    push_service,
    make_lead,
    huangpu_team,
    huangpu_patrol,
    huangpu_dispatcher,
    client_for,
    django_capture_on_commit_callbacks,
):
    _subscribe(huangpu_patrol, push_service)
    lead = make_lead(signals=["elderly"])  # 较急 at 21:00: again after 5 min, back after 10
    assert lead.priority == 2
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.lead_assign(lead=lead, team=huangpu_team, by=huangpu_dispatcher)
    assert len(push_service.wait_for(1)) == 1

    evening.shift(timedelta(minutes=4))
    with django_capture_on_commit_callbacks(execute=True):
        assert lifecycle.chase_unaccepted() == 0  # not yet

    evening.shift(timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert lifecycle.chase_unaccepted() == 1
    again = push_service.wait_for(2)[-1]
    assert again.payload["lead"] == lead.pk and again.payload["round"] == 2
    assert "再次提醒" in again.payload["title"]
    with django_capture_on_commit_callbacks(execute=True):
        assert lifecycle.chase_unaccepted() == 0  # alerted again once only

    evening.shift(timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        assert lifecycle.chase_unaccepted() == 1
    lead.refresh_from_db()
    assert lead.status == LeadStatus.RECEIVED and lead.team is None
    assert lead.not_accepted_at == EVENING + timedelta(minutes=10)
    assert "未接单" in lead.events.last().note
    told = Notification.objects.get(recipient=huangpu_dispatcher)
    assert told.title == "线索未接单，已退回调度台" and lead.tracking_code in told.body

    board = client_for(huangpu_dispatcher).get("/dispatch/board/live/").content.decode()
    assert f'data-testid="not-accepted-{lead.tracking_code}"' in board
    assert "未接单" in board


def test_an_accepted_lead_is_neither_alerted_again_nor_sent_back(
    evening, make_lead, huangpu_team, huangpu_patrol, huangpu_dispatcher
):
    lead = make_lead(signals=["elderly"])
    lifecycle.lead_assign(lead=lead, team=huangpu_team, by=huangpu_dispatcher)
    lifecycle.lead_accept(lead=lead, by=huangpu_patrol)
    evening.shift(timedelta(minutes=30))
    assert lifecycle.chase_unaccepted() == 0
    lead.refresh_from_db()
    assert lead.status == LeadStatus.ACCEPTED and lead.not_accepted_at is None
