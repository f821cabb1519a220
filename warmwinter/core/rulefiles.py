"""The rulebook's files: one TOML file per version in `core/rules/`, read once and checked.

Each file names the document it follows and the date it applies from, and holds every rule,
grouped by the part of the work it governs::

    title = "沪民救发〔2025〕7号《关于扎实做好“寒冬送温暖”专项救助行动的通知》"
    applies_from = 2025-12-01

    [stations.stay_limit]
    title = "在站期限"
    value = 10
    unit = "days"
    source = "《城市生活无着的流浪乞讨人员救助管理办法实施细则》（民政部令第24号）…"

A file that cannot be read, an entry without a title, value, unit or source, a unit not listed
in `UNITS`, a value of the wrong kind, or versions that do not hold the same rules stop the app
at start (`CoreConfig.ready`) with a message naming the file and the entry.

This module knows no "today": code reads rules through `core/rulebook.py`, which asks the clock;
the clock reads the campaign's days from here for a day it names.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

FOLDER = Path(__file__).resolve().parent / "rules"

#: unit → (label, the kind of every number in the value).
UNITS: dict[str, tuple[str | Promise, type]] = {
    "days": (_("天"), int),
    "hours": (_("小时"), int),
    "minutes": (_("分钟"), int),
    "hour_of_day": (_("时"), int),
    "month_day": (_("月、日"), int),
    "metres": (_("米"), int),
    "years": (_("周岁"), int),
    "people": (_("人"), int),
    "times": (_("次"), int),
    "points": (_("分"), int),
    "celsius": ("℃", Decimal),
    "share": ("%", float),
}
_DURATIONS = {"days", "hours", "minutes"}
_ENTRY_KEYS = {"title", "value", "unit", "source"}


class RulebookError(ImproperlyConfigured):
    """A rulebook file cannot be used, or a rule is read as what it is not."""


@dataclass(frozen=True)
class Rule:
    name: str
    title: str
    value: Any
    unit: str
    source: str

    @property
    def unit_label(self) -> str:
        return str(UNITS[self.unit][0])

    @property
    def display(self) -> str:
        """The value as a person reads it: "10 天", "20、7 时", "1：5、5、30 分钟"."""

        def seq(items: list[Any]) -> str:
            return "、".join(str(i) for i in items)

        value = self.value
        if self.unit == "month_day":
            return _("%(m)s月%(d)s日") % {"m": value[0], "d": value[1]}
        if self.unit == "share":
            return f"{value * 100:g} %"
        if isinstance(value, dict):
            text = "；".join(
                f"{k}：{seq(v) if isinstance(v, list) else v}" for k, v in value.items()
            )
        elif isinstance(value, list):
            text = seq(value)
        else:
            text = str(value)
        return f"{text} {self.unit_label}"


@dataclass(frozen=True)
class Version:
    id: str
    title: str
    applies_from: date
    rules: dict[str, Rule]

    def rule(self, name: str) -> Rule:
        if name not in self.rules:
            raise RulebookError(f"no rule {name!r} in the rulebook")
        return self.rules[name]

    def integer(self, name: str) -> int:
        found = self.rule(name)
        if UNITS[found.unit][1] is not int or not isinstance(found.value, int):
            raise RulebookError(f"rule {name!r} is not a whole number")
        return found.value

    def integers(self, name: str) -> tuple[int, ...]:
        found = self.rule(name)
        if UNITS[found.unit][1] is not int or not isinstance(found.value, list):
            raise RulebookError(f"rule {name!r} is not a list of whole numbers")
        return tuple(found.value)

    def decimal(self, name: str) -> Decimal:
        found = self.rule(name)
        if isinstance(found.value, list | dict):
            raise RulebookError(f"rule {name!r} is not a single number")
        return Decimal(str(found.value))

    def share(self, name: str) -> float:
        found = self.rule(name)
        if found.unit != "share" or isinstance(found.value, list | dict):
            raise RulebookError(f"rule {name!r} is not a share")
        return float(found.value)

    def duration(self, name: str) -> timedelta:
        found = self.rule(name)
        if found.unit not in _DURATIONS or isinstance(found.value, list | dict):
            raise RulebookError(f"rule {name!r} is not a duration")
        return timedelta(**{found.unit: found.value})

    def table(self, name: str) -> dict[str, Any]:
        found = self.rule(name)
        if not isinstance(found.value, dict):
            raise RulebookError(f"rule {name!r} is not a table")
        return dict(found.value)

    def groups(self) -> Iterator[tuple[str, list[Rule]]]:
        """The rules grouped by their first name part, in file order."""
        by_group: dict[str, list[Rule]] = {}
        for rule in self.rules.values():
            by_group.setdefault(rule.name.split(".")[0], []).append(rule)
        yield from by_group.items()


@dataclass(frozen=True)
class Book:
    #: Oldest first.
    versions: tuple[Version, ...]

    def in_force(self, on: date) -> Version:
        """The latest version that applies from `on` or before; before the first, the first."""
        applicable = [v for v in self.versions if v.applies_from <= on]
        return applicable[-1] if applicable else self.versions[0]

    def with_value(self, name: str, value: Any) -> Book:
        """This book with `name` set to `value` in every version (tests)."""
        return Book(tuple(_with_values(v, {name: value}) for v in self.versions))

    def with_version(self, applies_from: date, values: dict[str, Any]) -> Book:
        """This book and one more version from `applies_from`: a copy of the newest with these
        values, as next winter's file would hold it (tests)."""
        newest = replace(self.versions[-1], id=applies_from.isoformat(), applies_from=applies_from)
        later = _with_values(newest, values)
        return Book(tuple(sorted((*self.versions, later), key=lambda v: v.applies_from)))


def _with_values(version: Version, values: dict[str, Any]) -> Version:
    rules = dict(version.rules)
    for name, value in values.items():
        if name not in rules:
            raise RulebookError(f"no rule {name!r} in the rulebook")
        rules[name] = replace(rules[name], value=value)
        _check_value(rules[name], where=f"the value given for {name}")
    return replace(version, rules=rules)


def _check_value(rule: Rule, *, where: str) -> None:
    kind = UNITS[rule.unit][1]

    def ok(number: Any) -> bool:
        if isinstance(number, bool):
            return False
        if kind is int:
            return isinstance(number, int)
        return isinstance(number, int | float)

    value = rule.value
    leaves = (
        [x for v in value.values() for x in (v if isinstance(v, list) else [v])]
        if isinstance(value, dict)
        else value
        if isinstance(value, list)
        else [value]
    )
    if not leaves or not all(ok(x) for x in leaves):
        raise RulebookError(
            f"{where}: value {value!r} is not made of {kind.__name__} numbers (unit {rule.unit!r})"
        )
    if rule.unit == "month_day" and not (
        isinstance(value, list) and len(value) == 2 and 1 <= value[0] <= 12 and 1 <= value[1] <= 31
    ):
        raise RulebookError(f"{where}: a month_day is [month, day], not {value!r}")


def _entry(path: Path, name: str, raw: Any) -> Rule:
    where = f"{path.name}: [{name}]"
    if not isinstance(raw, dict):
        raise RulebookError(f"{where} is not a table with title, value, unit and source")
    missing = sorted(_ENTRY_KEYS - raw.keys())
    unknown = sorted(raw.keys() - _ENTRY_KEYS)
    if missing or unknown:
        raise RulebookError(f"{where}: missing {missing}, unknown {unknown}")
    for key in ("title", "unit", "source"):
        if not isinstance(raw[key], str) or not raw[key].strip():
            raise RulebookError(f"{where}: {key} must be a non-empty text")
    if raw["unit"] not in UNITS:
        raise RulebookError(f"{where}: unit {raw['unit']!r} is not one of {sorted(UNITS)}")
    rule = Rule(name, raw["title"].strip(), raw["value"], raw["unit"], raw["source"].strip())
    _check_value(rule, where=where)
    return rule


def load_version(path: Path) -> Version:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise RulebookError(f"rulebook {path.name} cannot be read: {exc}") from None
    title, applies_from = data.pop("title", None), data.pop("applies_from", None)
    if not isinstance(title, str) or not title.strip():
        raise RulebookError(f"{path.name}: title (the document this version follows) is missing")
    if not isinstance(applies_from, date):
        raise RulebookError(f"{path.name}: applies_from must be a date, e.g. 2025-12-01")
    rules: dict[str, Rule] = {}
    for group, entries in data.items():
        if not isinstance(entries, dict) or not entries:
            raise RulebookError(f"{path.name}: {group!r} is not a group of rules")
        for key, raw in entries.items():
            name = f"{group}.{key}"
            rules[name] = _entry(path, name, raw)
    return Version(path.stem, title.strip(), applies_from, rules)


def load(folder: Path | None = None) -> Book:
    """Read and check every version in `folder` (default: this package's)."""
    folder = folder or FOLDER
    versions = sorted(
        (load_version(p) for p in folder.glob("*.toml")), key=lambda v: v.applies_from
    )
    if not versions:
        raise RulebookError(f"no rulebook version (*.toml) in {folder}")
    days = [v.applies_from for v in versions]
    if len(set(days)) != len(days):
        raise RulebookError(f"two rulebook versions apply from the same day: {days}")
    first = versions[0]
    for version in versions[1:]:
        if version.rules.keys() != first.rules.keys():
            diff = sorted(version.rules.keys() ^ first.rules.keys())
            raise RulebookError(
                f"{version.id}.toml and {first.id}.toml do not hold the same rules: {diff}"
            )
        for name, rule in version.rules.items():
            if rule.unit != first.rules[name].unit:
                raise RulebookError(f"{version.id}.toml: {name} changes its unit")
    return Book(tuple(versions))


_loaded: Book | None = None


def book() -> Book:
    """The rulebook, read once."""
    global _loaded
    if _loaded is None:
        _loaded = load()
    return _loaded
