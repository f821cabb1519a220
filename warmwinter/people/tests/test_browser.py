"""Search → file page in a real headless Chromium."""

import pytest
from playwright.sync_api import expect

from warmwinter.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def page(new_page):
    return new_page(viewport={"width": 1024, "height": 800})


def test_a_dispatcher_searches_by_pinyin_and_opens_the_file(
    page, live_server, huangpu_dispatcher, huangpu_person
):
    sign_in(page, live_server.url, "huangpu_dispatcher")
    page.goto(f"{live_server.url}/people/")
    page.get_by_label("姓名/拼音/身份证号").fill("zhang jianguo")
    results = page.get_by_test_id("person-results")
    expect(results.get_by_role("link", name="张建国")).to_be_visible()
    results.get_by_role("link", name="张建国").click()
    expect(page.get_by_test_id("person-name")).to_contain_text("张建国")
    expect(page.get_by_test_id("id-number")).to_have_text(huangpu_person.id_number_masked)
    expect(page.get_by_test_id("profile")).to_be_visible()


def test_a_district_worker_files_a_family_inquiry_and_confirms_the_match(
    page, live_server, huangpu_admin, huangpu_person
):
    sign_in(page, live_server.url, "huangpu_admin")
    page.goto(f"{live_server.url}/people/inquiries/")
    page.get_by_role("link", name="登记家属寻亲").click()
    page.get_by_label("被寻人姓名/称呼").fill("章建国")
    page.get_by_label("性别").select_option("male")
    page.get_by_label("或估计年龄").fill("55")
    page.get_by_label("最后见到地点").fill("上海南站")
    page.get_by_label("联系人").fill("张丽")
    page.get_by_label("联系电话").fill("13900001111")
    page.get_by_role("button", name="保存并比对").click()
    match = page.get_by_test_id("inquiry-match").first
    expect(match).to_contain_text("张建国")
    expect(match).to_contain_text("姓名读音相同：章建国 ~ 张建国")
    match.get_by_role("button", name="是要找的人").click()
    expect(page.get_by_test_id("inquiry-match").first).to_contain_text(
        "已确认：待核实身份并护送返乡"
    )
    expect(page.get_by_role("button", name="是要找的人")).to_have_count(0)
