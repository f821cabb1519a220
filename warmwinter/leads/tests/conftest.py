"""Fixtures for leads and dispatch: teams on duty, a lead factory, inline tasks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from warmwinter.accounts.models import User
from warmwinter.accounts.roles import Agency, Role
from warmwinter.conftest import HUANGPU, PUDONG
from warmwinter.dispatch.models import Shift, Team
from warmwinter.leads.models import Lead
from warmwinter.leads.services import LeadReport, lead_receive

HUANGPU_POINT = (31.2320, 121.4750)  # 人民广场
PUDONG_POINT = (31.2286, 121.5270)  # 世纪大道


@pytest.fixture(autouse=True)
def _inline_tasks_and_media(settings: Any, tmp_path: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.HOTLINE_NUMBER = "021-12345678"
    settings.LEADS_LOCATOR_TTL_S = 0  # each test has its own places: no cached index
    cache.clear()


@pytest.fixture
def huangpu_patrol(make_user: Callable[..., User]) -> User:
    return make_user("huangpu_patrol", Role.PATROL_MEMBER, HUANGPU, Agency.CIVIL_AFFAIRS)


@pytest.fixture
def pudong_dispatcher(make_user: Callable[..., User]) -> User:
    return make_user("pudong_dispatcher", Role.DISPATCHER, PUDONG)


@pytest.fixture
def hotline_operator(make_user: Callable[..., User]) -> User:
    return make_user("hotline", Role.HOTLINE_OPERATOR, "S310000-1")


def _team(name: str, district: Any, members: list[User], lat: float, lng: float) -> Team:
    team = Team.objects.create(name=name, district=district, lat=lat, lng=lng, max_load=2)
    team.members.set(members)
    now = timezone.now()
    Shift.objects.create(
        team=team, starts_at=now - timedelta(hours=4), ends_at=now + timedelta(hours=8)
    )
    return team


@pytest.fixture
def huangpu_team(unit: Callable[[str], Any], huangpu_patrol: User) -> Team:
    return _team("黄浦一分队", unit(HUANGPU), [huangpu_patrol], 31.2300, 121.4800)


@pytest.fixture
def pudong_team(unit: Callable[[str], Any], pudong_patrol: User) -> Team:
    return _team("浦东一分队", unit(PUDONG), [pudong_patrol], 31.2300, 121.5300)


@pytest.fixture
def make_lead(
    reference: None, huangpu_key_place: Any, pudong_key_place: Any
) -> Callable[..., Lead]:
    def make(where: str = "huangpu", **kwargs: Any) -> Lead:
        lat, lng = HUANGPU_POINT if where == "huangpu" else PUDONG_POINT
        fields: dict[str, Any] = {
            "channel": "grid",
            "lat": lat,
            "lng": lng,
            "description": "桥下有人",
        }
        fields.update(kwargs)
        key = fields.pop("idempotency_key", None)
        by = fields.pop("by", None)
        lead, _created = lead_receive(report=LeadReport(**fields), by=by, idempotency_key=key)
        return lead

    return make
