"""The rules of a shift, for every roster that has them: a dispatch team's shifts (who patrols
when) and a station's duty shifts (值班). One owner, so that "24 hours at most" or "overlaps"
cannot come to mean one thing in one app and another in the next.

The checks of a single shift are pure. The overlap check reads the roster, and is only as good
as the lock its caller holds: two writers who each check and then insert would both find the
time free. A caller therefore locks one row that every writer of those shifts must lock too
(a team's row, a staff member's row) and then calls `refuse_overlap` in the same transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from warmwinter.core import clock

#: The longest shift: 24-hour duty is the longest any roster knows.
MAX_LENGTH = timedelta(hours=24)
#: How far ahead a shift may be planned.
MAX_AHEAD = timedelta(days=60)


S = TypeVar("S", bound=models.Model)


def shift_errors(
    starts_at: datetime, ends_at: datetime, *, now: datetime | None = None
) -> dict[str, str]:
    """What is wrong with a shift from `starts_at` to `ends_at`, by form field.

    Every shift ends after it starts and lasts at most 24 hours. Given `now`, the shift is also
    duty still to come: not already over, and starting at most 60 days ahead (a team's roster).
    A roster that also records duty after the fact (a station's) passes no `now`.
    """
    errors: dict[str, str] = {}
    if ends_at <= starts_at:
        errors["ends_at"] = _("结束时间须晚于开始时间")
    elif ends_at - starts_at > MAX_LENGTH:
        errors["ends_at"] = _("一个班次不能超过 24 小时")
    elif now is not None and ends_at <= now:
        errors["ends_at"] = _("这个班次已经结束，不能再添加")
    if now is not None and starts_at > now + MAX_AHEAD:
        errors["starts_at"] = _("最多只能提前 60 天排班")
    return errors


def overlapping(
    shifts: models.QuerySet[S], starts_at: datetime, ends_at: datetime
) -> models.QuerySet[S]:
    """The shifts of `shifts` that share some time with [starts_at, ends_at). Touching ends
    (one ends at 08:00, the next starts at 08:00) do not overlap."""
    return shifts.filter(starts_at__lt=ends_at, ends_at__gt=starts_at)


def overlap_message(starts_at: datetime, ends_at: datetime, *, who: str = "") -> str:
    """The refusal that names the shift in the way (Shanghai time) and, on a roster of people,
    `who` it belongs to."""
    a, b = clock.local(starts_at), clock.local(ends_at)
    span = {"a": f"{a:%m-%d %H:%M}", "b": f"{b:%m-%d %H:%M}"}
    if who:
        return _("%(who)s 在 %(a)s – %(b)s 已有班次，时间重叠") % {**span, "who": who}
    return _("与已有班次 %(a)s – %(b)s 重叠") % span


def refuse_overlap(
    shifts: models.QuerySet[S], starts_at: datetime, ends_at: datetime, *, who: str = ""
) -> None:
    """Raise ValidationError (on `starts_at`) when a shift of `shifts` overlaps the new one;
    `who` names the person whose shifts they are, where they are one person's.

    Precondition: the caller is in a transaction and holds the row lock that every writer of
    `shifts` takes first; without it two writers can both pass this check.
    """
    other = overlapping(shifts, starts_at, ends_at).values_list("starts_at", "ends_at").first()
    if other is not None:
        raise ValidationError({"starts_at": overlap_message(*other, who=who)})
