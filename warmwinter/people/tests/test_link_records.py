"""manage.py link_records: batch linkage of a CSV, no database needed."""

import csv

import pytest
from django.core.management import CommandError, call_command

from warmwinter.people.tests.conftest import valid_id

HEADER = "record_id,source,name,sex,birth_year,age_estimate,id_number,phone,native_place,dialect,seen_at,lat,lon,description"


def _run(tmp_path, rows):
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    call_command("link_records", input=str(source), output=str(target))
    with target.open(encoding="utf-8") as f:
        return {r["record_id"]: r["person_id"] for r in csv.DictReader(f)}


def test_records_of_one_person_share_a_person_id(tmp_path):
    number = valid_id()
    out = _run(
        tmp_path,
        [
            f"r1,encounter,张建国,男,1970,,{number},,,,2025-12-03T22:00:00+08:00,31.24,121.50,",
            f"r2,admission,章建国,男,,55,{number},,,,,,,",
            "r3,encounter,張建國,男,1971,,,,,,2025-12-05T23:00:00+08:00,31.2402,121.5001,",
            "r4,encounter,zhang jianguo,男,1970,,,,,,,,,",
            "r5,encounter,李秀英,女,1958,,,,,,,,,",
            "r6,inquiry,单田芳,男,1980,,,,,,,,,",
            "r7,encounter,善田芳,男,1981,,,,,,,,,",
        ],
    )
    assert out["r1"] == out["r2"] == out["r3"] == out["r4"]
    assert out["r5"] != out["r1"]
    assert out["r6"] == out["r7"] != out["r1"]


def test_a_missing_input_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="找不到"):
        call_command(
            "link_records", input=str(tmp_path / "none.csv"), output=str(tmp_path / "o.csv")
        )


def test_a_csv_without_record_id_is_refused(tmp_path):
    source = tmp_path / "bad.csv"
    source.write_text("name\n张三\n", encoding="utf-8")
    with pytest.raises(CommandError, match="record_id"):
        call_command("link_records", input=str(source), output=str(tmp_path / "o.csv"))


def test_a_nickname_links_only_where_the_man_sleeps(tmp_path):
    """老张 under the same bridge as 张建国 last week is him; a 老张 across the city, or one
    with no place at all, is not enough to say so."""
    out = _run(
        tmp_path,
        [
            "r1,encounter,张建国,男,,56,,,,,2025-12-03T22:00:00+08:00,31.2400,121.5000,",
            "r2,encounter,老张,男,,55,,,,,2025-12-10T23:00:00+08:00,31.2410,121.5005,",
            "r3,encounter,老张,男,,55,,,,,2025-12-10T23:00:00+08:00,31.0500,121.2000,",
            "r4,admission,老张,男,,55,,,,,,,,",
            "r5,encounter,阿国,男,,57,,,,,2025-12-12T01:00:00+08:00,31.2403,121.4998,",
        ],
    )
    assert out["r1"] == out["r2"] == out["r5"]
    assert out["r3"] != out["r1"]
    assert out["r4"] != out["r1"]


def test_a_common_name_with_ages_far_apart_is_two_people(tmp_path):
    out = _run(
        tmp_path,
        [
            "r1,admission,王伟,男,1950,,,,,,,,,",
            "r2,admission,王伟,男,1990,,,,,,,,,",
            "r3,admission,王偉,男,,75,,,,,,,,",
        ],
    )
    assert out["r1"] != out["r2"]
    assert out["r3"] == out["r1"]


def test_a_threshold_outside_zero_and_one_is_refused(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text(HEADER + "\n", encoding="utf-8")
    with pytest.raises(CommandError, match="0 和 1 之间"):
        call_command(
            "link_records", input=str(source), output=str(tmp_path / "o.csv"), threshold=60
        )
