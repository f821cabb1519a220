"""Fixtures for patrols: the leads/dispatch teams, a catalogue, and a Huangpu team's mobile stock."""

from __future__ import annotations

import uuid
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from warmwinter.leads.tests.conftest import *  # noqa: F403 - teams, leads, users
from warmwinter.leads.tests.conftest import _inline_tasks_and_media  # noqa: F401 - autouse
from warmwinter.patrols import services
from warmwinter.places.demo import hospital_place
from warmwinter.supplies import services as supply_services
from warmwinter.supplies.models import Item, ItemCategory, Warehouse, WarehouseKind

RENMIN_SQUARE = (31.2320, 121.4750)


@pytest.fixture
def catalogue(db: None) -> SimpleNamespace:
    def item(code: str, name: str, category: str, unit: str) -> Item:
        return Item.objects.create(code=code, name=name, category=category, unit=unit)

    return SimpleNamespace(
        coat=item("cotton-coat", "棉大衣", ItemCategory.CLOTHING, "件"),
        food=item("instant-food", "方便食品", ItemCategory.FOOD, "份"),
    )


@pytest.fixture
def huangpu_mobile(
    unit: Any, city_admin: Any, catalogue: SimpleNamespace, huangpu_patrol: Any
) -> Warehouse:
    warehouse = Warehouse.objects.create(
        code="hp-m1",
        name="黄浦一分队随车物资",
        kind=WarehouseKind.MOBILE,
        org_unit=unit("310101"),
        holder_label="黄浦一分队",
        holder=huangpu_patrol,
    )
    for item in (catalogue.coat, catalogue.food):
        supply_services.stock_receive(
            by=city_admin,
            warehouse=warehouse,
            item=item,
            quantity=Decimal(10),
            source_kind="donation",
            source="测试",
        )
    return warehouse


@pytest.fixture
def encounter_input() -> Any:
    """An EncounterInput at People's Square with sensible defaults; override any field."""

    def make(**fields: Any) -> services.EncounterInput:
        data: dict[str, Any] = {
            "client_uuid": uuid.uuid4(),
            "lat": RENMIN_SQUARE[0],
            "lng": RENMIN_SQUARE[1],
            "place_name": "人民广场地下通道",
            "disposition": "guide_station",
            "willingness": "willing",
        }
        data.update(fields)
        return services.EncounterInput(**data)

    return make


#: Hospitals as places: name → (district, address, approximate WGS-84).
@pytest.fixture
def hospital(db: None) -> Any:
    """A hospital place by name, one of the demo's (places.demo.HOSPITALS)."""
    return hospital_place
