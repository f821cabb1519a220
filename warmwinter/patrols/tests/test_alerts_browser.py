"""Playwright with Debian's chromium: a dispatch pushed to the patrol app's service worker
(delivered through Chromium's DevTools protocol, as a push service would) shows a notification
that opens the lead, and the open app rings."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from warmwinter.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PHONE = {"width": 390, "height": 844}


def test_a_pushed_dispatch_shows_a_notification_that_opens_the_lead(
    new_page, live_server, huangpu_patrol, huangpu_team
):
    base = live_server.url
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True, permissions=["notifications"])
    sign_in(page, base, "huangpu_patrol")
    page.goto(f"{base}/patrols/app/")
    expect(page.get_by_test_id("push-enable")).to_be_visible()
    expect(page.get_by_test_id("push-enable")).to_have_text("开启接单提醒")
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null")

    cdp = page.context.new_cdp_session(page)
    registrations: list[dict] = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.extend(event["registrations"]),
    )
    cdp.send("ServiceWorker.enable")
    for _ in range(50):
        if any(r["scopeURL"].endswith("/patrols/") for r in registrations):
            break
        page.wait_for_timeout(100)
    (registration,) = [r for r in registrations if r["scopeURL"].endswith("/patrols/")][:1]

    alert = {
        "type": "lead-dispatched",
        "lead": 42,
        "code": "HP7K3M",
        "priority": 1,
        "place": "人民广场地下通道",
        "round": 1,
        "title": "新派单：紧急线索",
        "body": "HP7K3M · 人民广场地下通道",
        "url": "/dispatch/my/#lead-42",
    }
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {
            "origin": base,
            "registrationId": registration["registrationId"],
            "data": json.dumps(alert, ensure_ascii=False),
        },
    )

    found: list[dict] = []
    for _ in range(50):
        found = page.evaluate(
            """async () => {
                const registration = await navigator.serviceWorker.ready;
                const shown = await registration.getNotifications();
                return shown.map((n) => ({ title: n.title, body: n.body, tag: n.tag, data: n.data }));
            }"""
        )
        if found:
            break
        page.wait_for_timeout(100)
    (notification,) = found
    assert notification["title"] == "新派单：紧急线索"
    assert notification["tag"] == "lead-42"
    assert notification["data"]["url"] == "/dispatch/my/#lead-42"
    # the open app was told: it rang, vibrated and shows the alert with a link to the lead
    banner = page.get_by_test_id("alert-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("HP7K3M")
    expect(banner.get_by_role("link")).to_have_attribute("href", "/dispatch/my/#lead-42")
