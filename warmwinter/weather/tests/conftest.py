"""Fixtures of the weather tests: the districts, a shelter and a help point in Pudong, and a
builder for CAP messages in both dialects."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from warmwinter.core import clock
from warmwinter.places.models import Place, PlaceKind
from warmwinter.weather import defaults
from warmwinter.weather.models import RuleSet

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def _rules(db):
    # The data migration installs them; a live-server test's flush removes them.
    if not RuleSet.objects.exists():
        from django.apps import apps

        defaults.install(apps)


#: The fixtures' warnings were issued on 20 January 2026 at 16:00 and name no expiry (a signal
#: text never does): the tests receive them shortly after, while they are in force.
JANUARY_EVENING = datetime(2026, 1, 20, 16, 5, tzinfo=clock.SHANGHAI)


@pytest.fixture(autouse=True)
def _when_the_fixtures_were_issued(time_machine):
    time_machine.move_to(JANUARY_EVENING)


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def fixture_bytes():
    return lambda name: (FIXTURES / name).read_bytes()


@pytest.fixture
def pudong(unit):
    return unit("310115")


@pytest.fixture
def huangpu(unit):
    return unit("310101")


@pytest.fixture
def pudong_shelter(unit):
    return Place.objects.create(
        kind=PlaceKind.TEMP_SHELTER,
        name="陆家嘴街道临时救助场所",
        org_unit=unit("310115009"),
        lat=31.2350,
        lng=121.5050,
        capacity=20,
    )


@pytest.fixture
def pudong_help_point(unit):
    return Place.objects.create(
        kind=PlaceKind.HELP_POINT,
        name="陆家嘴求助引导点",
        org_unit=unit("310115009"),
        lat=31.2360,
        lng=121.5060,
    )


def build_cap(
    *,
    dialect: str = "oasis",
    identifier: str = "TEST-1",
    msg_type: str = "Alert",
    event: str = "寒潮",
    colour: str = "orange",
    sent: str = "2026-01-20T16:00:00+08:00",
    area_code: str = "310115",
    area_name: str = "浦东新区",
    references: str = "",
    expires: str = "",
    status: str = "Actual",
) -> str:
    """A CAP message in the OASIS form (namespace, sent, severity Minor…Extreme, geocode
    valueName/value) or the GB/T 35965.1 form (no namespace, sendTime, eventType codes,
    severity Blue…Red, bare 12-digit geocode)."""
    oasis_severity = {"blue": "Minor", "yellow": "Moderate", "orange": "Severe", "red": "Extreme"}
    colour_zh = {"blue": "蓝色", "yellow": "黄色", "orange": "橙色", "red": "红色"}[colour]
    refs = f"<references>{references}</references>" if references else ""
    exp = f"<expires>{expires}</expires>" if expires else ""
    if dialect == "oasis":
        return f"""<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>{identifier}</identifier><sender>smc@example.cn</sender><sent>{sent}</sent>
  <status>{status}</status><msgType>{msg_type}</msgType><scope>Public</scope>{refs}
  <info><language>zh-CN</language><category>Met</category><event>{event}{colour_zh}预警</event>
    <urgency>Expected</urgency><severity>{oasis_severity[colour]}</severity><certainty>Likely</certainty>{exp}
    <senderName>上海中心气象台</senderName><headline>上海中心气象台发布{event}{colour_zh}预警</headline>
    <area><areaDesc>{area_name}</areaDesc><geocode><valueName>GB/T 2260</valueName><value>{area_code}</value></geocode></area>
  </info>
</alert>"""
    codes = {"寒潮": "11B05", "暴雪": "11B04", "霜冻": "11B16", "道路结冰": "11B21"}
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<alert>
  <identifier>{identifier}</identifier><sender>上海中心气象台</sender><sendTime>{sent.replace("T", " ")}</sendTime>
  <status>{status}</status><msgType>{msg_type}</msgType><scope>Public</scope>{refs}
  <info><eventType>{codes.get(event, event)}</eventType><severity>{colour.capitalize()}</severity>{exp}
    <senderName>上海中心气象台</senderName><headline>上海中心气象台发布{event}{colour_zh}预警</headline>
    <area><areaDesc>{area_name}</areaDesc><geocode>{area_code}000000</geocode></area>
  </info>
</alert>"""
