"""In a real browser: a leader ends a stay and prints the notice as PDF; a worker on night duty
records a round on a phone; the long-stay list moves a person to the next placement step; a
district admits a walk-in at its temporary shelter."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from warmwinter.accounts.roles import Role
from warmwinter.conftest import sign_in
from warmwinter.places.models import Place, PlaceKind
from warmwinter.stations.models import Admission, AidDecision, NightRound, PlacementStep

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

TABLET = {"width": 820, "height": 1180}
PHONE = {"width": 390, "height": 844}


def test_a_leader_ends_a_stay_and_prints_the_notice_as_pdf(new_page, live_server, make_user, admit):
    make_user("station1_leader", Role.STATION_LEADER, "S310000-1")
    admission = admit(new_person={"name": "孙七", "sex": "male", "age_estimate": 40})
    page = new_page(viewport=TABLET)
    sign_in(page, live_server.url, "station1_leader")
    page.goto(f"{live_server.url}/stations/admissions/{admission.pk}/")
    page.get_by_role("link", name="终止救助").click()
    page.get_by_label("终止救助理由").select_option("violated_rules")
    page.get_by_label("事实经过").fill("夜间酗酒滋事，屡劝不改")
    page.get_by_role("button", name="作出决定并打印通知书").click()

    expect(page.get_by_role("heading", name="终止救助通知书")).to_be_visible()
    expect(page.get_by_test_id("form-name")).to_contain_text("孙七")
    decision = AidDecision.objects.get(admission=admission)
    assert decision.decided_by.username == "station1_leader"
    href = page.get_by_test_id("pdf-link").get_attribute("href")
    pdf = page.request.get(f"{page.url.split('?')[0]}{href}")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")


def test_a_worker_on_night_duty_records_a_round_on_a_phone(new_page, live_server, station_worker):
    page = new_page(viewport=PHONE, is_mobile=True)
    sign_in(page, live_server.url, "station1_worker")
    page.goto(f"{live_server.url}/stations/s/S310000-1/rounds/")
    expect(page.get_by_test_id("missing-rounds")).to_contain_text("夜间巡查缺失")
    page.get_by_label("巡查情况").fill("男宾区安静")
    page.get_by_label("发现的问题及处置").fill("M2 床咳嗽，已测体温 36.9℃")
    page.get_by_role("button", name="记录巡查").click()
    expect(page.get_by_test_id("rounds")).to_contain_text("男宾区安静")
    assert NightRound.objects.get().by == station_worker


def test_the_long_stay_list_moves_a_person_to_the_next_step(
    new_page, live_server, station_worker, admit
):
    admission = admit(
        new_person={"aliases": "老哑巴", "sex": "male"},
        admitted_at=timezone.now() - timedelta(days=40),
    )
    page = new_page(viewport=TABLET)
    sign_in(page, live_server.url, "station1_worker")
    page.goto(f"{live_server.url}/stations/s/S310000-1/")
    page.get_by_role("link", name="长期滞留安置").first.click()
    row = page.get_by_test_id(f"placement-{admission.pk}")
    expect(row).to_contain_text("采集 DNA 并入库比对")
    row.get_by_label("说明").fill("已送公安机关比对")
    row.get_by_role("button", name="已完成").click()
    expect(page.get_by_test_id(f"placement-{admission.pk}")).to_contain_text("人脸识别比对")
    assert PlacementStep.objects.get(admission=admission).note == "已送公安机关比对"


def test_a_district_admits_a_walk_in_at_its_shelter(new_page, live_server, huangpu_admin, unit):
    shelter = Place.objects.create(
        kind=PlaceKind.TEMP_SHELTER,
        name="南京东路街道临时救助场所",
        org_unit=unit("310101002"),
        lat=31.2370,
        lng=121.4800,
        capacity=10,
    )
    page = new_page(viewport=TABLET)
    sign_in(page, live_server.url, "huangpu_admin")
    page.goto(f"{live_server.url}/stations/")
    page.get_by_role("link", name="南京东路街道临时救助场所").click()
    expect(page.get_by_test_id("shelter-count")).to_contain_text("在场 0 / 容量 10")
    page.get_by_role("link", name="办理入住").click()
    page.get_by_label("来站方式").select_option("patrol")
    page.get_by_label("求助类别").select_option("vagrant")
    page.locator("#id_name").fill("周八")
    page.locator("#id_sex").select_option("male")
    page.get_by_label("体温（℃）").fill("36.4")
    page.get_by_role("button", name="确认入住").click()
    expect(page.get_by_test_id("zone-kind")).to_be_visible()
    assert Admission.objects.get(person__name="周八").shelter == shelter
    page.get_by_role("link", name="南京东路街道临时救助场所").click()
    expect(page.get_by_test_id("shelter-count")).to_contain_text("在场 1 / 容量 10")
