"""A patrol member on a phone issues a coat and food from the team's mobile stock."""

import pytest
from playwright.sync_api import expect

from warmwinter.conftest import sign_in
from warmwinter.supplies import selectors

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def phone(new_page):
    return new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)


def test_a_patrol_member_issues_a_coat_and_food_from_mobile_stock_on_a_phone(
    phone, live_server, pudong_patrol, catalogue, warehouses, receive
):
    mobile = warehouses.pudong_mobile
    receive(mobile, catalogue.coat, 5)
    receive(mobile, catalogue.food, 10)

    sign_in(phone, live_server.url, "pudong_patrol", next_path="/supplies/mobile/")

    expect(phone.get_by_test_id("mobile-warehouse")).to_contain_text("浦东一分队随车物资")
    expect(phone.get_by_test_id("usable-cotton-coat")).to_have_text("5")
    phone.get_by_label("发放棉大衣数量").fill("1")
    phone.get_by_label("发放方便食品数量").fill("2")
    phone.get_by_label("受领人（体貌特征或临时编号）").fill("世纪大道地下通道 男 约60岁 拒绝入站")
    phone.get_by_role("button", name="确认发放").click()

    expect(phone.get_by_test_id("issue-done")).to_contain_text("棉大衣 1件")
    expect(phone.get_by_test_id("usable-cotton-coat")).to_have_text("4")
    expect(phone.get_by_test_id("usable-instant-food")).to_have_text("8")
    assert selectors.on_hand(mobile, catalogue.coat) == 4
    assert selectors.ledger_sum(mobile, catalogue.food) == 8


def test_a_refused_issue_is_shown_in_the_panel_and_changes_nothing(
    phone, live_server, pudong_patrol, catalogue, warehouses, receive
):
    """The panel answers a refusal with 422 (core/forms.py); HTMX swaps it in all the same
    (base.html's htmx-config), so the patrol sees why, without a reload."""
    mobile = warehouses.pudong_mobile
    receive(mobile, catalogue.coat, 5)
    sign_in(phone, live_server.url, "pudong_patrol", next_path="/supplies/mobile/")
    with phone.expect_response(lambda r: "/issue/" in r.url) as answered:
        phone.get_by_label("发放棉大衣数量").fill("9")
        phone.get_by_role("button", name="确认发放").click()
    assert answered.value.status == 422
    expect(phone.get_by_test_id("issue-errors")).to_be_visible()
    expect(phone.get_by_test_id("usable-cotton-coat")).to_have_text("5")
    assert phone.url.endswith("/supplies/mobile/")  # swapped in place, not a new page
    assert selectors.on_hand(mobile, catalogue.coat) == 5
