"""Pick planning over HTTP: release, waves of cart trips, pick lists, scan-to-pick, short picks."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.integration.conftest import make_order, make_sku
from wms.adapters.db.tables import BinRow, PickTask, Reservation, StockRow
from wms.adapters.db.uow import UnitOfWork
from wms.domain.codes import gtin_check_digit
from wms.domain.layout import parse_layout
from wms.domain.routing import plan_route, sequence_length
from wms.services.fixtures import load_layout
from wms.services.picking.tasks import order_in_tote
from wms.services.stock.ledger import ledger_mismatches

# Four aisles 3 m apart, two blocks (cross aisles at 0, 10 and 20 m), depot at the
# front of aisle 1. Bin Aaa-ss-1 sits in aisle aa at y = 2*ss - 1 (1, 3, ... 17 m).
LAYOUT = {
    "name": "test-dc",
    "unit": "m",
    "aisles": [{"id": f"A{a:02d}", "x": 3.0 * (a - 1)} for a in range(1, 5)],
    "cross_aisles": [0.0, 10.0, 20.0],
    "depot": {"x": 0.0, "y": 0.0},
    "bins": [{"code": f"A{a:02d}-{s:02d}-1", "aisle": f"A{a:02d}", "y": 2.0 * s - 1}
             for a in range(1, 5) for s in range(1, 10)],
}
CART = {"totes": 6, "max_weight_g": 30000, "max_volume_cm3": 200000}


def ean(n: int) -> str:
    body = f"690{n:09d}"
    return body + str(gtin_check_digit(body))


@pytest.fixture
def dc(api, engine):
    """The test layout loaded; returns a helper that adds a SKU with stock in bins."""
    with UnitOfWork(engine) as uow:
        load_layout(uow, LAYOUT)
        uow.commit()
    made: dict[str, str] = {}

    def stock(sku: str, bins: dict[str, int], grams: int = 100) -> str:
        if sku not in made:
            made[sku] = ean(len(made) + 1)
            make_sku(api, sku, grams, barcode=made[sku], name=f"商品 {sku}")
        for code, qty in bins.items():
            r = api.post("/api/stock/receipts", {"sku": sku, "bin": code, "qty": qty})
            assert r.status_code == 201, r.text
        return made[sku]

    return stock


def release(api, *order_nos):
    r = api.as_("supervisor").post("/api/orders/release", {"order_nos": list(order_nos)})
    assert r.status_code == 200, r.text
    return r.json()


def wave(api, order_nos=None, **body):
    payload = {"cart": CART, **body}
    if order_nos is not None:
        payload["order_nos"] = order_nos
    r = api.as_("supervisor").post("/api/waves", payload)
    assert r.status_code == 201, r.text
    return r.json()


def pick(api, code, bin_, item, qty=1, **kw):
    return api.as_("packer").post(f"/api/waves/{code}/picks", {"bin": bin_, "code": item, "qty": qty, **kw})


def stock_at(engine, code, sku):
    with UnitOfWork(engine) as uow:
        row = uow.session.exec(
            select(StockRow).join(BinRow, BinRow.id == StockRow.bin_id).where(BinRow.code == code, StockRow.sku == sku)
        ).first()
        return (row.on_hand, row.reserved) if row else (0, 0)


def ledger_ok(engine):
    with UnitOfWork(engine) as uow:
        return ledger_mismatches(uow) == []


def stops_of(w):
    return [s for t in w["trips"] for s in t["stops"]]


# ---------------------------------------------------------------- release and waves


def test_releasing_orders_moves_them_from_reserved_to_released(api, dc):
    dc("CUP", {"A01-02-1": 5})
    make_order(api, "R1", [("CUP", 1)])
    make_order(api, "R2", [("CUP", 1)])
    body = release(api, "R1")
    assert body["released"] == ["R1"]
    assert api.get("/api/orders/R1").json()["status"] == "released"
    assert api.get("/api/orders/R2").json()["status"] == "reserved"
    r = api.as_("supervisor").post("/api/orders/release", {"all_reserved": True})
    assert r.json()["released"] == ["R2"]
    assert api.get("/api/orders/R2").json()["history"][-1]["to"] == "released"


def test_a_wave_respects_the_cart_and_gives_every_order_its_own_tote(api, dc):
    for i, code in enumerate(["A01-03-1", "A02-03-1", "A03-03-1", "A04-03-1", "A02-07-1"]):
        dc(f"S{i}", {code: 10}, grams=400)
    for i in range(5):
        make_order(api, f"T{i}", [(f"S{i}", 1), (f"S{(i + 1) % 5}", 1)])
    release(api, *[f"T{i}" for i in range(5)])
    w = wave(api, cart={"totes": 2, "max_weight_g": 30000, "max_volume_cm3": 200000})
    assert w["wave"].startswith("W") and len(w["wave"]) == len("W20261122-001")
    seen = []
    for trip in w["trips"]:
        assert 1 <= len(trip["orders"]) <= 2
        totes = [o["tote"] for o in trip["orders"]]
        assert len(set(totes)) == len(totes)
        tote_of = {o["order_no"]: o["tote"] for o in trip["orders"]}
        assert all(s["tote"] == tote_of[s["order_no"]] for s in trip["stops"])
        seen += list(tote_of)
    assert sorted(seen) == [f"T{i}" for i in range(5)]


def test_the_cart_weight_limit_keeps_heavy_orders_on_separate_trips(api, dc):
    dc("ANVIL", {"A01-05-1": 10}, grams=600)
    for i in range(3):
        make_order(api, f"H{i}", [("ANVIL", 1)])
    make_order(api, "HUGE", [("ANVIL", 2)])
    release(api, "H0", "H1", "H2", "HUGE")
    small_cart = {"totes": 6, "max_weight_g": 1000, "max_volume_cm3": 200000}
    named = api.as_("supervisor").post("/api/waves", {"order_nos": ["HUGE"], "cart": small_cart})
    assert (named.status_code, named.json()["error"]) == (422, "batching_error")
    w = wave(api, cart=small_cart)
    assert len(w["trips"]) == 3
    assert all(t["weight_g"] <= 1000 for t in w["trips"])
    assert [s["order_no"] for s in w["skipped"]] == ["HUGE"]


def test_batching_orders_in_the_same_far_aisle_walks_less_than_one_trip_each(api, dc):
    dc("A", {"A04-08-1": 5})
    dc("B", {"A04-09-1": 5})
    dc("C", {"A03-08-1": 5})
    make_order(api, "F1", [("A", 1)])
    make_order(api, "F2", [("B", 1)])
    make_order(api, "F3", [("C", 1), ("A", 1)])
    release(api, "F1", "F2", "F3")
    w = wave(api)
    assert len(w["trips"]) == 1
    assert w["total_distance"] < w["one_order_per_trip_distance"]
    assert w["saving_m"] == pytest.approx(w["one_order_per_trip_distance"] - w["total_distance"], abs=1e-6)


def test_a_default_wave_takes_the_oldest_paid_orders_first_up_to_the_limit(api, dc):
    dc("CUP", {"A01-02-1": 10})
    make_order(api, "NEW", [("CUP", 1)], paid_at="2026-11-22T10:00:00+08:00")
    make_order(api, "OLD", [("CUP", 1)], paid_at="2026-11-20T10:00:00+08:00")
    make_order(api, "MID", [("CUP", 1)], paid_at="2026-11-21T10:00:00+08:00")
    api.as_("supervisor").post("/api/orders/release", {"all_reserved": True})
    w = wave(api, limit=2)
    assert sorted(o["order_no"] for t in w["trips"] for o in t["orders"]) == ["MID", "OLD"]
    w2 = wave(api)
    assert [o["order_no"] for t in w2["trips"] for o in t["orders"]] == ["NEW"]
    assert w2["wave"] != w["wave"]


def test_a_reservation_off_the_way_is_moved_to_a_bin_on_the_way(api, dc, engine):
    # Reservation goes to the first bin by code (A01-09-1, 17 m deep); A02-02-1 is on the way.
    dc("CUP", {"A01-01-1": 3})
    dc("TEA", {"A01-09-1": 1, "A02-02-1": 4})
    make_order(api, "RB1", [("CUP", 1), ("TEA", 1)])
    assert stock_at(engine, "A01-09-1", "TEA") == (1, 1)
    release(api, "RB1")
    w = wave(api)
    assert {s["bin"] for s in stops_of(w)} == {"A01-01-1", "A02-02-1"}
    assert w["rebinned"][0]["to"] == [{"bin": "A02-02-1", "qty": 1}]
    assert stock_at(engine, "A01-09-1", "TEA") == (1, 0)
    assert stock_at(engine, "A02-02-1", "TEA") == (4, 1)
    assert ledger_ok(engine)


# ---------------------------------------------------------------- pick lists


def test_pick_list_stops_follow_the_planned_route(api, dc):
    dc("A", {"A04-02-1": 5})
    dc("B", {"A02-08-1": 5})
    dc("C", {"A03-04-1": 5})
    dc("D", {"A01-07-1": 5})
    make_order(api, "P1", [("A", 1), ("B", 2)])
    make_order(api, "P2", [("C", 1), ("D", 1), ("B", 1)])
    release(api, "P1", "P2")
    code = wave(api, method="optimal")["wave"]
    lists = api.as_("packer").get(f"/api/waves/{code}/picklists").json()
    layout = parse_layout(LAYOUT)
    for trip in lists:
        bins_in_list_order = list(dict.fromkeys(s["bin"] for s in trip["stops"]))
        planned = plan_route(layout, sorted(set(bins_in_list_order)), "optimal")
        assert bins_in_list_order == planned.sequence
        assert trip["distance"] == pytest.approx(planned.distance)
        assert trip["proven_optimal"] is True
        assert [s["seq"] for s in trip["stops"]] == sorted(s["seq"] for s in trip["stops"])
        assert trip["path"][0] == trip["path"][-1] == [0.0, 0.0]
        assert all(s["tote_code"].startswith(f"TOTE-{code}-") for s in trip["stops"])


def test_pick_list_pdf_and_route_maps_render(api, dc):
    dc("A", {"A03-06-1": 5})
    dc("B", {"A01-02-1": 5})
    make_order(api, "M1", [("A", 1), ("B", 1)])
    release(api, "M1")
    code = wave(api)["wave"]
    packer = api.as_("packer")
    for size in ("A4", "100x150"):
        r = packer.get(f"/api/waves/{code}/trips/1/picklist.pdf", params={"size": size})
        assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
        assert r.content.startswith(b"%PDF")
    svg = packer.get(f"/api/waves/{code}/trips/1/route.svg")
    assert svg.status_code == 200 and "<polyline" in svg.text
    trip = packer.get(f"/api/waves/{code}/picklists").json()[0]
    points = " ".join(f"{x:g},{y:g}" for x, y in trip["path"])
    assert f'points="{points}"' in svg.text
    png = packer.get(f"/api/waves/{code}/trips/1/route.png")
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    bad = packer.get(f"/api/waves/{code}/trips/1/picklist.pdf", params={"size": "A3"})
    assert bad.status_code == 422


def test_a_tote_label_names_the_order_picked_into_it(api, dc, engine):
    dc("A", {"A02-02-1": 5})
    make_order(api, "TT1", [("A", 1)])
    release(api, "TT1")
    w = wave(api)
    label = w["trips"][0]["orders"][0]["tote_code"]
    with UnitOfWork(engine) as uow:
        assert order_in_tote(uow, label).order_no == "TT1"


# ---------------------------------------------------------------- confirming picks


def test_confirmed_picks_take_stock_out_of_the_bin_and_complete_the_order(api, dc, engine):
    cup = dc("CUP", {"A02-04-1": 5})
    dc("TEA", {"A03-02-1": 5})
    make_order(api, "C1", [("CUP", 2), ("TEA", 1)])
    release(api, "C1")
    code = wave(api)["wave"]
    r = pick(api, code, "A02-04-1", cup)
    assert r.status_code == 200, r.text
    assert r.json()["totes"][0]["order_no"] == "C1"
    assert stock_at(engine, "A02-04-1", "CUP") == (4, 1)
    assert api.get("/api/orders/C1").json()["status"] == "released"
    assert pick(api, code, "a02-04-1", "CUP").status_code == 200  # typed bin and SKU work too
    last = pick(api, code, "A03-02-1", "TEA")
    assert last.json()["orders"] == [{"order_no": "C1", "status": "picked"}]
    assert last.json()["wave_status"] == "done"
    order = api.get("/api/orders/C1").json()
    assert order["status"] == "picked"
    assert {l["sku"]: l["picked"] for l in order["lines"]} == {"CUP": 2, "TEA": 1}
    assert stock_at(engine, "A02-04-1", "CUP") == (3, 0)
    assert stock_at(engine, "A03-02-1", "TEA") == (4, 0)
    assert ledger_ok(engine)
    stops = api.as_("packer").get(f"/api/waves/{code}/picklists").json()[0]["stops"]
    assert all(s["picked"] == s["qty"] and s["status"] == "picked" for s in stops)


def test_two_orders_picking_the_same_bin_get_their_units_tote_by_tote(api, dc, engine):
    cup = dc("CUP", {"A02-04-1": 5})
    make_order(api, "D1", [("CUP", 1)])
    make_order(api, "D2", [("CUP", 2)])
    release(api, "D1", "D2")
    code = wave(api)["wave"]
    r = pick(api, code, "A02-04-1", cup, qty=3)
    assert r.status_code == 200, r.text
    assert sorted((t["order_no"], t["qty"]) for t in r.json()["totes"]) == [("D1", 1), ("D2", 2)]
    assert api.get("/api/orders/D2").json()["status"] == "picked"
    assert stock_at(engine, "A02-04-1", "CUP") == (2, 0)
    assert ledger_ok(engine)


def test_wrong_bin_wrong_item_and_over_picks_are_refused_and_change_nothing(api, dc, engine):
    cup = dc("CUP", {"A02-04-1": 5})
    tea = dc("TEA", {"A03-02-1": 5})
    dc("PEN", {"A01-01-1": 5})
    make_order(api, "W1", [("CUP", 1), ("TEA", 1)])
    release(api, "W1")
    code = wave(api)["wave"]
    before = (api.as_("packer").get(f"/api/waves/{code}/picklists").json(), api.get("/api/stock").json())

    cases = [
        (pick(api, code, "A01-01-1", cup), 409, "wrong_bin"),
        (pick(api, code, "A02-04-1", tea), 409, "wrong_item"),
        (pick(api, code, "A02-04-1", cup, qty=2), 409, "over_pick"),
        (pick(api, code, "A02-04-1", "4006381333931"), 404, "unknown_code"),
        (pick(api, code, "Z99-99-9", cup), 404, "unknown_bin"),
        (pick(api, code, "A02-04-1", cup, tote=5), 409, "wrong_tote"),
    ]
    for r, status, error in cases:
        assert (r.status_code, r.json()["error"]) == (status, error), r.text
    after = (api.as_("packer").get(f"/api/waves/{code}/picklists").json(), api.get("/api/stock").json())
    assert after == before
    assert pick(api, code, "A02-04-1", cup).status_code == 200
    again = pick(api, code, "A02-04-1", cup)
    assert (again.status_code, again.json()["error"]) == (409, "over_pick")
    assert stock_at(engine, "A02-04-1", "CUP") == (4, 0)
    assert ledger_ok(engine)


# ---------------------------------------------------------------- short picks


def test_a_short_pick_counts_the_bin_down_and_picks_the_rest_from_another_bin(api, dc, engine):
    cup = dc("CUP", {"A01-02-1": 3, "A03-05-1": 6})
    tea = dc("TEA", {"A02-03-1": 4})
    make_order(api, "S1", [("CUP", 3), ("TEA", 1)])
    release(api, "S1")
    code = wave(api)["wave"]
    assert pick(api, code, "A01-02-1", cup).status_code == 200  # one found and picked
    r = api.as_("packer").post(f"/api/waves/{code}/shorts", {"bin": "A01-02-1", "sku": "CUP", "found_qty": 1})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["adjustment"] == -1
    assert body["reallocated"] == [{"order_no": "S1", "sku": "CUP", "bin": "A03-05-1", "qty": 1,
                                    "trip": 1, "tote": 1, "seq": body["reallocated"][0]["seq"]}]
    assert stock_at(engine, "A01-02-1", "CUP") == (1, 1)
    assert stock_at(engine, "A03-05-1", "CUP") == (6, 1)
    assert ledger_ok(engine)

    trip = api.as_("packer").get(f"/api/waves/{code}/picklists").json()[0]
    layout = parse_layout(LAYOUT)
    bins_in_order = list(dict.fromkeys(s["bin"] for s in trip["stops"]))
    assert "A03-05-1" in bins_in_order
    assert trip["distance"] == pytest.approx(sequence_length(layout, bins_in_order))
    assert [s["seq"] for s in trip["stops"]] == list(range(1, len(trip["stops"]) + 1))

    for bin_, item in (("A01-02-1", cup), ("A03-05-1", cup), ("A02-03-1", tea)):
        assert pick(api, code, bin_, item).status_code == 200
    assert api.get("/api/orders/S1").json()["status"] == "picked"
    assert stock_at(engine, "A01-02-1", "CUP") == (0, 0)
    assert ledger_ok(engine)


def test_a_short_pick_with_no_other_stock_puts_the_order_on_hold_with_the_reason(api, dc, engine):
    dc("CUP", {"A01-02-1": 2})
    dc("TEA", {"A02-03-1": 4})
    dc("PEN", {"A03-03-1": 4})
    make_order(api, "N1", [("CUP", 2), ("TEA", 1)])
    make_order(api, "N2", [("PEN", 1)])
    release(api, "N1", "N2")
    code = wave(api)["wave"]
    r = api.as_("packer").post(f"/api/waves/{code}/shorts", {"bin": "A01-02-1", "sku": "CUP", "found_qty": 0})
    assert r.status_code == 200, r.text
    assert [h["order_no"] for h in r.json()["on_hold"]] == ["N1"]
    order = api.get("/api/orders/N1").json()
    assert order["status"] == "on_hold"
    assert "short pick" in order["hold_reason"] and "A01-02-1" in order["hold_reason"]
    assert stock_at(engine, "A01-02-1", "CUP") == (0, 0)
    assert stock_at(engine, "A02-03-1", "TEA") == (4, 0)  # its other reservation is released
    with UnitOfWork(engine) as uow:
        assert all(r.status == "released" for r in uow.session.exec(select(Reservation).where(Reservation.sku == "TEA")))
        assert {t.status for t in uow.session.exec(select(PickTask).where(PickTask.sku != "PEN"))} <= {"short", "cancelled"}
    stops = stops_of({"trips": api.as_("packer").get(f"/api/waves/{code}/picklists").json()})
    assert {s["order_no"] for s in stops if s["status"] == "open"} == {"N2"}
    assert ledger_ok(engine)


def test_reporting_a_short_that_is_not_short_is_refused(api, dc, engine):
    dc("CUP", {"A01-02-1": 2})
    make_order(api, "NS", [("CUP", 1)])
    release(api, "NS")
    code = wave(api)["wave"]
    r = api.as_("packer").post(f"/api/waves/{code}/shorts", {"bin": "A01-02-1", "sku": "CUP", "found_qty": 2})
    assert (r.status_code, r.json()["error"]) == (409, "not_short")
    neg = api.as_("packer").post(f"/api/waves/{code}/shorts", {"bin": "A01-02-1", "sku": "CUP", "found_qty": -1})
    assert neg.status_code == 422
    assert stock_at(engine, "A01-02-1", "CUP") == (2, 1)


# ---------------------------------------------------------------- bad input


def test_bad_requests_get_4xx_with_stable_codes(api, dc):
    dc("CUP", {"A01-02-1": 5})
    make_order(api, "B1", [("CUP", 1)])
    sup = api.as_("supervisor")
    expect = [
        (sup.post("/api/waves", {"order_nos": []}), 422, "empty_order_list"),
        (sup.post("/api/orders/release", {"order_nos": []}), 422, "empty_order_list"),
        (sup.post("/api/orders/release", {}), 422, "missing_field"),
        (sup.post("/api/orders/release", {"order_nos": ["NOPE"]}), 404, "unknown_order"),
        (sup.post("/api/waves", {"order_nos": ["B1"]}), 409, "not_released"),
        (sup.post("/api/waves", {}), 409, "no_released_orders"),
        (sup.post("/api/waves", {"method": "zigzag"}), 422, "unknown_method"),
        (sup.post("/api/waves", {"cart": {"totes": 0}}), 422, "validation_error"),
        (api.as_("packer").post("/api/waves", {}), 403, "forbidden"),
        (api.as_("packer").get("/api/waves/W20990101-001/picklists"), 404, "unknown_wave"),
        (api.as_("packer").post("/api/waves/W20990101-001/picks", {"bin": "A01-02-1", "code": "CUP"}),
         404, "unknown_wave"),
    ]
    for r, status, error in expect:
        assert (r.status_code, r.json()["error"]) == (status, error), r.text
    release(api, "B1")
    again = sup.post("/api/orders/release", {"order_nos": ["B1"]})
    assert again.json()["already_released"] == ["B1"]
    code = wave(api)["wave"]
    assert api.as_("packer").get(f"/api/waves/{code}/trips/9/route.svg").json()["error"] == "unknown_trip"
    dup = sup.post("/api/waves", {"order_nos": ["B1"]})
    assert (dup.status_code, dup.json()["error"]) == (409, "already_in_wave")
    assert api.as_("packer").get(f"/api/waves/{code}").json()["wave"] == code


def test_waves_cannot_be_planned_without_a_layout(api):
    make_sku(api, "CUP", 100)
    api.post("/api/stock/receipts", {"sku": "CUP", "bin": "A01-02-1", "qty": 5})
    make_order(api, "NL", [("CUP", 1)])
    release(api, "NL")
    r = api.as_("supervisor").post("/api/waves", {})
    assert (r.status_code, r.json()["error"]) == (409, "no_layout")


# ---------------------------------------------------------------- at the same time


def test_waves_planned_at_the_same_time_never_share_an_order(api, dc, engine):
    import threading

    from wms.services.picking import waves

    dc("CUP", {"A02-02-1": 20})
    for i in range(6):
        make_order(api, f"Q{i}", [("CUP", 1)])
    api.as_("supervisor").post("/api/orders/release", {"all_reserved": True})
    barrier, errors = threading.Barrier(3), []

    def plan(i):
        barrier.wait()
        try:
            with UnitOfWork(engine) as uow:
                waves.create_wave(uow, f"sup{i}")
                uow.commit()
        except Exception as exc:  # noqa: BLE001 - checked below
            errors.append(exc)

    threads = [threading.Thread(target=plan, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert all(getattr(e, "code", "") == "no_released_orders" for e in errors), errors
    with UnitOfWork(engine) as uow:
        tasks = uow.session.exec(select(PickTask)).all()
        assert sorted(t.order_id for t in tasks) == sorted({t.order_id for t in tasks})
        assert len(tasks) == 6


def test_pickers_confirming_the_same_units_at_once_never_over_pick(api, dc, engine):
    import threading

    from wms.services.picking import tasks as pick_tasks

    cup = dc("CUP", {"A02-02-1": 5})
    make_order(api, "CC", [("CUP", 2)])
    release(api, "CC")
    code = wave(api)["wave"]
    barrier, outcomes = threading.Barrier(4), []

    def scan(i):
        barrier.wait()
        try:
            with UnitOfWork(engine) as uow:
                pick_tasks.confirm_pick(uow, pick_tasks.get_wave(uow, code), "A02-02-1", cup, 1, f"picker{i}")
                uow.commit()
            outcomes.append("ok")
        except Exception as exc:  # noqa: BLE001 - checked below
            outcomes.append(getattr(exc, "code", repr(exc)))

    threads = [threading.Thread(target=scan, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes) == ["ok", "ok", "over_pick", "over_pick"]
    assert stock_at(engine, "A02-02-1", "CUP") == (3, 0)
    assert api.get("/api/orders/CC").json()["status"] == "picked"
    assert ledger_ok(engine)


def test_a_cancelled_order_drops_out_of_its_wave(api, dc, engine):
    cup = dc("CUP", {"A02-02-1": 5})
    tea = dc("TEA", {"A03-03-1": 5})
    make_order(api, "K1", [("CUP", 1)])
    make_order(api, "K2", [("TEA", 1)])
    release(api, "K1", "K2")
    code = wave(api)["wave"]
    assert api.as_("supervisor").post("/api/orders/K1/cancel", {"reason": "buyer cancelled"}).status_code == 200
    r = pick(api, code, "A02-02-1", cup)
    assert (r.status_code, r.json()["error"]) == (409, "order_not_pickable")
    stops = stops_of({"trips": api.as_("packer").get(f"/api/waves/{code}/picklists").json()})
    assert {s["order_no"]: s["status"] for s in stops} == {"K1": "stopped", "K2": "open"}
    assert pick(api, code, "A03-03-1", tea).json()["wave_status"] == "done"
    assert stock_at(engine, "A02-02-1", "CUP") == (5, 0)
    assert ledger_ok(engine)


# ---------------------------------------------------------------- the command line


def test_the_waves_commands_plan_show_and_print_a_wave(api, dc, database_url, tmp_path):
    from typer.testing import CliRunner

    from wms.cli import _register_all, app

    _register_all()
    dc("A", {"A03-06-1": 5})
    dc("B", {"A01-02-1": 5})
    make_order(api, "CLI1", [("A", 1), ("B", 1)])
    run = CliRunner().invoke
    made = run(app, ["waves", "create", "--release", "--totes", "4", "--database", database_url])
    assert made.exit_code == 0, made.output
    code = made.output.split()[1]
    assert "one order per trip" in made.output
    shown = run(app, ["waves", "show", code, "--database", database_url])
    assert shown.exit_code == 0 and "A03-06-1" in shown.output and "CLI1" in shown.output
    pdf = tmp_path / "trip1.pdf"
    printed = run(app, ["waves", "picklist", code, "--trip", "1", "-o", str(pdf), "--database", database_url])
    assert printed.exit_code == 0, printed.output
    assert pdf.read_bytes().startswith(b"%PDF")
    missing = run(app, ["waves", "show", "W20990101-001", "--database", database_url])
    assert missing.exit_code == 2 and "unknown wave" in missing.output
