"""Playwright with Debian's chromium: a hotline operator, on the phone with a caller, looks up
the place the caller names and tells them someone already reported it."""

import pytest
from playwright.sync_api import expect

from warmwinter.conftest import sign_in
from warmwinter.leads.tests.conftest import PUDONG_POINT

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_the_hotline_finds_a_pudong_web_lead_near_the_caller_s_point(
    new_page, live_server, make_lead, hotline_operator
):
    lead = make_lead("pudong", channel="public_web", reporter_name="李四", address="世纪大道")
    base = live_server.url
    page = new_page(viewport={"width": 1280, "height": 800})
    sign_in(page, base, "hotline")
    page.goto(f"{base}/leads/hotline/")
    page.get_by_test_id("to-reported").click()
    page.get_by_label("纬度").fill(str(PUDONG_POINT[0] + 0.001))
    page.get_by_label("经度").fill(str(PUDONG_POINT[1]))
    page.get_by_test_id("reported-submit").click()
    expect(page.get_by_test_id("reported-answer")).to_contain_text("已有人上报")
    row = page.get_by_test_id(f"reported-{lead.tracking_code}")
    expect(row).to_contain_text("浦东新区")
    expect(row).to_contain_text("世纪大道")
    expect(page.get_by_test_id("reported-leads")).not_to_contain_text("李四")
    page.context.close()


def test_a_citizen_on_a_small_phone_can_tap_every_control_of_the_report(new_page, live_server):
    # Night, cold hands: the location button, each urgent sign and the map's zoom are 44 px.
    page = new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{live_server.url}/leads/report/")
    controls = [
        page.get_by_test_id("use-location"),
        page.locator(".leaflet-control-zoom-in"),
        page.get_by_test_id("submit-report"),
    ]
    for control in controls:
        box = control.bounding_box()
        assert box is not None and box["height"] >= 44, control
    # The sign's whole row is the tap target, not the 24 px box beside the words.
    label = page.locator("label[for=id_signals_1]").bounding_box()
    assert label is not None and label["height"] >= 44
    page.context.close()
