"""120 first: a lead whose signals mean danger to life (躺卧不动、叫不醒、受伤或患病) tells the
dispatcher, the team and the citizen who reported it to call 120 before anything else, and the
lead records whether 120 was called, by whom and when."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from warmwinter.leads import lifecycle
from warmwinter.leads.models import Lead, LeadEventKind
from warmwinter.leads.rules import needs_ambulance

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("signals", "needed"),
    [
        (["unresponsive"], True),
        (["lying_still"], True),
        (["injured_ill", "elderly"], True),
        (["elderly", "no_warm_clothing", "drunk"], False),
        ([], False),
    ],
)
def test_lying_still_unresponsive_or_injured_means_call_120_first(signals, needed):
    assert needs_ambulance(signals) is needed


def test_a_lead_flagged_unresponsive_shows_call_120_on_the_board_the_phone_and_the_confirmation(
    huangpu_key_place, huangpu_team, huangpu_dispatcher, huangpu_patrol, client_for
):
    citizen = Client()
    confirmation = citizen.post(
        "/leads/report/",
        {
            "lat": "31.2320",
            "lng": "121.4750",
            "description": "桥洞下有人裹着薄被，叫不醒",
            "people_count": "1",
            "signals": ["unresponsive"],
        },
    )
    assert confirmation.status_code == 201
    lead = Lead.objects.get()
    assert lead.signal_labels() == ["叫不醒"]
    body = confirmation.content.decode()
    assert "先拨打 120" in body and 'href="tel:120"' in body

    board = client_for(huangpu_dispatcher).get("/dispatch/board/live/").content.decode()
    assert f'data-testid="call-120-{lead.tracking_code}"' in board
    assert "先拨打 120" in board and 'href="tel:120"' in board

    lifecycle.lead_assign(lead=lead, team=huangpu_team, by=huangpu_dispatcher)
    phone = client_for(huangpu_patrol).get("/dispatch/my/").content.decode()
    assert f'data-testid="call-120-{lead.tracking_code}"' in phone
    assert 'href="tel:120"' in phone


def test_a_lead_without_danger_to_life_does_not_ask_for_120(
    make_lead, huangpu_dispatcher, client_for
):
    lead = make_lead("huangpu", signals=["elderly", "no_warm_clothing"])
    board = client_for(huangpu_dispatcher).get("/dispatch/board/live/").content.decode()
    assert lead.tracking_code in board
    assert "先拨打 120" not in board


def test_the_dispatcher_records_that_120_was_called_and_the_history_says_who(
    make_lead, huangpu_dispatcher, client_for
):
    lead = make_lead("huangpu", signals=["lying_still"])
    dispatcher = client_for(huangpu_dispatcher)
    response = dispatcher.post(
        f"/dispatch/leads/{lead.pk}/ambulance/", {"called": "1", "next": "/dispatch/"}
    )
    assert response.status_code == 302 and response["Location"] == "/dispatch/"

    lead.refresh_from_db()
    assert lead.ambulance_called is True
    assert lead.ambulance_recorded_by == huangpu_dispatcher
    assert lead.ambulance_recorded_at is not None
    entry = lead.events.get(kind=LeadEventKind.AMBULANCE)
    assert entry.by == huangpu_dispatcher and entry.note == "已拨打 120"

    detail = dispatcher.get(f"/leads/{lead.pk}/").content.decode()
    assert "已拨打 120 · huangpu_dispatcher" in detail
    board = dispatcher.get("/dispatch/board/live/").content.decode()
    assert f'data-testid="ambulance-called-{lead.tracking_code}"' not in board  # done


def test_the_team_records_120_by_api_and_an_auditor_cannot(
    make_lead, huangpu_patrol, auditor, token_for, client, client_for
):
    lead = make_lead("huangpu", signals=["injured_ill"])
    response = client.post(
        f"/api/v1/dispatch/leads/{lead.pk}/ambulance",
        json.dumps({"called": True}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token_for(huangpu_patrol)}"},
    )
    assert response.status_code == 200
    assert response.json()["needs_ambulance"] is True
    assert response.json()["ambulance_called"] is True
    assert response.json()["ambulance_recorded_by"] == "huangpu_patrol"

    refused = client_for(auditor).post(f"/dispatch/leads/{lead.pk}/ambulance/", {"called": "0"})
    assert refused.status_code == 403
    assert Lead.objects.get(pk=lead.pk).ambulance_called is True
