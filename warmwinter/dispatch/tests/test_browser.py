"""Playwright with Debian's chromium: a citizen reports on a phone; the dispatcher's board shows
it without reload and dispatches it; a patrol member accepts it on a phone. A dispatcher sets
up a team and puts it on duty."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from warmwinter.conftest import sign_in
from warmwinter.core import clock
from warmwinter.dispatch.models import Team
from warmwinter.leads.models import Lead, LeadStatus
from warmwinter.places.models import Place, PlaceKind

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PHONE = {"width": 390, "height": 844}


def test_a_citizen_report_reaches_the_board_is_dispatched_and_accepted_on_a_phone(
    new_page, live_server, huangpu_key_place, huangpu_team, huangpu_dispatcher, huangpu_patrol
):
    base = live_server.url
    board = new_page(viewport={"width": 1280, "height": 800})
    sign_in(board, base, "huangpu_dispatcher")
    board.goto(f"{base}/dispatch/")
    expect(board.get_by_test_id("count-open")).to_have_text("0")

    citizen = new_page(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        geolocation={"latitude": 31.2321, "longitude": 121.4751},
        permissions=["geolocation"],
    )
    citizen.goto(f"{base}/leads/report/")
    citizen.get_by_test_id("use-location").click()
    expect(citizen.get_by_test_id("location-status")).to_contain_text("31.232100")
    citizen.get_by_label("情况描述").fill("地下通道口有位老人躺着不动")
    citizen.get_by_label("老人").check()
    citizen.get_by_label("躺卧不动").check()
    citizen.get_by_test_id("submit-report").click()
    code = citizen.get_by_test_id("tracking-code").inner_text()
    assert len(code) == 10
    lead = Lead.objects.get(tracking_code=code)
    assert lead.district.code == "310101"

    row = board.get_by_test_id(f"board-row-{code}")
    expect(row).to_be_visible(timeout=5000)  # polled in, no reload
    expect(board.get_by_test_id("count-open")).to_have_text("1")
    expect(board.get_by_test_id("board-map")).to_have_attribute("data-markers", "1")
    board.get_by_test_id(f"dispatch-{code}").click()
    expect(board.get_by_test_id(f"board-row-{code}")).to_contain_text("已派单")

    patrol = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(patrol, base, "huangpu_patrol")
    patrol.goto(f"{base}/dispatch/my/")
    patrol.get_by_test_id(f"accept-{code}").click()
    expect(patrol.get_by_test_id(f"arrive-{code}")).to_be_visible()
    lead.refresh_from_db()
    assert lead.status == LeadStatus.ACCEPTED

    citizen.get_by_test_id("track-link").click()
    expect(citizen.get_by_test_id("track-status")).to_have_text("已接单")
    for page in (board, patrol, citizen):  # stop the polling before the live server stops
        page.context.close()


def test_a_dispatcher_creates_a_team_at_the_station_and_adds_tomorrow_night_s_shift(
    new_page, live_server, huangpu_dispatcher, huangpu_patrol
):
    base = live_server.url
    page = new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, base, "huangpu_dispatcher", next_path="/dispatch/teams/")
    page.get_by_test_id("team-new").click()
    page.get_by_label("分队名称").fill("黄浦夜巡二队")
    page.get_by_label("驻点（可选）").select_option(label="黄浦区救助管理站（救助管理站）")
    page.get_by_label("联系电话").fill("021-63211234")
    page.get_by_label("huangpu_patrol（民政）").check()
    page.get_by_test_id("team-save").click()
    expect(page.get_by_test_id("team-title")).to_contain_text("黄浦夜巡二队")
    expect(page.get_by_text("已新建救助分队：黄浦夜巡二队")).to_be_visible()

    tomorrow = clock.local_date() + timedelta(days=1)
    starts = timezone.make_aware(datetime.combine(tomorrow, time(20, 0)))
    page.get_by_label("开始").fill(f"{tomorrow:%Y-%m-%d}T20:00")
    page.get_by_label("结束").fill(f"{tomorrow + timedelta(days=1):%Y-%m-%d}T08:00")
    page.get_by_test_id("shift-add").click()
    expect(page.get_by_test_id("coming-shifts")).to_contain_text(f"{tomorrow:%m-%d} 20:00")

    team = Team.objects.get(name="黄浦夜巡二队")
    station = Place.objects.get(kind=PlaceKind.STATION, org_unit__code="S310101")
    assert (team.lat, team.lng) == (station.lat, station.lng)
    assert list(team.members.all()) == [huangpu_patrol]
    shift = team.shifts.get()
    assert (shift.starts_at, shift.ends_at) == (starts, starts + timedelta(hours=12))
    page.get_by_role("link", name="救助分队").last.click()
    expect(page.get_by_test_id(f"team-row-{team.pk}")).to_contain_text("huangpu_patrol（民政）")
    page.context.close()
