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


def test_a_station_worker_finds_the_rules_and_their_sources_from_the_menu(
    new_page, live_server, station_worker
):
    page = new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, live_server.url, "station1_worker")
    page.get_by_role("link", name="规则依据").first.click()
    page.wait_for_url(f"{live_server.url}/rules/")
    expect(page.get_by_test_id("rulebook-version")).to_contain_text("沪民救发〔2025〕7号")
    stay = page.get_by_test_id("rulebook").get_by_role("row").filter(has_text="stations.stay_limit")
    expect(stay).to_contain_text("10 天")
    expect(stay).to_contain_text("民政部令第24号")
