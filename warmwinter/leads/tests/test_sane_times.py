"""The grid platform's push is taken at its word only within reason: a stated receiving time
far ahead of our clock or long past is refused, and a reused Idempotency-Key must repeat the
submission it was first used for."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from warmwinter.core import clock
from warmwinter.leads.models import Lead

NOW = datetime(2026, 1, 20, 21, 30, tzinfo=clock.SHANGHAI)


@pytest.fixture(autouse=True)
def _pinned(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def grid_token(make_user, token_for):
    return token_for(make_user("grid_platform", "dispatcher", "310000"))


def _intake(client, token, key, **body):
    payload = {"lat": 31.2320, "lng": 121.4750, "description": "网格员上报", **body}
    return client.post(
        "/api/v1/leads/intake",
        json.dumps(payload),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
    )


def test_a_grid_lead_dated_2099_is_refused_with_422_and_nothing_is_saved(
    client, grid_token, huangpu_key_place
):
    r = _intake(client, grid_token, "grid-2099-0001", received_at="2099-01-20T21:30:00+08:00")

    assert r.status_code == 422
    body = r.json()
    assert "晚于当前时间超过 5 分钟" in body["detail"]
    assert [e["field"] for e in body["errors"]] == ["received_at"]
    assert Lead.objects.count() == 0


def test_a_grid_lead_dated_1970_is_refused(client, grid_token, huangpu_key_place):
    r = _intake(client, grid_token, "grid-1970-0001", received_at="1970-01-01T08:00:00+08:00")

    assert r.status_code == 422
    assert "早于 24 小时前" in r.json()["detail"]
    assert Lead.objects.count() == 0


@pytest.mark.parametrize(
    "stated", [NOW + timedelta(minutes=4), NOW - timedelta(hours=23, minutes=50)]
)
def test_a_time_within_the_tolerances_is_kept_as_stated(
    client, grid_token, huangpu_key_place, stated
):
    r = _intake(client, grid_token, "grid-within-0001", received_at=stated.isoformat())

    assert r.status_code == 201, r.content
    assert Lead.objects.get().received_at == stated


def test_the_tolerances_are_settings(client, grid_token, huangpu_key_place, settings):
    settings.LEADS_RECEIVED_AT_MAX_AGE_S = 3600
    two_hours_ago = (NOW - timedelta(hours=2)).isoformat()

    r = _intake(client, grid_token, "grid-setting-0001", received_at=two_hours_ago)

    assert r.status_code == 422
    assert "早于 1 小时前" in r.json()["detail"]


def test_the_same_key_with_another_body_answers_409_the_same_body_200_with_the_first_lead(
    client, grid_token, huangpu_key_place
):
    first = _intake(client, grid_token, "grid-key-0001", people_count=2)
    assert first.status_code == 201

    other = _intake(client, grid_token, "grid-key-0001", people_count=3)
    assert other.status_code == 409
    assert "幂等键已用于内容不同的另一次提交" in other.json()["detail"]

    again = _intake(client, grid_token, "grid-key-0001", people_count=2)
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Lead.objects.get().people_count == 2


def test_the_same_body_with_its_fields_in_another_order_is_the_same_submission(
    client, grid_token, huangpu_key_place
):
    first = _intake(client, grid_token, "grid-order-0001", people_count=2, signals=["child"])
    again = client.post(
        "/api/v1/leads/intake",
        json.dumps(
            {
                "signals": ["child"],
                "channel": "grid",
                "people_count": 2,
                "description": "网格员上报",
                "lng": 121.4750,
                "lat": 31.2320,
            }
        ),
        content_type="application/json",
        headers={"Authorization": f"Bearer {grid_token}", "Idempotency-Key": "grid-order-0001"},
    )

    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
