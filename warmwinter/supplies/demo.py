"""Demo supplies: the catalogue, a city store, every station's and district's warehouse, a mobile
stock per district carried by its patrol, reserve targets per level, a week of receipts,
transfers and issues, one batch near expiry, one expired, and some shortfalls."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import transaction

from warmwinter.accounts.models import User
from warmwinter.core import clock
from warmwinter.core.seeding import DemoContext
from warmwinter.people.models import Person
from warmwinter.places.models import OrgLevel, OrgUnit, Place, PlaceKind
from warmwinter.supplies import alerts, services
from warmwinter.supplies.models import (
    Item,
    ItemCategory,
    ReserveTarget,
    StockMovement,
    Warehouse,
    WarehouseKind,
)
from warmwinter.weather.levels import ResponseLevel

ORDER = 50

# code, name, category, unit, whole units, shelf life (days)
CATALOGUE = [
    ("quilt", "棉被", ItemCategory.BEDDING, "条", True, None),
    ("cotton-coat", "棉大衣", ItemCategory.CLOTHING, "件", True, None),
    ("down-jacket", "羽绒服", ItemCategory.CLOTHING, "件", True, None),
    ("thermal-underwear", "保暖内衣", ItemCategory.CLOTHING, "套", True, None),
    ("gloves", "手套", ItemCategory.CLOTHING, "副", True, None),
    ("hat", "帽子", ItemCategory.CLOTHING, "顶", True, None),
    ("socks", "袜子", ItemCategory.CLOTHING, "双", True, None),
    ("hot-water-bag", "热水袋", ItemCategory.WARMER, "个", True, None),
    ("hand-warmer", "暖宝宝", ItemCategory.WARMER, "片", True, 1095),
    ("instant-food", "方便食品", ItemCategory.FOOD, "份", True, 180),
    ("biscuits", "压缩饼干", ItemCategory.FOOD, "块", True, 730),
    ("water", "饮用水", ItemCategory.WATER, "瓶", True, 365),
    ("rice", "大米", ItemCategory.FOOD, "千克", False, 365),
    ("cold-medicine", "感冒药", ItemCategory.MEDICINE, "盒", True, 730),
    ("first-aid", "常用药品包", ItemCategory.MEDICINE, "包", True, 365),
]

#: Reserve targets at the normal level; III doubles them and I triples them.
DISTRICT_TARGETS = {
    "quilt": 80,
    "cotton-coat": 60,
    "down-jacket": 30,
    "instant-food": 200,
    "water": 300,
    "hand-warmer": 300,
}
MOBILE_TARGETS = {"cotton-coat": 5, "instant-food": 10, "water": 10, "hand-warmer": 20}
CITY_TARGETS = {"quilt": 500, "cotton-coat": 400, "instant-food": 1000, "water": 1500}
LEVEL_FACTORS = {ResponseLevel.NORMAL: 1, ResponseLevel.III: 2, ResponseLevel.I: 3}

RECIPIENTS = [
    "男，约 60 岁，灰色外套，拒绝入站",
    "女，约 45 岁，随身行李多，愿意接受物资",
    "男，约 35 岁，务工不着，暂不入站",
    "男，约 70 岁，行动缓慢，已告知救助热线",
    "男，约 50 岁，自述有住处，接受食品",
]
DONORS = ["上海市慈善基金会", "区慈善超市", "爱心企业捐赠", "市民个人捐赠"]


def seed(ctx: DemoContext) -> None:
    # One transaction: a single commit instead of one per movement, and all or nothing.
    with transaction.atomic():
        _seed(ctx)


def _seed(ctx: DemoContext) -> None:
    rng = ctx.child("supplies")
    items = _catalogue()
    city_admin = User.objects.filter(username="city_admin").first()
    city = OrgUnit.objects.filter(level=OrgLevel.CITY).first()
    if city_admin is None or city is None:
        ctx.summary.append("物资：缺少 city_admin 或市级单位，跳过")
        return
    warehouses = _warehouses(city)
    _targets(warehouses, items)
    if StockMovement.objects.filter(warehouse__code="city-main").exists():
        ctx.summary.append("物资：库存流水已存在，未重复登记")
        return

    today = clock.local_date(ctx.now)
    day = [ctx.week_start + timedelta(days=d, hours=9) for d in range(7)]

    def receive(
        w: Warehouse, code: str, qty: int, when: int, batch: str, expires: int | None = None
    ) -> None:
        services.stock_receive(
            by=city_admin,
            warehouse=w,
            item=items[code],
            quantity=Decimal(qty),
            source_kind="purchase" if w.kind == WarehouseKind.CITY else "donation",
            source="市民政局集中采购" if w.kind == WarehouseKind.CITY else rng.choice(DONORS),
            batch_code=batch,
            expires_on=today + timedelta(days=expires) if expires is not None else None,
            occurred_at=day[when],
        )

    main = warehouses["city-main"]
    for n, (code, *_rest) in enumerate(CATALOGUE):
        receive(main, code, 400 + 50 * (n % 5), 0, f"SH-{code}-01")

    for code in ("st-s310000-1", "st-s310000-2"):
        station_store = warehouses.get(code)
        if station_store is not None:
            for item_code, qty in (("quilt", 120), ("thermal-underwear", 80), ("socks", 200)):
                receive(station_store, item_code, qty, 1, f"{code}-{item_code}-01")

    issues = 0
    for district in OrgUnit.objects.filter(level=OrgLevel.DISTRICT).order_by("code"):
        store = warehouses[f"d{district.code}"]
        mobile = warehouses[f"m{district.code}-1"]
        for code, target in DISTRICT_TARGETS.items():
            # 60–150 % of the normal target: some districts are short even at the normal level.
            qty = int(target * rng.uniform(0.6, 1.5))
            receive(store, code, qty, rng.randint(0, 3), f"{district.code}-{code}-01")
        if district.code == "310101":
            receive(store, "instant-food", 40, 1, "310101-instant-food-near", expires=10)
        if district.code == "310115":
            receive(store, "water", 24, 0, "310115-water-old", expires=-1)
        transfer = services.stock_transfer_send(
            by=city_admin,
            from_warehouse=store,
            to_warehouse=mobile,
            lines=[
                services.Line(items[code], Decimal(target * 2))
                for code, target in MOBILE_TARGETS.items()
            ],
            note="分队出车前领用",
        )
        services.stock_transfer_receive(by=city_admin, transfer=transfer)
        patrol = mobile.holder or city_admin
        files = list(
            Person.objects.filter(
                org_unit__path__startswith=district.path, archived_at__isnull=True
            ).order_by("pk")[:10]
        )
        for _n in range(rng.randint(3, 6)):
            person = rng.choice(files) if files and rng.random() < 0.5 else None
            lines = [services.Line(items["cotton-coat"], Decimal(1))] if rng.random() < 0.6 else []
            lines.append(services.Line(items["instant-food"], Decimal(rng.randint(1, 3))))
            lines.append(services.Line(items["water"], Decimal(rng.randint(1, 2))))
            services.stock_issue(
                by=patrol,
                warehouse=mobile,
                lines=lines,
                recipient_kind="person",
                recipient_label=rng.choice(RECIPIENTS),
                person=person,
                occurred_at=day[rng.randint(1, 5)] + timedelta(hours=rng.randint(0, 12)),
            )
            issues += 1
        shelter = (
            Place.objects.active()
            .filter(kind=PlaceKind.TEMP_SHELTER, org_unit__path__startswith=district.path)
            .order_by("pk")
            .first()
        )
        if shelter is not None:
            services.stock_issue(
                by=city_admin,
                warehouse=store,
                lines=[services.Line(items["quilt"], Decimal(10))],
                recipient_kind="shelter",
                shelter=shelter,
                occurred_at=day[4],
            )
            issues += 1
    new_alerts = alerts.review_all()
    ctx.summary.append(
        f"物资：{len(items)} 种物资，{len(warehouses)} 个仓库，{issues} 次发放，{new_alerts} 条提醒"
    )


def _catalogue() -> dict[str, Item]:
    items = {}
    for code, name, category, unit, whole, shelf in CATALOGUE:
        items[code], _created = Item.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "category": category,
                "unit": unit,
                "whole_units": whole,
                "shelf_life_days": shelf,
            },
        )
    return items


def _warehouses(city: OrgUnit) -> dict[str, Warehouse]:
    found: dict[str, Warehouse] = {}

    def put(code: str, name: str, kind: str, unit: OrgUnit, **extra: object) -> None:
        found[code], _created = Warehouse.objects.update_or_create(
            code=code, defaults={"name": name, "kind": kind, "org_unit": unit, **extra}
        )

    put("city-main", "上海市救助物资储备库", WarehouseKind.CITY, city)
    for station in OrgUnit.objects.filter(level=OrgLevel.STATION).order_by("code"):
        put(f"st-{station.code.lower()}", f"{station.name}物资库", WarehouseKind.STATION, station)
    for district in OrgUnit.objects.filter(level=OrgLevel.DISTRICT).order_by("code"):
        put(f"d{district.code}", f"{district.name}救助物资仓库", WarehouseKind.DISTRICT, district)
        holder = User.objects.filter(username=f"d{district.code}_patrol1").first()
        put(
            f"m{district.code}-1",
            f"{district.name}巡查一分队随车物资",
            WarehouseKind.MOBILE,
            district,
            holder_label="巡查一分队（民政·公安·城管）",
            holder=holder,
        )
    return found


def _targets(warehouses: dict[str, Warehouse], items: dict[str, Item]) -> None:
    existing = {
        (t.warehouse_id, t.item_id, t.level): t
        for t in ReserveTarget.objects.filter(warehouse__in=list(warehouses.values()))
    }
    create, update = [], []
    for w in warehouses.values():
        if w.kind == WarehouseKind.CITY:
            base = CITY_TARGETS
        elif w.kind == WarehouseKind.DISTRICT:
            base = DISTRICT_TARGETS
        elif w.kind == WarehouseKind.MOBILE:
            base = MOBILE_TARGETS
        else:
            continue
        for item_code, qty in base.items():
            for level, factor in LEVEL_FACTORS.items():
                quantity = Decimal(qty * factor)
                found = existing.get((w.pk, items[item_code].pk, level))
                if found is None:
                    create.append(
                        ReserveTarget(
                            warehouse=w, item=items[item_code], level=level, quantity=quantity
                        )
                    )
                elif found.quantity != quantity:
                    found.quantity = quantity
                    update.append(found)
    ReserveTarget.objects.bulk_create(create)
    ReserveTarget.objects.bulk_update(update, ["quantity"])
