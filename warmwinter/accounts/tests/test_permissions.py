"""`require`: who may act, and where. One function, so its rules are tested once here."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.utils import translation

from warmwinter.accounts.permissions import REFUSALS, may, require
from warmwinter.accounts.roles import Capability, Role

DISPATCH, HANDLE = Capability.DISPATCH_LEADS, Capability.HANDLE_LEADS


def test_the_user_who_may_act_is_returned(huangpu_dispatcher: Any, unit: Any) -> None:
    assert require(huangpu_dispatcher, DISPATCH, within=unit("310101002")) is huangpu_dispatcher


@pytest.mark.parametrize("who", [None, AnonymousUser()])
def test_nobody_signed_in_is_refused(who: Any) -> None:
    with pytest.raises(PermissionDenied, match="请先登录"):
        require(who, None)
    assert not may(who, None)


def test_a_deactivated_account_is_refused_whatever_its_role(city_admin: Any) -> None:
    city_admin.is_active = False
    with pytest.raises(PermissionDenied, match="请先登录"):
        require(city_admin, Capability.MANAGE_PLACES)


def test_a_role_without_the_capability_is_refused_with_what_it_may_not_do(auditor: Any) -> None:
    with pytest.raises(PermissionDenied) as refusal:
        require(auditor, Capability.MANAGE_PLACES)
    assert str(refusal.value) == "您的角色不能管理地点"


def test_any_one_of_several_capabilities_is_enough(
    huangpu_dispatcher: Any, pudong_patrol: Any, auditor: Any
) -> None:
    assert may(huangpu_dispatcher, (HANDLE, DISPATCH))
    assert may(pudong_patrol, (HANDLE, DISPATCH))
    with pytest.raises(PermissionDenied, match="您的角色不能处置线索"):
        require(auditor, (HANDLE, DISPATCH))


def test_no_capability_asks_only_for_a_signed_in_user(reporter: Any) -> None:
    assert require(reporter, None) is reporter


def test_the_city_holds_every_unit(city_admin: Any, unit: Any) -> None:
    for code in ("310000", "310115", "310115009", "S310000-1", "S310115"):
        assert may(city_admin, DISPATCH, within=unit(code)), code


def test_a_district_holds_its_streets_and_station_but_not_another_district(
    huangpu_dispatcher: Any, unit: Any
) -> None:
    assert may(huangpu_dispatcher, DISPATCH, within=unit("310101"))
    assert may(huangpu_dispatcher, DISPATCH, within=unit("310101002"))
    assert may(huangpu_dispatcher, DISPATCH, within=unit("S310101"))
    with pytest.raises(PermissionDenied) as refusal:
        require(huangpu_dispatcher, DISPATCH, within=unit("310115"))
    assert str(refusal.value) == "“浦东新区”不在您所属单位的范围内，不能办理"
    assert not may(huangpu_dispatcher, DISPATCH, within=unit("310000"))


def test_a_station_holds_only_itself(station_worker: Any, unit: Any) -> None:
    assert may(station_worker, Capability.MANAGE_STATIONS, within=unit("S310000-1"))
    assert not may(station_worker, Capability.MANAGE_STATIONS, within=unit("S310000-2"))
    assert not may(station_worker, Capability.MANAGE_STATIONS, within=unit("310101"))


def test_a_user_without_a_unit_holds_none(make_user: Any, unit: Any) -> None:
    loose = make_user("loose", Role.DISPATCHER, "310101")
    loose.org_unit = None
    assert may(loose, DISPATCH)
    assert not may(loose, DISPATCH, within=unit("310101"))


def test_the_refusal_speaks_the_users_language(
    auditor: Any, huangpu_dispatcher: Any, unit: Any
) -> None:
    with translation.override("en"):
        with pytest.raises(PermissionDenied) as refusal:
            require(auditor, DISPATCH)
        assert str(refusal.value) == "Your role cannot dispatch leads or manage teams and shifts"
        with pytest.raises(PermissionDenied) as refusal:
            require(huangpu_dispatcher, DISPATCH, within=unit("310115"))
        assert str(refusal.value) == "“浦东新区” is outside your unit: you cannot act on it"


def test_every_capability_has_its_own_refusal() -> None:
    assert set(REFUSALS) == set(Capability)
