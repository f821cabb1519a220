"""The response rules as small pure functions: which level a set of warnings and a forecast call
for, and when the required patrols of a night fall. The numbers come from the rules data."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from decimal import Decimal
from typing import TypeVar

from warmwinter.core import clock
from warmwinter.weather.levels import ResponseLevel

W = TypeVar("W")


def level_for_warnings(
    warnings: Iterable[W],
    *,
    key: Mapping[tuple[str, str], int],
) -> tuple[ResponseLevel, W | None]:
    """The highest level any of `warnings` maps to under `key` ((type, colour) → level), and
    the warning that gives it. A warning with no rule raises nothing."""
    best: tuple[ResponseLevel, W | None] = (ResponseLevel.NORMAL, None)
    for warning in warnings:
        pair = (warning.warning_type, warning.colour)  # type: ignore[attr-defined]
        level = ResponseLevel(key.get(pair, ResponseLevel.NORMAL))
        if level > best[0]:
            best = (level, warning)
    return best


def level_for_forecast(
    night_min_c: Decimal | None, thresholds: Iterable[tuple[Decimal, int]]
) -> ResponseLevel:
    """The highest level whose threshold the forecast night minimum is at or below."""
    if night_min_c is None:
        return ResponseLevel.NORMAL
    levels = [ResponseLevel(level) for limit, level in thresholds if night_min_c <= limit]
    return max(levels, default=ResponseLevel.NORMAL)


def patrol_slots(night: date, *, visits: int, start: time, end: time) -> list[datetime]:
    """`visits` patrol times spread evenly over the window of `night` (22:00–06:00 runs past
    midnight into the next day): two visits in 22:00–06:00 fall at 22:00 and 02:00."""
    if visits <= 0:
        return []
    begin, finish = clock.window_in_night(night, start, end)
    step = (finish - begin) / visits
    return [begin + step * i for i in range(visits)]
