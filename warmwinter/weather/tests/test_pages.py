"""The weather pages: a district's response an official can read, scoped like everything else."""

import pytest

from warmwinter.accounts.roles import Role
from warmwinter.weather import selectors, services
from warmwinter.weather.levels import ResponseLevel
from warmwinter.weather.models import LevelCause, LevelEvent

from .conftest import FIXTURES

pytestmark = pytest.mark.django_db


@pytest.fixture
def pudong_orange(pudong):
    return services.warning_ingest(
        data=(FIXTURES / "cold_wave_orange_pudong_oasis.xml").read_bytes()
    )


def test_pudong_page_shows_the_warning_the_level_why_and_what_it_switched_on(
    client_for, city_admin, pudong_key_place, pudong_shelter, pudong_orange
):
    page = client_for(city_admin).get("/weather/310115/").content.decode()
    assert "寒潮橙色预警" in page
    assert "II级响应（橙）" in page
    assert "上海中心气象台" in page
    assert pudong_shelter.name in page
    assert pudong_key_place.name in page
    assert "22:00、02:00" in page


def test_huangpu_dispatcher_sees_huangpus_page_and_not_pudongs(client_for, huangpu_dispatcher):
    client = client_for(huangpu_dispatcher)
    assert client.get("/weather/310101/").status_code == 200
    assert client.get("/weather/310115/").status_code == 404
    assert client.get("/weather/999999/").status_code == 404


def test_the_city_overview_lists_only_the_districts_in_the_users_scope(
    client_for, city_admin, huangpu_dispatcher, pudong_orange
):
    city = client_for(city_admin).get("/weather/").content.decode()
    assert "浦东新区" in city and "黄浦区" in city and "II级响应（橙）" in city
    huangpu = client_for(huangpu_dispatcher).get("/weather/").content.decode()
    assert "/weather/310115/" not in huangpu
    assert "/weather/310101/" in huangpu
    # the warning itself is public information
    assert "寒潮橙色预警" in huangpu


def test_a_district_station_worker_follows_their_districts_response(client_for, make_user):
    worker = make_user("pd_station", Role.STATION_WORKER, "S310115")
    client = client_for(worker)
    assert client.get("/weather/310115/").status_code == 200
    assert client.get("/weather/310101/").status_code == 404


def test_reporter_cannot_open_the_weather_pages(client_for, reporter):
    assert client_for(reporter).get("/weather/").status_code == 403


def test_city_admin_sets_a_level_by_hand_on_the_page(client_for, city_admin, pudong):
    client = client_for(city_admin)
    response = client.post("/weather/310115/level/", {"level": 2, "reason": "区里申请提前响应"})
    assert response.status_code == 302
    event = LevelEvent.objects.get(district=pudong)
    assert (event.cause, event.to_level, event.reason) == (LevelCause.MANUAL, 2, "区里申请提前响应")
    page = client.get("/weather/310115/").content.decode()
    assert "区里申请提前响应" in page and "人工调整" in page


def test_a_level_change_without_a_reason_is_refused_beside_the_field(
    client_for, city_admin, pudong
):
    response = client_for(city_admin).post("/weather/310115/level/", {"level": 2, "reason": " "})
    assert response.status_code == 422
    page = response.content.decode()
    assert 'data-testid="level-form"' in page and "这个字段是必填项" in page
    assert not LevelEvent.objects.filter(district=pudong).exists()


def test_a_district_admin_cannot_set_a_level_on_the_page(client_for, huangpu_admin, huangpu):
    response = client_for(huangpu_admin).post("/weather/310101/level/", {"level": 3, "reason": "x"})
    assert response.status_code == 403
    assert selectors.current_level(huangpu) == ResponseLevel.NORMAL


def test_city_admin_pastes_a_signal_text_on_the_ingest_page(client_for, city_admin, pudong):
    client = client_for(city_admin)
    text = (FIXTURES / "cold_wave_orange_pudong_signal.txt").read_text()
    response = client.post("/weather/ingest/", {"message": text})
    assert response.status_code == 302
    assert selectors.current_level(pudong) == ResponseLevel.II
    detail = client.get(response["Location"]).content.decode()
    assert "上海中心气象台2026年1月20日16时发布寒潮橙色预警信号" in detail


def test_a_hostile_paste_shows_the_error_and_changes_nothing(client_for, city_admin):
    client = client_for(city_admin)
    response = client.post(
        "/weather/ingest/", {"message": (FIXTURES / "hostile_xxe.xml").read_text()}
    )
    assert response.status_code == 422
    assert "XXE" in response.content.decode()
    assert not LevelEvent.objects.exists()


def test_dispatcher_cannot_open_the_ingest_page(client_for, huangpu_dispatcher):
    assert client_for(huangpu_dispatcher).get("/weather/ingest/").status_code == 403


def test_the_rules_page_shows_the_cma_criteria_and_their_source(client_for, huangpu_dispatcher):
    page = client_for(huangpu_dispatcher).get("/weather/rules/").content.decode()
    assert "24小时内最低气温将要下降12℃以上，最低气温小于等于0℃" in page
    assert "中国气象局令第16号" in page
    assert "夜间最低气温预报 ≤ 0.0 °C" in page


def test_the_weather_pages_do_not_query_per_district(
    client_for, city_admin, pudong_orange, django_assert_max_num_queries
):
    client = client_for(city_admin)
    with django_assert_max_num_queries(15):
        assert client.get("/weather/").status_code == 200
    with django_assert_max_num_queries(25):
        assert client.get("/weather/310115/").status_code == 200
