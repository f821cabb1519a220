"""A deterministic week of weather: a 寒潮 blue warning for three districts, its update to orange
for two of them, the cancel, a 道路结冰 yellow warning still in force for 崇明区 and a cold
forecast that puts 宝山区 on "prepare". Every message goes through the real ingestion service
at its own time, so the levels, open shelters and notifications follow as they would."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from warmwinter.core import clock
from warmwinter.core.seeding import DemoContext
from warmwinter.places.models import OrgUnit
from warmwinter.weather import services
from warmwinter.weather.models import Forecast

ORDER = 35


def _at(ctx: DemoContext, day: int, hour: int) -> datetime:
    start = clock.local(ctx.week_start)
    return (start + timedelta(days=day)).replace(hour=hour, minute=0, second=0, microsecond=0)


def _cap_cn(
    ident: str, sent: datetime, severity: str, colour_zh: str, areas: list[tuple[str, str]]
) -> str:
    area_xml = "".join(
        f"<area><areaDesc>{name}</areaDesc><geocode>{code}000000</geocode></area>"
        for code, name in areas
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><alert>'
        f"<identifier>{ident}</identifier><sender>上海中心气象台</sender>"
        f"<sendTime>{sent.isoformat(sep=' ')}</sendTime><status>Actual</status>"
        "<msgType>Alert</msgType><scope>Public</scope><info><eventType>11B05</eventType>"
        f"<severity>{severity}</severity><senderName>上海中心气象台</senderName>"
        f"<headline>上海中心气象台发布寒潮{colour_zh}预警</headline>"
        "<description>受强冷空气影响，预计48小时内最低气温将下降8℃以上，最低气温降至4℃以下。</description>"
        f"{area_xml}</info></alert>"
    )


def _cap_oasis(
    ident: str,
    sent: datetime,
    *,
    msg_type: str,
    event: str,
    severity: str,
    areas: list[tuple[str, str]],
    references: str = "",
    expires: datetime | None = None,
) -> str:
    area_xml = "".join(
        f"<area><areaDesc>{name}</areaDesc><geocode><valueName>GB/T 2260</valueName>"
        f"<value>{code}</value></geocode></area>"
        for code, name in areas
    )
    refs = f"<references>{references}</references>" if references else ""
    exp = f"<expires>{expires.isoformat()}</expires>" if expires else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">'
        f"<identifier>{ident}</identifier><sender>smc@demo.warmwinter</sender>"
        f"<sent>{sent.isoformat()}</sent><status>Actual</status><msgType>{msg_type}</msgType>"
        f"<scope>Public</scope>{refs}<info><language>zh-CN</language><category>Met</category>"
        f"<event>{event}</event><urgency>Expected</urgency><severity>{severity}</severity>"
        f"<certainty>Likely</certainty>{exp}<senderName>上海中心气象台</senderName>"
        f"<headline>上海中心气象台发布{event}</headline>{area_xml}</info></alert>"
    )


def seed(ctx: DemoContext) -> None:
    names = dict(OrgUnit.objects.filter(code__in=_CODES).values_list("code", "name"))
    if len(names) < len(_CODES):
        return
    pudong, fengxian, jinshan, chongming, baoshan = ((c, names[c]) for c in _CODES)
    blue_at, orange_at, cancel_at, icing_at = (
        _at(ctx, 1, 16),
        _at(ctx, 2, 10),
        _at(ctx, 4, 9),
        _at(ctx, 6, 18),
    )
    blue_id = f"DEMO-{blue_at:%Y%m%d%H}-11B05"
    messages = [
        (blue_at, _cap_cn(blue_id, blue_at, "Blue", "蓝色", [pudong, fengxian, jinshan])),
        (
            orange_at,
            _cap_oasis(
                f"DEMO-{orange_at:%Y%m%d%H}-11B05",
                orange_at,
                msg_type="Update",
                event="寒潮橙色预警",
                severity="Severe",
                areas=[pudong, fengxian],
                references=f"上海中心气象台,{blue_id},{blue_at.isoformat()}",
                # In force until the cancel: a warning naming no expiry lapses after its
                # type's lifetime (24 h for a cold wave).
                expires=orange_at + timedelta(days=3),
            ),
        ),
        (
            cancel_at,
            f"上海中心气象台{cancel_at.year}年{cancel_at.month}月{cancel_at.day}日"
            f"{cancel_at.hour}时解除寒潮橙色预警信号。",
        ),
        (
            icing_at,
            _cap_oasis(
                f"DEMO-{icing_at:%Y%m%d%H}-11B21",
                icing_at,
                msg_type="Alert",
                event="道路结冰黄色预警",
                severity="Moderate",
                areas=[chongming],
                expires=icing_at + timedelta(days=2),
            ),
        ),
    ]
    created = 0
    for at, message in messages:
        created += services.warning_ingest(data=message, via="demo", now=at).created

    night = clock.tonight(ctx.now)
    district = OrgUnit.objects.get(code=baoshan[0])
    if not Forecast.objects.filter(district=district, night=night).exists():
        services.forecast_record(
            night=night,
            min_temp_c=Decimal("-1.0"),
            district=district,
            issuer="上海中心气象台",
            now=min(ctx.now, timezone.now()),
        )
    ctx.summary.append(
        f"气象：一周 {len(messages)} 条预警（新入库 {created} 条），寒潮蓝→橙→解除，崇明道路结冰黄色，宝山预报低温预备"
    )


_CODES = ["310115", "310120", "310116", "310151", "310113"]
