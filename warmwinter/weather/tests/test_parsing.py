"""The one parser: both CAP dialects and signal text read the same; bad input is refused."""

import pytest

from warmwinter.weather.parsing import WarningRejectedError, parse_message

from .conftest import FIXTURES, build_cap

DISTRICTS = {"310101": "黄浦区", "310115": "浦东新区", "310120": "奉贤区"}


def parse(data):
    return parse_message(data, districts=DISTRICTS)


def test_oasis_cap_reads_type_colour_time_and_district():
    w = parse((FIXTURES / "cold_wave_orange_pudong_oasis.xml").read_bytes())
    assert (w.source, w.warning_type, w.colour, w.msg_type) == (
        "cap_oasis",
        "cold_wave",
        "orange",
        "Alert",
    )
    assert w.type_code == "11B05"
    assert w.issuer == "上海中心气象台"
    assert w.issued_at.isoformat() == "2026-01-20T16:00:00+08:00"
    assert (w.whole_city, w.district_codes) == (False, ["310115"])


def test_chinese_national_cap_reads_eventtype_code_severity_colour_and_gb2260_geocode():
    w = parse((FIXTURES / "cold_wave_orange_pudong_cn.xml").read_bytes())
    assert (w.source, w.warning_type, w.colour, w.type_code) == (
        "cap_cn",
        "cold_wave",
        "orange",
        "11B05",
    )
    assert w.district_codes == ["310115"]


def test_signal_text_reads_issuer_time_type_colour_and_named_districts():
    w = parse((FIXTURES / "cold_wave_orange_pudong_signal.txt").read_bytes())
    assert (w.source, w.issuer, w.warning_type, w.colour) == (
        "signal_text",
        "上海中心气象台",
        "cold_wave",
        "orange",
    )
    assert w.issued_at.isoformat() == "2026-01-20T16:00:00+08:00"
    assert w.district_codes == ["310115"]


def test_the_same_warning_by_three_roads_has_one_fingerprint():
    prints = {
        parse((FIXTURES / name).read_bytes()).fingerprint
        for name in (
            "cold_wave_orange_pudong_oasis.xml",
            "cold_wave_orange_pudong_cn.xml",
            "cold_wave_orange_pudong_signal.txt",
        )
    }
    assert len(prints) == 1


def test_signal_text_without_districts_covers_the_whole_city():
    w = parse("上海中心气象台2026年1月20日16时发布寒潮蓝色预警信号")
    assert w.whole_city and w.colour == "blue"


def test_signal_text_cancel_and_update_are_recognised():
    cancel = parse("上海中心气象台2026年1月22日9时解除寒潮橙色预警信号")
    assert cancel.msg_type == "Cancel"
    update = parse("上海中心气象台2026年1月21日10时将寒潮蓝色预警信号更新为寒潮橙色预警信号")
    assert (update.msg_type, update.colour, update.replaces) == (
        "Update",
        "orange",
        ("cold_wave", "blue"),
    )


def test_road_icing_and_blizzard_codes_are_known():
    assert (
        parse(build_cap(dialect="cn", event="道路结冰", colour="yellow")).warning_type
        == "road_icing"
    )
    assert parse(build_cap(dialect="cn", event="暴雪", colour="blue")).warning_type == "blizzard"


@pytest.mark.parametrize("name", ["hostile_xxe.xml", "hostile_billion_laughs.xml"])
def test_xxe_and_billion_laughs_are_refused_as_hostile(name):
    with pytest.raises(WarningRejectedError) as exc:
        parse((FIXTURES / name).read_bytes())
    assert exc.value.kind == "hostile"
    assert "XXE" in exc.value.message


def test_truncated_cap_is_refused_as_malformed():
    data = (FIXTURES / "cold_wave_orange_pudong_oasis.xml").read_bytes()
    with pytest.raises(WarningRejectedError) as exc:
        parse(data[: len(data) // 2])
    assert exc.value.kind == "malformed"
    assert "XML" in exc.value.message


def test_cap_missing_required_fields_names_them():
    with pytest.raises(WarningRejectedError) as exc:
        parse('<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><status>Actual</status></alert>')
    assert "identifier" in exc.value.message and "sent" in exc.value.message


def test_unknown_event_type_is_refused_with_its_name():
    with pytest.raises(WarningRejectedError) as exc:
        parse(build_cap(event="台风"))
    assert exc.value.kind == "unknown_type"
    assert "台风" in exc.value.message


def test_unknown_signal_type_is_refused():
    with pytest.raises(WarningRejectedError) as exc:
        parse("上海中心气象台2026年7月20日16时发布台风蓝色预警信号")
    assert exc.value.kind == "unknown_type"


def test_area_outside_shanghai_is_refused():
    with pytest.raises(WarningRejectedError) as exc:
        parse(build_cap(area_code="110105", area_name="朝阳区"))
    assert exc.value.kind == "unknown_area"


def test_exercise_messages_are_not_ingested():
    with pytest.raises(WarningRejectedError) as exc:
        parse(build_cap(status="Exercise"))
    assert exc.value.kind == "not_actual"


@pytest.mark.parametrize("data", [b"", b"   ", "你好".encode(), b"\xff\xfe\x00garbage"])
def test_empty_or_unrecognisable_text_is_refused(data):
    with pytest.raises(WarningRejectedError):
        parse(data)


def test_oversized_message_is_refused():
    with pytest.raises(WarningRejectedError) as exc:
        parse(b"<alert>" + b" " * (300 * 1024) + b"</alert>")
    assert exc.value.kind == "too_large"
