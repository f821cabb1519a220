"""Version 1 of the response rules, installed by a data migration. The city admin changes them
by publishing a new version (admin site); these rows are where every installation starts.

The warning criteria are those of 中国气象局令第16号《气象灾害预警信号发布与传播办法》(2007),
annex 气象灾害预警信号及防御指南: a reader can check each threshold against the decree.
The mapping of colours to response levels and what each level switches on are this platform's
defaults for the campaign's work plan; they are data, not code.
"""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from typing import Any

CMA_2007 = "中国气象局令第16号《气象灾害预警信号发布与传播办法》（2007）附件"
LOCAL = "上海市地方预警信号，发布标准以上海中心气象台为准"
PLATFORM = "本平台默认（寒冬送温暖工作方案），市级管理员可发布新版本调整"

# (type, colour, level, window_h, drop_c, min_c, criterion, source)
WARNING_RULES: list[tuple[str, str, int, int | None, str | None, str | None, str, str]] = [
    ("cold_wave", "blue", 2, 48, "8", "4",
     "48小时内最低气温将要下降8℃以上，最低气温小于等于4℃，陆地平均风力可达5级以上", CMA_2007),
    ("cold_wave", "yellow", 3, 24, "10", "4",
     "24小时内最低气温将要下降10℃以上，最低气温小于等于4℃，陆地平均风力可达6级以上", CMA_2007),
    ("cold_wave", "orange", 4, 24, "12", "0",
     "24小时内最低气温将要下降12℃以上，最低气温小于等于0℃，陆地平均风力可达6级以上", CMA_2007),
    ("cold_wave", "red", 5, 24, "16", "0",
     "24小时内最低气温将要下降16℃以上，最低气温小于等于0℃，陆地平均风力可达6级以上", CMA_2007),
    ("road_icing", "yellow", 3, 12, None, None,
     "当路表温度低于0℃，出现降水，12小时内可能出现对交通有影响的道路结冰", CMA_2007),
    ("road_icing", "orange", 4, 6, None, None,
     "当路表温度低于0℃，出现降水，6小时内可能出现对交通有较大影响的道路结冰", CMA_2007),
    ("road_icing", "red", 5, 2, None, None,
     "当路表温度低于0℃，出现降水，2小时内可能出现或者已经出现对交通有很大影响的道路结冰",
     CMA_2007),
    ("blizzard", "blue", 2, 12, None, None, "12小时内降雪量将达4毫米以上", CMA_2007),
    ("blizzard", "yellow", 3, 12, None, None, "12小时内降雪量将达6毫米以上", CMA_2007),
    ("blizzard", "orange", 4, 6, None, None, "6小时内降雪量将达10毫米以上", CMA_2007),
    ("blizzard", "red", 5, 6, None, None, "6小时内降雪量将达15毫米以上", CMA_2007),
    ("frost", "blue", 1, 48, None, "0", "48小时内地面最低温度将要下降到0℃以下", CMA_2007),
    ("frost", "yellow", 2, 24, None, "-3", "24小时内地面最低温度将要下降到零下3℃以下", CMA_2007),
    ("frost", "orange", 3, 24, None, "-5", "24小时内地面最低温度将要下降到零下5℃以下", CMA_2007),
    ("gale", "blue", 1, 24, None, None, "24小时内可能受大风影响，平均风力可达6级以上", CMA_2007),
    ("gale", "yellow", 1, 12, None, None, "12小时内可能受大风影响，平均风力可达8级以上", CMA_2007),
    ("gale", "orange", 2, 6, None, None, "6小时内可能受大风影响，平均风力可达10级以上", CMA_2007),
    ("gale", "red", 3, 6, None, None, "6小时内可能受大风影响，平均风力可达12级以上", CMA_2007),
    ("low_temperature", "blue", 2, None, None, None, "", LOCAL),
    ("low_temperature", "yellow", 3, None, None, None, "", LOCAL),
    ("low_temperature", "orange", 4, None, None, None, "", LOCAL),
    ("low_temperature", "red", 5, None, None, None, "", LOCAL),
    ("sharp_cooling", "blue", 1, None, None, None, "", LOCAL),
    ("sharp_cooling", "yellow", 2, None, None, None, "", LOCAL),
    ("sharp_cooling", "orange", 3, None, None, None, "", LOCAL),
    ("sharp_cooling", "red", 4, None, None, None, "", LOCAL),
]  # fmt: skip

LIFETIME = (
    "预警信号未注明失效时间时按此时效视为失效（气象台一般在此时限内更新或解除预警；"
    + PLATFORM
    + "）"
)

# (type, hours in force when the message names no expiry, source)
LIFETIMES: list[tuple[str, int, str]] = [
    ("cold_wave", 24, LIFETIME),
    ("low_temperature", 24, LIFETIME),
    ("sharp_cooling", 24, LIFETIME),
    ("frost", 24, LIFETIME),
    ("road_icing", 12, LIFETIME),
    ("blizzard", 12, LIFETIME),
    ("gale", 12, LIFETIME),
]

# (night minimum at or below °C, level, source)
FORECAST_RULES: list[tuple[str, int, str]] = [
    ("0", 1, "夜间最低气温预报 ≤ 0 °C 即进入预备状态（" + PLATFORM + "）"),
]

_DISTRICT_STAFF = ["district_admin", "dispatcher", "station_leader", "station_worker"]

# level → (priority boost, time-limit factor, shelters open, stock check, notify roles)
EFFECTS: dict[int, tuple[int, str, bool, bool, list[str]]] = {
    0: (0, "1.00", False, False, []),
    1: (0, "1.00", False, True, ["district_admin", "dispatcher", "station_leader"]),
    2: (1, "0.90", True, True, _DISTRICT_STAFF),
    3: (2, "0.75", True, True, _DISTRICT_STAFF),
    4: (3, "0.50", True, True, [*_DISTRICT_STAFF, "patrol_member"]),
    5: (4, "0.50", True, True, [*_DISTRICT_STAFF, "patrol_member"]),
}

_NIGHT = (time(22, 0), time(6, 0))
_EVENING = (time(20, 0), time(6, 0))
_EXPOSED = ["underpass", "bridge_culvert", "abandoned_building"]

# (level, place kind, key place type or "", visits per night, window start, window end)
PATROLS: list[tuple[int, str, str, int, time, time]] = [
    (1, "key_place", "", 1, *_NIGHT),
    (2, "key_place", "", 1, *_NIGHT),
    (3, "key_place", "", 1, *_NIGHT),
    *[(3, "key_place", t, 2, *_NIGHT) for t in _EXPOSED],
    (4, "key_place", "", 2, *_NIGHT),
    (5, "key_place", "", 3, *_EVENING),
]


def install(apps: Any, *, version: int = 1) -> None:
    """Install the default rules as `version` unless that version exists. `apps` is the app
    registry (django.apps.apps, or a migration's historical one)."""
    RuleSet = apps.get_model("weather", "RuleSet")
    if RuleSet.objects.filter(version=version).exists():
        return
    from django.utils import timezone

    ruleset = RuleSet.objects.create(
        version=version, note="默认规则（气象灾害预警信号发布标准 + 平台默认措施）",
        published_at=timezone.now(),
    )  # fmt: skip
    apps.get_model("weather", "WarningRule").objects.bulk_create(
        apps.get_model("weather", "WarningRule")(
            ruleset=ruleset,
            warning_type=t,
            colour=c,
            level=level,
            window_hours=window,
            temp_drop_c=Decimal(drop) if drop is not None else None,
            min_temp_c=Decimal(low) if low is not None else None,
            criterion=criterion,
            source=source,
        )
        for t, c, level, window, drop, low, criterion, source in WARNING_RULES
    )
    install_lifetimes(apps, ruleset)
    apps.get_model("weather", "ForecastRule").objects.bulk_create(
        apps.get_model("weather", "ForecastRule")(
            ruleset=ruleset, night_min_at_or_below_c=Decimal(t), level=level, source=source
        )
        for t, level, source in FORECAST_RULES
    )
    apps.get_model("weather", "LevelEffect").objects.bulk_create(
        apps.get_model("weather", "LevelEffect")(
            ruleset=ruleset,
            level=level,
            lead_priority_boost=boost,
            time_limit_factor=Decimal(factor),
            shelters_open=shelters,
            stock_check=stock,
            notify_roles=roles,
        )
        for level, (boost, factor, shelters, stock, roles) in EFFECTS.items()
    )
    apps.get_model("weather", "PatrolRequirement").objects.bulk_create(
        apps.get_model("weather", "PatrolRequirement")(
            ruleset=ruleset,
            level=level,
            place_kind=kind,
            key_place_type=key_type,
            visits_per_night=visits,
            window_start=start,
            window_end=end,
        )
        for level, kind, key_type, visits, start, end in PATROLS
    )


def install_lifetimes(apps: Any, ruleset: Any) -> None:
    """The default lifetimes into `ruleset` (also run for versions made before they existed).
    In a migration older than the lifetimes' own (0002 installs version 1) there is no table
    yet: 0004 installs them then."""
    try:
        lifetime_model = apps.get_model("weather", "WarningLifetime")
    except LookupError:
        return
    lifetime_model.objects.bulk_create(
        lifetime_model(ruleset=ruleset, warning_type=t, hours=hours, source=source)
        for t, hours, source in LIFETIMES
        if not lifetime_model.objects.filter(ruleset=ruleset, warning_type=t).exists()
    )
