import pytest

from wms.domain.bin_choice import InsufficientStock, choose_bins, first_bin_choice
from wms.domain.layout import LayoutError, grid_layout
from wms.domain.routing import plan_route

LAYOUT = grid_layout(10, 1, bins_per_side=10)


def walk(allocation):
    codes = sorted({code for picks in allocation.values() for code, _ in picks})
    return plan_route(LAYOUT, codes, "optimal").distance


def test_choosing_the_bin_in_an_aisle_walked_anyway_beats_the_first_listed_bin():
    demand = {"TEA": 1, "CUP": 2}
    stock = {
        "TEA": [("A02-B1-05-L", 10)],
        # first listed bin is at the far end of the warehouse; the second is next to TEA
        "CUP": [("A10-B1-09-R", 50), ("A02-B1-06-R", 5)],
    }
    naive = first_bin_choice(demand, stock)
    chosen = choose_bins(LAYOUT, demand, stock)
    assert chosen["CUP"] == [("A02-B1-06-R", 2)]
    assert walk(chosen) < walk(naive)


def test_demand_larger_than_one_bin_is_split_without_exceeding_any_bin():
    demand = {"PEN": 7}
    stock = {"PEN": [("A05-B1-01-L", 3), ("A01-B1-02-L", 4), ("A01-B1-03-L", 2)]}
    chosen = choose_bins(LAYOUT, demand, stock)
    have = dict(stock["PEN"])
    assert sum(q for _, q in chosen["PEN"]) == 7
    assert all(0 < q <= have[code] for code, q in chosen["PEN"])
    # the two bins in the first aisle plus one more beats going to aisle 5 if avoidable:
    # here 4 + 2 = 6 < 7, so aisle 5 must be used
    assert "A05-B1-01-L" in dict(chosen["PEN"])


def test_bins_close_together_are_preferred_when_they_cover_the_demand():
    demand = {"PEN": 5, "INK": 1}
    stock = {
        "PEN": [("A09-B1-01-L", 5), ("A01-B1-02-L", 3), ("A01-B1-03-L", 2)],
        "INK": [("A01-B1-08-L", 9)],
    }
    chosen = choose_bins(LAYOUT, demand, stock)
    assert sorted(chosen["PEN"]) == [("A01-B1-02-L", 3), ("A01-B1-03-L", 2)]


def test_not_enough_stock_is_refused_with_the_shortfall_per_sku():
    with pytest.raises(InsufficientStock) as err:
        choose_bins(LAYOUT, {"PEN": 9, "INK": 1, "CAP": 2},
                    {"PEN": [("A01-B1-01-L", 4)], "INK": [("A01-B1-02-L", 1)]})
    assert err.value.shortfalls == {"PEN": 5, "CAP": 2}
    assert "PEN short by 5" in str(err.value) and "CAP short by 2" in str(err.value)


def test_an_unknown_bin_in_the_stock_list_is_named():
    with pytest.raises(LayoutError, match="NOWHERE"):
        choose_bins(LAYOUT, {"PEN": 1}, {"PEN": [("NOWHERE", 4)]})


def test_nothing_demanded_allocates_nothing():
    assert choose_bins(LAYOUT, {"PEN": 0}, {"PEN": [("A01-B1-01-L", 4)]}) == {}
