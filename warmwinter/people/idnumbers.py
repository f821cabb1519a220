"""Resident ID numbers (居民身份证号码, GB 11643-1999).

python-stdnum's `stdnum.cn.ric` does the arithmetic (ISO 7064 MOD 11-2 check digit, birth date,
region data). Its `validate()` rejects a number whose region code is not in its table; a region
code can be newer than the table or a long-abolished county, so here an unknown region code only
warns (the check digit still proves the number was typed correctly).

15-digit numbers (issued before 1999) are converted to 18 digits: the year gets its "19" and a
check digit is computed, as the public-security system itself does. A 15-digit number has no check
digit, so a typing error in one cannot be detected; the conversion is flagged in the result.

Storage: the full number sits in `Person.id_number`, which only the roles with
`Capability.VIEW_FULL_ID_NUMBER` ever receive; search uses `id_number_digest`, a keyed HMAC of the
normalised number, so an exact lookup needs no plaintext index and a leaked digest column cannot
be reversed by enumerating the (small) space of valid numbers without the key.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.cn import ric
from stdnum.exceptions import InvalidComponent


@dataclass(frozen=True)
class IdNumber:
    number: str
    birth_date: date
    is_male: bool
    region_code: str
    native_place: str
    converted_from_15: bool = False
    warnings: list[str] = field(default_factory=list)


def normalise(raw: str) -> str:
    return ric.compact(raw or "").replace(" ", "").replace("-", "")


def ascii_digits(text: str) -> bool:
    """Only 0-9: `str.isdigit()` also accepts "²" or "٣", which the check digit arithmetic cannot
    read (full-width digits are already folded to ASCII by `normalise`)."""
    return text.isascii() and text.isdigit()


def _upgrade_15(number: str) -> str:
    seventeen = f"{number[:6]}19{number[6:]}"
    return seventeen + ric.calc_check_digit(seventeen + "0")


def parse_id_number(raw: str, *, today: date | None = None) -> IdNumber:
    """The checked, normalised number with what it says about its holder. Raises
    ValidationError (Chinese message) for a number that cannot be right."""
    number = normalise(raw)
    converted = False
    if len(number) == 15 and ascii_digits(number):
        number = _upgrade_15(number)
        converted = True
    if len(number) != 18:
        raise ValidationError(_("身份证号应为 18 位（15 位旧号码会自动升位）"), code="length")
    if not ascii_digits(number[:17]) or not (ascii_digits(number[17]) or number[17] == "X"):
        raise ValidationError(_("身份证号只能由数字组成，最后一位可以是 X"), code="format")
    if number[17] != ric.calc_check_digit(number):
        raise ValidationError(_("身份证号校验位不对，请逐位核对"), code="checksum")
    try:
        birth = ric.get_birth_date(number)
    except InvalidComponent:
        raise ValidationError(
            _("身份证号中的出生日期 %(d)s 不存在") % {"d": number[6:14]}, code="birth_date"
        ) from None
    today = today or date.today()  # noqa: DTZ011 - a calendar date, not an instant
    if birth > today or birth.year < 1900:
        raise ValidationError(
            _("身份证号中的出生日期 %(d)s 不可能") % {"d": birth.isoformat()}, code="birth_date"
        )
    warnings: list[str] = []
    if converted:
        warnings.append(_("15 位旧号码已升为 18 位，原号码没有校验位，请核对"))
    try:
        place = ric.get_birth_place(number)
        native_place = place.get("province", "") + (
            place.get("county", "") if place.get("county") != place.get("province") else ""
        )
    except InvalidComponent:
        native_place = ""
        warnings.append(
            _("行政区划代码 %(code)s 不在代码表中，请核实（号码已接受）") % {"code": number[:6]}
        )
    return IdNumber(
        number=number,
        birth_date=birth,
        is_male=int(number[16]) % 2 == 1,
        region_code=number[:6],
        native_place=native_place,
        converted_from_15=converted,
        warnings=warnings,
    )


def conflicts_with_file(
    parsed: IdNumber, *, sex: str, birth_date: date | None, birth_year: int | None
) -> dict[str, str]:
    """Field → message for what the number contradicts in the file ("male"/"female" sex)."""
    errors: dict[str, str] = {}
    if sex in ("male", "female") and (sex == "male") != parsed.is_male:
        errors["sex"] = _("身份证号显示为%(id)s性，档案登记为%(file)s性") % {
            "id": _("男") if parsed.is_male else _("女"),
            "file": _("男") if sex == "male" else _("女"),
        }
    if birth_date is not None and birth_date != parsed.birth_date:
        errors["birth_date"] = _("身份证号中的出生日期为 %(id)s，档案登记为 %(file)s") % {
            "id": parsed.birth_date.isoformat(),
            "file": birth_date.isoformat(),
        }
    elif (
        birth_date is None
        and birth_year is not None
        and abs(birth_year - parsed.birth_date.year) > 5
    ):
        errors["birth_year"] = _(
            "身份证号中的出生年份为 %(id)s，与估计的出生年份 %(file)s 相差超过 5 年"
        ) % {"id": parsed.birth_date.year, "file": birth_year}
    return errors


def mask(number: str) -> str:
    """3101**********1234: region prefix and last four, enough to tell two files apart."""
    if not number:
        return ""
    if len(number) < 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def digest(number: str) -> str:
    key = settings.PEOPLE_ID_HASH_KEY or settings.SECRET_KEY
    return hmac.new(
        f"warmwinter.people.id:{key}".encode(), number.encode(), hashlib.sha256
    ).hexdigest()


def digest_of_input(raw: str) -> str | None:
    """The digest to search for, or None when `raw` cannot be an ID number."""
    try:
        return digest(parse_id_number(raw).number)
    except ValidationError:
        return None


def with_check_digit(first17: str) -> str:
    """Complete 17 digits with their check digit (demo data and benchmarks)."""
    return first17 + ric.calc_check_digit(first17 + "0")
