"""Choosing a box, and learning real SKU weights without touching the master."""

import random

from wms.domain.packaging import ItemDims, suggest_packaging
from wms.domain.weighing import ItemWeight, Packaging
from wms.domain.weight_learning import flag_off_master, update_from_parcel

BAG = Packaging("BAG-S", "快递袋 小号", 12, 2, 350, 250, 50, 2000)
BOX1 = Packaging("BOX-1", "纸箱 1号", 120, 6, 530, 290, 370, 20000)
BOX3 = Packaging("BOX-3", "纸箱 3号", 80, 4, 350, 190, 230, 10000)


def test_small_soft_items_go_in_the_smallest_bag():
    socks = ItemDims("SOCK", 200, 100, 30, 48)
    assert suggest_packaging([(socks, 2)], [BOX1, BAG, BOX3]).code == "BAG-S"


def test_a_bulky_item_gets_a_box_that_fits_its_longest_side():
    kettle = ItemDims("KETTLE", 400, 200, 250, 1200)
    assert suggest_packaging([(kettle, 1)], [BAG, BOX3, BOX1]).code == "BOX-1"


def test_a_sku_whose_master_weight_is_off_is_reported_and_a_good_one_is_not():
    rng = random.Random(1)
    cup = ItemWeight("CUP", "保温杯", 272, 5)      # really weighs 290 g
    sock = ItemWeight("SOCK", "白色短袜", 48, 2)   # really weighs 48 g
    est = {}
    for _ in range(40):
        est.update(update_from_parcel(est, [(cup, 1)], 12, round(290 + 12 + rng.gauss(0, 1))))
        est.update(update_from_parcel(est, [(sock, 2)], 12, round(96 + 12 + rng.gauss(0, 1))))
    flags = flag_off_master(est, {"CUP": cup, "SOCK": sock})
    assert [f.sku for f in flags] == ["CUP"]
    assert abs(flags[0].estimated_g - 290) < 2
    assert cup.unit_weight_g == 272  # the master itself is untouched


def test_too_few_parcels_flag_nothing():
    cup = ItemWeight("CUP", "保温杯", 272, 5)
    est = update_from_parcel({}, [(cup, 1)], 0, 300)
    assert flag_off_master(est, {"CUP": cup}) == []
