"""A station worker at the front desk with a tablet (820×1180) admits a walk-in and gives a bed."""

import pytest
from playwright.sync_api import expect

from warmwinter.conftest import sign_in
from warmwinter.stations.models import Admission, BedAssignment

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def tablet(new_page):
    return new_page(viewport={"width": 820, "height": 1180})


def test_station_worker_admits_a_walk_in_on_a_tablet_and_assigns_a_bed(
    tablet, live_server, station_worker, male_zone
):
    page = tablet
    sign_in(page, live_server.url, "station1_worker")

    page.goto(f"{live_server.url}/stations/")
    expect(page.get_by_test_id("station-title")).to_have_text("上海市救助管理站")
    expect(page.get_by_test_id("free-beds")).to_contain_text("空床 2")
    page.get_by_role("link", name="办理入站").click()

    page.get_by_label("来站方式").select_option("self")
    page.get_by_label("求助类别").select_option("no_work")
    page.locator("#id_name").fill("吴九")
    page.locator("#id_sex").select_option("male")
    page.get_by_label("年龄（可估计）").fill("38")
    page.get_by_label("人身安全检查（同性别工作人员）").check()
    page.get_by_label("随身行李检查").check()
    page.get_by_label("体温（℃）").fill("36.7")
    page.get_by_role("button", name="确认入站").click()

    expect(page.get_by_test_id("zone-kind")).to_contain_text("男宾区")
    expect(page.get_by_test_id("current-bed")).to_contain_text("未安排床位")
    page.get_by_label("安排床位").select_option(label="男宾一区 M2 ★")
    page.get_by_role("button", name="安排", exact=True).click()
    expect(page.get_by_test_id("current-bed")).to_have_text("男宾一区 M2")

    admission = Admission.objects.get(person__name="吴九")
    assert BedAssignment.objects.get(admission=admission, ended_at__isnull=True).bed.label == "M2"
    page.get_by_role("link", name="上海市救助管理站").click()
    expect(page.get_by_test_id("bed-M2")).to_contain_text("吴九")
    expect(page.get_by_test_id("free-beds")).to_contain_text("空床 1")
