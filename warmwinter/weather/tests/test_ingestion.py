"""Warnings drive the response: 「在本市收到寒潮或剧烈降温等气象预警信息时，按照工作方案和应急预案，
做好街面联合巡查救助等工作」. Ingestion is synchronous through the CLI and the push endpoint."""

import io
from datetime import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from warmwinter.core import clock
from warmwinter.weather import selectors, services
from warmwinter.weather.levels import ResponseLevel
from warmwinter.weather.models import LevelCause, LevelEvent, PlaceActivation, WeatherWarning
from warmwinter.weather.parsing import WarningRejectedError

from .conftest import FIXTURES, build_cap

pytestmark = pytest.mark.django_db

ORANGE_OASIS = FIXTURES / "cold_wave_orange_pudong_oasis.xml"
ORANGE_CN = FIXTURES / "cold_wave_orange_pudong_cn.xml"
ORANGE_TEXT = FIXTURES / "cold_wave_orange_pudong_signal.txt"
CANCEL_OASIS = FIXTURES / "cold_wave_cancel_pudong_oasis.xml"


def cli(path):
    out = io.StringIO()
    call_command("ingest_warning", str(path), stdout=out)
    return out.getvalue()


def test_cold_wave_orange_cap_for_pudong_raises_pudong_to_level_ii_through_the_cli(
    pudong, huangpu, pudong_key_place, pudong_shelter, pudong_help_point
):
    assert selectors.current_level(pudong) == ResponseLevel.NORMAL
    output = cli(ORANGE_OASIS)
    assert "已入库" in output and "浦东新区 常态→II级响应（橙）" in output
    assert selectors.current_level(pudong) == ResponseLevel.II
    assert selectors.current_level(huangpu) == ResponseLevel.NORMAL
    event = LevelEvent.objects.get(district=pudong)
    assert event.cause == LevelCause.WARNING
    assert "寒潮橙色预警" in event.reason
    # the required patrols appear: every key place twice a night, 22:00–06:00
    level, patrols = selectors.required_patrols(pudong)
    patrol = next(p for p in patrols if p.place == pudong_key_place)
    assert (patrol.visits, patrol.window) == (2, "22:00–06:00")
    assert [f"{s:%H:%M}" for s in patrol.slots] == ["22:00", "02:00"]
    # the shelters open
    assert {a.place for a in selectors.open_shelters(pudong)} == {pudong_shelter, pudong_help_point}


def test_cancel_message_restores_the_level_and_closes_what_it_opened(
    pudong, pudong_key_place, pudong_shelter
):
    cli(ORANGE_OASIS)
    output = cli(CANCEL_OASIS)
    assert "II级响应（橙）→常态" in output
    assert selectors.current_level(pudong) == ResponseLevel.NORMAL
    latest = selectors.latest_event(pudong)
    assert latest.cause == LevelCause.CANCEL
    assert "已解除" in latest.reason
    assert not selectors.open_shelters(pudong).exists()
    activation = PlaceActivation.objects.get(place=pudong_shelter)
    assert activation.closed_by_event == latest
    assert selectors.required_patrols(pudong)[1] == []
    original = WeatherWarning.objects.get(identifier="SH-SMC-20260120160000-11B05-ORANGE")
    assert original.end_reason == "cancelled"


def test_the_same_warning_by_both_cap_dialects_and_signal_text_is_stored_once(pudong):
    first = services.warning_ingest(data=ORANGE_OASIS.read_bytes(), via="cli")
    second = services.warning_ingest(data=ORANGE_CN.read_bytes(), via="api")
    third = services.warning_ingest(data=ORANGE_TEXT.read_bytes(), via="page")
    assert first.created and not second.created and not third.created
    assert second.warning == third.warning == first.warning
    assert WeatherWarning.objects.count() == 1
    assert first.warning.receipts.count() == 3  # each arrival kept verbatim
    assert LevelEvent.objects.filter(district=pudong).count() == 1


def test_a_cancel_referencing_the_oasis_identifier_ends_a_warning_first_received_as_text(pudong):
    services.warning_ingest(data=ORANGE_TEXT.read_bytes())
    services.warning_ingest(data=ORANGE_OASIS.read_bytes())  # same warning, second road
    services.warning_ingest(data=CANCEL_OASIS.read_bytes())
    assert selectors.current_level(pudong) == ResponseLevel.NORMAL


def test_signal_text_cancel_restores_the_level(pudong):
    services.warning_ingest(data=ORANGE_TEXT.read_bytes())
    services.warning_ingest(data="上海中心气象台2026年1月22日9时解除寒潮橙色预警信号")
    assert selectors.current_level(pudong) == ResponseLevel.NORMAL


def test_update_follows_its_references_and_replaces_the_earlier_colour(pudong, time_machine):
    services.warning_ingest(data=build_cap(identifier="B1", colour="blue"))
    assert selectors.current_level(pudong) == ResponseLevel.IV
    time_machine.move_to(datetime(2026, 1, 21, 10, 5, tzinfo=clock.SHANGHAI))
    services.warning_ingest(
        data=build_cap(
            identifier="O1",
            msg_type="Update",
            colour="orange",
            sent="2026-01-21T10:00:00+08:00",
            references="smc@example.cn,B1,2026-01-20T16:00:00+08:00",
        )
    )
    assert selectors.current_level(pudong) == ResponseLevel.II
    blue = WeatherWarning.objects.get(identifier="B1")
    assert blue.end_reason == "updated"
    assert list(selectors.warnings_in_force(district=pudong)) == [
        WeatherWarning.objects.get(identifier="O1")
    ]


def test_whole_city_warning_raises_every_district(pudong, huangpu):
    services.warning_ingest(data="上海中心气象台2026年1月20日16时发布寒潮蓝色预警信号")
    assert selectors.current_level(pudong) == selectors.current_level(huangpu) == ResponseLevel.IV


def test_expiry_lowers_the_level_again(pudong):
    from datetime import datetime

    shanghai = clock.SHANGHAI
    services.warning_ingest(
        data=build_cap(identifier="E1", colour="yellow", expires="2026-01-21T16:00:00+08:00"),
        now=datetime(2026, 1, 20, 16, 5, tzinfo=shanghai),
    )
    assert selectors.current_level(pudong) == ResponseLevel.III
    before = datetime(2026, 1, 21, 12, tzinfo=shanghai)
    after = datetime(2026, 1, 21, 17, tzinfo=shanghai)
    assert services.weather_refresh(now=before) == []
    assert selectors.current_level(pudong) == ResponseLevel.III
    events = services.weather_refresh(now=after)
    assert [e.cause for e in events] == [LevelCause.EXPIRY]
    assert selectors.current_level(pudong) == ResponseLevel.NORMAL
    assert "已过期" in events[0].reason


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("malformed", b"<alert><identifier>x</identifier>"),
        ("truncated", ORANGE_OASIS.read_bytes()[:400]),
        ("xxe", (FIXTURES / "hostile_xxe.xml").read_bytes()),
        ("billion laughs", (FIXTURES / "hostile_billion_laughs.xml").read_bytes()),
        ("unknown type", build_cap(event="台风").encode()),
        ("cancel of nothing", CANCEL_OASIS.read_bytes()),
    ],
)
def test_bad_messages_get_a_clear_error_and_leave_levels_unchanged(pudong, name, data):
    services.warning_ingest(data=build_cap(identifier="Y1", colour="yellow"))
    if name == "cancel of nothing":
        data = data.replace(b"SH-SMC-20260120160000-11B05-ORANGE", b"NEVER-SEEN").replace(
            "寒潮橙色".encode(), "暴雪红色".encode()
        )
    warnings, events = WeatherWarning.objects.count(), LevelEvent.objects.count()
    with pytest.raises(WarningRejectedError) as exc:
        services.warning_ingest(data=data)
    assert exc.value.message
    assert (WeatherWarning.objects.count(), LevelEvent.objects.count()) == (warnings, events)
    assert selectors.current_level(pudong) == ResponseLevel.III


def test_cli_prints_one_line_and_exits_2_on_a_hostile_message(capsys):
    with pytest.raises(CommandError) as exc:
        call_command("ingest_warning", str(FIXTURES / "hostile_xxe.xml"))
    assert exc.value.returncode == 2
    assert "\n" not in str(exc.value) and "XXE" in str(exc.value)
    assert not WeatherWarning.objects.exists()


def test_cli_reports_a_missing_file_in_one_line():
    with pytest.raises(CommandError) as exc:
        call_command("ingest_warning", "/nonexistent/warning.xml")
    assert exc.value.returncode == 2


def test_cli_reads_standard_input(monkeypatch, pudong):
    class Stdin:
        buffer = io.BytesIO(ORANGE_TEXT.read_bytes())

    monkeypatch.setattr("sys.stdin", Stdin)
    out = io.StringIO()
    call_command("ingest_warning", "-", stdout=out)
    assert "已入库" in out.getvalue()
    assert selectors.current_level(pudong) == ResponseLevel.II


def test_a_warning_received_before_it_takes_effect_raises_the_level_when_it_does(pudong):
    from datetime import datetime

    shanghai = clock.SHANGHAI
    message = build_cap(identifier="L1", colour="blue").replace(
        "<senderName>", "<effective>2026-01-20T20:00:00+08:00</effective><senderName>"
    )
    services.warning_ingest(data=message, now=datetime(2026, 1, 20, 16, 1, tzinfo=shanghai))
    assert selectors.current_level(pudong) == ResponseLevel.NORMAL
    events = services.weather_refresh(now=datetime(2026, 1, 20, 20, 5, tzinfo=shanghai))
    assert [(e.district, e.to_level) for e in events] == [(pudong, ResponseLevel.IV)]
    assert services.weather_refresh(now=datetime(2026, 1, 20, 20, 10, tzinfo=shanghai)) == []
