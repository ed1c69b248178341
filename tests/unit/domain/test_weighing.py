"""Expected weight, the tolerance band, verdicts and suspects."""

import math
import random
import time

import pytest

from wms.domain.weighing import ItemWeight, Packaging, band, expect, explain, judge, verdict_for_delta

SHIRT = ItemWeight("SHIRT", "纯棉T恤", 180, 4)
CUP = ItemWeight("CUP", "保温杯", 272, 5)
SOCK = ItemWeight("SOCK", "白色短袜", 48, 2)
CASE = ItemWeight("CASE", "手机壳", 40, 2)
CABLE = ItemWeight("CABLE", "数据线", 52, 2)
BOX = Packaging("BOX-1", "纸箱 1号", 120, 6)
BOX5 = Packaging("BOX-5", "纸箱 5号", 90, 5)
ORDER = [(SHIRT, 1), (CUP, 1), (SOCK, 1)]


def test_expected_weight_is_items_plus_packaging_plus_filler():
    e = expect(ORDER, BOX, filler_g=10)
    assert (e.expected_g, e.items_g, e.packaging_g, e.filler_g) == (630, 500, 120, 10)


def test_the_band_is_k_times_the_root_sum_of_squared_sigmas_plus_half_a_division():
    e = expect(ORDER, BOX5, filler_g=8, filler_tolerance_g=5, scale_resolution_g=1, floor_g=0)
    variance = (4 / 3) ** 2 + (5 / 3) ** 2 + (2 / 3) ** 2 + (5 / 3) ** 2 + (5 / 3) ** 2 + 1 / 12
    assert e.variance == pytest.approx(variance)
    assert e.tolerance_g == math.ceil(3 * math.sqrt(variance) + 0.5) == 11


def test_each_unit_adds_its_own_variance():
    one, four = expect([(CUP, 1)], None, floor_g=0), expect([(CUP, 4)], None, floor_g=0)
    assert four.variance - 1 / 12 == pytest.approx(4 * (one.variance - 1 / 12))


def test_tolerances_add_as_root_sum_of_squares_not_linearly():
    many = expect([(SOCK, 25)], None, floor_g=0)
    assert many.tolerance_g <= 11  # 3 * sqrt(25 * (2/3)^2) = 10, plus half a gram; linear would be 50 g


def test_the_parts_say_where_the_grams_and_the_spread_come_from():
    e = expect([(SOCK, 4)], BOX, filler_g=10, filler_tolerance_g=6)
    parts = {p.kind: p for p in e.parts}
    assert (parts["item"].ref, parts["item"].qty, parts["item"].grams) == ("SOCK", 4, 192)
    assert parts["item"].sigma_g == pytest.approx(2 * 2 / 3)
    assert (parts["packaging"].grams, parts["filler"].grams) == (120, 10)
    assert sum(p.sigma_g ** 2 for p in e.parts) == pytest.approx(e.variance)


def test_the_band_never_goes_below_the_floor():
    assert expect([(SOCK, 1)], None, floor_g=5).tolerance_g == 5


def test_the_floor_is_at_least_two_scale_divisions():
    assert expect([(SOCK, 1)], None, scale_resolution_g=5, floor_g=3).tolerance_g == 10
    assert band(0.0, 2, 0) == 4


def test_a_higher_k_gives_a_wider_band():
    assert expect(ORDER, BOX, k=4, floor_g=0).tolerance_g > expect(ORDER, BOX, k=3, floor_g=0).tolerance_g


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError):
        expect([(SOCK, -1)], None)
    with pytest.raises(ValueError):
        expect([(SOCK, 1)], None, scale_resolution_g=0)


def test_verdict_edges_are_inclusive():
    assert verdict_for_delta(5, 5) == "pass" and verdict_for_delta(-5, 5) == "pass"
    assert verdict_for_delta(-6, 5) == "underweight" and verdict_for_delta(6, 5) == "overweight"


def test_a_parcel_within_the_band_passes_with_no_suspects():
    e = expect(ORDER, BOX)
    j = judge(e, e.expected_g + e.tolerance_g, True, ORDER)
    assert (j.verdict, j.suspects, j.delta_g) == ("pass", [], e.tolerance_g)


def test_a_missing_48g_item_in_a_500g_parcel_in_a_box_is_caught_and_named():
    e = expect(ORDER, BOX)
    assert e.expected_g == 620 and e.tolerance_g < 48 / 2
    j = judge(e, 620 - 48 + 3, True, ORDER)  # the rest of the parcel 3 g heavier than nominal
    assert j.verdict == "underweight" and j.delta_g == -45
    assert [(s.sku, s.qty, s.direction, s.weight_g) for s in j.suspects] == [("SOCK", 1, "missing", 48)]
    assert explain(j.delta_g, e, ORDER, [])[0].describe() == "missing 1 × 白色短袜 (≈48 g)"


def test_a_missing_sock_is_caught_in_nearly_every_noisy_500g_parcel():
    rng = random.Random(11)
    e = expect(ORDER, BOX)
    caught = named = 0
    for _ in range(2000):
        grams = sum(rng.gauss(i.unit_weight_g, i.tolerance_g / 3) for i in (SHIRT, CUP))  # the sock is missing
        j = judge(e, round(grams + rng.gauss(BOX.weight_g, BOX.tolerance_g / 3)), True, ORDER)
        caught += j.verdict == "underweight"
        named += [s.sku for s in j.suspects] == ["SOCK"]
    assert caught == 2000 and named >= 1990


def test_good_parcels_rarely_raise_false_alarms():
    rng = random.Random(3)
    e = expect(ORDER, BOX)
    alarms = 0
    for _ in range(4000):
        grams = sum(rng.gauss(i.unit_weight_g, i.tolerance_g / 3) * q for i, q in ORDER)
        grams += rng.gauss(BOX.weight_g, BOX.tolerance_g / 3)
        alarms += judge(e, round(grams), True, ORDER).verdict != "pass"
    assert alarms / 4000 <= 0.005


def test_two_missing_units_of_one_line_are_named_as_one_story():
    order = [(SOCK, 3), (CUP, 1)]
    e = expect(order, BOX5)
    j = judge(e, e.expected_g - 96, True, order)
    assert [(s.sku, s.qty, s.direction, s.weight_g) for s in j.suspects] == [("SOCK", 2, "missing", 96)]
    assert explain(j.delta_g, e, order, [])[0].describe() == "missing 2 × 白色短袜 (≈96 g)"


def test_two_different_missing_items_are_named_together():
    e = expect(ORDER, BOX)
    j = judge(e, 620 - 180 - 48, True, ORDER)
    assert {(s.sku, s.qty, s.direction) for s in j.suspects} == {("SHIRT", 1, "missing"), ("SOCK", 1, "missing")}


def test_an_extra_item_from_a_recent_wrong_scan_is_named():
    e = expect(ORDER, None)
    j = judge(e, 541, True, ORDER, [CASE])
    assert j.verdict == "overweight"
    assert [(s.sku, s.direction) for s in j.suspects] == [("CASE", "extra")]
    assert explain(j.delta_g, e, ORDER, [CASE])[0].describe() == "extra 1 × 手机壳 (≈40 g)"


def test_an_extra_unit_of_an_ordered_item_is_named_without_any_wrong_scan():
    e = expect(ORDER, BOX)
    j = judge(e, 620 + 181, True, ORDER)
    assert [(s.sku, s.qty, s.direction) for s in j.suspects] == [("SHIRT", 1, "extra")]


def test_a_swap_is_explained_as_one_missing_and_one_extra():
    e = expect(ORDER, None)
    j = judge(e, 500 - 272 + 40, True, ORDER, [CASE])
    assert {(s.sku, s.direction) for s in j.suspects} == {("CUP", "missing"), ("CASE", "extra")}


def test_two_items_of_nearly_the_same_weight_are_both_offered():
    order = [(SHIRT, 1), (CASE, 1), (CABLE, 1)]  # 40 g and 52 g: a 46 g gap fits either
    e = expect(order, None)
    j = judge(e, e.expected_g - 46, True, order)
    stories = explain(j.delta_g, e, order, [])
    assert list(stories[0].suspects) == j.suspects
    assert {story.suspects[0].sku for story in stories} == {"CASE", "CABLE"}


def test_the_closer_fit_is_named_first():
    order = [(SHIRT, 1), (CASE, 1), (CABLE, 1)]
    e = expect(order, None)
    assert judge(e, e.expected_g - 51, True, order).suspects[0].sku == "CABLE"
    assert judge(e, e.expected_g - 41, True, order).suspects[0].sku == "CASE"


def test_an_unstable_reading_is_not_judged():
    j = judge(expect(ORDER, None), 300, False, ORDER)
    assert j.verdict == "unstable" and j.suspects == []


def test_a_difference_no_item_explains_names_nobody():
    j = judge(expect(ORDER, None), 500 + 120, True, ORDER)
    assert j.verdict == "overweight" and j.suspects == [] and explain(j.delta_g, expect(ORDER, None), ORDER, []) == []


def test_a_story_is_only_offered_when_its_residual_is_within_its_band():
    e = expect(ORDER, BOX)
    for story in explain(-70, e, ORDER, [CASE]):
        assert abs(story.residual_g) <= story.tolerance_g


def test_items_without_a_weight_are_never_suspected():
    card = ItemWeight("CARD", "电子卡券", 0, 0)
    order = ORDER + [(card, 1)]
    j = judge(expect(order, BOX), 572, True, order)
    assert all(s.sku != "CARD" for s in j.suspects)


def test_the_search_stays_quick_on_a_large_order():
    rng = random.Random(5)
    order = [(ItemWeight(f"S{i}", f"item {i}", rng.randint(20, 2000), rng.randint(2, 40)), rng.randint(1, 5))
             for i in range(60)]
    strays = [ItemWeight(f"X{i}", f"stray {i}", rng.randint(20, 2000), 5) for i in range(10)]
    e = expect(order, BOX)
    started = time.perf_counter()
    j = judge(e, e.expected_g - order[7][0].unit_weight_g - 400, True, order, strays)
    assert j.verdict == "underweight"
    assert time.perf_counter() - started < 2.0
