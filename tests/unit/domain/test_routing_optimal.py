"""'optimal' is checked against brute force: every visiting order of a few stops."""

import itertools
import random

import pytest

from wms.domain.layout import grid_layout, parse_layout
from wms.domain.routing import RoutingError, plan_route, sequence_length
from wms.domain.routing_exact import aisle_dp
from wms.domain.routing_held_karp import held_karp
from wms.domain.routing_network import PickSet


def brute_force(layout, codes):
    """Shortest depot-to-depot walk over all orders of the distinct locations."""
    by_point = {}
    for c in codes:
        b = layout.bin(c)
        by_point.setdefault((b.x, b.y), c)
    reps = list(by_point.values())
    return min(sequence_length(layout, list(p)) for p in itertools.permutations(reps))


def random_instance(rng, blocks, max_stops=6):
    layout = grid_layout(
        rng.randint(1, 6), blocks, bins_per_side=rng.choice([2, 4, 6]),
        block_length=rng.choice([6.0, 10.0, 15.0]), aisle_spacing=rng.choice([2.5, 4.0]),
        depot_x=rng.choice([0.0, 3.0, -1.5, 11.0]), depot_cross_aisle=rng.randint(0, blocks),
    )
    n = min(len(layout.bins), rng.randint(1, max_stops))
    return layout, rng.sample([b.code for b in layout.bins], n)


@pytest.mark.parametrize("blocks", [1, 2, 3])
def test_optimal_matches_brute_force_on_small_random_instances(blocks):
    rng = random.Random(1000 + blocks)
    for _ in range(60):
        layout, codes = random_instance(rng, blocks)
        route = plan_route(layout, codes, "optimal")
        assert route.proven_optimal
        assert route.distance == pytest.approx(brute_force(layout, codes), abs=1e-9), codes


@pytest.mark.parametrize("blocks", [1, 2, 3, 4])
def test_aisle_dp_agrees_with_held_karp_on_ten_stop_instances(blocks):
    rng = random.Random(7 + blocks)
    for _ in range(12):
        layout, codes = random_instance(rng, blocks, max_stops=10)
        picks = PickSet.build(layout, codes)
        dp = aisle_dp(picks)
        hk, _ = held_karp(picks.distance_matrix())
        assert dp.distance == pytest.approx(hk, abs=1e-9)
        assert dp.walk.length() == pytest.approx(dp.distance, abs=1e-9)
        assert not dp.walk.missing()


def test_no_method_beats_optimal():
    rng = random.Random(5)
    for blocks in (1, 2, 3):
        for _ in range(15):
            layout, codes = random_instance(rng, blocks, max_stops=9)
            best = plan_route(layout, codes, "optimal").distance
            for method in ("s-shape", "largest-gap", "combined", "auto"):
                assert plan_route(layout, codes, method).distance >= best - 1e-9


def test_optimal_is_exact_with_the_depot_between_aisles_on_a_middle_cross_aisle():
    layout = parse_layout({
        "name": "middle",
        "aisles": [{"id": "A", "x": 0.0}, {"id": "B", "x": 5.0}],
        "cross_aisles": [0.0, 10.0, 20.0],
        "depot": {"x": 2.0, "y": 10.0},
        "bins": [{"code": "a", "aisle": "A", "y": 2.0}, {"code": "b", "aisle": "B", "y": 18.0}],
    })
    route = plan_route(layout, ["a", "b"], "optimal")
    # 2 + 8 down A, back up 8, along 5, up 8 on B, back 8, 3 to the depot
    assert route.distance == pytest.approx(brute_force(layout, ["a", "b"]))
    assert route.distance == pytest.approx(2 + 8 + 8 + 5 + 8 + 8 + 3)


def test_optimal_refuses_instances_too_large_to_prove_and_auto_still_plans_them():
    layout = grid_layout(12, 9, bins_per_side=4)
    rng = random.Random(3)
    first = [b.code for b in layout.bins if "-B1-" in b.code][:1]
    last = [b.code for b in layout.bins if "-B9-" in b.code][:1]
    codes = first + last + rng.sample([b.code for b in layout.bins], 20)
    with pytest.raises(RoutingError, match="too large to prove optimal"):
        plan_route(layout, codes, "optimal")
    route = plan_route(layout, codes, "auto", time_budget_s=0.05)
    assert not route.proven_optimal
    assert route.lower_bound is None
    assert sorted(route.sequence) == sorted(set(codes))
    assert route.distance <= plan_route(layout, codes, "combined").distance + 1e-9


def test_many_cross_aisles_with_few_stops_are_still_proven_by_held_karp():
    layout = grid_layout(6, 9, bins_per_side=4)
    rng = random.Random(4)
    first = [b.code for b in layout.bins if "-B1-" in b.code][:1]
    last = [b.code for b in layout.bins if "-B9-" in b.code][:1]
    codes = first + last + rng.sample([b.code for b in layout.bins], 5)
    route = plan_route(layout, codes, "optimal")
    assert route.proven_optimal
    assert route.solver == "held-karp"
    assert route.distance == pytest.approx(brute_force(layout, codes))
