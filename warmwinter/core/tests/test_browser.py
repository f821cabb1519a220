"""Real headless Chromium (Debian's package) driven by Playwright against a live server."""

import pytest
from playwright.sync_api import expect

from warmwinter.conftest import sign_in
from warmwinter.places.models import Place

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def page(new_page):
    return new_page(viewport={"width": 390, "height": 844})


def test_dispatcher_logs_in_and_sees_places_on_the_map(
    page, live_server, huangpu_dispatcher, huangpu_key_place
):
    sign_in(page, live_server.url, "huangpu_dispatcher")
    expect(page.get_by_test_id("home-title")).to_have_text("调度工作台")

    page.goto(f"{live_server.url}/map/")
    map_el = page.get_by_test_id("map")
    page.wait_for_function(
        "() => document.getElementById('map').dataset.loaded || document.getElementById('map').dataset.error"
    )
    assert map_el.get_attribute("data-error") is None
    huangpu = Place.objects.filter(org_unit__path__startswith="310000/310101/").count()
    assert huangpu >= 6  # the district station, four reference key places, the underpass
    expect(map_el).to_have_attribute("data-loaded", str(huangpu))
    expect(page.locator(".leaflet-interactive")).to_have_count(huangpu)
    page.locator(".leaflet-interactive").first.click(force=True)
    expect(page.locator(".leaflet-popup-content")).to_be_visible()
