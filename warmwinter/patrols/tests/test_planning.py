"""A district's night plan: stops from the response level, recent finds and open leads; one
route per team on duty; the dispatcher's edits; scope."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from warmwinter.core import clock
from warmwinter.dispatch.models import Shift, Team
from warmwinter.patrols import planning, selectors
from warmwinter.patrols.models import PatrolNight, PatrolStop, StopSource
from warmwinter.places.models import Place, PlaceKind
from warmwinter.weather.services import level_set_manually

#: The tests plan the night of 20 January 2026 from the afternoon before it.
AFTERNOON = datetime(2026, 1, 20, 15, 0, tzinfo=clock.SHANGHAI)


@pytest.fixture
def night(time_machine):
    time_machine.move_to(AFTERNOON)
    return clock.tonight()


@pytest.fixture
def before_night(night):
    start, _end = clock.night_bounds(night)
    return start - timedelta(hours=1)


@pytest.fixture
def huangpu_night_teams(unit, huangpu_patrol, night):
    start, end = clock.night_bounds(night)
    teams = []
    for name, lat, lng in (("黄浦一分队", 31.2300, 121.4800), ("黄浦二分队", 31.2150, 121.4900)):
        team = Team.objects.create(name=name, district=unit("310101"), lat=lat, lng=lng)
        team.members.set([huangpu_patrol])
        Shift.objects.create(team=team, starts_at=start, ends_at=end)
        teams.append(team)
    return teams


@pytest.fixture
def huangpu_places(unit):
    spots = [
        ("人民广场地下通道", 31.2320, 121.4750, "underpass"),
        ("外滩观光隧道口", 31.2400, 121.4900, "scenic_spot"),
        ("南京东路步行街", 31.2370, 121.4800, "commercial_street"),
        ("老西门桥洞", 31.2200, 121.4850, "bridge_culvert"),
        ("黄浦江边在建工地", 31.2050, 121.4950, "construction_site"),
    ]
    return [
        Place.objects.create(
            kind=PlaceKind.KEY_PLACE,
            key_place_type=kind,
            name=name,
            org_unit=unit("310101002"),
            lat=lat,
            lng=lng,
        )
        for name, lat, lng, kind in spots
    ]


def test_a_night_plan_routes_every_place_within_its_window(
    huangpu_dispatcher, huangpu_night_teams, huangpu_places, unit, night, before_night, city_admin
):
    level_set_manually(district=unit("310101"), level=4, reason="寒潮橙色预警", by=city_admin)
    plan = planning.plan_night(
        district=unit("310101"), night=night, by=huangpu_dispatcher, now=before_night
    )

    assert plan.level == 4 and plan.method
    routes = selectors.routes_of(plan)
    assert {r.team for r in routes} == set(huangpu_night_teams)
    stops = list(PatrolStop.objects.filter(night=plan))
    # level II requires two visits a night at every key place of the district
    key_places = Place.objects.filter(
        kind=PlaceKind.KEY_PLACE, org_unit__path__startswith="310000/310101/"
    )
    assert key_places.count() >= len(huangpu_places)
    assert sum(1 for s in stops if s.source == StopSource.REQUIRED) == 2 * key_places.count()
    assigned = [s for s in stops if s.route_id]
    assert assigned, "the teams visit something"
    for s in assigned:
        assert s.planned_at is not None
        assert s.window_start <= s.planned_at <= s.window_end, s.label
    for route in routes:
        seqs = [s.seq for s in route.stops.order_by("seq")]
        assert seqs == list(range(1, len(seqs) + 1))
    assert all(s.required for s in stops if s.source == StopSource.REQUIRED)
    required = [s for s in stops if s.required]
    assert sum(1 for s in required if s.route_id) / len(required) >= 0.95


def test_open_leads_and_recent_finds_join_the_plan(
    huangpu_dispatcher, huangpu_night_teams, make_lead, unit, night, before_night, huangpu_patrol
):

    from warmwinter.people.services import person_create, timeline_record

    lead = make_lead("huangpu")
    person, _w = person_create(by=huangpu_patrol, org_unit=unit("310101"), name="王五")
    for days in (1, 3):
        timeline_record(
            person=person,
            kind="encounter",
            at=timezone.now() - timedelta(days=days),
            summary="街面发现",
            org_unit=unit("310101"),
            lat=31.2260,
            lng=121.4700,
            place_name="复兴公园门口",
        )
    plan = planning.plan_night(
        district=unit("310101"), night=night, by=huangpu_dispatcher, now=before_night
    )
    sources = {s.source: s for s in plan.stops.all()}
    assert sources[StopSource.LEAD].lead == lead and sources[StopSource.LEAD].route_id
    recent = sources[StopSource.RECENT]
    assert recent.label == "复兴公园门口" and "2 次" in recent.reason


def test_dispatcher_adds_moves_and_removes_stops(
    huangpu_dispatcher, huangpu_night_teams, huangpu_places, unit, night, before_night
):
    plan = planning.plan_night(
        district=unit("310101"), night=night, by=huangpu_dispatcher, now=before_night
    )
    extra = Place.objects.create(
        kind=PlaceKind.HELP_POINT,
        name="豫园求助引导点",
        org_unit=unit("310101002"),
        lat=31.2270,
        lng=121.4920,
    )
    added = planning.stop_add(
        plan=plan, place=extra, by=huangpu_dispatcher, note="群众反映夜间有人"
    )
    assert added.source == StopSource.MANUAL and added.route_id is not None
    other = next(r for r in plan.routes.all() if r.pk != added.route_id)
    moved = planning.stop_assign(stop=added, route=other, by=huangpu_dispatcher)
    assert moved.route == other and moved.seq >= 1
    with pytest.raises(ValidationError):
        planning.stop_remove(stop=moved, by=huangpu_dispatcher, reason="")
    planning.stop_remove(stop=moved, by=huangpu_dispatcher, reason="已由社区值守")
    assert not PatrolStop.objects.filter(pk=moved.pk).exists()


def test_at_07_30_the_dispatcher_adds_a_stop_to_tonights_plan(
    time_machine, huangpu_dispatcher, huangpu_patrol, huangpu_key_place, unit, client_for
):
    """The night ended at 06:00; from then on "tonight" is this evening's, and the morning's
    planning of it is accepted (it was refused: "这一晚已经过去，不能再编制计划")."""
    time_machine.move_to(datetime(2026, 1, 21, 7, 30, tzinfo=clock.SHANGHAI))
    start, end = clock.night_bounds(date(2026, 1, 21))
    team = Team.objects.create(name="黄浦一分队", district=unit("310101"), lat=31.23, lng=121.48)
    team.members.set([huangpu_patrol])
    Shift.objects.create(team=team, starts_at=start, ends_at=end)
    dispatcher = client_for(huangpu_dispatcher)
    dispatcher.post("/patrols/plan/", {"district": "310101"})  # the page's default: tonight
    plan = PatrolNight.objects.get()
    assert plan.night == date(2026, 1, 21)
    page = dispatcher.post(
        f"/patrols/nights/{plan.pk}/edit/",
        {"action": "add", "place": huangpu_key_place.pk},
        follow=True,
    ).content.decode()
    assert "已添加「人民广场地下通道」并重新编排" in page and "已经过去" not in page
    added = plan.stops.get(place=huangpu_key_place, source=StopSource.MANUAL)
    assert added.route is not None and added.route.team == team
    assert added.planned_at is not None and start <= added.planned_at < end


def test_no_team_on_duty_is_a_clear_error(huangpu_dispatcher, unit, night, before_night):
    with pytest.raises(ValidationError) as exc:
        planning.plan_night(
            district=unit("310101"), night=night, by=huangpu_dispatcher, now=before_night
        )
    assert "没有在岗的救助分队" in exc.value.messages[0]


def test_a_night_beyond_the_shift_horizon_is_refused_before_its_hours_are_computed(
    huangpu_dispatcher, unit
):
    """9999-12-31's night would end in the year 10000: refused with a message, not overflow."""
    for far in (date(9999, 12, 31), clock.local_date() + planning.PLAN_MAX_AHEAD + timedelta(1)):
        with pytest.raises(ValidationError) as exc:
            planning.plan_night(district=unit("310101"), night=far, by=huangpu_dispatcher)
        assert exc.value.messages == ["最多只能提前 60 天编制巡查计划"]
    assert not PatrolNight.objects.exists()


def test_a_patrol_member_cannot_plan(huangpu_patrol, unit, night):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        planning.plan_night(district=unit("310101"), night=night, by=huangpu_patrol)


def test_a_pudong_dispatcher_cannot_see_a_huangpu_plan(
    huangpu_dispatcher,
    pudong_dispatcher,
    huangpu_night_teams,
    unit,
    night,
    before_night,
    client_for,
):
    plan = planning.plan_night(
        district=unit("310101"), night=night, by=huangpu_dispatcher, now=before_night
    )
    with pytest.raises(Http404):
        selectors.night_for(pudong_dispatcher, plan.pk)
    assert client_for(pudong_dispatcher).get(f"/patrols/nights/{plan.pk}/").status_code == 404
    assert client_for(pudong_dispatcher).get(f"/api/v1/patrols/nights/{plan.pk}").status_code == 404
    assert client_for(huangpu_dispatcher).get(f"/patrols/nights/{plan.pk}/").status_code == 200


def test_a_lead_dispatched_to_a_team_stays_on_that_teams_route(
    huangpu_dispatcher, huangpu_night_teams, make_lead, unit, night, before_night
):
    from warmwinter.leads.lifecycle import lead_assign

    far_team = max(huangpu_night_teams, key=lambda t: abs(t.lat - 31.2320) + abs(t.lng - 121.4750))
    lead = make_lead("huangpu")
    lead_assign(lead=lead, team=far_team, by=huangpu_dispatcher)
    plan = planning.plan_night(
        district=unit("310101"), night=night, by=huangpu_dispatcher, now=before_night
    )
    stop = plan.stops.get(lead=lead)
    assert stop.route is not None and stop.route.team == far_team
    assert stop.planned_at is not None and stop.seq >= 1
