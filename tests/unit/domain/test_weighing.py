"""Expected weight, the tolerance band, verdicts and suspects."""

import random

from wms.domain.weighing import ItemWeight, Packaging, expect, judge, verdict_for_delta

SHIRT = ItemWeight("SHIRT", "纯棉T恤", 180, 4)
CUP = ItemWeight("CUP", "保温杯", 272, 5)
SOCK = ItemWeight("SOCK", "白色短袜", 48, 2)
CASE = ItemWeight("CASE", "手机壳", 40, 2)
BOX = Packaging("BOX-1", "纸箱 1号", 120, 6)
ORDER = [(SHIRT, 1), (CUP, 1), (SOCK, 1)]


def test_expected_weight_is_items_plus_packaging_plus_filler():
    e = expect(ORDER, BOX, filler_g=10)
    assert (e.expected_g, e.items_g, e.packaging_g, e.filler_g) == (630, 500, 120, 10)


def test_tolerances_add_as_root_sum_of_squares_not_linearly():
    many = expect([(SOCK, 25)], None, floor_g=0)
    assert many.tolerance_g < 25 * SOCK.tolerance_g / 2  # linear would be 50 g


def test_the_band_never_goes_below_the_floor():
    assert expect([(SOCK, 1)], None, floor_g=5).tolerance_g == 5


def test_a_missing_48g_item_in_a_500g_parcel_is_caught_and_named():
    e = expect(ORDER, None)
    j = judge(e, 452, True, ORDER)
    assert j.verdict == "underweight"
    assert [(s.sku, s.qty, s.direction) for s in j.suspects] == [("SOCK", 1, "missing")]
    assert "missing 1 × 白色短袜 (≈48 g)" in j.explanation


def test_an_extra_item_from_a_recent_wrong_scan_is_named():
    e = expect(ORDER, None)
    j = judge(e, 541, True, ORDER, [CASE])
    assert j.verdict == "overweight"
    assert [(s.sku, s.direction) for s in j.suspects] == [("CASE", "extra")]


def test_a_swap_is_explained_as_one_missing_and_one_extra():
    e = expect(ORDER, None)
    j = judge(e, 500 - 272 + 40, True, ORDER, [CASE])
    assert {(s.sku, s.direction) for s in j.suspects} == {("CUP", "missing"), ("CASE", "extra")}


def test_an_unstable_reading_is_not_judged():
    j = judge(expect(ORDER, None), 300, False, ORDER)
    assert j.verdict == "unstable" and j.suspects == []


def test_a_difference_no_item_explains_names_nobody():
    j = judge(expect(ORDER, None), 500 + 120, True, ORDER)
    assert j.verdict == "overweight" and j.suspects == [] and "no item explains it" in j.explanation


def test_verdict_edges_are_inclusive():
    assert verdict_for_delta(5, 5) == "pass" and verdict_for_delta(-6, 5) == "underweight"


def test_good_parcels_rarely_raise_false_alarms():
    rng = random.Random(3)
    e = expect(ORDER, BOX)
    alarms = 0
    for _ in range(4000):
        grams = sum(rng.gauss(i.unit_weight_g, i.tolerance_g / 3) * q for i, q in ORDER)
        grams += rng.gauss(BOX.weight_g, BOX.tolerance_g / 3)
        alarms += judge(e, round(grams), True, ORDER).verdict != "pass"
    assert alarms / 4000 <= 0.005
