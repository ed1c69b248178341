"""Learning SKUs' real unit weights from passed parcels, and flagging wrong master data."""

import random
import statistics

import pytest

from wms.domain.weighing import ItemWeight
from wms.domain.weight_learning import WeightEstimate, flag_off_master, update_from_parcel

CUP = ItemWeight("CUP", "保温杯", 272, 5)  # master says 272 g
SOCK = ItemWeight("SOCK", "白色短袜", 48, 2)
SHIRT = ItemWeight("SHIRT", "纯棉T恤", 180, 4)
BAG_G = 12


def test_welford_gives_the_mean_and_sample_variance_of_what_it_saw():
    values = [270.0, 275.5, 268.2, 290.1, 272.0]
    est = WeightEstimate("CUP")
    for v in values:
        est = est.add(v)
    assert est.n == 5
    assert est.mean_g == pytest.approx(statistics.mean(values))
    assert est.stddev == pytest.approx(statistics.stdev(values))
    assert est.stderr == pytest.approx(statistics.stdev(values) / 5 ** 0.5)


def test_a_single_sku_parcel_gives_a_direct_unit_weight():
    est = update_from_parcel({}, [(CUP, 2)], BAG_G, 2 * 290 + BAG_G)
    assert list(est) == ["CUP"]
    assert est["CUP"].n == 1 and est["CUP"].mean_g == pytest.approx(290)


def test_a_mixed_parcel_shares_its_residual_by_each_lines_variance():
    est = update_from_parcel({}, [(CUP, 1), (SOCK, 1)], BAG_G, 272 + 48 + BAG_G + 29)
    cup_share = (5 / 3) ** 2 / ((5 / 3) ** 2 + (2 / 3) ** 2)
    assert est["CUP"].mean_g == pytest.approx(272 + 29 * cup_share)
    assert est["SOCK"].mean_g == pytest.approx(48 + 29 * (1 - cup_share))


def test_the_estimates_passed_in_are_not_changed():
    before = {"CUP": WeightEstimate("CUP", 3, 280.0, 10.0)}
    update_from_parcel(before, [(CUP, 1)], BAG_G, 300)
    assert before["CUP"] == WeightEstimate("CUP", 3, 280.0, 10.0)


def test_a_parcel_with_no_units_teaches_nothing():
    assert update_from_parcel({}, [(CUP, 0)], BAG_G, 100) == {}


def _learn(parcels, rng, truth):
    est = {}
    for lines in parcels:
        measured = BAG_G + sum(rng.gauss(truth[i.sku], i.tolerance_g / 3) * q for i, q in lines)
        est.update(update_from_parcel(est, lines, BAG_G, round(measured)))
    return est


def test_a_sku_whose_master_weight_is_off_is_reported_and_good_ones_are_not():
    rng = random.Random(1)
    truth = {"CUP": 290, "SOCK": 48, "SHIRT": 180}
    parcels = [[(CUP, 1)], [(SOCK, 2)], [(SHIRT, 1)]] * 40
    flags = flag_off_master(_learn(parcels, rng, truth), {"CUP": CUP, "SOCK": SOCK, "SHIRT": SHIRT})
    assert [f.sku for f in flags] == ["CUP"]
    flag = flags[0]
    assert (flag.master_g, flag.n) == (272, 40)
    assert flag.estimated_g == pytest.approx(290, abs=1.5) and flag.diff_g == pytest.approx(18, abs=1.5)
    assert "保温杯" in flag.message and "272 g" in flag.message
    assert CUP.unit_weight_g == 272  # the master itself is untouched


def test_mixed_parcels_do_not_blame_the_good_item_once_the_bad_one_is_known():
    rng = random.Random(2)
    truth = {"CUP": 290, "SHIRT": 180}
    parcels = [[(CUP, 1)]] * 10 + [[(CUP, 1), (SHIRT, 1)], [(CUP, 1)]] * 40
    est = _learn(parcels, rng, truth)
    assert est["SHIRT"].mean_g == pytest.approx(180, abs=1.5)
    assert [f.sku for f in flag_off_master(est, {"CUP": CUP, "SHIRT": SHIRT})] == ["CUP"]


def test_a_difference_within_half_the_tolerance_is_not_reported():
    rng = random.Random(3)
    est = _learn([[(CUP, 1)]] * 200, rng, {"CUP": 274})  # 2 g off; half the tolerance is 2.5 g
    assert est["CUP"].mean_g == pytest.approx(274, abs=0.5)
    assert flag_off_master(est, {"CUP": CUP}) == []


def test_too_few_parcels_flag_nothing():
    est = update_from_parcel({}, [(CUP, 1)], 0, 300)
    assert flag_off_master(est, {"CUP": CUP}) == []
    assert flag_off_master(est, {"CUP": CUP}, min_samples=1) == []  # one sample has no spread to judge by


def test_a_noisy_estimate_is_not_reported_before_it_is_significant():
    noisy = WeightEstimate("CUP", 20, 278.0, 19 * 30.0 ** 2)  # 6 g off, but stderr 6.7 g
    assert flag_off_master({"CUP": noisy}, {"CUP": CUP}) == []
    steady = WeightEstimate("CUP", 20, 278.0, 19 * 2.0 ** 2)
    assert [f.sku for f in flag_off_master({"CUP": steady}, {"CUP": CUP})] == ["CUP"]


def test_flags_come_largest_difference_first_and_skus_without_master_are_skipped():
    est = {"CUP": WeightEstimate("CUP", 30, 300.0, 29.0), "SHIRT": WeightEstimate("SHIRT", 30, 170.0, 29.0),
           "GONE": WeightEstimate("GONE", 30, 10.0, 29.0)}
    flags = flag_off_master(est, {"CUP": CUP, "SHIRT": SHIRT})
    assert [(f.sku, f.diff_g) for f in flags] == [("CUP", 28.0), ("SHIRT", -10.0)]
