"""How good are the night's patrol routes? Our PyVRP planner vs a greedy baseline vs OR-Tools.

Synthetic Shanghai nights: key places (车站广场、商业街区、热门景点、地下通道、桥梁涵洞、废弃房屋、
在建工地) scattered over the central urban districts, each with the window that matters for its
kind inside 22:00-06:00, a priority from its risk, the riskiest ones required by the response
level; joint teams at district bases, on shift all night. All three solvers get the same travel
matrix (warmwinter.patrols.routing.travel_minutes), the same windows, the same prizes/penalties
and the same time limit, and every plan is scheduled and scored by the same code.

Run: .venv/bin/python bench/routing.py [--places 60] [--teams 6] [--seeds 1 2 3] [--time-limit 2]
OR-Tools is a bench-only dependency (requirements-bench.lock); without it its rows are skipped.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from warmwinter.patrols.routing import (
    Coverage,
    Plan,
    Stop,
    Team,
    evaluate,
    nearest_neighbour,
    plan_from_orders,
    plan_routes,
    prizes,
    travel_matrix,
    unreachable,
)

# Centres of the central urban districts (WGS-84); places are scattered ±2.5 km around them.
DISTRICTS = {
    "黄浦": (31.2317, 121.4846),
    "静安": (31.2286, 121.4480),
    "静安北": (31.2700, 121.4550),
    "徐汇": (31.1886, 121.4365),
    "长宁": (31.2204, 121.4245),
    "普陀": (31.2495, 121.3972),
    "虹口": (31.2646, 121.5050),
    "杨浦": (31.2830, 121.5260),
    "浦东陆家嘴": (31.2350, 121.5440),
    "浦东张江": (31.2040, 121.5900),
}
# Team bases near district rescue stations / police posts.
BASES = [
    ("黄浦", 31.2270, 121.4800),
    ("浦东", 31.2200, 121.5500),
    ("徐汇", 31.1800, 121.4400),
    ("普陀", 31.2450, 121.4000),
    ("杨浦", 31.2800, 121.5250),
    ("静安", 31.2700, 121.4550),
]
# kind: (base risk, earliest window start, latest window start, window lengths) in minutes
# after 22:00 — the hours when people are found there on a cold night.
KINDS = {
    "车站广场": (70, 0, 150, (120, 180)),  # after the last trains
    "商业街区": (50, 30, 150, (90, 120)),  # after the shops close
    "热门景点": (40, 60, 240, (90, 120)),
    "地下通道": (75, 120, 300, (120, 180)),  # the coldest hours
    "桥梁涵洞": (80, 180, 330, (90, 120)),
    "废弃房屋": (60, 0, 300, (180, 240)),
    "在建工地": (55, 0, 330, (90, 150)),
}
NIGHT_END = 480  # 06:00


def synthetic_night(places: int, teams: int, seed: int) -> tuple[list[Stop], list[Team]]:
    rng = random.Random(seed)
    stops = []
    for i in range(places):
        kind = rng.choice(list(KINDS))
        risk, first, last, lengths = KINDS[kind]
        lat, lng = DISTRICTS[rng.choice(list(DISTRICTS))]
        start = rng.randrange(first, last + 1, 15)
        # Priority from risk: the kind's base risk, people found there recently, the cold.
        priority = max(1, min(100, risk + rng.randint(-20, 20) + 10 * rng.randint(0, 2)))
        stops.append(
            Stop(
                key=f"place:{i}",
                lat=lat + rng.uniform(-0.022, 0.022),
                lng=lng + rng.uniform(-0.026, 0.026),
                window_start=start,
                window_end=min(NIGHT_END - 30, start + rng.choice(lengths)),
                service_min=rng.choice((10, 15, 15, 20, 25)),
                priority=priority,
            )
        )
    # The response level requires the riskiest fifth of the places.
    cutoff = sorted((s.priority for s in stops), reverse=True)[max(0, places // 5 - 1)]
    required = [
        Stop(**{**s.__dict__, "required": s.priority >= cutoff}) for s in stops
    ]  # fmt: skip
    team_list = []
    for t in range(teams):
        name, lat, lng = BASES[t % len(BASES)]
        jitter = 0.01 * (t // len(BASES))
        team_list.append(Team(f"team:{name}{t}", lat + jitter, lng - jitter, 0, NIGHT_END))
    return required, team_list


def ortools_plan(stops: list[Stop], teams: list[Team], time_limit_s: float) -> Plan | None:
    """OR-Tools routing: guided local search, disjunction penalties = our prizes."""
    try:
        from ortools.constraint_solver import pywrapcp, routing_enums_pb2
    except ImportError:
        return None
    started = time.perf_counter()
    points = [(t.lat, t.lng) for t in teams] + [(s.lat, s.lng) for s in stops]
    matrix = travel_matrix(points)
    n_teams = len(teams)
    service = [0] * n_teams + [s.service_min for s in stops]
    manager = pywrapcp.RoutingIndexManager(
        len(points), n_teams, list(range(n_teams)), list(range(n_teams))
    )
    routing = pywrapcp.RoutingModel(manager)

    def travel(i: int, j: int) -> int:
        return matrix[manager.IndexToNode(i)][manager.IndexToNode(j)]

    def busy(i: int, j: int) -> int:
        a = manager.IndexToNode(i)
        return service[a] + matrix[a][manager.IndexToNode(j)]

    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitCallback(travel))
    horizon = max(t.shift_end for t in teams)
    routing.AddDimension(routing.RegisterTransitCallback(busy), horizon, horizon, False, "Time")
    clock = routing.GetDimensionOrDie("Time")
    for s, (stop, prize) in enumerate(zip(stops, prizes(stops, teams), strict=True)):
        index = manager.NodeToIndex(n_teams + s)
        clock.CumulVar(index).SetRange(stop.window_start, max(stop.window_start, stop.window_end))
        routing.AddDisjunction([index], prize)
    for v, team in enumerate(teams):
        clock.CumulVar(routing.Start(v)).SetRange(team.shift_start, team.shift_end)
        clock.CumulVar(routing.End(v)).SetRange(team.shift_start, team.shift_end)
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    params.time_limit.FromMilliseconds(int(time_limit_s * 1000))
    solution = routing.SolveWithParameters(params)
    solve_s = time.perf_counter() - started
    orders: dict[str, list[str]] = {}
    if solution is not None:
        for v, team in enumerate(teams):
            index = solution.Value(routing.NextVar(routing.Start(v)))
            keys = []
            while not routing.IsEnd(index):
                keys.append(stops[manager.IndexToNode(index) - n_teams].key)
                index = solution.Value(routing.NextVar(index))
            orders[team.key] = keys
    return plan_from_orders(stops, teams, orders, method="ortools-gls", solve_s=solve_s)


SOLVERS = ("ours (pyvrp)", "nearest-neighbour", "or-tools gls")


def solve(
    name: str, stops: list[Stop], teams: list[Team], seed: int, time_limit_s: float
) -> Plan | None:
    if name == "ours (pyvrp)":
        return plan_routes(stops, teams, time_limit_s=time_limit_s, seed=seed)
    if name == "nearest-neighbour":
        return nearest_neighbour(stops, teams)
    return ortools_plan(stops, teams, time_limit_s)


@dataclass
class Row:
    seed: int
    name: str
    coverage: Coverage
    solve_s: float


def line(row: Row) -> str:
    c = row.coverage
    return (
        f"  {row.name:<18} visits {c.visited:>3}/{c.stops:<3} "
        f"weighted {c.weighted_coverage:6.1%}  required {c.required_covered:>2}/{c.required_total:<2} "
        f"({c.required_coverage:6.1%})  travel {c.travel_min:>5} min  "
        f"per visit {c.travel_per_visit:5.1f} min  solve {row.solve_s:5.2f} s"
    )


def ratio(a: float, b: float) -> float:
    return a / b if b else float("inf") if a else 1.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--places", type=int, default=60)
    parser.add_argument("--teams", type=int, default=6)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--time-limit", type=float, default=2.0, help="seconds per solver")
    args = parser.parse_args()

    try:
        import ortools

        print(f"OR-Tools {ortools.__version__}")
    except ImportError:
        print(
            "OR-Tools not installed (it comes with requirements-bench.lock): its rows are skipped"
        )
    print(
        "nearest-neighbour = greedy baseline: the team free first goes to the place it reaches "
        "soonest (drive + half the wait), if it can start inside the window"
    )
    print(
        f"{args.places} places, {args.teams} teams, 22:00-06:00, time limit {args.time_limit:g} s, "
        f"seeds {' '.join(map(str, args.seeds))}"
    )
    rows: list[Row] = []
    for seed in args.seeds:
        stops, teams = synthetic_night(args.places, args.teams, seed)
        out_of_reach = set(unreachable(stops, teams))
        required = [s for s in stops if s.required]
        print(
            f"seed {seed}: {len(required)} required places, "
            f"{sum(1 for s in required if s.key not in out_of_reach)} reachable in their window; "
            f"{len(out_of_reach)} places out of every team's reach"
        )
        for name in SOLVERS:
            started = time.perf_counter()
            plan = solve(name, stops, teams, seed, args.time_limit)
            elapsed = time.perf_counter() - started
            if plan is None:
                print(f"  {name:<18} skipped (OR-Tools not installed)")
                continue
            row = Row(seed, name, evaluate(plan, stops), elapsed)
            rows.append(row)
            print(line(row))

    def of(name: str) -> list[Row]:
        return [r for r in rows if r.name == name]

    ours, base = of("ours (pyvrp)"), of("nearest-neighbour")
    print("summary over seeds:")
    for name in SOLVERS:
        group = of(name)
        if not group:
            continue
        print(
            f"  {name:<18} weighted {statistics.mean(r.coverage.weighted_coverage for r in group):6.1%}"
            f"  required {sum(r.coverage.required_covered for r in group)}/"
            f"{sum(r.coverage.required_total for r in group)}"
            f"  travel {statistics.mean(r.coverage.travel_min for r in group):7.1f} min"
            f"  per visit {statistics.mean(r.coverage.travel_per_visit for r in group):5.1f} min"
            f"  solve mean {statistics.mean(r.solve_s for r in group):5.2f} s"
            f" max {max(r.solve_s for r in group):5.2f} s"
        )

    worst_required = min(r.coverage.required_coverage for r in ours)
    ratios = [
        o.coverage.travel_min / b.coverage.travel_min for o, b in zip(ours, base, strict=True)
    ]
    per_visit = [
        o.coverage.travel_per_visit / b.coverage.travel_per_visit
        for o, b in zip(ours, base, strict=True)
    ]
    same_cov = all(
        o.coverage.visited == b.coverage.visited for o, b in zip(ours, base, strict=True)
    )
    slowest = max(r.solve_s for r in ours)
    if gls := of("or-tools gls"):
        versus = [
            ratio(o.coverage.travel_min, g.coverage.travel_min)
            for o, g in zip(ours, gls, strict=True)
        ]
        print(
            "ours vs OR-Tools: travel ours/or-tools per seed "
            f"{' '.join(f'{x:.2f}' for x in versus)}; weighted coverage ours - or-tools per seed "
            + " ".join(
                f"{o.coverage.weighted_coverage - g.coverage.weighted_coverage:+.1%}"
                for o, g in zip(ours, gls, strict=True)
            )
        )
    print("targets:")
    print(
        f"  required visits in window >= 95%: worst seed {worst_required:.1%} "
        f"-> {'MET' if worst_required >= 0.95 else 'NOT MET'}"
    )
    print(
        f"  travel <= 0.8 x baseline: ours/baseline per seed "
        f"{' '.join(f'{x:.2f}' for x in ratios)} (worst {max(ratios):.2f}) "
        f"-> {'MET' if max(ratios) <= 0.8 else 'NOT MET'}"
    )
    if not same_cov:
        print(
            "    coverage differs from the baseline's, so compare travel per covered visit too: "
            f"ours/baseline {' '.join(f'{x:.2f}' for x in per_visit)} (worst {max(per_visit):.2f})"
        )
    print(f"  solve <= 5 s: slowest {slowest:.2f} s -> {'MET' if slowest <= 5 else 'NOT MET'}")


if __name__ == "__main__":
    main()
