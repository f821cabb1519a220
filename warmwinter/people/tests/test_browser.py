"""Search → file page in a real headless Chromium."""

import pytest
from playwright.sync_api import expect

from warmwinter.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def page(new_page):
    return new_page(viewport={"width": 1024, "height": 800})


def test_a_dispatcher_searches_by_pinyin_and_opens_the_file(
    page, live_server, huangpu_dispatcher, huangpu_person
):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("huangpu_dispatcher")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto(f"{live_server.url}/people/")
    page.get_by_label("姓名/拼音/身份证号").fill("zhang jianguo")
    results = page.get_by_test_id("person-results")
    expect(results.get_by_role("link", name="张建国")).to_be_visible()
    results.get_by_role("link", name="张建国").click()
    expect(page.get_by_test_id("person-name")).to_contain_text("张建国")
    expect(page.get_by_test_id("id-number")).to_have_text(huangpu_person.id_number_masked)
    expect(page.get_by_test_id("profile")).to_be_visible()
