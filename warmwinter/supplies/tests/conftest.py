"""A small catalogue and warehouses in Huangpu, Pudong and the city, reused by the supply tests."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from warmwinter.accounts.roles import Agency, Role
from warmwinter.supplies import services
from warmwinter.supplies.models import Item, ItemCategory, Warehouse, WarehouseKind


@pytest.fixture
def catalogue(db):
    def item(code, name, category, unit, whole=True, shelf=None):
        return Item.objects.create(
            code=code,
            name=name,
            category=category,
            unit=unit,
            whole_units=whole,
            shelf_life_days=shelf,
        )

    return SimpleNamespace(
        coat=item("cotton-coat", "棉大衣", ItemCategory.CLOTHING, "件"),
        quilt=item("quilt", "棉被", ItemCategory.BEDDING, "条"),
        food=item("instant-food", "方便食品", ItemCategory.FOOD, "份", shelf=180),
        water=item("water", "饮用水", ItemCategory.WATER, "瓶", shelf=365),
        rice=item("rice", "大米", ItemCategory.FOOD, "千克", whole=False, shelf=365),
    )


@pytest.fixture
def warehouses(unit):
    def make(code, name, kind, org_code, holder_label=""):
        return Warehouse.objects.create(
            code=code, name=name, kind=kind, org_unit=unit(org_code), holder_label=holder_label
        )

    return SimpleNamespace(
        city=make("city", "市救助物资储备库", WarehouseKind.CITY, "310000"),
        huangpu=make("hp", "黄浦区救助物资仓库", WarehouseKind.DISTRICT, "310101"),
        pudong=make("pd", "浦东新区救助物资仓库", WarehouseKind.DISTRICT, "310115"),
        pudong_mobile=make(
            "pd-m1", "浦东一分队随车物资", WarehouseKind.MOBILE, "310115", "浦东一分队"
        ),
    )


@pytest.fixture
def pudong_admin(make_user):
    return make_user("pudong_admin", Role.DISTRICT_ADMIN, "310115")


@pytest.fixture
def pudong_patrol_civil(make_user):
    return make_user("pudong_patrol_civil", Role.PATROL_MEMBER, "310115", Agency.CIVIL_AFFAIRS)


@pytest.fixture
def receive(city_admin):
    """Put stock into a warehouse as the city admin (who may receive anywhere)."""

    def put(warehouse, item, quantity, *, batch="", expires_on=None, days_ago=0):
        return services.stock_receive(
            by=city_admin,
            warehouse=warehouse,
            item=item,
            quantity=Decimal(str(quantity)),
            source_kind="donation",
            source="上海市慈善基金会",
            batch_code=batch,
            expires_on=expires_on,
            occurred_at=timezone.now() - timedelta(days=days_ago),
        )

    return put
