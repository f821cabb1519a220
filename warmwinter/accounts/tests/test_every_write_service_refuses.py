"""Every write service refuses a user who may not act, before it changes anything.

The service modules are read by introspection: each public function of `<app>.services` (and
of the other modules that hold writes: the lead lifecycle, patrol planning, family tracing) is
either walked here, with real objects in the real database, or exempt with its reason. A new
write service that nobody added to WALK makes `test_a_write_service_refuses_who_may_not_act`
fail for it.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.utils import timezone

from warmwinter.accounts.permissions import REFUSALS, Needed, may
from warmwinter.accounts.roles import Capability, Role
from warmwinter.conftest import HUANGPU, PUDONG
from warmwinter.core import clock
from warmwinter.dispatch import services as dispatch
from warmwinter.leads import lifecycle
from warmwinter.leads import services as leads
from warmwinter.leads.tests.conftest import (  # noqa: F401 - fixtures
    _inline_tasks_and_media,
    huangpu_patrol,
    huangpu_team,
    make_lead,
    pudong_dispatcher,
)
from warmwinter.notifications import services as notifications
from warmwinter.notifications.models import PushSubscription
from warmwinter.patrols import planning
from warmwinter.patrols import services as patrols
from warmwinter.patrols.models import FollowUp, PatrolNight, PatrolRoute, PatrolStop, StopSource
from warmwinter.patrols.tests.conftest import encounter_input  # noqa: F401 - a fixture
from warmwinter.people import services as people
from warmwinter.people import tracing
from warmwinter.people.models import InquiryMatch, LinkReview, PersonMerge
from warmwinter.places import services as places
from warmwinter.places.models import PlaceKind
from warmwinter.stations import services as stations
from warmwinter.stations.models import (
    AidDecisionReason,
    BroughtBy,
    DistressCategory,
    PlacementStepKind,
    ServiceKind,
    ZoneKind,
)
from warmwinter.supplies import services as supplies
from warmwinter.supplies.models import Batch, Item, ItemCategory, Warehouse, WarehouseKind
from warmwinter.weather import services as weather

#: Modules outside `<app>.services` that hold write services.
OTHER_WRITE_MODULES = (
    "warmwinter.leads.lifecycle",
    "warmwinter.patrols.planning",
    "warmwinter.people.tracing",
)

#: Public functions of those modules that are not user write services, and why.
EXEMPT: dict[str, str] = {
    "audit.services.audit_event": "internal: builds the trail's row for a service's own write",
    "audit.services.audit_record": "internal: every service writes its trail through it",
    "notifications.services.recipients_for": "a read: who should be told",
    "notifications.services.notify": "internal: services and escalations tell staff through it",
    "leads.services.new_tracking_code": "pure: draws a code",
    "leads.services.normalise_tracking_code": "pure: tidies what a caller typed",
    "leads.services.resolve_location": "a read: where a report lies",
    "leads.services.recording_retention_until": "pure: a date",
    "leads.services.escalate_overdue": "system: the escalation task, no user",
    "leads.services.leads_follow_level": "system: re-triage after a level change, no user",
    "leads.services.received_at_refusal": "pure: whether a stated time is sane",
    "patrols.planning.plan_follow_level": "system: re-plans tonight after a level change",
    "leads.lifecycle.lead_transition": "internal: the core of the transitions, which require",
    "leads.lifecycle.auto_dispatch": "system: auto-dispatch of a new lead, no user",
    "leads.lifecycle.chase_unaccepted": "system: the periodic chase of unaccepted leads, no user",
    "notifications.services.push_forget_devices": "system: sign-out revokes the session's own",
    "patrols.services.checked_time": "pure: a time reported from the street",
    "patrols.services.teams_of": "a read: the user's own teams",
    "patrols.services.acting_district": "a read: the district an encounter belongs to",
    "patrols.services.escalate_overdue_follow_ups": "system: the escalation task, no user",
    "patrols.planning.gather_stops": "a read: the candidate stops of a night",
    "patrols.planning.teams_on_duty": "a read: the teams on shift",
    "patrols.planning.resequence": "internal: re-orders a route inside plan/stop services",
    "patrols.planning.plans_for": "a read: the plans in the user's scope",
    "people.services.timeline_record": "internal: other services put events on a timeline",
    "supplies.services.checked_quantity": "pure: validates a quantity",
    "weather.services.rules_ensure": "system: installs the shipped rules when there are none",
    "weather.services.level_recompute": "internal: the core of ingest, forecast and refresh",
    "weather.services.weather_refresh": "system: the periodic refresh task, no user",
}


def _service_modules() -> Iterator[ModuleType]:
    for config in apps.get_app_configs():
        if not config.name.startswith("warmwinter."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.services")
        except ModuleNotFoundError:
            continue
        yield module
        # A services package split by topic (stations/services/admissions.py …).
        for info in pkgutil.walk_packages(getattr(module, "__path__", []), f"{module.__name__}."):
            yield importlib.import_module(info.name)
    for name in OTHER_WRITE_MODULES:
        yield importlib.import_module(name)


def public_functions() -> dict[str, Callable[..., Any]]:
    """`app.module.function` → function, for every public function defined in a service module."""
    return {
        f"{module.__name__.removeprefix('warmwinter.')}.{name}": function
        for module in _service_modules()
        for name, function in inspect.getmembers(module, inspect.isfunction)
        if function.__module__ == module.__name__ and not name.startswith("_")
    }


# --- the world every service is called in --------------------------------------------------


@pytest.fixture
def world(request: Any, unit: Any, make_user: Any, city_admin: Any, huangpu_admin: Any) -> Any:
    """One of everything, made through the services by users who may (real rows, real DB)."""
    w = SimpleNamespace()
    get = request.getfixturevalue
    w.huangpu = unit(HUANGPU)
    w.street = unit("310101002")
    w.station1 = unit("S310000-1")
    w.city_admin, w.huangpu_admin = city_admin, huangpu_admin
    w.auditor = get("auditor")
    w.huangpu_patrol = get("huangpu_patrol")
    w.pudong_dispatcher = get("pudong_dispatcher")
    w.pudong_patrol = get("pudong_patrol")
    w.pudong_admin = make_user("pudong_admin", Role.DISTRICT_ADMIN, PUDONG)
    w.station_worker = get("station_worker")
    w.s2_worker = make_user("s2_worker", Role.STATION_WORKER, "S310000-2")
    w.s2_leader = make_user("s2_leader", Role.STATION_LEADER, "S310000-2")
    w.retired = make_user("retired", Role.DISPATCHER, HUANGPU)
    w.key_place = get("huangpu_key_place")
    weather.rules_ensure()

    # leads and dispatch
    w.team = get("huangpu_team")
    w.shift = w.team.shifts.get()
    w.lead, w.lead2 = get("make_lead")(), get("make_lead")(description="又有人打电话")

    # people
    w.person, _ = people.person_create(by=huangpu_admin, org_unit=w.huangpu, features="灰棉衣")
    w.notice = w.person.tracing_notices.get()
    other, _ = people.person_create(by=huangpu_admin, org_unit=w.huangpu, name="李四")
    w.review = LinkReview.objects.get_or_create(
        person_low=w.person, person_high=other, defaults={"score": 0.8, "reasons": ["体貌相近"]}
    )[0]
    third, _ = people.person_create(by=huangpu_admin, org_unit=w.huangpu, name="王五")
    fourth, _ = people.person_create(by=huangpu_admin, org_unit=w.huangpu, name="王五")
    pair = LinkReview.objects.get_or_create(
        person_low=third, person_high=fourth, defaults={"score": 0.9, "reasons": []}
    )[0]
    people.link_review_decide(review=pair, by=huangpu_admin, link=True)
    w.merge = PersonMerge.objects.get(review=pair)
    w.inquiry = tracing.inquiry_create(
        by=huangpu_admin, org_unit=w.huangpu, contact_name="张女士", contact_phone="13800000000"
    )
    w.match = InquiryMatch.objects.create(inquiry=w.inquiry, person=other, score=0.7, reasons=[])

    # stations
    w.zone = stations.zone_create(
        by=w.station_worker, station=w.station1, kind=ZoneKind.MALE, name="男宾一区"
    )
    (w.bed,) = stations.beds_add(by=w.station_worker, zone=w.zone, labels=["M1"])
    w.admission = stations.admission_create(
        by=w.station_worker,
        station=w.station1,
        brought_by=BroughtBy.SELF,
        category=DistressCategory.NO_WORK,
        new_person={"name": "赵六", "sex": "male", "age_estimate": 40},
    )
    w.case = stations.service_open(
        by=w.station_worker, admission=w.admission, kind=ServiceKind.COUNSELLING
    )

    # supplies
    w.item = Item.objects.create(
        code="quilt", name="棉被", category=ItemCategory.BEDDING, unit="条"
    )
    w.city_store = Warehouse.objects.create(
        code="city", name="市储备库", kind=WarehouseKind.CITY, org_unit=unit("310000")
    )
    w.store = Warehouse.objects.create(
        code="hp", name="黄浦区仓库", kind=WarehouseKind.DISTRICT, org_unit=w.huangpu
    )
    for store in (w.city_store, w.store):
        supplies.stock_receive(
            by=city_admin,
            warehouse=store,
            item=w.item,
            quantity=Decimal(10),
            source_kind="donation",
            source="慈善基金会",
        )
    w.batch = Batch.objects.filter(item=w.item).first()
    w.transfer = supplies.stock_transfer_send(
        by=city_admin,
        from_warehouse=w.city_store,
        to_warehouse=w.store,
        lines=[supplies.Line(w.item, Decimal(2))],
    )

    # weather
    w.draft = weather.ruleset_draft(by=city_admin)

    # patrols
    now = timezone.now()
    w.night = PatrolNight.objects.create(district=w.huangpu, night=clock.tonight())
    start, end = clock.night_bounds(w.night.night)
    w.route = PatrolRoute.objects.create(night=w.night, team=w.team, starts_at=start, ends_at=end)
    w.stop = PatrolStop.objects.create(
        night=w.night,
        route=w.route,
        place=w.key_place,
        label=w.key_place.name,
        lat=w.key_place.lat,
        lng=w.key_place.lng,
        source=StopSource.MANUAL,
        window_start=start,
        window_end=end,
    )
    w.encounter_input = get("encounter_input")
    w.encounter = patrols.encounter_record(by=w.huangpu_patrol, data=w.encounter_input()).encounter
    w.follow_up = FollowUp.objects.create(
        encounter=w.encounter,
        person=w.encounter.person,
        district=w.huangpu,
        team=w.team,
        due_at=now + timedelta(hours=2),
    )

    # notifications
    notifications.notify(recipients=[w.retired], title="线索超时督办")
    w.push = PushSubscription.objects.create(
        user=w.retired, endpoint="https://fcm.googleapis.com/fcm/send/retired", p256dh="x", auth="y"
    )
    w.retired.is_active = False
    w.retired.save()
    return w


# --- the walk ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Walk:
    """How to call one write service as `actor` in the world, and who must be refused.

    `capability`: what the service requires (the refused actor lacks it). `refused`: a user
    without it (the auditor reads everything and changes nothing). `outsider`: a user who holds
    the capability but acts for another unit than the one the service touches (`within=`)."""

    capability: Needed
    call: Callable[[Any, Any], Any]
    outsider: str | None = None
    refused: str = "auditor"


D, H, P, R, S = (
    Capability.DISPATCH_LEADS,
    Capability.HANDLE_LEADS,
    Capability.PLAN_PATROLS,
    Capability.RECORD_ENCOUNTERS,
    Capability.MANAGE_STATIONS,
)
TEAM_STEP = (H, D)
LATER = timedelta(days=1)

WALK: dict[str, Walk] = {
    # dispatch
    "dispatch.services.auto_dispatch_set": Walk(
        D,
        lambda w, a: dispatch.auto_dispatch_set(district=w.huangpu, on=True, by=a),
        "pudong_dispatcher",
    ),
    "dispatch.services.team_create": Walk(
        D,
        lambda w, a: dispatch.team_create(
            by=a, district=w.huangpu, name="黄浦二分队", lat=31.23, lng=121.48
        ),
        "pudong_dispatcher",
    ),
    "dispatch.services.team_update": Walk(
        D,
        lambda w, a: dispatch.team_update(team=w.team, by=a, name="改名", lat=31.23, lng=121.48),
        "pudong_dispatcher",
    ),
    "dispatch.services.team_archive": Walk(
        D, lambda w, a: dispatch.team_archive(team=w.team, by=a, reason="撤编"), "pudong_dispatcher"
    ),
    "dispatch.services.shift_add": Walk(
        D,
        lambda w, a: dispatch.shift_add(
            team=w.team,
            starts_at=timezone.now() + LATER,
            ends_at=timezone.now() + LATER + timedelta(hours=8),
            by=a,
        ),
        "pudong_dispatcher",
    ),
    "dispatch.services.shift_remove": Walk(
        D, lambda w, a: dispatch.shift_remove(shift=w.shift, by=a), "pudong_dispatcher"
    ),
    "dispatch.services.shift_repeat": Walk(
        D, lambda w, a: dispatch.shift_repeat(shift=w.shift, by=a), "pudong_dispatcher"
    ),
    # leads
    "leads.services.lead_receive": Walk(
        Capability.RECORD_LEADS,
        lambda w, a: leads.lead_receive(
            report=leads.LeadReport(channel="grid", lat=31.232, lng=121.475), by=a
        ),
    ),
    "leads.lifecycle.lead_assign": Walk(
        D,
        lambda w, a: lifecycle.lead_assign(lead=w.lead, team=w.team, by=a),
        "pudong_dispatcher",
    ),
    "leads.lifecycle.lead_accept": Walk(
        TEAM_STEP, lambda w, a: lifecycle.lead_accept(lead=w.lead, by=a), "pudong_patrol"
    ),
    "leads.lifecycle.lead_arrive": Walk(
        TEAM_STEP, lambda w, a: lifecycle.lead_arrive(lead=w.lead, by=a), "pudong_patrol"
    ),
    "leads.lifecycle.lead_close_by_encounter": Walk(
        TEAM_STEP,
        lambda w, a: lifecycle.lead_close_by_encounter(
            lead=w.lead,
            by=a,
            encounter=SimpleNamespace(pk=1, lead_id=w.lead.pk, note="", lead_outcome="sheltered"),
        ),
        "pudong_patrol",
    ),
    "leads.lifecycle.lead_close_nobody_found": Walk(
        TEAM_STEP,
        lambda w, a: lifecycle.lead_close_nobody_found(
            lead=w.lead,
            by=a,
            latitude=w.lead.lat,
            longitude=w.lead.lng,
            accuracy_m=20,
            note="周边查找未发现",
        ),
        "pudong_patrol",
    ),
    "leads.services.lead_record_ambulance_call": Walk(
        TEAM_STEP,
        lambda w, a: leads.lead_record_ambulance_call(lead=w.lead, by=a, called=True),
        "pudong_patrol",
    ),
    "leads.lifecycle.lead_cancel": Walk(
        D,
        lambda w, a: lifecycle.lead_cancel(lead=w.lead, by=a, reason="重复报告"),
        "pudong_dispatcher",
    ),
    "leads.lifecycle.lead_merge": Walk(
        D,
        lambda w, a: lifecycle.lead_merge(lead=w.lead2, into=w.lead, by=a),
        "pudong_dispatcher",
    ),
    # notifications: one's own, but only while signed in and active
    "notifications.services.notifications_mark_read": Walk(
        None, lambda w, a: notifications.notifications_mark_read(user=a), refused="retired"
    ),
    "notifications.services.push_subscribe": Walk(
        None,
        lambda w, a: notifications.push_subscribe(
            user=a, endpoint="https://fcm.googleapis.com/fcm/send/new", p256dh="x", auth="y"
        ),
        refused="retired",
    ),
    "notifications.services.push_unsubscribe": Walk(
        None,
        lambda w, a: notifications.push_unsubscribe(user=a, subscription=w.push),
        refused="retired",
    ),
    # patrols
    "patrols.planning.plan_night": Walk(
        P,
        lambda w, a: planning.plan_night(district=w.huangpu, night=w.night.night, by=a),
        "pudong_dispatcher",
    ),
    "patrols.planning.stop_add": Walk(
        P,
        lambda w, a: planning.stop_add(plan=w.night, place=w.key_place, by=a),
        "pudong_dispatcher",
    ),
    "patrols.planning.stop_remove": Walk(
        P, lambda w, a: planning.stop_remove(stop=w.stop, by=a, reason="施工"), "pudong_dispatcher"
    ),
    "patrols.planning.stop_assign": Walk(
        P, lambda w, a: planning.stop_assign(stop=w.stop, route=None, by=a), "pudong_dispatcher"
    ),
    "patrols.services.place_watch_set": Walk(
        P,
        lambda w, a: patrols.place_watch_set(place=w.key_place, by=a, risk=5),
        "pudong_dispatcher",
    ),
    "patrols.services.check_in": Walk(
        R,
        lambda w, a: patrols.check_in(stop=w.stop, by=a, lat=w.stop.lat, lng=w.stop.lng),
        "pudong_patrol",
    ),
    "patrols.services.encounter_record": Walk(
        R, lambda w, a: patrols.encounter_record(by=a, data=w.encounter_input())
    ),
    "patrols.services.escort_arrived": Walk(
        R,
        lambda w, a: patrols.escort_arrived(
            encounter=w.encounter, by=a, arrived_at=None, handover_to="值班员"
        ),
        "pudong_patrol",
    ),
    "patrols.services.follow_up_done": Walk(
        R,
        lambda w, a: patrols.follow_up_done(
            follow_up=w.follow_up,
            by=a,
            visit=patrols.VisitInput(found=True, state="精神尚可", willingness="refuses"),
        ),
        "pudong_patrol",
    ),
    # people
    "people.services.person_create": Walk(
        Capability.MANAGE_PEOPLE,
        lambda w, a: people.person_create(by=a, org_unit=w.huangpu, name="钱七"),
        "pudong_admin",
    ),
    "people.services.person_update": Walk(
        Capability.MANAGE_PEOPLE,
        lambda w, a: people.person_update(person=w.person, by=a, name="钱七"),
        "pudong_admin",
    ),
    "people.services.link_review_decide": Walk(
        Capability.REVIEW_PERSON_LINKS,
        lambda w, a: people.link_review_decide(review=w.review, by=a, link=False),
    ),
    "people.services.merge_undo": Walk(
        Capability.REVIEW_PERSON_LINKS, lambda w, a: people.merge_undo(merge=w.merge, by=a)
    ),
    "people.services.tracing_notice_open": Walk(
        Capability.MANAGE_PEOPLE,
        lambda w, a: people.tracing_notice_open(person=w.person, by=a, found_at=timezone.now()),
        "pudong_admin",
    ),
    "people.services.tracing_notice_update": Walk(
        Capability.MANAGE_PEOPLE,
        lambda w, a: people.tracing_notice_update(notice=w.notice, by=a, features="蓝棉衣"),
    ),
    "people.services.tracing_notice_approve": Walk(
        Capability.APPROVE_TRACING_NOTICES,
        lambda w, a: people.tracing_notice_approve(notice=w.notice, by=a),
    ),
    "people.services.tracing_notice_withdraw": Walk(
        Capability.MANAGE_PEOPLE,
        lambda w, a: people.tracing_notice_withdraw(notice=w.notice, by=a, reason="已离站"),
    ),
    "people.tracing.inquiry_create": Walk(
        Capability.MANAGE_PEOPLE,
        lambda w, a: tracing.inquiry_create(
            by=a, org_unit=w.huangpu, contact_name="王先生", contact_phone="13900000000"
        ),
        "pudong_admin",
    ),
    "people.tracing.inquiry_match_decide": Walk(
        Capability.REVIEW_PERSON_LINKS,
        lambda w, a: tracing.inquiry_match_decide(match=w.match, by=a, confirm=True),
    ),
    # places
    "places.services.place_create": Walk(
        Capability.MANAGE_PLACES,
        lambda w, a: places.place_create(
            by=a,
            kind=PlaceKind.HELP_POINT,
            name="新天地求助引导点",
            org_unit=w.street,
            lat=31.2200,
            lng=121.4750,
        ),
        "pudong_admin",
    ),
    # stations
    "stations.services.zone_create": Walk(
        S,
        lambda w, a: stations.zone_create(
            by=a, station=w.station1, kind=ZoneKind.FEMALE, name="女宾区"
        ),
        "s2_worker",
    ),
    "stations.services.beds_add": Walk(
        S, lambda w, a: stations.beds_add(by=a, zone=w.zone, labels=["M9"]), "s2_worker"
    ),
    "stations.services.admission_create": Walk(
        S,
        lambda w, a: stations.admission_create(
            by=a,
            station=w.station1,
            brought_by=BroughtBy.SELF,
            category=DistressCategory.NO_WORK,
            new_person={},
        ),
        "s2_worker",
    ),
    "stations.services.bed_assign": Walk(
        S, lambda w, a: stations.bed_assign(by=a, admission=w.admission, bed=w.bed), "s2_worker"
    ),
    "stations.services.stay_extend": Walk(
        Capability.APPROVE_STAY_EXTENSIONS,
        lambda w, a: stations.stay_extend(
            by=a, admission=w.admission, until=clock.local_date() + LATER * 30, reason="寻亲中"
        ),
        "s2_leader",
    ),
    "stations.services.discharge": Walk(
        S,
        lambda w, a: stations.discharge(by=a, admission=w.admission, reason="returned_home"),
        "s2_worker",
    ),
    "stations.services.visit_record": Walk(
        S,
        lambda w, a: stations.visit_record(
            by=a, admission=w.admission, physical_state="良好", mental_state="稳定"
        ),
        "s2_worker",
    ),
    "stations.services.service_open": Walk(
        S,
        lambda w, a: stations.service_open(by=a, admission=w.admission, kind=ServiceKind.LEGAL_AID),
        "s2_worker",
    ),
    "stations.services.service_step": Walk(
        S, lambda w, a: stations.service_step(by=a, case=w.case, note="约谈"), "s2_worker"
    ),
    "stations.services.service_close": Walk(
        S, lambda w, a: stations.service_close(by=a, case=w.case, outcome="完成"), "s2_worker"
    ),
    "stations.services.health_check_record": Walk(
        S,
        lambda w, a: stations.health_check_record(
            by=a, admission=w.admission, temperature=Decimal("36.5")
        ),
        "s2_worker",
    ),
    "stations.services.disinfection_record": Walk(
        S, lambda w, a: stations.disinfection_record(by=a, zone=w.zone), "s2_worker"
    ),
    "stations.services.duty_shift_add": Walk(
        S,
        lambda w, a: stations.duty_shift_add(
            by=a,
            station=w.station1,
            user=w.station_worker,
            starts_at=timezone.now() + LATER,
            ends_at=timezone.now() + LATER + timedelta(hours=8),
        ),
        "s2_worker",
    ),
    "stations.services.aid_refuse": Walk(
        Capability.APPROVE_STAY_EXTENSIONS,
        lambda w, a: stations.aid_refuse(
            by=a,
            station=w.station1,
            reason=AidDecisionReason.NOT_IN_NEED,
            detail="有能力自行返回",
            new_person={},
        ),
        "s2_leader",
    ),
    "stations.services.aid_terminate": Walk(
        Capability.APPROVE_STAY_EXTENSIONS,
        lambda w, a: stations.aid_terminate(
            by=a, admission=w.admission, reason=AidDecisionReason.VIOLATED_RULES, detail="打架"
        ),
        "s2_leader",
    ),
    "stations.services.night_round_record": Walk(
        S, lambda w, a: stations.night_round_record(by=a, station=w.station1), "s2_worker"
    ),
    "stations.services.placement_step_record": Walk(
        S,
        lambda w, a: stations.placement_step_record(
            by=a, admission=w.admission, kind=PlacementStepKind.DNA
        ),
        "s2_worker",
    ),
    # supplies
    "supplies.services.stock_receive": Walk(
        Capability.MANAGE_SUPPLIES,
        lambda w, a: supplies.stock_receive(
            by=a,
            warehouse=w.store,
            item=w.item,
            quantity=Decimal(1),
            source_kind="donation",
            source="慈善超市",
        ),
        "pudong_admin",
    ),
    "supplies.services.stock_issue": Walk(
        Capability.ISSUE_SUPPLIES,
        lambda w, a: supplies.stock_issue(
            by=a,
            warehouse=w.store,
            lines=[supplies.Line(w.item, Decimal(1))],
            recipient_kind="person",
            recipient_label="桥下老人",
        ),
        "pudong_admin",
    ),
    "supplies.services.stock_transfer_send": Walk(
        Capability.MANAGE_SUPPLIES,
        lambda w, a: supplies.stock_transfer_send(
            by=a,
            from_warehouse=w.store,
            to_warehouse=w.city_store,
            lines=[supplies.Line(w.item, Decimal(1))],
        ),
        "pudong_admin",
    ),
    "supplies.services.stock_transfer_receive": Walk(
        Capability.ISSUE_SUPPLIES,
        lambda w, a: supplies.stock_transfer_receive(by=a, transfer=w.transfer),
        "pudong_admin",
    ),
    "supplies.services.stock_correct": Walk(
        Capability.MANAGE_SUPPLIES,
        lambda w, a: supplies.stock_correct(
            by=a,
            warehouse=w.store,
            batch=w.batch,
            kind="write_off",
            quantity=Decimal(1),
            reason="受潮",
        ),
        "pudong_admin",
    ),
    "supplies.services.target_set": Walk(
        Capability.MANAGE_SUPPLIES,
        lambda w, a: supplies.target_set(
            by=a, warehouse=w.store, item=w.item, level=0, quantity=Decimal(20)
        ),
        "pudong_admin",
    ),
    "supplies.services.transfers_from_plan": Walk(
        Capability.MANAGE_SUPPLIES, lambda w, a: supplies.transfers_from_plan(by=a, plan=[])
    ),
    # weather: the city admin's (the city holds every district: no outsider)
    "weather.services.warning_ingest": Walk(
        Capability.MANAGE_WEATHER, lambda w, a: weather.warning_ingest(data=b"<alert/>", by=a)
    ),
    "weather.services.level_set_manually": Walk(
        Capability.MANAGE_WEATHER,
        lambda w, a: weather.level_set_manually(district=w.huangpu, level=2, reason="寒潮", by=a),
    ),
    "weather.services.forecast_record": Walk(
        Capability.MANAGE_WEATHER,
        lambda w, a: weather.forecast_record(
            night=clock.tonight(), min_temp_c=Decimal("-3"), district=w.huangpu, by=a
        ),
    ),
    "weather.services.ruleset_draft": Walk(
        Capability.MANAGE_WEATHER, lambda w, a: weather.ruleset_draft(by=a)
    ),
    "weather.services.ruleset_publish": Walk(
        Capability.MANAGE_WEATHER, lambda w, a: weather.ruleset_publish(ruleset=w.draft, by=a)
    ),
}


def _state() -> dict[str, Any]:
    """What a write would change: every table's row count and latest modification."""
    state: dict[str, Any] = {}
    for model in apps.get_models():
        rows = model._base_manager.all()
        state[model._meta.label] = rows.count()
        if any(f.name == "modified_at" for f in model._meta.get_fields()):
            state[f"{model._meta.label}.modified_at"] = rows.aggregate(m=Max("modified_at"))["m"]
    return state


_REFUSALS = {str(message) for message in REFUSALS.values()}


def _refused(walk: Walk, world: Any, actor: Any) -> str:
    before = _state()
    with pytest.raises(PermissionDenied) as refusal:
        walk.call(world, actor)
    assert _state() == before, "a refused call changed something"
    return str(refusal.value)


@pytest.mark.parametrize("name", sorted(set(public_functions()) - set(EXEMPT)))
def test_a_write_service_refuses_who_may_not_act(name: str, world: Any) -> None:
    walk = WALK.get(name)
    if walk is None:
        pytest.fail(f"{name} is a public function of a service module: walk it here, or exempt it")
    actor = getattr(world, walk.refused)
    assert not may(actor, walk.capability)
    message = _refused(walk, world, actor)
    assert message in _REFUSALS or message.startswith("请先登录"), message
    if walk.outsider is not None:
        outsider = getattr(world, walk.outsider)
        assert may(outsider, walk.capability), "the outsider must hold the capability"
        assert "不在您所属单位的范围内" in _refused(walk, world, outsider)


def test_the_tables_name_only_functions_that_exist() -> None:
    found = set(public_functions())
    assert set(WALK) - found == set()
    assert set(EXEMPT) - found == set()
    assert set(WALK) & set(EXEMPT) == set()
    assert all(reason.strip() for reason in EXEMPT.values())


def test_a_new_service_module_function_would_be_walked(monkeypatch: Any) -> None:
    """The walk reads the modules, not the table: a function added to a service module shows
    up in what the parametrised test walks."""

    def case_close(*, by: Any) -> None:  # pragma: no cover - never called
        raise AssertionError

    case_close.__module__ = stations.__name__
    monkeypatch.setattr(stations, "case_close", case_close, raising=False)
    assert "stations.services.case_close" in public_functions()
    assert "stations.services.case_close" not in WALK
