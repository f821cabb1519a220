"""The demo week goes through the real ingestion and can run twice without changing anything."""

from datetime import datetime

import pytest

from warmwinter.core import clock
from warmwinter.core.seeding import DemoContext
from warmwinter.weather import demo, selectors
from warmwinter.weather.levels import ResponseLevel
from warmwinter.weather.models import Forecast, LevelEvent, WeatherWarning

pytestmark = pytest.mark.django_db

DEMO_NOW = datetime(2026, 1, 28, 20, tzinfo=clock.SHANGHAI)


@pytest.fixture(autouse=True)
def _at_the_end_of_the_demo_week(time_machine):
    time_machine.move_to(DEMO_NOW)


def _run():
    now = DEMO_NOW
    ctx = DemoContext(seed=7, scale=1, now=now, password="x")
    demo.seed(ctx)
    return ctx


def _snapshot():
    return (
        sorted(WeatherWarning.objects.values_list("fingerprint", "ended_at")),
        sorted(LevelEvent.objects.values_list("district__code", "to_level", "at")),
        Forecast.objects.count(),
    )


def test_demo_week_raises_cancels_and_can_run_twice(unit):
    ctx = _run()
    first = _snapshot()
    _run()
    assert _snapshot() == first
    assert "寒潮蓝→橙→解除" in ctx.summary[0]
    pudong_levels = list(
        LevelEvent.objects.filter(district__code="310115")
        .order_by("at")
        .values_list("to_level", flat=True)
    )
    assert pudong_levels == [ResponseLevel.IV, ResponseLevel.II, ResponseLevel.NORMAL]
    assert selectors.current_level(unit("310151")) == ResponseLevel.III  # 崇明 道路结冰黄色
    assert selectors.current_level(unit("310113")) == ResponseLevel.PREPARE  # 宝山 forecast


def test_a_district_left_out_of_an_update_returns_to_normal_and_says_why(unit):
    _run()
    jinshan = selectors.latest_event(unit("310116"))
    assert jinshan.to_level == ResponseLevel.NORMAL
    assert "寒潮蓝色预警已更新为寒潮橙色预警，本区不在更新后的预警范围内" in jinshan.reason
