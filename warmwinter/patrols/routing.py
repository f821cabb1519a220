"""Route planning for a night's street patrols (街面巡查路线).

A pure module: no models, no database. The caller turns key places, recent finds and open leads
into `Stop`s and the night's joint teams into `Team`s; `plan_routes` returns one route per team.

* Times are whole minutes after the plan's start (e.g. 0 = 22:00, 480 = 06:00).
* A visit's `arrive_min` is when the team starts its work at the place; it must lie inside the
  stop's window. A team leaves its base, visits its stops in order and returns to the same base
  before its shift ends.
* Travel times come from `travel_minutes`, a road-speed model over straight-line distance (no
  road network is configured); the same matrix is used to plan and to report.
* The objective, in this order: cover as many required stops as can be reached, then as much
  priority as fits, then as little travel as possible. Prizes make the order strict: one point
  of priority is worth `PRIZE_PER_PRIORITY` minutes of travel, and one required stop is worth
  more than every optional stop together.

`plan_routes` uses PyVRP (iterated local search for routing with time windows and prizes);
`nearest_neighbour` is the greedy baseline a dispatcher would otherwise follow; `evaluate`
measures either plan the same way.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from pyvrp import Model
from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria, NoImprovement

# --- the road-speed model ------------------------------------------------------------------------

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180

#: People's Square (人民广场), the reference centre of Shanghai's ring roads.
SHANGHAI_CENTRE = (31.2304, 121.4737)


@dataclass(frozen=True)
class SpeedModel:
    """Travel time by car between two points, from their straight-line distance.

    The constants are assumptions, not a calibration: a road is on average ~1.35 times longer
    than the straight line in a dense city grid (published circuity factors for Chinese and
    European cities lie between 1.2 and 1.4); night traffic inside the Inner Ring (内环) still
    crawls through signals and narrow streets, the middle and outer rings move faster and the
    suburbs fastest. Each leg also pays a fixed overhead for parking and walking to the exact
    spot (an underpass, the space under a bridge) and back. Replace by a road-network source
    when one is configured.
    """

    centre_lat: float = SHANGHAI_CENTRE[0]
    centre_lng: float = SHANGHAI_CENTRE[1]
    #: (outer radius from the centre in km, speed in km/h), innermost first.
    zones: tuple[tuple[float, float], ...] = (
        (5.0, 18.0),  # inside the Inner Ring road (内环)
        (10.0, 25.0),  # Inner to Middle Ring (中环)
        (16.0, 32.0),  # Middle to Outer Ring (外环)
    )
    outside_kmh: float = 40.0  # beyond the Outer Ring
    detour_factor: float = 1.35
    overhead_min: float = 4.0
    #: a leg is cut into this many pieces, each driven at the speed of the zone it lies in.
    samples: int = 8

    def speed_at(self, lat: float, lng: float) -> float:
        """Speed in km/h at a point, by its distance from the centre."""
        # Equirectangular distance: exact enough within a city, and this runs for every piece.
        dy = (lat - self.centre_lat) * KM_PER_DEGREE
        dx = (lng - self.centre_lng) * KM_PER_DEGREE * math.cos(math.radians(self.centre_lat))
        radius = math.hypot(dx, dy)
        for outer_km, kmh in self.zones:
            if radius <= outer_km:
                return kmh
        return self.outside_kmh


DEFAULT_SPEED = SpeedModel()


def haversine_km(a_lat: float, a_lng: float, b_lat: float, b_lng: float) -> float:
    """Great-circle distance in km between two WGS-84 points."""
    phi1, phi2 = math.radians(a_lat), math.radians(b_lat)
    dphi = phi2 - phi1
    dlmb = math.radians(b_lng - a_lng)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def travel_minutes(
    a_lat: float, a_lng: float, b_lat: float, b_lng: float, *, speed: SpeedModel | None = None
) -> int:
    """Whole minutes (rounded up) to drive from a to b; 0 for the same point (within 1 m)."""
    model = speed or DEFAULT_SPEED
    straight_km = haversine_km(a_lat, a_lng, b_lat, b_lng)
    if straight_km < 0.001:
        return 0
    piece_km = straight_km * model.detour_factor / model.samples
    minutes = model.overhead_min
    for k in range(model.samples):
        frac = (k + 0.5) / model.samples
        lat = a_lat + (b_lat - a_lat) * frac
        lng = a_lng + (b_lng - a_lng) * frac
        minutes += piece_km / model.speed_at(lat, lng) * 60
    return math.ceil(minutes - 1e-9)


def travel_matrix(
    points: Sequence[tuple[float, float]], *, speed: SpeedModel | None = None
) -> list[list[int]]:
    """Travel minutes between every ordered pair of (lat, lng) points."""
    return [
        [0 if i == j else travel_minutes(*a, *b, speed=speed) for j, b in enumerate(points)]
        for i, a in enumerate(points)
    ]


# --- the problem and the answer ------------------------------------------------------------------


@dataclass(frozen=True)
class Stop:
    """A place a team should visit tonight."""

    key: str  # the caller's id, e.g. "place:12", "lead:7"
    lat: float
    lng: float
    window_start: int  # earliest start of the visit, minutes after the plan's start
    window_end: int  # latest start of the visit
    service_min: int  # minutes spent at the place
    priority: int  # 1..100, higher = more important
    required: bool = False  # required by the weather response level: visit if at all feasible


@dataclass(frozen=True)
class Team:
    """A joint patrol team (救助分队); its routes start and end at its base."""

    key: str
    lat: float
    lng: float
    shift_start: int = 0
    shift_end: int = 480


@dataclass(frozen=True)
class Visit:
    stop_key: str
    arrive_min: int  # the visit starts (inside the stop's window)
    depart_min: int


@dataclass
class Route:
    team_key: str
    visits: list[Visit]
    travel_min: int  # driving, base to base
    end_min: int  # back at base
    start_min: int = 0  # leaves base (as late as possible without delaying the first visit)


@dataclass
class Plan:
    routes: list[Route]
    unassigned: list[str]  # stop keys no route visits, in input order
    travel_min: int
    solve_s: float
    method: str


@dataclass(frozen=True)
class Coverage:
    """How well a plan serves its stops; only visits that start inside the window count."""

    stops: int
    visited: int
    priority_total: int
    priority_covered: int
    required_total: int
    required_covered: int
    travel_min: int

    @property
    def weighted_coverage(self) -> float:
        return self.priority_covered / self.priority_total if self.priority_total else 1.0

    @property
    def required_coverage(self) -> float:
        return self.required_covered / self.required_total if self.required_total else 1.0

    @property
    def travel_per_visit(self) -> float:
        return self.travel_min / self.visited if self.visited else 0.0


#: One point of priority is worth this many minutes of travel: coverage always wins over travel
#: (a night has 480 minutes per team), travel only decides between plans that cover the same.
PRIZE_PER_PRIORITY = 1000


# --- shared machinery ----------------------------------------------------------------------------


@dataclass
class _Instance:
    stops: list[Stop]
    teams: list[Team]
    matrix: list[list[int]]  # teams' bases first, then the stops
    # per team: indices (into stops) of the stops it could visit alone, from its base and back
    reachable: list[set[int]] = field(default_factory=list)

    def base(self, t: int) -> int:
        return t

    def node(self, s: int) -> int:
        return len(self.teams) + s


def _validate(stops: Sequence[Stop], teams: Sequence[Team]) -> None:
    for kind, keys in (("stop", [s.key for s in stops]), ("team", [t.key for t in teams])):
        seen: set[str] = set()
        for key in keys:
            if key in seen:
                raise ValueError(f"duplicate {kind} key {key!r}")
            seen.add(key)
    for t in teams:
        if t.shift_end < t.shift_start:
            raise ValueError(f"team {t.key!r}: shift ends before it starts")
    for s in stops:
        if not 1 <= s.priority <= 100:
            raise ValueError(f"stop {s.key!r}: priority must be 1..100, got {s.priority}")
        if s.service_min < 0:
            raise ValueError(f"stop {s.key!r}: negative service time")


def _instance(stops: Sequence[Stop], teams: Sequence[Team], speed: SpeedModel | None) -> _Instance:
    _validate(stops, teams)
    points = [(t.lat, t.lng) for t in teams] + [(s.lat, s.lng) for s in stops]
    inst = _Instance(list(stops), list(teams), travel_matrix(points, speed=speed))
    for t, team in enumerate(inst.teams):
        ok = set()
        for s, stop in enumerate(inst.stops):
            there = inst.matrix[inst.base(t)][inst.node(s)]
            back = inst.matrix[inst.node(s)][inst.base(t)]
            start = max(team.shift_start + there, stop.window_start)
            if start <= stop.window_end and start + stop.service_min + back <= team.shift_end:
                ok.add(s)
        inst.reachable.append(ok)
    return inst


def _route(inst: _Instance, t: int, order: Sequence[int]) -> Route:
    """Schedule a team's stops in the given order, each as early as possible.

    Stops that would start after their window closes are left out, and while the team would be
    back after its shift ends the last visit is given up (a safety net: the planners do not
    produce either).
    """
    team = inst.teams[t]
    kept = list(order)
    while True:
        visits: list[Visit] = []
        used: list[int] = []
        clock, here, travel = team.shift_start, inst.base(t), 0
        for s in kept:
            stop = inst.stops[s]
            leg = inst.matrix[here][inst.node(s)]
            start = max(clock + leg, stop.window_start)
            if start > stop.window_end:
                continue
            visits.append(Visit(stop.key, start, start + stop.service_min))
            used.append(s)
            clock, here, travel = start + stop.service_min, inst.node(s), travel + leg
        back = inst.matrix[here][inst.base(t)]
        if clock + back <= team.shift_end or not used:
            break
        kept = used[:-1]
    if not visits:
        return Route(team.key, [], 0, team.shift_start, team.shift_start)
    first_leg = inst.matrix[inst.base(t)][inst.node(used[0])]
    leave = max(team.shift_start, visits[0].arrive_min - first_leg)
    return Route(team.key, visits, travel + back, clock + back, leave)


def _plan(inst: _Instance, orders: Sequence[Sequence[int]], method: str, started: float) -> Plan:
    routes: list[Route] = []
    visited: set[str] = set()
    for t, order in enumerate(orders):
        # A stop is visited once: a second team's visit to it is dropped.
        order = [s for s in order if inst.stops[s].key not in visited]
        route = _route(inst, t, order)
        routes.append(route)
        visited.update(v.stop_key for v in route.visits)
    unassigned = [s.key for s in inst.stops if s.key not in visited]
    travel = sum(r.travel_min for r in routes)
    return Plan(routes, unassigned, travel, time.perf_counter() - started, method)


def unreachable(
    stops: Sequence[Stop], teams: Sequence[Team], *, speed: SpeedModel | None = None
) -> list[str]:
    """Keys of the stops no team could visit inside the window even as its only stop."""
    inst = _instance(stops, teams, speed)
    can: set[int] = set()
    for team_reach in inst.reachable:
        can |= team_reach
    return [stop.key for s, stop in enumerate(inst.stops) if s not in can]


def plan_from_orders(
    stops: Sequence[Stop],
    teams: Sequence[Team],
    orders: Mapping[str, Sequence[str]],
    *,
    method: str,
    solve_s: float = 0.0,
    speed: SpeedModel | None = None,
) -> Plan:
    """Schedule given visit orders (team key → stop keys) into a plan, the way our planners do.

    For comparing other solvers on equal terms (bench/routing.py).
    """
    inst = _instance(stops, teams, speed)
    index = {s.key: i for i, s in enumerate(inst.stops)}
    seqs = [[index[k] for k in orders.get(team.key, [])] for team in inst.teams]
    plan = _plan(inst, seqs, method, time.perf_counter())
    plan.solve_s = solve_s
    return plan


# --- the baseline ---------------------------------------------------------------------------------


def nearest_neighbour(
    stops: Sequence[Stop], teams: Sequence[Team], *, speed: SpeedModel | None = None
) -> Plan:
    """Greedy baseline: the team that is free first goes to its nearest place.

    "Nearest" is the drive plus half of any wait for the window to open: plain driving time
    would send teams to a place next door that opens at five in the morning; counting the whole
    wait sends them criss-crossing the city (of the variants tried on bench/routing.py this one
    drives least per visit). Ties go to the higher priority. A place is taken only if the visit
    can start inside its window and the team can still get back to base before its shift ends.
    """
    started = time.perf_counter()
    inst = _instance(stops, teams, speed)
    orders: list[list[int]] = [[] for _ in inst.teams]
    clock = [team.shift_start for team in inst.teams]
    here = [inst.base(t) for t in range(len(inst.teams))]
    open_teams = set(range(len(inst.teams)))
    left = set(range(len(inst.stops)))
    while open_teams and left:
        t = min(open_teams, key=lambda i: (clock[i], i))
        team = inst.teams[t]
        best: tuple[int, int, int, int] | None = None  # (closeness, -priority, stop, start)
        for s in left:
            stop = inst.stops[s]
            drive = inst.matrix[here[t]][inst.node(s)]
            start = max(clock[t] + drive, stop.window_start)
            back = inst.matrix[inst.node(s)][inst.base(t)]
            if start > stop.window_end or start + stop.service_min + back > team.shift_end:
                continue
            wait = start - clock[t] - drive
            cand = (drive + wait // 2, -stop.priority, s, start)
            if best is None or cand < best:
                best = cand
        if best is None:
            open_teams.discard(t)
            continue
        _, _, s, start = best
        orders[t].append(s)
        left.discard(s)
        clock[t] = start + inst.stops[s].service_min
        here[t] = inst.node(s)
    return _plan(inst, orders, "nearest_neighbour", started)


# --- the planner ----------------------------------------------------------------------------------

#: Stop the search early once this many iterations in a row found nothing better: small nights
#: finish well inside the time limit, and then the result depends only on the seed.
NO_IMPROVEMENT_ITERATIONS = 1000


def prizes(stops: Sequence[Stop], teams: Sequence[Team]) -> list[int]:
    """What visiting each stop is worth, in minutes of travel, in the objective.

    Priority × `PRIZE_PER_PRIORITY`; a required stop adds more than all optional stops and all
    the driving the teams could do together, so no mix of those outweighs one required stop.
    """
    optional = sum(s.priority for s in stops if not s.required) * PRIZE_PER_PRIORITY
    all_driving = sum(max(0, t.shift_end - t.shift_start) for t in teams)
    required_bonus = optional + all_driving + 1
    return [s.priority * PRIZE_PER_PRIORITY + (required_bonus if s.required else 0) for s in stops]


def plan_routes(
    stops: Sequence[Stop],
    teams: Sequence[Team],
    *,
    time_limit_s: float = 2.0,
    seed: int = 0,
    speed: SpeedModel | None = None,
    max_iterations: int | None = None,
) -> Plan:
    """Plan the night with PyVRP (iterated local search, prize-collecting VRP with windows).

    Each team is a vehicle of its own that starts and ends at its base within its shift. Every
    stop is a client with its time window, service time and a prize of priority ×
    `PRIZE_PER_PRIORITY`. Stops no team can reach inside their window (and get back from
    before the shift ends) are left out before the search and reported unassigned.

    A required stop gets, on top, a prize larger than all optional stops and all driving
    together, instead of PyVRP's `required=True`: a required client that cannot be fitted
    (two required places far apart with the same short window, more required places than the
    teams can manage) makes PyVRP's whole answer infeasible, and there would be no plan at
    all. With the dominant prize the best plan visits every required stop that can be visited
    together with the others, and as many as fit when not all do.

    The search stops at `time_limit_s`, or earlier after `NO_IMPROVEMENT_ITERATIONS` fruitless
    iterations (small nights: then the plan depends only on the seed); `max_iterations`
    replaces both with a fixed iteration count (reproducible whatever the machine's load).
    """
    started = time.perf_counter()
    inst = _instance(stops, teams, speed)
    reachable: set[int] = set()
    for team_reach in inst.reachable:
        reachable |= team_reach
    if not reachable:
        return _plan(inst, [[] for _ in inst.teams], "pyvrp", started)
    orders = _solve_pyvrp(inst, reachable, time_limit_s, seed, max_iterations)
    return _plan(inst, orders, "pyvrp", started)


def _solve_pyvrp(
    inst: _Instance,
    reachable: set[int],
    time_limit_s: float,
    seed: int,
    max_iterations: int | None,
) -> list[list[int]]:
    """Visit orders per team (stop indices)."""
    model = Model()
    depots = []
    for team in inst.teams:
        loc = model.add_location(team.lng, team.lat, name=team.key)
        depots.append(model.add_depot(loc, tw_early=team.shift_start, tw_late=team.shift_end))
    for t, team in enumerate(inst.teams):
        model.add_vehicle_type(
            num_available=1,
            start_depot=depots[t],
            end_depot=depots[t],
            tw_early=team.shift_start,
            tw_late=team.shift_end,
            name=team.key,
        )

    candidates = sorted(reachable)
    prize = prizes(inst.stops, inst.teams)
    node_of = list(range(len(inst.teams)))  # model location → matrix index
    client_stop: list[int] = []  # client index → stop index
    for s in candidates:
        stop = inst.stops[s]
        loc = model.add_location(stop.lng, stop.lat, name=stop.key)
        node_of.append(inst.node(s))
        model.add_client(
            loc,
            service_duration=stop.service_min,
            tw_early=stop.window_start,
            tw_late=stop.window_end,
            prize=prize[s],
            required=False,
            name=stop.key,
        )
        client_stop.append(s)

    locations = model.locations
    for i, a in enumerate(locations):
        for j, b in enumerate(locations):
            if i != j:
                minutes = inst.matrix[node_of[i]][node_of[j]]
                model.add_edge(a, b, distance=minutes, duration=minutes)

    stop_rule: MaxIterations | MultipleCriteria
    if max_iterations is not None:
        stop_rule = MaxIterations(max_iterations)
    else:
        stop_rule = MultipleCriteria(
            [NoImprovement(NO_IMPROVEMENT_ITERATIONS), MaxRuntime(time_limit_s)]
        )
    result = model.solve(stop=stop_rule, seed=seed, collect_stats=False, display=False)
    # With only optional clients the best solution is feasible (an empty plan is); should it
    # ever not be, `_route` leaves out the visits that would be late rather than fail the night.
    orders: list[list[int]] = [[] for _ in inst.teams]
    for route in result.best.routes():
        orders[route.vehicle_type()] = [
            client_stop[act.idx] for act in route.schedule() if act.is_client()
        ]
    return orders


# --- measuring a plan ------------------------------------------------------------------------------


def evaluate(plan: Plan, stops: Sequence[Stop]) -> Coverage:
    """Priority-weighted coverage within windows, required coverage and travel of a plan.

    A visit counts once, and only if it starts inside its stop's window.
    """
    by_key = {s.key: s for s in stops}
    covered: set[str] = set()
    for route in plan.routes:
        for visit in route.visits:
            stop = by_key.get(visit.stop_key)
            if stop and stop.window_start <= visit.arrive_min <= stop.window_end:
                covered.add(stop.key)
    return Coverage(
        stops=len(stops),
        visited=len(covered),
        priority_total=sum(s.priority for s in stops),
        priority_covered=sum(by_key[k].priority for k in covered),
        required_total=sum(1 for s in stops if s.required),
        required_covered=sum(1 for k in covered if by_key[k].required),
        travel_min=plan.travel_min,
    )
