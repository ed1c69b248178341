import copy
import json
from pathlib import Path

import pytest

from wms.domain.layout import LayoutError, Point, grid_layout, load_layout, parse_layout

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures_layouts"

SPEC_EXAMPLE = {
    "name": "demo-dc",
    "unit": "m",
    "aisles": [{"id": "A01", "x": 0.0}, {"id": "A02", "x": 3.0}],
    "cross_aisles": [0.0, 12.0, 24.0],
    "depot": {"x": 0.0, "y": 0.0},
    "bins": [
        {"code": "A01-01-1", "aisle": "A01", "y": 1.0, "side": "L", "level": 1},
        {"code": "A02-07-2", "aisle": "A02", "y": 15.5, "side": "R", "level": 2},
    ],
}


def spec(**changes):
    data = copy.deepcopy(SPEC_EXAMPLE)
    data.update(changes)
    return data


def test_the_spec_example_loads_with_two_blocks():
    layout = parse_layout(spec())
    assert layout.name == "demo-dc"
    assert layout.blocks == 2
    assert layout.depot == Point(0.0, 0.0)
    b = layout.bin("A02-07-2")
    assert (b.aisle, b.x, b.y, b.side, b.level) == ("A02", 3.0, 15.5, "R", 2)


def test_side_and_level_default_to_left_and_one():
    data = spec(bins=[{"code": "X", "aisle": "A01", "y": 2}])
    b = parse_layout(data).bin("X")
    assert (b.side, b.level) == ("L", 1)


def test_unknown_extra_keys_are_ignored():
    data = spec(zones={"fast": ["A01"]}, owner="ops")
    data["bins"][0]["capacity"] = 40
    data["aisles"][0]["zone"] = "fast"
    assert parse_layout(data).bin("A01-01-1").y == 1.0


def test_same_aisle_distance_is_the_difference_in_y():
    layout = parse_layout(spec(bins=[
        {"code": "a", "aisle": "A01", "y": 3.0}, {"code": "b", "aisle": "A01", "y": 20.0}]))
    assert layout.distance(layout.bin("a"), layout.bin("b")) == 17.0


def test_different_aisles_walk_through_the_best_cross_aisle():
    layout = parse_layout(spec())
    # 1.0 -> 15.5: via the middle cross aisle (12): 11 + 3.5, plus 3 across
    assert layout.distance(layout.bin("A01-01-1"), layout.bin("A02-07-2")) == 3.0 + 11.0 + 3.5


def test_depot_walks_along_its_cross_aisle_then_up_the_aisle():
    layout = parse_layout(spec(depot={"x": 1.5, "y": 24.0}))
    assert layout.distance(layout.depot, layout.bin("A01-01-1")) == 1.5 + 23.0
    assert layout.distance(layout.bin("A02-07-2"), layout.depot) == 1.5 + 8.5


def test_distance_is_symmetric_on_the_fixture():
    layout = load_layout(FIXTURES / "demo-dc.json")
    for a in layout.bins:
        for b in layout.bins:
            assert layout.distance(a, b) == layout.distance(b, a)


def test_unknown_bin_lookup_names_the_code():
    with pytest.raises(LayoutError, match="NOPE"):
        parse_layout(spec()).bin("NOPE")


@pytest.mark.parametrize(
    "changes, fragment",
    [
        ({"bins": [{"code": "X1", "aisle": "A09", "y": 1}]}, "X1.*unknown aisle id 'A09'"),
        ({"bins": [{"code": "X1", "aisle": "A01", "y": 1}, {"code": "X1", "aisle": "A02", "y": 2}]},
         "X1.*duplicate"),
        ({"bins": [{"code": "X1", "aisle": "A01", "y": 30}]}, "X1.*outside aisle 'A01' span"),
        ({"bins": [{"code": "X1", "aisle": "A01", "y": -0.5}]}, "X1.*outside"),
        ({"depot": {"x": 0, "y": 5}}, "depot.*not on a cross aisle"),
        ({"cross_aisles": [0.0]}, "at least two"),
        ({"cross_aisles": [0.0, 24.0, 12.0]}, r"cross_aisles\[2\].*ascending"),
        ({"aisles": [{"id": "A01", "x": 3.0}, {"id": "A02", "x": 0.0}]}, "A02.*ascending"),
        ({"aisles": [{"id": "A01", "x": 0.0}, {"id": "A01", "x": 3.0}]}, "A01.*duplicate"),
        ({"aisles": [{"id": "A01", "x": "zero"}, {"id": "A02", "x": 3.0}]},
         "A01.*expected a number"),
        ({"bins": [{"code": "X1", "aisle": "A01", "y": "1.0"}]}, "X1.*expected a number"),
        ({"bins": [{"code": "X1", "aisle": "A01"}]}, "X1.*missing key 'y'"),
        ({"bins": [{"code": "X1", "aisle": "A01", "y": 1, "side": "M"}]}, "X1.*side"),
        ({"bins": [{"code": "X1", "aisle": "A01", "y": 1, "level": 0}]}, "X1.*level"),
    ],
)
def test_invalid_layouts_are_rejected_naming_the_entry(changes, fragment):
    with pytest.raises(LayoutError, match=fragment):
        parse_layout(spec(**changes))


def test_a_missing_top_level_key_is_named():
    data = spec()
    del data["depot"]
    with pytest.raises(LayoutError, match="missing key 'depot'"):
        parse_layout(data)


def test_a_file_that_is_not_json_is_rejected(tmp_path):
    path = tmp_path / "layout.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(LayoutError, match="not JSON"):
        load_layout(path)


def test_a_missing_file_is_rejected_with_its_name(tmp_path):
    with pytest.raises(LayoutError, match="nothere.json"):
        load_layout(tmp_path / "nothere.json")


def test_a_layout_round_trips_through_a_file(tmp_path):
    path = tmp_path / "layout.json"
    path.write_text(json.dumps(SPEC_EXAMPLE), encoding="utf-8")
    assert load_layout(path) == parse_layout(SPEC_EXAMPLE)


def test_grid_layout_builds_a_valid_multi_block_layout():
    layout = grid_layout(4, 3, bins_per_side=5)
    assert layout.blocks == 3
    assert len(layout.bins) == 4 * 3 * 5 * 2
    assert all(layout.cross_aisles[0] <= b.y <= layout.cross_aisles[-1] for b in layout.bins)
