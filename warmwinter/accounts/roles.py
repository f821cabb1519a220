"""Roles and what each may do. One table, read by views, the API and the navigation alike."""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CITY_ADMIN = "city_admin", _("市级管理员")
    DISTRICT_ADMIN = "district_admin", _("区级管理员")
    DISPATCHER = "dispatcher", _("调度员")
    HOTLINE_OPERATOR = "hotline_operator", _("热线接线员")
    PATROL_MEMBER = "patrol_member", _("巡查队员")
    STATION_WORKER = "station_worker", _("救助站工作人员")
    STATION_LEADER = "station_leader", _("救助站带班领导")
    REPORTER = "reporter", _("服务网点/社会力量报告人")
    AUDITOR = "auditor", _("审计员（只读）")


class Agency(models.TextChoices):
    """The three agencies of the 「三合一」 joint patrol."""

    CIVIL_AFFAIRS = "civil_affairs", _("民政")
    POLICE = "police", _("公安")
    URBAN_MANAGEMENT = "urban_management", _("城管执法")


class Capability(StrEnum):
    VIEW_MAP = "view_map"
    VIEW_PLACES = "view_places"
    MANAGE_PLACES = "manage_places"
    VIEW_AUDIT = "view_audit"
    MANAGE_TOKENS = "manage_tokens"


_READ = {Capability.VIEW_MAP, Capability.VIEW_PLACES}

ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.CITY_ADMIN: frozenset(
        _READ | {Capability.MANAGE_PLACES, Capability.VIEW_AUDIT, Capability.MANAGE_TOKENS}
    ),
    Role.DISTRICT_ADMIN: frozenset(_READ | {Capability.MANAGE_PLACES, Capability.VIEW_AUDIT}),
    Role.DISPATCHER: frozenset(_READ),
    Role.HOTLINE_OPERATOR: frozenset(_READ),
    Role.PATROL_MEMBER: frozenset(_READ),
    Role.STATION_WORKER: frozenset(_READ),
    Role.STATION_LEADER: frozenset(_READ | {Capability.VIEW_AUDIT}),
    Role.REPORTER: frozenset({Capability.VIEW_MAP}),
    Role.AUDITOR: frozenset(_READ | {Capability.VIEW_AUDIT}),
}

#: Roles whose members act in the street and need the phone-first layout.
MOBILE_ROLES = frozenset({Role.PATROL_MEMBER, Role.REPORTER})
