"""Batching orders into cart trips: one tote per order, merged by walking saved.

A picker pushing a cart with N totes can pick N orders in one walk. Which orders go
together decides how far they walk, so batches are built with the Clarke–Wright
savings idea applied to pick tours: start with one trip per order and keep merging
the two trips whose joint route saves the most walking over walking them apart,
as long as the cart can carry the result (tote count, weight, volume).
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass, field

from wms.domain.errors import Invalid
from wms.domain.layout import Layout
from wms.domain.routing import Route, plan_route


class BatchingError(Invalid):
    code = "batching_error"


@dataclass(frozen=True)
class PickOrder:
    """An order as batching sees it: where to go and what it weighs."""

    id: str
    bins: tuple[str, ...]
    weight_g: int = 0
    volume_cm3: int = 0


@dataclass(frozen=True)
class Cart:
    totes: int
    max_weight_g: int
    max_volume_cm3: int


@dataclass(frozen=True)
class Trip:
    """One cart trip: orders with their tote numbers (1..N, in first-pick order) and the route."""

    totes: list[tuple[str, int]]  # (order id, tote number)
    route: Route
    weight_g: int
    volume_cm3: int
    order_ids: list[str] = field(default_factory=list)

    @property
    def distance(self) -> float:
        return self.route.distance


def total_distance(trips: Sequence[Trip]) -> float:
    return sum(t.route.distance for t in trips)


def batch_orders(
    layout: Layout,
    orders: Sequence[PickOrder],
    cart: Cart,
    *,
    savings_method: str = "combined",
    route_method: str = "auto",
) -> list[Trip]:
    """Group orders into cart trips that respect `cart` and walk as little as possible.

    `savings_method` is the fast routing method used to score the many candidate
    merges; each final trip is then planned with `route_method`.
    """
    _validate(layout, orders, cart)
    if not orders:
        return []
    by_id = {o.id: o for o in orders}
    cache: dict[frozenset[str], float] = {}

    def length(ids: frozenset[str]) -> float:
        if ids not in cache:
            codes = sorted({c for i in ids for c in by_id[i].bins})
            cache[ids] = plan_route(layout, codes, savings_method).distance
        return cache[ids]

    def fits(ids: frozenset[str]) -> bool:
        return (
            len(ids) <= cart.totes
            and sum(by_id[i].weight_g for i in ids) <= cart.max_weight_g
            and sum(by_id[i].volume_cm3 for i in ids) <= cart.max_volume_cm3
        )

    batches: set[frozenset[str]] = {frozenset([o.id]) for o in orders}
    heap: list[tuple[float, int, frozenset[str], frozenset[str]]] = []
    tick = 0

    def push_pairs(a: frozenset[str]) -> None:
        nonlocal tick
        for b in batches:
            if b is a or b == a:
                continue
            merged = a | b
            if not fits(merged):
                continue
            saving = length(a) + length(b) - length(merged)
            if saving > 1e-9:
                tick += 1
                heapq.heappush(heap, (-saving, tick, a, b))

    pending = sorted(batches, key=lambda s: sorted(s))
    done: set[frozenset[str]] = set()
    for a in pending:  # each pair once
        done.add(a)
        for b in pending:
            if b in done:
                continue
            merged = a | b
            if fits(merged):
                saving = length(a) + length(b) - length(merged)
                if saving > 1e-9:
                    tick += 1
                    heapq.heappush(heap, (-saving, tick, a, b))
    while heap:
        _, _, a, b = heapq.heappop(heap)
        if a not in batches or b not in batches:
            continue  # one side was merged already: stale saving
        batches.discard(a)
        batches.discard(b)
        merged = a | b
        batches.add(merged)
        push_pairs(merged)

    order_rank = {o.id: k for k, o in enumerate(orders)}
    trips = [
        _trip(layout, [by_id[i] for i in sorted(ids, key=order_rank.__getitem__)], route_method)
        for ids in batches
    ]
    trips.sort(key=lambda t: min(order_rank[i] for i in t.order_ids))
    return trips


def one_trip_per_order(
    layout: Layout, orders: Sequence[PickOrder], route_method: str = "auto"
) -> list[Trip]:
    """The baseline batching is measured against: every order walked on its own."""
    return [_trip(layout, [o], route_method) for o in orders]


def _trip(layout: Layout, members: list[PickOrder], method: str) -> Trip:
    codes = sorted({c for o in members for c in o.bins})
    route = plan_route(layout, codes, method)
    first_visit = {code: k for k, code in enumerate(route.sequence)}
    in_pick_order = sorted(members, key=lambda o: min(first_visit[c] for c in o.bins))
    return Trip(
        totes=[(o.id, n) for n, o in enumerate(in_pick_order, start=1)],
        route=route,
        weight_g=sum(o.weight_g for o in members),
        volume_cm3=sum(o.volume_cm3 for o in members),
        order_ids=[o.id for o in in_pick_order],
    )


def _validate(layout: Layout, orders: Sequence[PickOrder], cart: Cart) -> None:
    if cart.totes < 1:
        raise BatchingError(f"a cart needs at least one tote, got {cart.totes}")
    seen: set[str] = set()
    for o in orders:
        if o.id in seen:
            raise BatchingError(f"order {o.id!r} is listed twice")
        seen.add(o.id)
        if not o.bins:
            raise BatchingError(f"order {o.id!r} has no bins to pick from")
        for code in o.bins:
            if not layout.has_bin(code):
                raise BatchingError(f"order {o.id!r}: unknown bin code {code!r}")
        if o.weight_g > cart.max_weight_g:
            raise BatchingError(
                f"order {o.id!r} weighs {o.weight_g} g, more than the cart carries "
                f"({cart.max_weight_g} g)"
            )
        if o.volume_cm3 > cart.max_volume_cm3:
            raise BatchingError(
                f"order {o.id!r} is {o.volume_cm3} cm3, more than the cart holds "
                f"({cart.max_volume_cm3} cm3)"
            )
