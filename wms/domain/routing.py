"""Pick-route planning: which order to visit bins in, and the walk that does it.

`plan_route` is the one entry point. Every method ends in a walk on the layout's
aisle network; sequence, path and distance are all read off that walk, so they can
never disagree (see routing_network). Methods:

- "s-shape", "largest-gap", "combined": the textbook heuristics (routing_heuristics);
- "optimal": a provably shortest tour (routing_exact), refused with RoutingError when
  the instance is too large to prove in reasonable time;
- "auto": optimal when that fits the time budget, otherwise the best heuristic
  improved by local search (routing_local); `proven_optimal` says which.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from wms.domain.errors import Invalid
from wms.domain.layout import Layout
from wms.domain.routing_exact import aisle_dp, dp_problem_size
from wms.domain.routing_held_karp import held_karp
from wms.domain.routing_heuristics import combined, largest_gap, s_shape
from wms.domain.routing_local import improve_tour, tour_length
from wms.domain.routing_network import PickSet, Walk, path_length, shortest_walk, walk_through

HEURISTICS = {"s-shape": s_shape, "largest-gap": largest_gap, "combined": combined}
METHODS = ("auto", "optimal", *HEURISTICS)

OPTIMAL_MAX_SECONDS = 20.0  # "optimal" refuses instances its exact methods cannot prove faster
HELD_KARP_MAX_STOPS = 15

# Measured cost of one aisle column of the aisle DP by number of cross aisles kept
# (it grows about 8x per cross aisle); used to decide before running it.
_DP_SECONDS_PER_COLUMN = {2: 0.00004, 3: 0.0001, 4: 0.0004, 5: 0.003, 6: 0.025, 7: 0.2}


class RoutingError(Invalid, ValueError):
    """The request cannot be routed; the message says why."""

    code = "routing_error"


@dataclass(frozen=True)
class Route:
    """A planned pick walk: bins in visiting order and the walk, depot to depot."""

    method: str  # as requested
    sequence: list[str]
    distance: float  # metres, depot to depot
    path: list[tuple[float, float]]
    proven_optimal: bool
    solver: str  # what produced it: aisle-dp, held-karp, s-shape, ..., local-search
    blocks: int
    lower_bound: float | None = None
    stats: dict[str, Any] = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of the route contract (plus proven_optimal, blocks, solver)."""
        return {
            "method": self.method,
            "sequence": list(self.sequence),
            "distance": round(self.distance, 6),
            "path": [[x, y] for x, y in self.path],
            "proven_optimal": self.proven_optimal,
            "blocks": self.blocks,
            "solver": self.solver,
        }


def sequence_length(layout: Layout, codes: Sequence[str]) -> float:
    """Shortest-walk length of depot -> codes in this order -> depot (the spec metric)."""
    pts = [layout.depot] + [layout.bin(c).point for c in codes] + [layout.depot]
    return sum(layout.distance(pts[i], pts[i + 1]) for i in range(len(pts) - 1))


def plan_route(
    layout: Layout,
    bin_codes: Sequence[str],
    method: str = "auto",
    time_budget_s: float | None = None,
) -> Route:
    """Plan the walk that picks every bin in `bin_codes` (duplicates collapse).

    `time_budget_s` bounds "auto" (None: scaled to the number of stops, 35 ms up to
    30 stops rising to 350 ms at 100, so interactive requests stay snappy).
    """
    if method not in METHODS:
        raise RoutingError(
            f"unknown routing method {method!r}; choose one of {', '.join(METHODS)}"
        )
    if isinstance(bin_codes, str):
        bin_codes = [bin_codes]
    if not bin_codes:
        raise RoutingError("no bins to route: the bin list is empty")
    unknown = sorted({c for c in bin_codes if not layout.has_bin(c)})
    if unknown:
        raise RoutingError(
            f"unknown bin code{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(unknown)} in layout {layout.name!r}"
        )
    picks = PickSet.build(layout, bin_codes)
    started = time.perf_counter()
    if all(loc == picks.depot for loc in picks.locations):
        # Everything is at the depot: the empty walk (no method needs to move).
        return _route(method, "trivial", Walk(picks), True, picks, started)
    if method in HEURISTICS:
        walk = HEURISTICS[method](picks)
        return _route(method, method, walk, False, picks, started)
    if method == "optimal":
        return _optimal(picks, started)
    budget = auto_time_budget(len(picks.locations)) if time_budget_s is None else time_budget_s
    return _auto(picks, budget, started)


def auto_time_budget(stops: int) -> float:
    """Default planning budget of "auto" for this many distinct stops, in seconds."""
    return min(0.35, 0.035 + max(0, stops - 30) * 0.0045)


def _route(
    method: str, solver: str, walk: Walk, proven: bool, picks: PickSet, started: float
) -> Route:
    path = walk.path()
    distance = path_length(path)
    return Route(
        method=method,
        sequence=walk.sequence(),
        distance=distance,
        path=path,
        proven_optimal=proven,
        solver=solver,
        blocks=picks.layout.blocks,
        lower_bound=distance if proven else None,
        stats={"seconds": time.perf_counter() - started, "stops": len(picks.locations)},
    )


def _dp_seconds(picks: PickSet) -> float:
    k, columns = dp_problem_size(picks)
    return columns * _DP_SECONDS_PER_COLUMN.get(k, float("inf"))


def _held_karp_seconds(picks: PickSet) -> float:
    n = len(picks.locations)
    return (2**n) * n * n * 5e-8


def _exact(picks: PickSet, method: str, started: float, limit_s: float) -> Route | None:
    """Proven-optimal route if an exact method is expected to finish within limit_s."""
    if _dp_seconds(picks) <= limit_s:
        walk = aisle_dp(picks).walk
        return _route(method, "aisle-dp", walk, True, picks, started)
    if len(picks.locations) <= HELD_KARP_MAX_STOPS and _held_karp_seconds(picks) <= limit_s:
        _, order = held_karp(picks.distance_matrix())
        walk = walk_through(picks, [i - 1 for i in order])
        return _route(method, "held-karp", walk, True, picks, started)
    return None


def _optimal(picks: PickSet, started: float) -> Route:
    route = _exact(picks, "optimal", started, OPTIMAL_MAX_SECONDS)
    if route is None:
        k, columns = dp_problem_size(picks)
        raise RoutingError(
            f"instance too large to prove optimal in reasonable time: {len(picks.locations)} "
            f"pick locations over {k - 1} blocks and {columns} aisles "
            f"(the exact methods handle up to {HELD_KARP_MAX_STOPS} locations, or fewer "
            f"cross aisles); use --method auto for a near-optimal route"
        )
    return route


def _auto(picks: PickSet, budget_s: float, started: float) -> Route:
    route = _exact(picks, "auto", started, budget_s)
    if route is not None:
        return route
    deadline = started + budget_s
    walks = {name: h(picks) for name, h in HEURISTICS.items()}
    name, walk = min(walks.items(), key=lambda kv: kv[1].length())
    dist = picks.distance_matrix()
    start_order = [i + 1 for i in walk.visit_order()]
    order = improve_tour(start_order, dist, deadline)
    if tour_length(order, dist) < walk.length() - 1e-9:
        return _route("auto", "local-search", walk_through(picks, [i - 1 for i in order]),
                      False, picks, started)
    return _route("auto", name, walk, False, picks, started)


__all__ = [
    "METHODS",
    "Route",
    "RoutingError",
    "auto_time_budget",
    "plan_route",
    "sequence_length",
    "shortest_walk",
]
