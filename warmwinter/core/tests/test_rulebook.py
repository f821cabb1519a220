"""The rulebook: the notice's numbers as versioned data, each with its source."""

from __future__ import annotations

import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.apps import apps

from warmwinter.core import clock, rulebook, rulefiles
from warmwinter.core.rulefiles import RulebookError

SHIPPED = rulefiles.FOLDER / "2025-12-01.toml"


def test_every_rule_of_every_version_has_a_title_a_unit_and_a_source():
    book = rulefiles.load()
    for version in book.versions:
        assert version.title and version.rules
        for rule in version.rules.values():
            assert rule.title and rule.unit in rulefiles.UNITS
            # a document a reader can look up, or this platform's own default, said so
            assert "《" in rule.source or "〔" in rule.source or "本平台默认" in rule.source, (
                rule.name
            )


def test_the_shipped_version_follows_the_2025_notice_from_1_december():
    version = rulebook.in_force(date(2026, 1, 20))
    assert version.applies_from == date(2025, 12, 1)
    assert "沪民救发〔2025〕7号" in version.title
    stay = rulebook.rule("stations.stay_limit", on=date(2026, 1, 20))
    assert (stay.value, stay.display) == (10, "10 天")
    assert "民政部令第24号" in stay.source


def test_typed_reads_give_durations_decimals_and_shares():
    assert rulebook.duration("people.tracing_notice_due") == timedelta(hours=24)
    assert rulebook.duration("escalation.city_after") == timedelta(minutes=15)
    assert str(rulebook.decimal("stations.fever_from")) == "37.3"
    assert rulebook.share("stations.capacity_alert_share") == 0.1
    assert rulebook.integers("patrols.follow_up_after") == (24, 24, 12, 8, 4, 2)
    with pytest.raises(RulebookError, match="not a duration"):
        rulebook.duration("stations.fever_from")
    with pytest.raises(RulebookError, match="no rule 'stations.nap_time'"):
        rulebook.integer("stations.nap_time")


def _next_winter(folder: Path, *, stay_limit: int = 15) -> None:
    """A copy of the shipped version for the winter 2026–27 with a longer stay."""
    shutil.copy(SHIPPED, folder / "2025-12-01.toml")
    text = SHIPPED.read_text(encoding="utf-8").replace(
        "applies_from = 2025-12-01", "applies_from = 2026-12-01"
    )
    text = text.replace(
        'title = "在站期限（延长须带班领导批准）"\nvalue = 10',
        f'title = "在站期限（延长须带班领导批准）"\nvalue = {stay_limit}',
    )
    (folder / "2026-12-01.toml").write_text(text, encoding="utf-8")


def test_a_later_version_applies_from_its_date(tmp_path):
    _next_winter(tmp_path)
    book = rulefiles.load(tmp_path)
    assert [v.applies_from for v in book.versions] == [date(2025, 12, 1), date(2026, 12, 1)]
    assert book.in_force(date(2026, 11, 30)).rules["stations.stay_limit"].value == 10
    assert book.in_force(date(2026, 12, 1)).rules["stations.stay_limit"].value == 15
    # a day before the first version is read by the first: there is nothing older
    assert book.in_force(date(2024, 1, 1)).applies_from == date(2025, 12, 1)


def test_the_version_in_force_is_the_one_of_today_in_shanghai(tmp_path, monkeypatch):
    _next_winter(tmp_path, stay_limit=12)
    monkeypatch.setattr(rulefiles, "_loaded", rulefiles.load(tmp_path))
    with time_machine.travel(datetime(2026, 11, 30, 23, 59, tzinfo=clock.SHANGHAI), tick=False):
        assert rulebook.integer("stations.stay_limit") == 10
    with time_machine.travel(datetime(2026, 12, 1, 0, 1, tzinfo=clock.SHANGHAI), tick=False):
        assert rulebook.integer("stations.stay_limit") == 12


ENTRY = (
    '[stations.stay_limit]\ntitle = "在站期限"\nvalue = 10\nunit = "days"\nsource = "实施细则"\n'
)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("title = 'x'\napplies_from = 2025-12-01\n[stations.stay_limit\n", "cannot be read"),
        ("title = 'x'\n" + ENTRY, "applies_from must be a date"),
        (
            "title = 'x'\napplies_from = 2025-12-01\n" + ENTRY.replace('"实施细则"', '""'),
            r"\[stations.stay_limit\]: source must be a non-empty text",
        ),
        (
            "title = 'x'\napplies_from = 2025-12-01\n" + ENTRY.replace('source = "实施细则"\n', ""),
            r"\[stations.stay_limit\]: missing \['source'\]",
        ),
        (
            "title = 'x'\napplies_from = 2025-12-01\n" + ENTRY.replace('"days"', '"fortnights"'),
            "unit 'fortnights' is not one of",
        ),
        (
            "title = 'x'\napplies_from = 2025-12-01\n" + ENTRY.replace("10", '"ten"'),
            "value 'ten' is not made of int numbers",
        ),
    ],
)
def test_a_malformed_file_is_refused_with_a_message_naming_the_file_and_rule(
    tmp_path, text, message
):
    (tmp_path / "2025-12-01.toml").write_text(text, encoding="utf-8")
    with pytest.raises(RulebookError, match=message) as refused:
        rulefiles.load(tmp_path)
    assert "2025-12-01.toml" in str(refused.value)


def test_versions_that_do_not_hold_the_same_rules_are_refused(tmp_path):
    _next_winter(tmp_path)
    later = tmp_path / "2026-12-01.toml"
    later.write_text(
        later.read_text(encoding="utf-8").replace("[stations.stay_limit]", "[stations.stay_limt]"),
        encoding="utf-8",
    )
    with pytest.raises(RulebookError, match="stations.stay_limt"):
        rulefiles.load(tmp_path)


def test_the_app_does_not_start_with_a_broken_rulebook(tmp_path, monkeypatch):
    (tmp_path / "2025-12-01.toml").write_text("title = 'x'\n", encoding="utf-8")
    monkeypatch.setattr(rulefiles, "FOLDER", tmp_path)
    monkeypatch.setattr(rulefiles, "_loaded", None)
    with pytest.raises(RulebookError, match="applies_from"):
        apps.get_app_config("core").ready()


def test_a_test_may_set_a_rule_but_only_to_a_value_of_its_unit(set_rule):
    set_rule("stations.stay_limit", 7)
    assert rulebook.integer("stations.stay_limit") == 7
    with pytest.raises(RulebookError, match="stations.stay_limit"):
        set_rule("stations.stay_limit", "a week")


@pytest.mark.django_db
def test_staff_read_the_rules_in_force_with_their_sources_and_a_reporter_may_not(
    client_for, station_worker, reporter
):
    page = client_for(station_worker).get("/rules/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "沪民救发〔2025〕7号" in text
    assert "在站期限（延长须带班领导批准）" in text and "10 天" in text
    assert "《中华人民共和国未成年人保护法》第二条" in text
    assert client_for(reporter).get("/rules/").status_code == 403
