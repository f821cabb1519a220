"""The night's patrol routes: what a dispatcher and a team would notice on the map."""

import random

import pytest

from warmwinter.patrols.routing import (
    Plan,
    Stop,
    Team,
    evaluate,
    nearest_neighbour,
    plan_routes,
    travel_minutes,
)

PEOPLES_SQUARE = (31.2304, 121.4737)
# Two patrol bases some 25 km apart: Zhangjiang (张江, Pudong) and Xinzhuang (莘庄, Minhang).
ZHANGJIANG = (31.2040, 121.5900)
XINZHUANG = (31.1110, 121.3850)

# Small nights converge long before this; the planner stops itself when nothing improves.
QUICK = 1.0


def night(n: int, *, seed: int, required_share: float = 0.2) -> list[Stop]:
    """Places scattered over central Shanghai with windows inside 22:00-06:00."""
    rng = random.Random(seed)
    stops = []
    for i in range(n):
        start = rng.randrange(0, 360)
        stops.append(
            Stop(
                key=f"place:{i}",
                lat=PEOPLES_SQUARE[0] + rng.uniform(-0.08, 0.08),
                lng=PEOPLES_SQUARE[1] + rng.uniform(-0.09, 0.09),
                window_start=start,
                window_end=start + rng.choice([90, 120, 180]),
                service_min=rng.choice([10, 15]),
                priority=rng.randint(1, 100),
                required=rng.random() < required_share,
            )
        )
    return stops


TEAMS = [Team("team:pudong", *ZHANGJIANG), Team("team:minhang", *XINZHUANG)]


def visited(plan: Plan) -> set[str]:
    return {v.stop_key for r in plan.routes for v in r.visits}


def route_of(plan: Plan, team_key: str) -> list[str]:
    (route,) = [r for r in plan.routes if r.team_key == team_key]
    return [v.stop_key for v in route.visits]


# --- travel times -------------------------------------------------------------------------------


def test_travel_time_grows_with_distance():
    lat, lng = XINZHUANG
    near = travel_minutes(lat, lng, lat + 0.01, lng)
    farther = travel_minutes(lat, lng, lat + 0.05, lng)
    far = travel_minutes(lat, lng, lat + 0.15, lng)
    assert 0 < near < farther < far


def test_same_straight_line_distance_takes_longer_in_the_centre():
    # 3 km east-west around People's Square, and the same 3 km out past the Outer Ring.
    centre = travel_minutes(31.2304, 121.4597, 31.2304, 121.4877)
    suburb = travel_minutes(31.0500, 121.7000, 31.0500, 121.7280)
    assert centre > suburb


def test_drive_includes_parking_and_a_detour_over_the_straight_line():
    # 1 km straight at 18 km/h would be 3.3 minutes; roads and parking make it longer.
    minutes = travel_minutes(31.2304, 121.4737, 31.2394, 121.4737)
    assert minutes >= 8


def test_the_same_place_takes_no_travel():
    assert travel_minutes(*PEOPLES_SQUARE, *PEOPLES_SQUARE) == 0


# --- what the plan promises ---------------------------------------------------------------------


@pytest.mark.parametrize("planner", ["pyvrp", "nearest_neighbour"])
def test_every_visit_starts_inside_its_window_and_the_team_is_back_before_shift_end(planner):
    stops = night(24, seed=3)
    teams = [*TEAMS, Team("team:jingan", 31.2290, 121.4480, shift_start=60, shift_end=420)]
    plan = (
        plan_routes(stops, teams, time_limit_s=QUICK)
        if planner == "pyvrp"
        else nearest_neighbour(stops, teams)
    )
    by_key = {s.key: s for s in stops}
    team_by_key = {t.key: t for t in teams}
    assert visited(plan), "the plan visits something"
    for route in plan.routes:
        team = team_by_key[route.team_key]
        assert team.shift_start <= route.start_min
        assert route.end_min <= team.shift_end
        clock = route.start_min
        for visit in route.visits:
            stop = by_key[visit.stop_key]
            assert stop.window_start <= visit.arrive_min <= stop.window_end
            assert visit.arrive_min >= clock
            assert visit.depart_min == visit.arrive_min + stop.service_min
            clock = visit.depart_min
    # Every stop is either visited exactly once or reported unassigned.
    keys = [v.stop_key for r in plan.routes for v in r.visits]
    assert len(keys) == len(set(keys))
    assert set(keys) | set(plan.unassigned) == set(by_key)
    assert not set(keys) & set(plan.unassigned)


def test_routes_start_and_end_at_the_teams_own_base():
    stops = night(12, seed=5)
    plan = plan_routes(stops, TEAMS, time_limit_s=QUICK)
    by_key = {s.key: s for s in stops}
    for route, team in zip(plan.routes, TEAMS, strict=True):
        assert route.team_key == team.key
        if not route.visits:
            continue
        # The route's driving is exactly: base → first → … → last → the same base.
        points = [(team.lat, team.lng)]
        points += [(by_key[v.stop_key].lat, by_key[v.stop_key].lng) for v in route.visits]
        points.append((team.lat, team.lng))
        legs = [travel_minutes(*a, *b) for a, b in zip(points, points[1:], strict=False)]
        assert route.travel_min == sum(legs)
        assert route.visits[0].arrive_min >= route.start_min + legs[0]
        assert route.end_min == route.visits[-1].depart_min + legs[-1]
    assert plan.travel_min == sum(r.travel_min for r in plan.routes)


def test_a_required_place_reachable_in_time_is_visited_even_when_others_are_worth_more():
    # One team, four hours; six valuable places at the base and a required, low-priority
    # underpass far away that costs the time of several of them.
    team = Team("team:1", *XINZHUANG, shift_end=240)
    valuable = [
        Stop(f"place:{i}", XINZHUANG[0] + 0.002 * i, XINZHUANG[1], 0, 200, 40, 100)
        for i in range(6)
    ]
    underpass = Stop("place:underpass", 31.1700, 121.4700, 0, 200, 20, 5, required=True)
    plan = plan_routes([*valuable, underpass], [team], time_limit_s=QUICK)
    assert "place:underpass" in visited(plan)
    assert plan.unassigned, "not everything fits, so something valuable was given up"
    assert evaluate(plan, [*valuable, underpass]).required_coverage == 1.0


def test_a_place_whose_window_cannot_be_reached_is_reported_unassigned():
    # The bridge is 30 km from the base and its window closes ten minutes into the night.
    far_bridge = Stop("place:bridge", 31.3800, 121.2500, 0, 10, 15, 100, required=True)
    station = Stop("place:station", 31.2000, 121.5800, 0, 300, 15, 50)
    for plan in (
        plan_routes([far_bridge, station], [TEAMS[0]], time_limit_s=QUICK),
        nearest_neighbour([far_bridge, station], [TEAMS[0]]),
    ):
        assert plan.unassigned == ["place:bridge"]
        assert visited(plan) == {"place:station"}


def test_a_window_that_closes_before_it_opens_is_unassigned_without_a_crash():
    odd = Stop("place:odd", *PEOPLES_SQUARE, 200, 100, 15, 50)
    plan = plan_routes([odd], TEAMS, time_limit_s=QUICK)
    assert plan.unassigned == ["place:odd"]


def test_higher_priority_wins_when_not_all_places_fit():
    # Two places on opposite sides of the city, both only at midnight: one team can do one.
    team = Team("team:1", *PEOPLES_SQUARE)
    west = Stop("place:west", 31.2200, 121.3600, 120, 130, 15, priority=30)
    east = Stop("place:east", 31.2400, 121.5900, 120, 130, 15, priority=80)
    plan = plan_routes([west, east], [team], time_limit_s=QUICK)
    assert visited(plan) == {"place:east"}
    assert plan.unassigned == ["place:west"]


def test_two_teams_split_two_separate_clusters_by_their_bases():
    rng = random.Random(11)
    east = [
        Stop(f"east:{i}", ZHANGJIANG[0] + rng.uniform(-0.02, 0.02),
             ZHANGJIANG[1] + rng.uniform(-0.02, 0.02), 0, 400, 15, 50)
        for i in range(5)
    ]  # fmt: skip
    west = [
        Stop(f"west:{i}", XINZHUANG[0] + rng.uniform(-0.02, 0.02),
             XINZHUANG[1] + rng.uniform(-0.02, 0.02), 0, 400, 15, 50)
        for i in range(5)
    ]  # fmt: skip
    plan = plan_routes(east + west, TEAMS, time_limit_s=QUICK)
    assert set(route_of(plan, "team:pudong")) == {s.key for s in east}
    assert set(route_of(plan, "team:minhang")) == {s.key for s in west}


def test_the_same_night_and_seed_give_the_same_plan():
    stops = night(14, seed=8)
    first = plan_routes(stops, TEAMS, time_limit_s=5.0, seed=4)
    second = plan_routes(stops, TEAMS, time_limit_s=5.0, seed=4)
    assert first.routes == second.routes
    assert first.unassigned == second.unassigned


def test_our_plan_drives_no_more_than_the_nearest_neighbour_baseline():
    stops = night(16, seed=21, required_share=0.0)
    stops = [
        Stop(s.key, s.lat, s.lng, 0, 420, s.service_min, s.priority) for s in stops
    ]  # wide windows: both cover everything, so travel is a fair comparison
    ours = plan_routes(stops, TEAMS, time_limit_s=QUICK)
    greedy = nearest_neighbour(stops, TEAMS)
    assert evaluate(ours, stops).visited == evaluate(greedy, stops).visited == len(stops)
    assert ours.travel_min <= greedy.travel_min


# --- edge cases -----------------------------------------------------------------------------------


def test_a_night_without_places_gives_every_team_an_empty_route():
    plan = plan_routes([], TEAMS)
    assert [r.team_key for r in plan.routes] == ["team:pudong", "team:minhang"]
    assert all(r.visits == [] and r.travel_min == 0 for r in plan.routes)
    assert plan.unassigned == [] and plan.travel_min == 0


def test_without_teams_every_place_is_unassigned():
    stops = night(3, seed=1)
    for plan in (plan_routes(stops, []), nearest_neighbour(stops, [])):
        assert plan.routes == []
        assert plan.unassigned == [s.key for s in stops]


def test_places_at_the_same_spot_as_each_other_and_the_base_are_all_visited():
    team = Team("team:1", *PEOPLES_SQUARE)
    stops = [Stop(f"lead:{i}", *PEOPLES_SQUARE, 0, 100, 10, 50) for i in range(3)]
    plan = plan_routes(stops, [team], time_limit_s=QUICK)
    assert visited(plan) == {"lead:0", "lead:1", "lead:2"}
    assert plan.travel_min == 0


def test_duplicate_keys_bad_priorities_and_backwards_shifts_are_refused():
    stop = Stop("place:1", *PEOPLES_SQUARE, 0, 100, 10, 50)
    with pytest.raises(ValueError, match="duplicate stop key"):
        plan_routes([stop, stop], TEAMS)
    with pytest.raises(ValueError, match="priority"):
        nearest_neighbour([Stop("place:2", *PEOPLES_SQUARE, 0, 100, 10, 0)], TEAMS)
    with pytest.raises(ValueError, match="shift ends before it starts"):
        plan_routes([stop], [Team("team:1", *PEOPLES_SQUARE, shift_start=300, shift_end=100)])


def test_a_visit_outside_its_window_does_not_count_as_coverage():
    from warmwinter.patrols.routing import Route, Visit

    stops = [
        Stop("place:a", *PEOPLES_SQUARE, 0, 60, 10, 30, required=True),
        Stop("place:b", *PEOPLES_SQUARE, 0, 60, 10, 70),
    ]
    late = Plan(
        [Route("team:1", [Visit("place:a", 30, 40), Visit("place:b", 90, 100)], 12, 110)],
        [],
        12,
        0.0,
        "by hand",
    )
    coverage = evaluate(late, stops)
    assert coverage.visited == 1
    assert coverage.weighted_coverage == pytest.approx(0.3)
    assert coverage.required_coverage == 1.0
