"""Warnings lapse: 「预警」 that names no expiry is in force for its type's lifetime (the rules
table, with its source), not for ever; one already past it when it arrives is history and
changes no level; the weather page says why each district is at its level."""

from datetime import datetime, timedelta

import pytest

from warmwinter.core import clock
from warmwinter.places.models import OrgLevel, OrgUnit
from warmwinter.weather import selectors, services
from warmwinter.weather.levels import ResponseLevel
from warmwinter.weather.models import EndReason, WarningLifetime, WeatherWarning

pytestmark = pytest.mark.django_db

JANUARY_COLD_WAVE = "上海中心气象台2026年1月20日16时发布寒潮蓝色预警信号"
DECEMBER = datetime(2026, 12, 2, 13, 0, tzinfo=clock.SHANGHAI)


def _levels() -> set[ResponseLevel]:
    return {selectors.current_level(d) for d in OrgUnit.objects.filter(level=OrgLevel.DISTRICT)}


def test_a_january_cold_wave_text_without_expiry_does_not_hold_districts_at_iv_in_december(
    unit, time_machine
):
    services.warning_ingest(data=JANUARY_COLD_WAVE)
    assert _levels() == {ResponseLevel.IV}

    time_machine.move_to(DECEMBER)
    services.weather_refresh()

    assert _levels() == {ResponseLevel.NORMAL}
    warning = WeatherWarning.objects.get()
    assert warning.end_reason == EndReason.EXPIRED
    assert clock.local(warning.expires_at) == datetime(2026, 1, 21, 16, tzinfo=clock.SHANGHAI)


def test_a_january_text_arriving_in_december_is_history_and_changes_no_level(unit, time_machine):
    time_machine.move_to(DECEMBER)

    result = services.warning_ingest(data=JANUARY_COLD_WAVE)

    assert result.created and result.events == []
    assert _levels() == {ResponseLevel.NORMAL}
    assert result.warning.end_reason == EndReason.EXPIRED
    assert list(selectors.warnings_in_force()) == []


def test_a_cold_wave_naming_no_expiry_is_in_force_for_24_hours_by_the_rules(pudong):
    warning = services.warning_ingest(data=JANUARY_COLD_WAVE).warning

    assert warning.expiry_assumed and warning.expires_at is not None
    assert warning.expires_at - warning.effective_at == timedelta(hours=24)
    lifetime = WarningLifetime.objects.get(
        ruleset=selectors.ruleset_in_force(), warning_type="cold_wave"
    )
    assert lifetime.hours == 24 and "未注明失效时间" in lifetime.source


def test_a_shorter_lifetime_in_a_new_rules_version_applies_to_the_next_warning(pudong, city_admin):
    draft = services.ruleset_draft(by=city_admin)
    draft.warning_lifetimes.filter(warning_type="cold_wave").update(hours=6)
    services.ruleset_publish(ruleset=draft, by=city_admin)

    warning = services.warning_ingest(data=JANUARY_COLD_WAVE).warning

    assert warning.expires_at is not None
    assert warning.expires_at - warning.effective_at == timedelta(hours=6)


def test_the_weather_page_says_which_warning_holds_each_district_and_until_when(
    client_for, city_admin, pudong
):
    services.warning_ingest(
        data="上海中心气象台2026年1月20日16时发布浦东新区寒潮橙色预警信号：预计未来24小时浦东新区最低气温将下降12℃以上"
    )

    page = client_for(city_admin).get("/weather/").content.decode()

    pudong_cell = page.split('data-testid="why-310115"')[1].split("</td>")[0]
    assert "寒潮橙色预警" in pudong_cell
    assert "01-20 16:00 发布，至 01-21 16:00" in pudong_cell
    assert "未注明失效时间，按规则时效" in pudong_cell
    huangpu_cell = page.split('data-testid="why-310101"')[1].split("</td>")[0]
    assert "无生效预警" in huangpu_cell


def test_the_rules_page_lists_the_lifetimes_with_their_source(client_for, huangpu_dispatcher):
    page = client_for(huangpu_dispatcher).get("/weather/rules/").content.decode()
    assert "寒潮：生效后 24 小时失效" in page
