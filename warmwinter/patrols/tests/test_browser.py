"""Playwright with Debian's chromium: the patrol app offline (two encounters with photos survive
a reload and arrive exactly once), and the dispatcher's night plan drawn on the map."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from PIL import Image
from playwright.sync_api import expect

from warmwinter.conftest import sign_in
from warmwinter.core import clock
from warmwinter.dispatch.models import Shift
from warmwinter.patrols.models import Encounter, EncounterPhoto
from warmwinter.places.models import Place, PlaceKind

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PHONE = {"width": 390, "height": 844}
BRIDGE = {"latitude": 31.2200, "longitude": 121.4850}


def _jpeg(colour):
    out = io.BytesIO()
    Image.new("RGB", (120, 90), colour).save(out, format="JPEG")
    return {"name": "kerb.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}


def _record(page, *, name, flags=(), escort=""):
    page.get_by_test_id("tab-form").click()
    page.get_by_label("姓名或称呼").fill(name)
    for flag in flags:
        page.get_by_label(flag).check()
    if escort:
        expect(page.get_by_test_id("advice")).to_contain_text("劝导护送")
        page.get_by_label("护送人员").fill(escort)
        page.get_by_label("或医疗机构名称").fill("黄浦区救助管理站")
    else:
        page.get_by_label("本人意愿").select_option("willing")
        expect(page.get_by_test_id("advice")).to_contain_text("告知并引导")
    page.get_by_test_id("photos").set_input_files(
        [_jpeg((200, 40, 40) if escort else (40, 40, 200))]
    )
    page.get_by_test_id("save-encounter").click()
    expect(page.get_by_test_id("tab-form").locator("xpath=..")).to_be_visible()


def test_two_encounters_recorded_offline_arrive_exactly_once(
    new_page, live_server, huangpu_patrol, huangpu_team
):
    base = live_server.url
    page = new_page(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        geolocation=BRIDGE,
        permissions=["geolocation"],
    )
    sign_in(page, base, "huangpu_patrol")
    page.goto(f"{base}/patrols/app/")
    expect(page.get_by_test_id("team-line")).to_contain_text("黄浦一分队")
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null")

    page.context.set_offline(True)
    expect(page.get_by_test_id("net")).to_have_text("离线")
    _record(page, name="老李")
    _record(
        page, name="", flags=["老年人（60 岁以上）", "无法提供个人信息"], escort="王警官、李队员"
    )
    expect(page.get_by_test_id("queue-count")).to_have_attribute("data-count", "2")
    assert Encounter.objects.count() == 0  # nothing reached the server

    page.reload()  # offline: the shell comes from the service worker, the queue from IndexedDB
    expect(page.get_by_test_id("queue-count")).to_have_attribute("data-count", "2")
    expect(page.get_by_test_id("banner")).to_contain_text("离线数据")
    # the same queued item twice (a double tap): still one encounter
    page.evaluate(
        """async () => {
            const [first] = await window.wwPatrol.queueAll();
            const copy = Object.assign({}, first);
            delete copy.id;
            await window.wwPatrol.queueAdd(copy);
            await window.wwPatrol.renderQueue();
        }"""
    )
    expect(page.get_by_test_id("queue-count")).to_have_attribute("data-count", "3")

    page.context.set_offline(False)
    page.get_by_test_id("tab-queue").click()
    page.get_by_test_id("sync-now").click()
    expect(page.get_by_test_id("queue-count")).to_have_attribute("data-count", "0", timeout=15000)
    assert Encounter.objects.count() == 2
    assert EncounterPhoto.objects.count() == 2
    dispositions = sorted(Encounter.objects.values_list("disposition", flat=True))
    assert dispositions == ["escort_station", "guide_station"]
    expect(page.get_by_test_id("done")).to_contain_text("已同步")


def test_the_dispatcher_plans_tonight_and_sees_the_routes_on_the_map(
    new_page, live_server, huangpu_dispatcher, huangpu_team, unit
):
    night = clock.tonight()
    start, end = clock.night_bounds(night)
    Shift.objects.create(team=huangpu_team, starts_at=start - timedelta(hours=1), ends_at=end)
    for name, lat, lng in (
        ("人民广场地下通道", 31.2320, 121.4750),
        ("老西门桥洞", 31.2200, 121.4850),
    ):
        Place.objects.create(
            kind=PlaceKind.KEY_PLACE, key_place_type="underpass", name=name,
            org_unit=unit("310101002"), lat=lat, lng=lng,
        )  # fmt: skip
    base = live_server.url
    page = new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, base, "huangpu_dispatcher")
    page.goto(f"{base}/patrols/")
    page.get_by_role("button", name="生成巡查计划").click()
    expect(page.get_by_test_id("night-title")).to_contain_text("黄浦区")
    expect(page.get_by_test_id("plan-map")).to_have_attribute("data-routes", "1")
    expect(page.locator("tr.stop-row").filter(has_text="老西门桥洞")).to_have_count(1)


def test_staff_pages_key_places_encounters_and_follow_ups(
    new_page,
    live_server,
    huangpu_dispatcher,
    huangpu_patrol,
    huangpu_team,
    huangpu_key_place,
    huangpu_mobile,
):
    import uuid
    from decimal import Decimal

    from warmwinter.patrols import services

    services.encounter_record(
        by=huangpu_patrol,
        data=services.EncounterInput(
            client_uuid=uuid.uuid4(),
            lat=31.2320,
            lng=121.4750,
            place_name="人民广场地下通道",
            willingness="refuses",
            disposition="supplies",
            help_contact_left=True,
            items=[("instant-food", Decimal(1)), ("cotton-coat", Decimal(1))],
            new_person=services.NewPerson(name="老王"),
        ),
    )
    base = live_server.url
    page = new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, base, "huangpu_dispatcher")
    page.goto(f"{base}/patrols/key-places/")
    row = page.get_by_test_id("key-places").locator("tr", has_text="人民广场地下通道")
    row.get_by_label("风险等级").fill("5")
    row.get_by_role("button", name="保存").click()
    expect(page.locator(".messages")).to_contain_text("已保存")
    page.goto(f"{base}/patrols/encounters/")
    page.get_by_test_id("encounters").get_by_role("link").first.click()
    expect(page.get_by_test_id("disposition")).to_contain_text("不愿入站")
    expect(page.get_by_test_id("items")).to_contain_text("方便食品")
    page.goto(f"{base}/patrols/follow-ups/")
    follow = page.get_by_test_id("follow-ups")
    expect(follow).to_contain_text("老王")
    follow.get_by_role("link", name="登记回访").click()
    page.get_by_label("找到本人", exact=True).check()
    page.get_by_label("现状（身体、精神、衣被等）").fill("精神尚可")
    page.get_by_label("本人现在的意愿").select_option("willing")
    page.get_by_label("跟踪情况").fill("已劝导入站")
    page.get_by_role("button", name="完成跟踪").click()
    expect(page.locator(".messages")).to_contain_text("已完成后续跟踪")


def test_a_patrol_records_a_not_found_follow_up_visit_with_a_gps_check_in_on_the_phone(
    new_page, live_server, huangpu_patrol, huangpu_team, huangpu_mobile
):
    import uuid
    from decimal import Decimal

    from warmwinter.patrols import services
    from warmwinter.patrols.models import FollowUp

    services.encounter_record(
        by=huangpu_patrol,
        data=services.EncounterInput(
            client_uuid=uuid.uuid4(),
            lat=31.2320,
            lng=121.4750,
            place_name="人民广场地下通道",
            willingness="refuses",
            disposition="supplies",
            help_contact_left=True,
            items=[("instant-food", Decimal(1)), ("cotton-coat", Decimal(1))],
            new_person=services.NewPerson(name="老王"),
        ),
    )
    base = live_server.url
    page = new_page(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        geolocation={"latitude": 31.2325, "longitude": 121.4750},  # ~55 m away
        permissions=["geolocation"],
    )
    sign_in(page, base, "huangpu_patrol")
    page.goto(f"{base}/patrols/follow-ups/")
    page.get_by_test_id("follow-ups").get_by_role("link", name="登记回访").click()
    page.get_by_label("未找到本人").check()
    expect(page.get_by_label("现状（身体、精神、衣被等）")).to_be_hidden()
    locate = page.get_by_role("button", name="定位签到")
    page.get_by_label("跟踪情况").fill("通道里没有人，问了保安")
    for target in (
        locate,
        page.get_by_role("button", name="完成跟踪"),
        page.locator("label.tap").first,
    ):
        box = target.bounding_box()
        assert box is not None and box["height"] >= 44, box
    locate.tap()
    expect(page.get_by_test_id("locate-status")).to_contain_text("距跟踪地点")
    page.get_by_role("button", name="完成跟踪").tap()
    expect(page.locator(".messages")).to_contain_text("已完成后续跟踪")
    done = FollowUp.objects.filter(done_at__isnull=False).get()
    assert done.found is False and done.checkin_away_m is not None and done.checkin_away_m < 100
    assert done.next.misses == 1
