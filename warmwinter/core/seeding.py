"""Deterministic demo data. Each app may ship a `demo.py` with `ORDER` and `seed(ctx)`;
`manage.py seed_demo` runs them in order with one shared, seeded context, so the same seed
gives the same campaign week every time and running it twice changes nothing."""

from __future__ import annotations

import importlib
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.apps import apps
from faker import Faker


@dataclass
class DemoContext:
    seed: int
    scale: int
    now: datetime
    password: str
    rng: random.Random = field(init=False)
    fake: Faker = field(init=False)
    #: The accounts to print at the end: (username, role label, org unit name).
    accounts: list[tuple[str, str, str]] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(self.seed)

    @property
    def week_start(self) -> datetime:
        return self.now - timedelta(days=7)

    def child(self, name: str) -> random.Random:
        """An independent stream per app, so that adding an app does not reshuffle another."""
        return random.Random(f"{self.seed}:{name}")


def demo_modules() -> list[Any]:
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("warmwinter."):
            continue
        try:
            found.append(importlib.import_module(f"{config.name}.demo"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo":
                raise
    return sorted(found, key=lambda m: m.ORDER)
