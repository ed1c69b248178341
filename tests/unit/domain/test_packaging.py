"""Choosing a box or bag from the items' sizes and weight."""

import pytest

from wms.domain.packaging import ItemDims, fits, suggest_packaging
from wms.domain.weighing import Packaging

BAG = Packaging("BAG-S", "快递袋 小号", 12, 2, 350, 250, 50, 2000)
BOX5 = Packaging("BOX-5", "纸箱 5号", 90, 5, 250, 150, 150, 5000)
BOX3 = Packaging("BOX-3", "纸箱 3号", 200, 9, 350, 250, 230, 15000)
BOX1 = Packaging("BOX-1", "纸箱 1号", 420, 15, 530, 370, 390, 25000)
ALL = [BOX1, BAG, BOX3, BOX5]

SOCKS = ItemDims("SOCK", 200, 100, 30, 48)
CUP = ItemDims("CUP", 230, 80, 80, 272)
KETTLE = ItemDims("KETTLE", 400, 200, 250, 1200)
PLATES = ItemDims("PLATES", 300, 240, 100, 6000)


def test_small_soft_items_go_in_the_smallest_bag():
    assert suggest_packaging([(SOCKS, 2)], ALL).code == "BAG-S"


def test_an_item_too_thick_for_the_bag_goes_in_a_box():
    assert suggest_packaging([(CUP, 1)], ALL).code == "BOX-5"  # 80 mm thick: the bag is 50 mm


def test_a_bulky_item_gets_a_box_that_fits_its_longest_side():
    assert suggest_packaging([(KETTLE, 1)], ALL).code == "BOX-1"  # BOX-3 is 350 mm: the kettle is 400


def test_many_small_items_need_room_for_their_total_volume():
    one = suggest_packaging([(SOCKS, 1)], ALL)
    many = suggest_packaging([(SOCKS, 40)], ALL)  # 24 litres of socks
    assert (one.code, many.code) == ("BAG-S", "BOX-1")


def test_the_items_may_fill_only_part_of_the_box():
    cube = Packaging("CUBE", "立方箱", 50, 3, 100, 100, 100, 0)
    block = ItemDims("BLOCK", 100, 100, 74, 100)
    assert fits([(block, 1)], cube)
    assert not fits([(block, 1)], cube, fill_factor=0.7)


def test_weight_over_the_max_load_moves_up_a_size():
    assert suggest_packaging([(PLATES, 1)], ALL).code == "BOX-3"  # fits BOX-3 by size, its 15 kg load
    assert suggest_packaging([(PLATES, 3)], ALL).code == "BOX-1"  # 18 kg is over BOX-3's load


def test_when_nothing_fits_the_largest_is_suggested():
    assert suggest_packaging([(KETTLE, 20)], ALL).code == "BOX-1"


def test_items_with_unknown_sizes_go_in_the_smallest_that_carries_their_weight():
    unknown = ItemDims("NEW", 0, 0, 0, 3000)
    assert suggest_packaging([(unknown, 1)], ALL).code == "BOX-5"


def test_options_without_inner_sizes_are_not_chosen():
    tape = Packaging("FILL", "填充纸", 15, 8)
    assert suggest_packaging([(SOCKS, 1)], [tape, BAG]).code == "BAG-S"


def test_no_options_at_all_is_an_error():
    with pytest.raises(ValueError, match="no packaging"):
        suggest_packaging([(SOCKS, 1)], [])
