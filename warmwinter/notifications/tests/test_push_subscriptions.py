"""A patrol's devices that get alerts: subscribed from the phone, listed, revocable, and gone
when the phone signs out."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from warmwinter.notifications.models import PushRevokedReason, PushSubscription
from warmwinter.notifications.tests.push_endpoint import Device


@pytest.fixture(autouse=True)
def _local_endpoints(settings: Any, tmp_path: Any) -> None:
    settings.PUSH_ALLOW_LOCAL_ENDPOINTS = True
    settings.PUSH_VAPID_PRIVATE_KEY = ""
    settings.PUSH_VAPID_DEV_KEY_FILE = str(tmp_path / "vapid.pem")


def _subscribe(client: Client, path: str = "/push/phone-1") -> Any:
    device = Device(path=path)
    return client.post(
        "/api/v1/push/subscriptions",
        {
            "endpoint": f"https://fcm.googleapis.com/fcm/send{path}",
            "keys": {"p256dh": device.p256dh, "auth": device.auth},
        },
        content_type="application/json",
        HTTP_USER_AGENT="Mozilla/5.0 (Linux; Android 14) 巡查手机",
    )


def test_a_patrol_turns_on_alerts_and_the_phone_is_listed_as_a_device(pudong_patrol):
    client = Client()
    client.force_login(pudong_patrol)
    key = client.get("/api/v1/push/key").json()["public_key"]
    assert len(key) == 87  # base64url of an uncompressed P-256 point
    response = _subscribe(client)
    assert response.status_code == 201, response.content
    page = client.get("/notifications/devices/").content.decode()
    assert "巡查手机" in page and "有效" in page


def test_turning_on_alerts_twice_on_one_phone_keeps_one_subscription(pudong_patrol):
    client = Client()
    client.force_login(pudong_patrol)
    assert _subscribe(client).json()["id"] == _subscribe(client).json()["id"]
    assert PushSubscription.objects.filter(revoked_at=None).count() == 1


def test_signing_out_stops_alerts_to_that_phone(pudong_patrol):
    client = Client()
    client.force_login(pudong_patrol)
    _subscribe(client)
    other_phone = Client()
    other_phone.force_login(pudong_patrol)
    _subscribe(other_phone, "/push/phone-2")

    client.post("/accounts/logout/")

    mine = PushSubscription.objects.get(endpoint__endswith="/phone-1")
    assert mine.revoked_reason == PushRevokedReason.SIGNED_OUT
    assert PushSubscription.objects.get(endpoint__endswith="/phone-2").is_active


def test_a_patrol_revokes_a_lost_phone_from_the_device_list(pudong_patrol):
    client = Client()
    client.force_login(pudong_patrol)
    pk = _subscribe(client).json()["id"]
    response = client.post(f"/notifications/devices/{pk}/revoke/", follow=True)
    assert "已撤销该设备的接单提醒" in response.content.decode()
    assert PushSubscription.objects.get(pk=pk).revoked_reason == PushRevokedReason.USER


def test_nobody_revokes_or_lists_another_persons_device(pudong_patrol, huangpu_admin):
    phone = Client()
    phone.force_login(pudong_patrol)
    pk = _subscribe(phone).json()["id"]
    other = Client()
    other.force_login(huangpu_admin)
    assert other.post(f"/notifications/devices/{pk}/revoke/").status_code == 404
    assert other.delete(f"/api/v1/push/subscriptions/{pk}").status_code == 404
    assert other.get("/api/v1/push/subscriptions").json() == []
    assert PushSubscription.objects.get(pk=pk).is_active


def test_a_push_endpoint_must_be_https(pudong_patrol, settings):
    settings.PUSH_ALLOW_LOCAL_ENDPOINTS = False
    client = Client()
    client.force_login(pudong_patrol)
    device = Device(path="/x")
    response = client.post(
        "/api/v1/push/subscriptions",
        {"endpoint": "http://127.0.0.1:9/x", "keys": {"p256dh": device.p256dh, "auth": "AAAA"}},
        content_type="application/json",
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"endpoint", "auth"}


def test_subscribing_from_a_page_needs_the_csrf_token(pudong_patrol):
    client = Client(enforce_csrf_checks=True)
    client.force_login(pudong_patrol)
    assert _subscribe(client).status_code in (401, 403)


def test_a_push_endpoint_outside_the_known_push_services_is_refused(pudong_patrol, settings):
    # The server POSTs to the endpoint: a signed-in user must not make it call any host at all.
    client = Client()
    client.force_login(pudong_patrol)
    device = Device(path="/x")
    response = client.post(
        "/api/v1/push/subscriptions",
        {
            "endpoint": "https://internal.example.cn/admin",
            "keys": {"p256dh": device.p256dh, "auth": device.auth},
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "不支持的推送服务" in response.json()["errors"][0]["message"]
    assert not PushSubscription.objects.exists()
    settings.PUSH_SERVICE_HOSTS = ["push.example.cn"]
    response = client.post(
        "/api/v1/push/subscriptions",
        {
            "endpoint": "https://eu.push.example.cn/abc",
            "keys": {"p256dh": device.p256dh, "auth": device.auth},
        },
        content_type="application/json",
    )
    assert response.status_code in (200, 201)
