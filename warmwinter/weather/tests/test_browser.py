"""The weather page in a real headless Chromium."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from warmwinter.conftest import sign_in
from warmwinter.weather import services

from .conftest import build_cap

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture(autouse=True)
def _when_the_fixtures_were_issued():
    """Not pinned to January here: the browser's own clock would drop the session cookie. The
    warning is issued now instead."""


@pytest.fixture
def page(new_page):
    return new_page(viewport={"width": 390, "height": 844})


def test_city_admin_reads_pudongs_response_and_lowers_it_by_hand(
    page, live_server, city_admin, pudong_key_place, pudong_shelter
):
    sent = timezone.localtime().replace(microsecond=0)
    services.warning_ingest(data=build_cap(sent=sent.isoformat()))
    sign_in(page, live_server.url, "city_admin")

    page.goto(f"{live_server.url}/weather/")
    expect(page.get_by_test_id("why-310115")).to_contain_text("寒潮橙色预警")
    expect(page.get_by_test_id("why-310115")).to_contain_text("按规则时效")
    expect(page.get_by_test_id("why-310101")).to_contain_text("无生效预警")
    page.get_by_test_id("levels").get_by_role("link", name="浦东新区").click()
    expect(page.get_by_test_id("district-title")).to_contain_text("浦东新区")
    expect(page.get_by_test_id("current-level").get_by_test_id("level")).to_have_text(
        "II级响应（橙）"
    )
    expect(page.get_by_test_id("why")).to_contain_text("寒潮橙色预警")
    expect(page.get_by_test_id("open-shelters")).to_contain_text(pudong_shelter.name)
    expect(page.get_by_test_id("required-patrols")).to_contain_text(pudong_key_place.name)

    form = page.get_by_test_id("level-form")
    form.get_by_label("新的响应等级").select_option("3")
    form.get_by_label("调整原因").fill("会商后降为黄色响应")
    form.get_by_role("button", name="调整").click()
    expect(page.get_by_test_id("current-level").get_by_test_id("level")).to_have_text(
        "III级响应（黄）"
    )
    expect(page.get_by_test_id("timeline")).to_contain_text("会商后降为黄色响应")
