"""plan_route's contract: every method returns a walk the picker can actually follow."""

import random
from pathlib import Path

import pytest

from wms.domain.layout import grid_layout, load_layout, parse_layout
from wms.domain.routing import METHODS, RoutingError, plan_route, sequence_length
from wms.domain.routing_network import path_length

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures_layouts"


def random_case(seed: int, blocks: int):
    rng = random.Random(seed)
    layout = grid_layout(
        rng.randint(1, 7), blocks, bins_per_side=4, block_length=8.0,
        depot_x=rng.choice([0.0, 4.5, -2.0, 9.0]), depot_cross_aisle=rng.randint(0, blocks),
    )
    codes = rng.sample([b.code for b in layout.bins], min(len(layout.bins), rng.randint(1, 12)))
    return layout, codes


def assert_walkable(layout, route, codes):
    """The invariants of the route contract."""
    assert sorted(route.sequence) == sorted(set(codes))
    depot = (layout.depot.x, layout.depot.y)
    assert tuple(route.path[0]) == depot and tuple(route.path[-1]) == depot
    assert path_length(route.path) == pytest.approx(route.distance, abs=1e-9)
    assert route.distance >= sequence_length(layout, route.sequence) - 1e-9
    aisle_xs = {a.x for a in layout.aisles}
    for (x1, y1), (x2, y2) in zip(route.path, route.path[1:]):
        along_aisle = x1 == x2 and x1 in aisle_xs
        along_cross = y1 == y2 and y1 in layout.cross_aisles
        assert along_aisle or along_cross, f"off the network: {(x1, y1)} -> {(x2, y2)}"


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("blocks", [1, 2, 3])
def test_every_method_returns_a_walk_along_the_network_through_every_bin(method, blocks):
    for seed in range(25):
        layout, codes = random_case(seed, blocks)
        route = plan_route(layout, codes, method)
        assert route.method == method
        assert route.blocks == blocks
        assert_walkable(layout, route, codes)


def test_duplicate_bins_collapse_to_one_stop():
    layout = load_layout(FIXTURES / "demo-dc.json")
    route = plan_route(layout, ["A02-07-2", "A01-01-1", "A02-07-2"])
    assert sorted(route.sequence) == ["A01-01-1", "A02-07-2"]


def test_bins_sharing_a_location_are_listed_together():
    layout = grid_layout(3, 1)
    left, right = "A02-B1-05-L", "A02-B1-05-R"
    route = plan_route(layout, [left, "A03-B1-01-L", right], "optimal")
    i = route.sequence.index(left)
    assert route.sequence[i + 1] == right or route.sequence[i - 1] == right


def test_two_bins_in_two_blocks_take_the_only_sensible_walk():
    layout = load_layout(FIXTURES / "demo-dc.json")
    route = plan_route(layout, ["A02-07-2", "A01-01-1"], "optimal")
    # up to 15.5 and back down (31 m) plus 3 m across and back
    assert route.distance == pytest.approx(37.0)
    assert route.proven_optimal
    assert route.lower_bound == pytest.approx(37.0)


def test_to_dict_follows_the_json_contract():
    layout = load_layout(FIXTURES / "demo-dc.json")
    d = plan_route(layout, ["A03-08-1", "A01-05-1"], "optimal").to_dict()
    assert set(d) >= {"method", "sequence", "distance", "path", "proven_optimal", "blocks"}
    assert d["method"] == "optimal" and d["blocks"] == 2
    assert all(isinstance(p, list) and len(p) == 2 for p in d["path"])


def test_an_empty_bin_list_is_refused():
    layout = load_layout(FIXTURES / "demo-dc.json")
    with pytest.raises(RoutingError, match="empty"):
        plan_route(layout, [])


def test_unknown_bins_are_refused_and_named():
    layout = load_layout(FIXTURES / "demo-dc.json")
    with pytest.raises(RoutingError, match="NOPE-1, NOPE-2"):
        plan_route(layout, ["A01-01-1", "NOPE-2", "NOPE-1"])


def test_an_unknown_method_is_refused_listing_the_choices():
    layout = load_layout(FIXTURES / "demo-dc.json")
    with pytest.raises(RoutingError, match="unknown routing method 'fastest'.*s-shape"):
        plan_route(layout, ["A01-01-1"], "fastest")


def on_cross_aisle_layout():
    return parse_layout({
        "name": "edges",
        "aisles": [{"id": "A", "x": 0.0}, {"id": "B", "x": 4.0}],
        "cross_aisles": [0.0, 10.0, 20.0],
        "depot": {"x": 0.0, "y": 0.0},
        "bins": [
            {"code": "at-depot", "aisle": "A", "y": 0.0},
            {"code": "on-middle", "aisle": "B", "y": 10.0},
            {"code": "at-back", "aisle": "B", "y": 20.0},
        ],
    })


@pytest.mark.parametrize("method", METHODS)
def test_a_bin_at_the_depot_costs_nothing(method):
    layout = on_cross_aisle_layout()
    route = plan_route(layout, ["at-depot"], method)
    assert route.distance == 0.0
    assert route.sequence == ["at-depot"]


@pytest.mark.parametrize("method", METHODS)
def test_bins_on_cross_aisles_are_reached(method):
    layout = on_cross_aisle_layout()
    codes = ["on-middle", "at-back", "at-depot"]
    route = plan_route(layout, codes, method)
    assert_walkable(layout, route, codes)
    if method in ("optimal", "auto"):
        assert route.distance == pytest.approx(2 * (4 + 20))


def decimal_layout(seed: int):
    """Positions like 12.3 and 0.7 that do not survive float round trips exactly."""
    rng = random.Random(seed)
    blocks = rng.randint(1, 3)
    cross = [0.0]
    for _ in range(blocks):
        cross.append(round(cross[-1] + rng.uniform(5, 15), 1))
    aisles = [{"id": f"A{i}", "x": round(1.7 + 3.3 * i, 1)} for i in range(rng.randint(1, 6))]
    bins = [
        {"code": f"B{i}", "aisle": rng.choice(aisles)["id"],
         "y": rng.choice([round(rng.uniform(cross[0], cross[-1]), 1), rng.choice(cross)])}
        for i in range(40)
    ]
    seen, unique = set(), []
    for b in bins:
        if (b["aisle"], b["y"]) not in seen:
            seen.add((b["aisle"], b["y"]))
            unique.append(b)
    depot = {"x": rng.choice([0.0, aisles[0]["x"], 5.1]), "y": rng.choice(cross)}
    return parse_layout({"name": "decimal", "aisles": aisles, "cross_aisles": cross,
                         "depot": depot, "bins": unique})


@pytest.mark.parametrize("method", METHODS)
def test_routes_stay_on_the_network_with_decimal_positions(method):
    for seed in range(30):
        layout = decimal_layout(seed)
        codes = random.Random(seed).sample([b.code for b in layout.bins],
                                           min(len(layout.bins), 9))
        assert_walkable(layout, plan_route(layout, codes, method), codes)
