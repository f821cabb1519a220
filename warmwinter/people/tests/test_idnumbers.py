"""GB 11643-1999 resident ID numbers: check digit, birth date, sex, region, 15-digit numbers."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from warmwinter.people import idnumbers
from warmwinter.people.tests.conftest import valid_id


def test_a_valid_number_gives_birth_date_sex_and_native_place():
    parsed = idnumbers.parse_id_number(valid_id("310101", "19700315", "123"))
    assert parsed.birth_date == date(1970, 3, 15)
    assert parsed.is_male is True
    assert parsed.native_place == "上海市黄浦区"
    assert parsed.warnings == []


def test_an_even_sequence_digit_means_female():
    assert idnumbers.parse_id_number(valid_id(seq="124")).is_male is False


def test_a_lowercase_x_check_digit_is_accepted_and_normalised():
    number = idnumbers.with_check_digit("31010119800101123")
    assert number.endswith("X")
    assert idnumbers.parse_id_number(number.lower()).number == number


def test_a_wrong_check_digit_is_rejected():
    number = valid_id()
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    with pytest.raises(ValidationError, match="校验位"):
        idnumbers.parse_id_number(wrong)


def test_an_impossible_birth_date_is_rejected():
    with pytest.raises(ValidationError, match="出生日期"):
        idnumbers.parse_id_number(idnumbers.with_check_digit("31010119900230123"))


def test_a_birth_date_in_the_future_is_rejected():
    with pytest.raises(ValidationError, match="不可能"):
        idnumbers.parse_id_number(idnumbers.with_check_digit("31010121990101123"))


def test_an_unknown_region_code_warns_but_is_accepted():
    parsed = idnumbers.parse_id_number(idnumbers.with_check_digit("99999919800101123"))
    assert parsed.native_place == ""
    assert any("999999" in w for w in parsed.warnings)


def test_a_15_digit_legacy_number_is_converted_to_18_digits_with_a_warning():
    parsed = idnumbers.parse_id_number("310101700315123")
    assert parsed.number == valid_id("310101", "19700315", "123")
    assert parsed.converted_from_15 is True
    assert parsed.warnings


def test_a_number_of_the_wrong_length_is_rejected():
    with pytest.raises(ValidationError, match="18 位"):
        idnumbers.parse_id_number("31010119700315")


def test_sex_mismatch_with_the_file_is_reported():
    parsed = idnumbers.parse_id_number(valid_id(seq="123"))
    conflicts = idnumbers.conflicts_with_file(
        parsed, sex="female", birth_date=None, birth_year=None
    )
    assert "男性" in conflicts["sex"]


def test_birth_date_mismatch_with_the_file_is_reported():
    parsed = idnumbers.parse_id_number(valid_id())
    conflicts = idnumbers.conflicts_with_file(
        parsed, sex="", birth_date=date(1971, 1, 1), birth_year=None
    )
    assert "birth_date" in conflicts


def test_the_masked_form_keeps_the_region_prefix_and_last_four():
    assert idnumbers.mask("310101197003151234") == "3101**********1234"


def test_creating_a_file_whose_id_contradicts_its_sex_is_refused(make_person, huangpu_admin):
    with pytest.raises(ValidationError) as exc:
        make_person("310101", by=huangpu_admin, name="王芳", sex="female", id_number=valid_id())
    assert "sex" in exc.value.message_dict


@pytest.mark.parametrize(
    "typed",
    ["3101011980010112²X", "31010170031512²"],
    ids=["18 digits", "15 digits"],
)
def test_a_number_with_digits_other_than_0_to_9_is_refused_with_a_clear_error(typed):
    # "²" passes str.isdigit() but not the check digit arithmetic; it used to escape as a
    # ValueError (a 500 in the person form and the ID search).
    with pytest.raises(ValidationError, match="只能由数字组成|18 位"):
        idnumbers.parse_id_number(typed)
    assert idnumbers.digest_of_input(typed) is None
