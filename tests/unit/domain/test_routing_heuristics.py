"""The textbook heuristics walk the way the textbook says, so pickers can follow them."""

import random

import pytest

from wms.domain.layout import grid_layout, parse_layout
from wms.domain.routing import plan_route


def one_block(bins):
    """Aisles at x = 0, 3, 6, 9; cross aisles at y = 0 and 10; depot front-left."""
    return parse_layout({
        "name": "one-block",
        "aisles": [{"id": f"A{i}", "x": 3.0 * i} for i in range(4)],
        "cross_aisles": [0.0, 10.0],
        "depot": {"x": 0.0, "y": 0.0},
        "bins": [{"code": c, "aisle": a, "y": y} for c, a, y in bins],
    })


def test_s_shape_walks_every_aisle_with_picks_end_to_end():
    layout = one_block([("p1", "A1", 2.0), ("p2", "A3", 8.0)])
    route = plan_route(layout, ["p1", "p2"], "s-shape")
    # to A1 (3), through it (10), across the back (6), down A3 (10), home (9)
    assert route.distance == pytest.approx(38.0)
    assert route.path == [(0.0, 0.0), (3.0, 0.0), (3.0, 10.0), (9.0, 10.0), (9.0, 0.0), (0.0, 0.0)]


def test_s_shape_with_an_odd_number_of_aisles_returns_in_the_last_one():
    layout = one_block([("p1", "A1", 2.0), ("p2", "A2", 5.0), ("p3", "A3", 4.0)])
    route = plan_route(layout, ["p1", "p2", "p3"], "s-shape")
    # A1 and A2 traversed (3 + 10 + 3 + 10), A3 entered to 4 and back (3 + 8), home 9
    assert route.distance == pytest.approx(46.0)
    assert route.sequence == ["p1", "p2", "p3"]


def test_largest_gap_leaves_out_the_largest_gap_of_middle_aisles():
    layout = one_block([
        ("left", "A0", 5.0), ("low", "A1", 1.0), ("high", "A1", 9.0), ("right", "A2", 5.0)])
    route = plan_route(layout, ["left", "low", "high", "right"], "largest-gap")
    # up A0 (10), back to A1 (3), dip to 9 (2), on to A2 (3), down A2 (10),
    # back to A1 (3), dip to 1 (2), home (3)
    assert route.distance == pytest.approx(36.0)
    assert route.sequence == ["left", "high", "right", "low"]


def test_combined_is_never_worse_than_s_shape_in_a_single_block():
    rng = random.Random(11)
    layout = grid_layout(10, 1)
    for _ in range(30):
        codes = rng.sample([b.code for b in layout.bins], rng.randint(2, 25))
        assert (plan_route(layout, codes, "combined").distance
                <= plan_route(layout, codes, "s-shape").distance + 1e-9)


def test_multi_block_s_shape_clears_the_farthest_block_first():
    layout = grid_layout(6, 3, bins_per_side=4)
    near, far = "A06-B1-02-L", "A02-B3-03-L"  # the near pick is not in the left pick aisle
    route = plan_route(layout, [near, far], "s-shape")
    assert route.sequence == [far, near]


@pytest.mark.parametrize("method", ["s-shape", "largest-gap", "combined"])
def test_heuristics_with_the_depot_on_the_back_cross_aisle_mirror_the_layout(method):
    front = grid_layout(5, 2, bins_per_side=3)
    back = grid_layout(5, 2, bins_per_side=3, depot_cross_aisle=2)
    top = front.cross_aisles[-1]
    mirror = {b.code: next(m.code for m in back.bins if m.x == b.x and m.y == top - b.y
                           and m.side == b.side) for b in front.bins
              if any(m.x == b.x and m.y == top - b.y for m in back.bins)}
    codes = [c for c in random.Random(2).sample(sorted(mirror), 8)]
    there = plan_route(front, codes, method).distance
    back_again = plan_route(back, [mirror[c] for c in codes], method).distance
    assert back_again == pytest.approx(there)
