"""The rulebook: the numbers of the notice (沪民救发〔2025〕7号) and of the rules above it, as
versioned data with their source. Code reads a rule here::

    rulebook.integer("stations.stay_limit")            # 10, in force today
    rulebook.duration("people.tracing_notice_due")     # timedelta(hours=24)
    rulebook.integer("stations.stay_limit", on=day)    # in force on that day

Each version is one TOML file in `core/rules/` (read and checked by `core/rulefiles.py`), with
the date it applies from. The version in force on a day is the latest that applies from that day
or before; today is the clock's (Shanghai). Next winter's notice is a new file (a copy of the
newest, edited, with its own `applies_from`): data, not code.

The rules live in files, not in the database like the weather rules (`weather/defaults.py`),
because they change with a published document once a winter and a change should be reviewed and
tested like code; the weather response is tuned by the city admin during a cold spell.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from warmwinter.core import clock
from warmwinter.core.rulefiles import Rule, RulebookError, Version, book

__all__ = [
    "RulebookError",
    "decimal",
    "duration",
    "in_force",
    "integer",
    "integers",
    "rule",
    "share",
    "table",
    "value",
    "versions",
]


def in_force(on: date | None = None) -> Version:
    """The version in force on `on` (default today, Shanghai)."""
    return book().in_force(on or clock.local_date())


def versions() -> tuple[Version, ...]:
    """Every version, oldest first."""
    return book().versions


def rule(name: str, *, on: date | None = None) -> Rule:
    return in_force(on).rule(name)


def value(name: str, *, on: date | None = None) -> Any:
    """The value as the file holds it (a number, a list or a table)."""
    return in_force(on).rule(name).value


def integer(name: str, *, on: date | None = None) -> int:
    return in_force(on).integer(name)


def integers(name: str, *, on: date | None = None) -> tuple[int, ...]:
    return in_force(on).integers(name)


def decimal(name: str, *, on: date | None = None) -> Decimal:
    return in_force(on).decimal(name)


def share(name: str, *, on: date | None = None) -> float:
    return in_force(on).share(name)


def duration(name: str, *, on: date | None = None) -> timedelta:
    return in_force(on).duration(name)


def table(name: str, *, on: date | None = None) -> dict[str, Any]:
    return in_force(on).table(name)
