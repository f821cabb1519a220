"""The optional feed poll (network mocked at its one seam) and the versioned rules."""

import io

import pytest
from django.core.management import call_command

from warmwinter.weather import selectors, services, tasks
from warmwinter.weather.levels import ResponseLevel
from warmwinter.weather.models import RuleSet, WarningRule, WeatherWarning

from .conftest import FIXTURES, build_cap

pytestmark = pytest.mark.django_db


def test_poll_does_nothing_without_a_feed_url(settings, monkeypatch):
    settings.WEATHER_FEED_URL = ""
    monkeypatch.setattr(tasks, "fetch_feed", lambda url: pytest.fail("no fetch without a URL"))
    assert tasks.poll_weather_feed.enqueue().return_value == {
        "created": 0,
        "duplicates": 0,
        "rejected": 0,
    }


def test_poll_ingests_each_alert_of_the_feed_once(settings, monkeypatch, pudong):
    settings.WEATHER_FEED_URL = "https://feed.example.cn/cap.xml"
    alerts = [build_cap(identifier="F1", colour="blue"), build_cap(identifier="F2", event="台风")]
    feed = "<feed>" + "".join(a.split("?>", 1)[1] for a in alerts) + "</feed>"
    monkeypatch.setattr(tasks, "fetch_feed", lambda url: feed.encode())
    result = tasks.poll_weather_feed.enqueue().return_value
    assert result == {"created": 1, "duplicates": 0, "rejected": 1}
    assert selectors.current_level(pudong) == ResponseLevel.IV
    again = tasks.poll_weather_feed.enqueue().return_value
    assert again == {"created": 0, "duplicates": 1, "rejected": 1}


def test_a_hostile_or_unreachable_feed_changes_nothing(settings, monkeypatch):
    settings.WEATHER_FEED_URL = "https://feed.example.cn/cap.xml"
    monkeypatch.setattr(
        tasks, "fetch_feed", lambda url: (FIXTURES / "hostile_xxe.xml").read_bytes()
    )
    assert tasks.poll_feed_now().rejected == 1

    def down(url):
        raise OSError("connection refused")

    monkeypatch.setattr(tasks, "fetch_feed", down)
    assert tasks.poll_feed_now().rejected == 1
    assert not WeatherWarning.objects.exists()


def test_weather_refresh_command_reports_what_it_did(settings):
    settings.WEATHER_FEED_URL = ""
    out = io.StringIO()
    call_command("weather_refresh", "--poll", stdout=out)
    assert "响应等级变更 0 次" in out.getvalue()


def test_without_any_event_a_district_is_at_the_configured_default_level(settings, pudong):
    settings.WEATHER_DEFAULT_LEVEL = 1
    assert selectors.current_level(pudong) == ResponseLevel.PREPARE


def test_a_new_rules_version_changes_the_mapping_once_published(city_admin, pudong):
    draft = services.ruleset_draft(by=city_admin)
    assert draft.version == 2 and draft.published_at is None
    assert draft.warning_rules.count() == RuleSet.objects.get(version=1).warning_rules.count()
    WarningRule.objects.filter(ruleset=draft, warning_type="cold_wave", colour="blue").update(
        level=3
    )
    # a draft is not in force
    services.warning_ingest(data=build_cap(identifier="B1", colour="blue"))
    assert selectors.current_level(pudong) == ResponseLevel.IV
    services.ruleset_publish(ruleset=draft, by=city_admin)
    assert selectors.ruleset_in_force() == draft
    services.warning_ingest(
        data=build_cap(identifier="B2", colour="blue", sent="2026-01-21T16:00:00+08:00")
    )
    assert selectors.current_level(pudong) == ResponseLevel.III
    assert "v2" in selectors.latest_event(pudong).reason
    # the old version stays as it was
    assert (
        RuleSet.objects.get(version=1)
        .warning_rules.get(warning_type="cold_wave", colour="blue")
        .level
        == 2
    )


def test_only_the_city_admin_may_draft_rules(huangpu_admin):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.ruleset_draft(by=huangpu_admin)
