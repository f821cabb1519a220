"""Bounds of what is typed about a person, declared once and used by the fields that store them
(`Person`, `TracingNotice`, `FamilyInquiry`), and, for what is never stored as typed (an
estimated age becomes a birth year, an ID number is read and stored as 18 characters, a search
is not stored), only here. Forms, API schemas and services derive from these
(`warmwinter.core.validation`)."""

from __future__ import annotations

from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from warmwinter.core.validation import between

HEIGHT_CM = between(40, 250, _("身高应在 40–250 厘米之间"))
#: An age said or guessed at the kerb; a birth year is derived from it.
AGE_ESTIMATE = between(0, 120, _("估计年龄应在 0–120 岁之间"))
#: The birth year as typed; the service also refuses one after this year.
BIRTH_YEAR = between(1900, 2100, _("出生年份不可能"))
#: An ID number as typed: 18 characters, or an old 15, with the spaces people put in; the
#: service reads and checks it (`idnumbers.parse_id_number`) and stores 18.
ID_NUMBER_TYPED = [MaxLengthValidator(24)]
#: What may be typed into the search box of person files.
SEARCH_TEXT = [MaxLengthValidator(40)]
