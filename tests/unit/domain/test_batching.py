import random

import pytest

from wms.domain.batching import (
    BatchingError,
    Cart,
    PickOrder,
    batch_orders,
    one_trip_per_order,
    total_distance,
)
from wms.domain.layout import grid_layout

LAYOUT = grid_layout(12, 2, bins_per_side=6)


def random_orders(n, seed=0):
    rng = random.Random(seed)
    codes = [b.code for b in LAYOUT.bins]
    return [
        PickOrder(
            id=f"SO{i:03d}",
            bins=tuple(rng.sample(codes, rng.randint(1, 4))),
            weight_g=rng.randint(200, 3000),
            volume_cm3=rng.randint(500, 8000),
        )
        for i in range(n)
    ]


def test_batching_walks_less_than_one_trip_per_order():
    orders = random_orders(16, seed=1)
    cart = Cart(totes=4, max_weight_g=20_000, max_volume_cm3=60_000)
    trips = batch_orders(LAYOUT, orders, cart)
    alone = one_trip_per_order(LAYOUT, orders)
    assert len(trips) < len(orders)
    assert total_distance(trips) < 0.8 * total_distance(alone)


def test_every_order_is_in_exactly_one_trip_with_totes_numbered_from_one():
    orders = random_orders(13, seed=2)
    trips = batch_orders(LAYOUT, orders, Cart(totes=3, max_weight_g=50_000, max_volume_cm3=90_000))
    placed = [oid for t in trips for oid, _ in t.totes]
    assert sorted(placed) == sorted(o.id for o in orders)
    for t in trips:
        assert [n for _, n in t.totes] == list(range(1, len(t.totes) + 1))


def test_trips_respect_tote_count_weight_and_volume():
    orders = random_orders(20, seed=3)
    cart = Cart(totes=5, max_weight_g=6_000, max_volume_cm3=15_000)
    by_id = {o.id: o for o in orders}
    for t in batch_orders(LAYOUT, orders, cart):
        members = [by_id[oid] for oid, _ in t.totes]
        assert len(members) <= cart.totes
        assert sum(o.weight_g for o in members) == t.weight_g <= cart.max_weight_g
        assert sum(o.volume_cm3 for o in members) == t.volume_cm3 <= cart.max_volume_cm3


def test_each_trip_route_visits_the_bins_of_all_its_orders():
    orders = random_orders(8, seed=4)
    by_id = {o.id: o for o in orders}
    for t in batch_orders(LAYOUT, orders, Cart(4, 50_000, 90_000)):
        wanted = {c for oid, _ in t.totes for c in by_id[oid].bins}
        assert set(t.route.sequence) == wanted


def test_totes_follow_the_order_in_which_the_route_reaches_each_order():
    orders = random_orders(6, seed=5)
    by_id = {o.id: o for o in orders}
    for t in batch_orders(LAYOUT, orders, Cart(6, 50_000, 90_000)):
        first = {oid: min(t.route.sequence.index(c) for c in by_id[oid].bins) for oid, _ in t.totes}
        assert [oid for oid, _ in t.totes] == sorted(first, key=first.get)


def test_orders_in_the_same_aisle_end_up_on_the_same_cart():
    near = [PickOrder(f"N{i}", (f"A01-B1-0{i + 1}-L",), 100, 100) for i in range(3)]
    far = [PickOrder(f"F{i}", (f"A12-B2-0{i + 1}-R",), 100, 100) for i in range(3)]
    trips = batch_orders(LAYOUT, near + far, Cart(3, 10_000, 10_000))
    groups = sorted(sorted(oid for oid, _ in t.totes) for t in trips)
    assert groups == [["F0", "F1", "F2"], ["N0", "N1", "N2"]]


def test_an_order_heavier_than_the_cart_is_refused_by_name():
    heavy = PickOrder("SO-HEAVY", ("A01-B1-01-L",), weight_g=90_000, volume_cm3=10)
    with pytest.raises(BatchingError, match="SO-HEAVY.*90000 g"):
        batch_orders(LAYOUT, [heavy], Cart(4, 20_000, 60_000))


def test_an_order_with_an_unknown_bin_is_refused_by_name():
    with pytest.raises(BatchingError, match="SO-1.*NOPE"):
        batch_orders(LAYOUT, [PickOrder("SO-1", ("NOPE",))], Cart(4, 20_000, 60_000))


def test_no_orders_make_no_trips():
    assert batch_orders(LAYOUT, [], Cart(4, 20_000, 60_000)) == []
