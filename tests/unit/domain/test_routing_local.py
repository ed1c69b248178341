"""Local search (the fallback of 'auto' when no exact method fits the budget)."""

import random
import time

import pytest

from wms.domain.layout import grid_layout
from wms.domain.routing import plan_route
from wms.domain.routing_local import improve_tour, tour_length
from wms.domain.routing_network import PickSet


def instance(n, seed=0, blocks=5):
    layout = grid_layout(12, blocks, bins_per_side=5)
    codes = random.Random(seed).sample([b.code for b in layout.bins], n)
    return layout, PickSet.build(layout, codes)


@pytest.mark.parametrize("n", [3, 9, 40])
def test_improve_tour_returns_a_permutation_no_longer_than_the_start(n):
    _, picks = instance(n, seed=n)
    dist = picks.distance_matrix()
    start = list(range(1, len(dist)))
    random.Random(1).shuffle(start)
    better = improve_tour(start, dist, time.perf_counter() + 0.2)
    assert sorted(better) == sorted(start)
    assert tour_length(better, dist) <= tour_length(start, dist) + 1e-9


def test_improve_tour_turns_a_random_order_into_a_near_optimal_one():
    layout, picks = instance(25, seed=3, blocks=3)
    dist = picks.distance_matrix()
    start = list(range(1, len(dist)))
    random.Random(2).shuffle(start)
    found = tour_length(improve_tour(start, dist, time.perf_counter() + 0.3), dist)
    optimum = plan_route(layout, [c for cs in picks.codes_at for c in cs], "optimal").distance
    assert found <= optimum * 1.03


def test_auto_uses_local_search_when_exact_is_too_slow_and_says_it_is_not_proven():
    layout, picks = instance(30, seed=5, blocks=8)
    codes = [c for cs in picks.codes_at for c in cs]
    route = plan_route(layout, codes, "auto", time_budget_s=0.05)
    assert route.solver in ("local-search", "s-shape", "largest-gap", "combined")
    assert not route.proven_optimal
    assert route.distance <= min(
        plan_route(layout, codes, m).distance for m in ("s-shape", "largest-gap", "combined")
    ) + 1e-9


def test_auto_is_proven_optimal_on_an_ordinary_three_block_layout():
    layout, picks = instance(40, seed=6, blocks=3)
    codes = [c for cs in picks.codes_at for c in cs]
    route = plan_route(layout, codes)
    assert route.proven_optimal
    assert route.distance == pytest.approx(plan_route(layout, codes, "optimal").distance)
