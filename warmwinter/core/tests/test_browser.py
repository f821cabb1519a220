"""Real headless Chromium (Debian's package) driven by Playwright against a live server."""

import re

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


def test_a_map_draws_the_configured_tiles_and_none_without(
    page, live_server, settings, huangpu_dispatcher, huangpu_key_place
):
    """core/basemap.js: the tiles of MAP_TILE_URL with their attribution; without it, no tile
    is asked of anyone and the places are still drawn."""
    tiles = f"{live_server.url}/static/test-tiles/"
    settings.MAP_TILE_URL = tiles + "{z}/{x}/{y}.png"
    settings.MAP_TILE_ATTRIBUTION = "© 测试底图"
    sign_in(page, live_server.url, "huangpu_dispatcher")
    page.goto(f"{live_server.url}/map/")
    expect(page.locator("img.leaflet-tile").first).to_be_attached()
    assert page.locator("img.leaflet-tile").first.get_attribute("src").startswith(tiles)
    expect(page.locator(".leaflet-control-attribution")).to_contain_text("© 测试底图")

    settings.MAP_TILE_URL = ""
    page.goto(f"{live_server.url}/map/")
    expect(page.get_by_test_id("map")).to_have_attribute("data-loaded", re.compile(r"\d+"))
    expect(page.locator(".leaflet-interactive").first).to_be_attached()
    expect(page.locator("img.leaflet-tile")).to_have_count(0)


def test_a_map_popup_shows_data_as_text_not_markup(page, live_server, huangpu_dispatcher):
    sign_in(page, live_server.url, "huangpu_dispatcher")
    page.goto(f"{live_server.url}/map/")
    shown = page.evaluate(
        """async () => {
            const { popupText } = await import("/static/core/basemap.js");
            const box = popupText('<img src=x onerror="window.hit=1">', "桥洞 & 通道");
            return { text: box.textContent, images: box.querySelectorAll("img").length };
        }"""
    )
    assert shown == {"text": '<img src=x onerror="window.hit=1">桥洞 & 通道', "images": 0}


def test_a_reporter_picks_the_place_on_the_quick_report_map(page, live_server, reporter):
    sign_in(page, live_server.url, "reporter")
    page.goto(f"{live_server.url}/leads/new/")
    page.get_by_test_id("pick-map").click()
    expect(page.get_by_test_id("pick-map")).to_have_attribute("data-picked", "1")
    expect(page.get_by_test_id("location-status")).to_contain_text("✓ 31.")


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
