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
    VIEW_RULEBOOK = "view_rulebook"
    # people (一人一档一画像)
    VIEW_PEOPLE = "view_people"
    MANAGE_PEOPLE = "manage_people"
    VIEW_FULL_ID_NUMBER = "view_full_id_number"
    REVIEW_PERSON_LINKS = "review_person_links"
    APPROVE_TRACING_NOTICES = "approve_tracing_notices"
    # leads and dispatch
    VIEW_LEADS = "view_leads"
    RECORD_LEADS = "record_leads"
    DISPATCH_LEADS = "dispatch_leads"
    HANDLE_LEADS = "handle_leads"
    TAKE_CALLS = "take_calls"
    #: The city's open leads of every channel, without person data: "already reported" (已有人上报).
    VIEW_CITY_OPEN_LEADS = "view_city_open_leads"
    # relief supplies (issue 8)
    VIEW_SUPPLIES = "view_supplies"
    ISSUE_SUPPLIES = "issue_supplies"
    MANAGE_SUPPLIES = "manage_supplies"
    EXPORT_SUPPLIES = "export_supplies"
    # weather warnings and response levels (issue 4)
    VIEW_WEATHER = "view_weather"
    MANAGE_WEATHER = "manage_weather"
    # rescue stations (issue 7)
    VIEW_STATIONS = "view_stations"
    MANAGE_STATIONS = "manage_stations"
    APPROVE_STAY_EXTENSIONS = "approve_stay_extensions"
    # street patrols and encounters (issue 6)
    VIEW_PATROLS = "view_patrols"
    PLAN_PATROLS = "plan_patrols"
    RECORD_ENCOUNTERS = "record_encounters"


_READ = {Capability.VIEW_MAP, Capability.VIEW_PLACES, Capability.VIEW_RULEBOOK}

# Each domain keeps its own table of grants; ROLE_CAPABILITIES at the end is their union.
_BASE_GRANTS: dict[str, frozenset[Capability]] = {
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

# Leads and dispatch (issue 3): who sees, records, dispatches and handles 求助线索.
_LEAD_GRANTS: dict[str, set[Capability]] = {
    Role.CITY_ADMIN: {
        Capability.VIEW_LEADS,
        Capability.RECORD_LEADS,
        Capability.DISPATCH_LEADS,
        Capability.TAKE_CALLS,
    },
    Role.DISTRICT_ADMIN: {
        Capability.VIEW_LEADS,
        Capability.RECORD_LEADS,
        Capability.DISPATCH_LEADS,
    },
    Role.DISPATCHER: {
        Capability.VIEW_LEADS,
        Capability.RECORD_LEADS,
        Capability.DISPATCH_LEADS,
        Capability.TAKE_CALLS,
    },
    Role.HOTLINE_OPERATOR: {
        Capability.VIEW_LEADS,
        Capability.RECORD_LEADS,
        Capability.TAKE_CALLS,
        Capability.VIEW_CITY_OPEN_LEADS,
    },
    Role.PATROL_MEMBER: {Capability.VIEW_LEADS, Capability.HANDLE_LEADS},
    Role.STATION_WORKER: {Capability.VIEW_LEADS},
    Role.STATION_LEADER: {Capability.VIEW_LEADS},
    Role.REPORTER: {Capability.VIEW_LEADS, Capability.RECORD_LEADS},
    Role.AUDITOR: {Capability.VIEW_LEADS},
}

# Relief supplies (issue 8): who sees stock, issues from it, receives/transfers/sets targets, exports.
_SUPPLY_GRANTS: dict[str, set[Capability]] = {
    Role.CITY_ADMIN: {
        Capability.VIEW_SUPPLIES,
        Capability.ISSUE_SUPPLIES,
        Capability.MANAGE_SUPPLIES,
        Capability.EXPORT_SUPPLIES,
    },
    Role.DISTRICT_ADMIN: {
        Capability.VIEW_SUPPLIES,
        Capability.ISSUE_SUPPLIES,
        Capability.MANAGE_SUPPLIES,
        Capability.EXPORT_SUPPLIES,
    },
    Role.DISPATCHER: {Capability.VIEW_SUPPLIES},
    Role.HOTLINE_OPERATOR: {Capability.VIEW_SUPPLIES},
    Role.PATROL_MEMBER: {Capability.VIEW_SUPPLIES, Capability.ISSUE_SUPPLIES},
    Role.STATION_WORKER: {Capability.VIEW_SUPPLIES, Capability.ISSUE_SUPPLIES},
    Role.STATION_LEADER: {
        Capability.VIEW_SUPPLIES,
        Capability.ISSUE_SUPPLIES,
        Capability.MANAGE_SUPPLIES,
        Capability.EXPORT_SUPPLIES,
    },
    Role.AUDITOR: {Capability.VIEW_SUPPLIES, Capability.EXPORT_SUPPLIES},
}

# Person files: who reads them, who writes them, who sees the full ID number (the roles that
# verify identity or return people home: stations and administrators), who merges files and who
# approves a public search notice (寻亲公告).
_PEOPLE_GRANTS: dict[str, frozenset[Capability]] = {
    Role.CITY_ADMIN: frozenset(
        {
            Capability.VIEW_PEOPLE,
            Capability.MANAGE_PEOPLE,
            Capability.VIEW_FULL_ID_NUMBER,
            Capability.REVIEW_PERSON_LINKS,
            Capability.APPROVE_TRACING_NOTICES,
        }
    ),
    Role.DISTRICT_ADMIN: frozenset(
        {
            Capability.VIEW_PEOPLE,
            Capability.MANAGE_PEOPLE,
            Capability.VIEW_FULL_ID_NUMBER,
            Capability.REVIEW_PERSON_LINKS,
            Capability.APPROVE_TRACING_NOTICES,
        }
    ),
    Role.DISPATCHER: frozenset({Capability.VIEW_PEOPLE, Capability.MANAGE_PEOPLE}),
    Role.HOTLINE_OPERATOR: frozenset({Capability.VIEW_PEOPLE}),
    Role.PATROL_MEMBER: frozenset({Capability.VIEW_PEOPLE, Capability.MANAGE_PEOPLE}),
    Role.STATION_WORKER: frozenset(
        {
            Capability.VIEW_PEOPLE,
            Capability.MANAGE_PEOPLE,
            Capability.VIEW_FULL_ID_NUMBER,
            Capability.REVIEW_PERSON_LINKS,
        }
    ),
    Role.STATION_LEADER: frozenset(
        {
            Capability.VIEW_PEOPLE,
            Capability.MANAGE_PEOPLE,
            Capability.VIEW_FULL_ID_NUMBER,
            Capability.REVIEW_PERSON_LINKS,
            Capability.APPROVE_TRACING_NOTICES,
        }
    ),
    Role.AUDITOR: frozenset({Capability.VIEW_PEOPLE}),
}

# Weather (issue 4): every staff role reads the response; the city admin ingests warnings,
# sets a district's level by hand and edits the rules.
_WEATHER_GRANTS: dict[str, frozenset[Capability]] = {
    **{role: frozenset({Capability.VIEW_WEATHER}) for role in Role.values if role != Role.REPORTER},
    Role.CITY_ADMIN: frozenset({Capability.VIEW_WEATHER, Capability.MANAGE_WEATHER}),
}

# Rescue stations (issue 7): station staff run admissions; the station leader (带班领导) also
# approves stays beyond the limit; administrators act too; the auditor only reads.
_STATION_GRANTS: dict[str, frozenset[Capability]] = {
    Role.CITY_ADMIN: frozenset(
        {Capability.VIEW_STATIONS, Capability.MANAGE_STATIONS, Capability.APPROVE_STAY_EXTENSIONS}
    ),
    Role.DISTRICT_ADMIN: frozenset({Capability.VIEW_STATIONS, Capability.MANAGE_STATIONS}),
    Role.STATION_WORKER: frozenset({Capability.VIEW_STATIONS, Capability.MANAGE_STATIONS}),
    Role.STATION_LEADER: frozenset(
        {Capability.VIEW_STATIONS, Capability.MANAGE_STATIONS, Capability.APPROVE_STAY_EXTENSIONS}
    ),
    Role.AUDITOR: frozenset({Capability.VIEW_STATIONS}),
}

# Street patrols (issue 6): the district dispatcher plans the night; patrol members check in and
# record encounters; administrators do both; the auditor reads.
_PATROL_GRANTS: dict[str, frozenset[Capability]] = {
    Role.CITY_ADMIN: frozenset(
        {Capability.VIEW_PATROLS, Capability.PLAN_PATROLS, Capability.RECORD_ENCOUNTERS}
    ),
    Role.DISTRICT_ADMIN: frozenset(
        {Capability.VIEW_PATROLS, Capability.PLAN_PATROLS, Capability.RECORD_ENCOUNTERS}
    ),
    Role.DISPATCHER: frozenset(
        {Capability.VIEW_PATROLS, Capability.PLAN_PATROLS, Capability.RECORD_ENCOUNTERS}
    ),
    Role.PATROL_MEMBER: frozenset({Capability.VIEW_PATROLS, Capability.RECORD_ENCOUNTERS}),
    Role.AUDITOR: frozenset({Capability.VIEW_PATROLS}),
}
ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    role: frozenset().union(
        *(
            grants.get(role, ())
            for grants in (
                _BASE_GRANTS,
                _LEAD_GRANTS,
                _SUPPLY_GRANTS,
                _PEOPLE_GRANTS,
                _WEATHER_GRANTS,
                _STATION_GRANTS,
                _PATROL_GRANTS,
            )
        )
    )
    for role in Role.values
}

#: Roles whose members act in the street and need the phone-first layout.
MOBILE_ROLES = frozenset({Role.PATROL_MEMBER, Role.REPORTER})
