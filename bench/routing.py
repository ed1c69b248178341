"""Routing benchmark: tour length against the optimum, and planning time, per method.

For regular layouts of 1, 2, 3 and 5 blocks with 10, 20 and 40 aisles and 5..100
picks (fixed seeds, several instances per cell) it prints, for each method, the mean
and worst distance relative to the best known tour (our proven optimum where the
exact method accepts the instance, else the best of all methods incl. OR-Tools), and
planning time p50/p99. OR-Tools' routing solver (guided local search, fixed time
limit) runs on the same instances as a peer. Finally it checks the targets:

- `optimal` is exact wherever it accepts an instance (never beaten by anyone);
- `auto` is within 0.5% of the best of (OR-Tools, our optimum) on 3-block layouts
  with 30-50 picks;
- `auto` planning p99 < 50 ms for 30 picks and < 500 ms for 100 picks.

Run:  PYTHONPATH=. .venv/bin/python bench/routing.py [--quick] [--instances N]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from wms.domain.layout import Layout, grid_layout
from wms.domain.routing import RoutingError, plan_route
from wms.domain.routing_network import PickSet

METHODS = ("s-shape", "largest-gap", "combined", "optimal", "auto")
PEER = "or-tools"


@dataclass
class Cell:
    blocks: int
    aisles: int
    picks: int
    dist: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    secs: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    best: list[float] = field(default_factory=list)
    proven: list[float | None] = field(default_factory=list)
    refused: int = 0


def ortools_tour(picks: PickSet, seconds: float) -> float | None:
    """Tour length found by OR-Tools' routing solver on the metric closure."""
    try:
        from ortools.constraint_solver import pywrapcp, routing_enums_pb2
    except ImportError:
        return None
    dist = picks.distance_matrix()
    n = len(dist)
    if n <= 2:
        return sum(dist[0][i] + dist[i][0] for i in range(1, n))
    scaled = [[int(round(v * 1000)) for v in row] for row in dist]
    manager = pywrapcp.RoutingIndexManager(n, 1, 0)
    model = pywrapcp.RoutingModel(manager)

    def cost(i: int, j: int) -> int:
        return scaled[manager.IndexToNode(i)][manager.IndexToNode(j)]

    model.SetArcCostEvaluatorOfAllVehicles(model.RegisterTransitCallback(cost))
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    params.time_limit.FromMilliseconds(int(seconds * 1000))
    solution = model.SolveWithParameters(params)
    if solution is None:
        return None
    total, index = 0.0, model.Start(0)
    while not model.IsEnd(index):
        nxt = solution.Value(model.NextVar(index))
        total += dist[manager.IndexToNode(index)][manager.IndexToNode(nxt)]
        index = nxt
    return total


def instance(layout: Layout, picks: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return rng.sample([b.code for b in layout.bins], picks)


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, int(round(q * (len(ordered) - 1)))))
    return ordered[k]


def run_cell(
    layout: Layout, blocks: int, aisles: int, picks: int, args: argparse.Namespace
) -> Cell:
    cell = Cell(blocks, aisles, picks)
    for k in range(args.instances):
        codes = instance(layout, picks, seed=1000 * blocks + 100 * aisles + picks * 7 + k)
        results: dict[str, float] = {}
        proven = None
        for method in METHODS:
            t0 = time.perf_counter()
            try:
                route = plan_route(layout, codes, method)
            except RoutingError:
                cell.refused += method == "optimal"
                continue
            cell.secs[method].append(time.perf_counter() - t0)
            results[method] = route.distance
            if method == "optimal":
                proven = route.distance
        if args.ortools_seconds > 0 and picks >= args.ortools_min_picks:
            t0 = time.perf_counter()
            peer = ortools_tour(PickSet.build(layout, codes), args.ortools_seconds)
            if peer is not None:
                cell.secs[PEER].append(time.perf_counter() - t0)
                results[PEER] = peer
        best = min(results.values())
        cell.best.append(best)
        cell.proven.append(proven)
        for method, d in results.items():
            cell.dist[method].append(d)
    return cell


def gap(cell: Cell, method: str) -> tuple[float, float] | None:
    ds = cell.dist.get(method)
    if not ds or len(ds) != len(cell.best):
        return None
    gaps = [100.0 * (d - b) / b for d, b in zip(ds, cell.best)]
    return statistics.mean(gaps), max(gaps)


def print_tables(cells: list[Cell]) -> None:
    cols = [*METHODS, PEER]
    head = f"{'blk':>3} {'ais':>3} {'pck':>4} | " + " | ".join(f"{m:>13}" for m in cols)

    def table(entry: Callable[[Cell, str], str | None]) -> None:
        print(head)
        print("-" * len(head))
        for c in cells:
            parts = []
            for m in cols:
                text = entry(c, m)
                parts.append(f"{'-':>13}" if text is None else text)
            print(f"{c.blocks:>3} {c.aisles:>3} {c.picks:>4} | " + " | ".join(parts))

    def distance(c: Cell, m: str) -> str | None:
        g = gap(c, m)
        return None if g is None else f"{g[0]:>6.2f}/{g[1]:>6.2f}"

    def planning_time(c: Cell, m: str) -> str | None:
        s = c.secs.get(m)
        return None if not s else f"{1000 * pct(s, .5):>6.1f}/{1000 * pct(s, .99):>6.1f}"

    print("\nDistance above best known, % (mean/worst); best = our proven optimum if accepted,")
    print("else the best of all methods. '-' = method not run / refused.")
    table(distance)
    print("\nPlanning time, ms (p50/p99)")
    table(planning_time)


def check_targets(
    cells: list[Cell], timing: dict[int, list[float]], args: argparse.Namespace
) -> None:
    print("\nTargets")
    beaten = [
        (c.blocks, c.aisles, c.picks)
        for c in cells
        for p, b in zip(c.proven, c.best)
        if p is not None and b < p - 1e-6
    ]
    accepted = sum(p is not None for c in cells for p in c.proven)
    refused = sum(c.refused for c in cells)
    print(f"  optimal exact where accepted: {'PASS' if not beaten else 'FAIL'} "
          f"({accepted} instances proven, {refused} refused; beaten on {beaten or 'none'})")
    worst = 0.0
    n = 0
    for c in cells:
        if c.blocks == 3 and 30 <= c.picks <= 50:
            for d, p, peer in zip(c.dist["auto"], c.proven, c.dist.get(PEER, [None] * 99)):
                ref = min(v for v in (p, peer) if v is not None)
                worst = max(worst, 100.0 * (d - ref) / ref)
                n += 1
    print(f"  auto within 0.5% of best(OR-Tools, optimum), 3 blocks, 30-50 picks: "
          f"{'PASS' if n and worst <= 0.5 else 'FAIL'} (worst {worst:.3f}% over {n} instances)")
    for picks, limit in ((30, 50.0), (100, 500.0)):
        p99 = 1000 * pct(timing[picks], 0.99)
        print(f"  auto p99 planning time, {picks} picks: {p99:.1f} ms "
              f"(p50 {1000 * pct(timing[picks], .5):.1f} ms, {len(timing[picks])} runs over "
              f"{'/'.join(map(str, args.blocks))} blocks x {'/'.join(map(str, args.aisles))} "
              f"aisles) target < {limit:.0f} ms: {'PASS' if p99 < limit else 'FAIL'}")


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--quick", action="store_true", help="fewer instances, shorter OR-Tools runs")
    ap.add_argument("--instances", type=int, default=3, help="instances per cell (default 3)")
    ap.add_argument("--ortools-seconds", type=float, default=1.0,
                    help="OR-Tools time limit; 0 = skip")
    ap.add_argument("--ortools-min-picks", type=int, default=10,
                    help="run OR-Tools only from this many picks (smaller ones are solved exactly)")
    ap.add_argument("--timing-runs", type=int, default=20,
                    help="auto timing runs per layout and size")
    args = ap.parse_args()
    args.blocks = [1, 2, 3, 5]
    args.aisles = [10, 20, 40]
    sizes = [5, 10, 20, 30, 50, 100]
    if args.quick:
        args.instances = min(args.instances, 1)
        args.ortools_seconds = min(args.ortools_seconds, 0.5)
        args.timing_runs = min(args.timing_runs, 8)
    layouts = {(b, a): grid_layout(a, b) for b in args.blocks for a in args.aisles}
    print(f"python {sys.version.split()[0]}; {args.instances} instance(s) per cell; "
          f"OR-Tools GLS {args.ortools_seconds:g} s from {args.ortools_min_picks} picks")
    started = time.perf_counter()
    cells = []
    for b in args.blocks:
        for a in args.aisles:
            for p in sizes:
                cells.append(run_cell(layouts[(b, a)], b, a, p, args))
            print(f"  done {b} block(s) x {a} aisles ({time.perf_counter() - started:.0f} s)",
                  file=sys.stderr)
    timing: dict[int, list[float]] = {30: [], 100: []}
    for (b, a), layout in layouts.items():
        for p in timing:
            for k in range(args.timing_runs):
                codes = instance(layout, p, seed=77_000 + 31 * k + p + 7 * a + b)
                t0 = time.perf_counter()
                plan_route(layout, codes, "auto")
                timing[p].append(time.perf_counter() - t0)
    print_tables(cells)
    check_targets(cells, timing, args)
    print(f"\ntotal {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
