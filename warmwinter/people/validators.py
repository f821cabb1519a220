"""Bounds of what is typed about a person, declared once: on the fields that store them
(`Person`, `TracingNotice`, `FamilyInquiry`), and for the estimated age, which is never stored
as typed (it becomes a birth year), here alone. Forms, API schemas and services derive from
these (`warmwinter.core.validation`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from warmwinter.core.validation import between

HEIGHT_CM = between(40, 250, _("身高应在 40–250 厘米之间"))
#: An age said or guessed at the kerb; a birth year is derived from it.
AGE_ESTIMATE = between(0, 120, _("估计年龄应在 0–120 岁之间"))
#: The birth year as typed; the service also refuses one after this year.
BIRTH_YEAR = between(1900, 2100, _("出生年份不可能"))
