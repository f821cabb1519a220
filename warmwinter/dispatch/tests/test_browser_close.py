"""Playwright with Debian's chromium on a phone (390×844): the team's close flow on
/dispatch/my/. "先拨打 120" is a big enough tap target; the close action opens the encounter form
about the lead; "nobody found" sends the phone's position with the note and closes the lead."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from warmwinter.conftest import sign_in
from warmwinter.leads import lifecycle
from warmwinter.leads.models import Lead, LeadCheckIn, LeadStatus

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PHONE = {"width": 390, "height": 844}
METRE = 1 / 111_195


def test_a_team_on_a_phone_closes_a_lead_through_the_encounter_form_or_nobody_found(
    new_page, live_server, make_lead, huangpu_team, huangpu_dispatcher, huangpu_patrol
):
    base = live_server.url
    lead = make_lead("huangpu", signals=["unresponsive"])
    lifecycle.lead_assign(lead=lead, team=huangpu_team, by=huangpu_dispatcher)
    lifecycle.lead_accept(lead=lead, by=huangpu_patrol)
    code = lead.tracking_code
    page = new_page(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        # the team stands 120 m north of the reported place
        geolocation={"latitude": lead.lat + 120 * METRE, "longitude": lead.lng, "accuracy": 15},
        permissions=["geolocation"],
    )
    sign_in(page, base, "huangpu_patrol", next_path="/dispatch/my/")

    call = page.get_by_test_id(f"tel-120-{code}")
    expect(call).to_be_visible()
    expect(call).to_have_attribute("href", "tel:120")
    assert call.bounding_box()["height"] >= 44
    page.get_by_test_id(f"ambulance-called-{code}").click()
    expect(page.get_by_test_id(f"ambulance-state-{code}")).to_contain_text(
        "已拨打 120 · huangpu_patrol"
    )

    # no outcome to pick here: the close leads into the encounter form, about this lead
    expect(page.get_by_test_id(f"team-actions-{code}").locator("select")).to_have_count(0)
    close = page.get_by_test_id(f"close-{code}")
    assert close.bounding_box()["height"] >= 44
    close.click()
    page.wait_for_url(f"{base}/patrols/app/**")
    expect(page.get_by_test_id("encounter-form")).to_be_visible()
    expect(page.get_by_test_id("form-context")).to_contain_text(code)
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.ACCEPTED

    # nobody there: check in with the phone's position and say what was done
    page.goto(f"{base}/dispatch/my/")
    page.get_by_test_id(f"nobody-{code}").click()
    page.get_by_test_id(f"nobody-note-{code}").fill("桥洞及周边 200 米内查找，询问保安，未见")
    page.get_by_test_id(f"nobody-submit-{code}").click()
    expect(page.get_by_test_id(f"my-lead-{code}")).to_have_count(0)
    expect(page.get_by_text(f"线索 {code} 已按「现场未发现」办结")).to_be_visible()

    lead.refresh_from_db()
    assert lead.status == LeadStatus.CLOSED and lead.outcome == "not_found"
    checkin = LeadCheckIn.objects.get(lead=lead)
    assert 110 <= checkin.distance_m <= 130 and checkin.accuracy_m == 15
    page.context.close()
