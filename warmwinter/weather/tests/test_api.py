"""The weather API from the outside: push, levels, manual changes, required patrols, forecasts."""

import pytest

from warmwinter.accounts.roles import Role
from warmwinter.core import clock
from warmwinter.notifications.models import Notification
from warmwinter.weather import selectors
from warmwinter.weather.levels import ResponseLevel
from warmwinter.weather.models import LevelCause, LevelEvent, WeatherWarning

from .conftest import FIXTURES

pytestmark = pytest.mark.django_db

API = "/api/v1/weather"


@pytest.fixture
def city_api(client, token_for, city_admin):
    token = token_for(city_admin)

    def call(method, path, data=None, content_type="application/json"):
        return getattr(client, method)(
            f"{API}{path}",
            data=data,
            content_type=content_type,
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )

    return call


def push(city_api, name):
    return city_api("post", "/warnings", (FIXTURES / name).read_bytes(), "application/xml")


def test_pushing_a_cold_wave_orange_cap_for_pudong_answers_201_and_raises_pudong(
    city_api, pudong, pudong_key_place, pudong_shelter
):
    response = push(city_api, "cold_wave_orange_pudong_oasis.xml")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["created"] is True
    assert body["warning"]["warning_type_label"] == "寒潮"
    assert body["warning"]["colour"] == "orange"
    assert body["warning"]["district_codes"] == ["310115"]
    assert [(c["district_code"], c["to_level"]) for c in body["level_changes"]] == [("310115", 4)]
    assert selectors.current_level(pudong) == ResponseLevel.II

    patrols = city_api("get", "/required-patrols?district=310115").json()
    assert patrols["level"] == 4
    key = next(p for p in patrols["patrols"] if p["place_id"] == pudong_key_place.pk)
    assert key["visits"] == 2 and key["window"] == "22:00–06:00"

    detail = city_api("get", "/levels/310115").json()
    assert [s["place_id"] for s in detail["open_shelters"]] == [pudong_shelter.pk]
    assert detail["effects"]["shelters_open"] is True


def test_pushing_the_same_warning_in_the_other_dialect_answers_200_with_the_stored_one(city_api):
    first = push(city_api, "cold_wave_orange_pudong_oasis.xml").json()
    second = push(city_api, "cold_wave_orange_pudong_cn.xml")
    third = city_api(
        "post",
        "/warnings",
        (FIXTURES / "cold_wave_orange_pudong_signal.txt").read_bytes(),
        "text/plain",
    )
    assert second.status_code == third.status_code == 200
    assert second.json()["warning"]["id"] == third.json()["warning"]["id"] == first["warning"]["id"]
    assert WeatherWarning.objects.count() == 1


def test_pushing_the_cancel_restores_pudong(city_api, pudong, pudong_shelter):
    push(city_api, "cold_wave_orange_pudong_oasis.xml")
    response = push(city_api, "cold_wave_cancel_pudong_oasis.xml")
    assert response.status_code == 201
    assert selectors.current_level(pudong) == ResponseLevel.NORMAL
    assert city_api("get", "/levels/310115").json()["open_shelters"] == []


@pytest.mark.parametrize(
    ("name", "status", "words"),
    [
        ("hostile_xxe.xml", 400, "XXE"),
        ("hostile_billion_laughs.xml", 400, "实体"),
    ],
)
def test_hostile_pushes_are_refused_with_a_chinese_message_and_change_nothing(
    city_api, pudong, name, status, words
):
    response = push(city_api, name)
    assert response.status_code == status
    assert words in response.json()["detail"]
    assert not WeatherWarning.objects.exists() and not LevelEvent.objects.exists()


def test_malformed_and_unknown_pushes_are_refused(city_api):
    truncated = (FIXTURES / "cold_wave_orange_pudong_oasis.xml").read_bytes()[:300]
    assert city_api("post", "/warnings", truncated, "application/xml").status_code == 400
    unknown = city_api(
        "post",
        "/warnings",
        "上海中心气象台2026年7月1日10时发布台风蓝色预警信号".encode(),
        "text/plain",
    )
    assert unknown.status_code == 422
    assert "台风" in unknown.json()["detail"]
    assert city_api("post", "/warnings", b"", "text/plain").status_code == 400
    assert not WeatherWarning.objects.exists()


def test_push_requires_a_token_of_a_role_that_may_ingest(
    client, client_for, token_for, city_admin, huangpu_dispatcher
):
    data = (FIXTURES / "cold_wave_orange_pudong_oasis.xml").read_bytes()
    assert client.post(f"{API}/warnings", data, content_type="application/xml").status_code == 401
    # the session of a page is not a push credential
    session = client_for(city_admin)
    assert session.post(f"{API}/warnings", data, content_type="application/xml").status_code == 401
    token = token_for(huangpu_dispatcher)
    response = client.post(
        f"{API}/warnings",
        data,
        content_type="application/xml",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 403
    assert not WeatherWarning.objects.exists()


def test_huangpu_dispatcher_sees_huangpu_level_but_not_pudongs(client_for, huangpu_dispatcher):
    api = client_for(huangpu_dispatcher)
    assert api.get(f"{API}/levels/310101").status_code == 200
    assert api.get(f"{API}/levels/310115").status_code == 404
    assert [row["district_code"] for row in api.get(f"{API}/levels").json()] == ["310101"]
    assert api.get(f"{API}/required-patrols?district=310115").status_code == 404
    own = api.get(f"{API}/required-patrols").json()
    assert own["district_code"] == "310101"


def test_reporter_cannot_read_the_weather_response(client_for, reporter):
    assert client_for(reporter).get(f"{API}/levels").status_code == 403


def test_city_admin_raises_a_district_by_hand_with_a_reason(city_api, pudong, city_admin):
    response = city_api("post", "/levels/310115", {"level": 3, "reason": "气象会商：夜间有冻雨"})
    assert response.status_code == 201, response.content
    event = LevelEvent.objects.get(district=pudong)
    assert (event.cause, event.to_level, event.by, event.reason) == (
        LevelCause.MANUAL,
        3,
        city_admin,
        "气象会商：夜间有冻雨",
    )
    assert selectors.current_level(pudong) == ResponseLevel.III
    missing = city_api("post", "/levels/310115", {"level": 2, "reason": ""})
    assert missing.status_code == 422


def test_a_district_admin_cannot_change_a_level(client_for, huangpu_admin):
    response = client_for(huangpu_admin).post(
        f"{API}/levels/310101", {"level": 3, "reason": "试试"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert not LevelEvent.objects.exists()


def test_a_forecast_night_minimum_at_or_below_zero_raises_prepare_without_a_warning(
    city_api, pudong, huangpu
):
    tonight = clock.tonight().isoformat()
    mild = city_api(
        "post", "/forecasts", {"district_code": "310115", "night": tonight, "min_temp_c": "0.5"}
    )
    assert mild.status_code == 201 and mild.json()["level_changes"] == []
    cold = city_api(
        "post", "/forecasts", {"district_code": "310115", "night": tonight, "min_temp_c": "-1.0"}
    )
    assert cold.status_code == 201
    assert selectors.current_level(pudong) == ResponseLevel.PREPARE
    assert selectors.latest_event(pudong).cause == LevelCause.FORECAST
    assert selectors.current_level(huangpu) == ResponseLevel.NORMAL


def test_the_rules_api_shows_thresholds_with_their_source(city_api):
    rules = city_api("get", "/rules").json()
    orange = next(
        r
        for r in rules["warning_rules"]
        if (r["warning_type"], r["colour"]) == ("cold_wave", "orange")
    )
    assert (
        orange["window_hours"],
        orange["temp_drop_c"],
        orange["min_temp_c"],
        orange["level"],
    ) == (
        24,
        12.0,
        0.0,
        4,
    )
    assert "2007" in orange["source"]
    assert rules["forecast_rules"][0]["night_min_at_or_below_c"] == 0.0


def test_level_change_notifies_the_district_dispatchers_and_stations(city_api, make_user):
    dispatcher = make_user("pd_dispatcher", Role.DISPATCHER, "310115")
    leader = make_user("pd_leader", Role.STATION_LEADER, "S310115")
    elsewhere = make_user("hp_dispatcher", Role.DISPATCHER, "310101")
    push(city_api, "cold_wave_orange_pudong_oasis.xml")
    notes = Notification.objects.filter(source="weather")
    assert {n.recipient for n in notes} == {dispatcher, leader}
    assert all(n.urgency == "urgent" for n in notes)
    assert "浦东新区" in notes.first().title
    assert not Notification.objects.filter(recipient=elsewhere).exists()


def test_other_apps_read_the_boost_and_tighter_time_limits_of_the_level(city_api, pudong, huangpu):
    push(city_api, "cold_wave_orange_pudong_oasis.xml")
    effects = selectors.level_effects(pudong)
    assert (effects.level, effects.lead_priority_boost, effects.time_limit_factor) == (
        ResponseLevel.II,
        3,
        0.5,
    )
    assert selectors.level_effects(huangpu).time_limit_factor == 1.0


def test_required_patrols_of_a_past_night_follow_the_level_of_that_night(
    city_api, pudong, pudong_key_place, time_machine
):
    from datetime import datetime

    from warmwinter.weather import services

    shanghai = clock.SHANGHAI
    services.warning_ingest(
        data=(FIXTURES / "cold_wave_orange_pudong_oasis.xml").read_bytes(),
        now=datetime(2026, 1, 20, 16, 5, tzinfo=shanghai),
    )
    services.warning_ingest(
        data=(FIXTURES / "cold_wave_cancel_pudong_oasis.xml").read_bytes(),
        now=datetime(2026, 1, 22, 9, 5, tzinfo=shanghai),
    )
    time_machine.move_to(datetime(2026, 1, 22, 9, 10, tzinfo=shanghai))
    that_night = city_api("get", "/required-patrols?district=310115&night=2026-01-20").json()
    assert that_night["level"] == 4 and that_night["patrols"]
    night_before = city_api("get", "/required-patrols?district=310115&night=2026-01-19").json()
    assert night_before["level"] == 0 and night_before["patrols"] == []


def test_warnings_list_and_detail_keep_the_raw_message_verbatim(
    city_api, client_for, huangpu_dispatcher
):
    raw = (FIXTURES / "cold_wave_orange_pudong_cn.xml").read_bytes()
    city_api("post", "/warnings", raw, "application/xml")
    api = client_for(huangpu_dispatcher)
    listed = api.get(f"{API}/warnings?in_force=true").json()
    assert listed["count"] == 1
    assert listed["items"][0]["colour_label"] == "橙色"
    detail = api.get(f"{API}/warnings/{listed['items'][0]['id']}").json()
    assert detail["raw"] == raw.decode()
    assert api.get(f"{API}/warnings/999999").status_code == 404
    assert api.get(f"{API}/warnings?district=310115").status_code == 404


def test_a_level_change_reaches_lead_intake_at_once_despite_the_cache(
    city_api, pudong, django_capture_on_commit_callbacks
):
    assert selectors.level_effects(pudong).level == ResponseLevel.NORMAL  # now cached
    with django_capture_on_commit_callbacks(execute=True):
        push(city_api, "cold_wave_orange_pudong_oasis.xml")
    assert selectors.level_effects(pudong).level == ResponseLevel.II
