"""Stock moves, cycle counts, the stock report and the ledger; the books stay equal to the ledger."""

import csv
import io

import pytest
from typer.testing import CliRunner

from tests.integration.conftest import make_order, make_sku
from wms.adapters.db.uow import UnitOfWork
from wms.services.fixtures import load_layout
from wms.services.stock.ledger import ledger_mismatches


@pytest.fixture
def books(engine):
    """Call after each operation: the ledger must still equal on-hand, reserved within it."""
    def check():
        with UnitOfWork(engine) as uow:
            assert ledger_mismatches(uow) == []
    return check


def receive(api, sku, bin_, qty):
    r = api.post("/api/stock/receipts", {"sku": sku, "bin": bin_, "qty": qty})
    assert r.status_code == 201, r.text


def bin_qty(api, bin_, sku):
    row = next((s for s in api.get(f"/api/stock/bins/{bin_}").json()["skus"] if s["sku"] == sku), None)
    return (row["on_hand"], row["reserved"]) if row else (0, 0)


def move(api, sku, from_bin, to_bin, qty, role="supervisor"):
    return api.as_(role).post("/api/stock/moves", {"sku": sku, "from_bin": from_bin, "to_bin": to_bin, "qty": qty})


def count(api, sku, bin_, qty, reason="cycle count"):
    return api.as_("supervisor").post("/api/stock/adjustments",
                                      {"sku": sku, "bin": bin_, "counted_qty": qty, "reason": reason})


@pytest.fixture
def mug(api):
    make_sku(api, "MUG", 350, 5, name="陶瓷马克杯")
    receive(api, "MUG", "A01-01-1", 10)
    return "MUG"


def test_a_move_writes_two_ledger_rows_sharing_one_ref(api, mug, books):
    r = move(api, "MUG", "A01-01-1", "B02-03-1", 4)
    assert r.status_code == 201, r.text
    assert (r.json()["from"]["on_hand"], r.json()["to"]["on_hand"]) == (6, 4)
    rows = [e for e in api.get("/api/stock/ledger", params={"sku": "MUG"}).json() if e["kind"] == "move"]
    assert sorted((e["bin"], e["delta"]) for e in rows) == [("A01-01-1", -4), ("B02-03-1", 4)]
    assert rows[0]["ref"] == rows[1]["ref"] == r.json()["ref"]
    assert rows[0]["operator"] == "test-supervisor"
    books()


def test_reserved_units_stay_put_only_available_ones_move(api, mug, books):
    make_order(api, "TB1", [("MUG", 7)])
    r = move(api, "MUG", "A01-01-1", "B02-03-1", 4)
    assert r.status_code == 409
    assert r.json()["error"] == "insufficient_available"
    assert "7 reserved" in r.json()["message"] and "only 3 can move" in r.json()["message"]
    assert move(api, "MUG", "A01-01-1", "B02-03-1", 3).status_code == 201
    assert bin_qty(api, "A01-01-1", "MUG") == (7, 7)
    books()


@pytest.mark.parametrize("body, status, error", [
    ({"from_bin": "A01-01-1", "to_bin": "A01-01-1", "qty": 1}, 422, "same_bin"),
    ({"from_bin": "Z99-99-9", "to_bin": "A01-01-1", "qty": 1}, 404, "unknown_bin"),
    ({"from_bin": "A01-01-1", "to_bin": "B01-01-1", "qty": 0}, 422, "validation_error"),
])
def test_a_move_that_makes_no_sense_is_refused_and_changes_nothing(api, mug, books, body, status, error):
    r = api.as_("supervisor").post("/api/stock/moves", {"sku": "MUG", **body})
    assert (r.status_code, r.json()["error"]) == (status, error)
    assert bin_qty(api, "A01-01-1", "MUG") == (10, 0)
    books()


def test_a_packer_may_not_move_or_count_stock(api, mug):
    assert move(api, "MUG", "A01-01-1", "B02-03-1", 1, role="packer").status_code == 403
    r = api.as_("packer").post("/api/stock/adjustments",
                               {"sku": "MUG", "bin": "A01-01-1", "counted_qty": 1, "reason": "x"})
    assert r.status_code == 403


def test_a_count_records_the_difference_with_its_reason(api, mug, books):
    r = count(api, "MUG", "A01-01-1", 8, "周期盘点 cycle count")
    assert r.status_code == 201, r.text
    assert (r.json()["books_qty"], r.json()["difference"], r.json()["warning"]) == (10, -2, None)
    same = count(api, "MUG", "A01-01-1", 8).json()
    assert same["difference"] == 0
    found = count(api, "MUG", "A01-01-1", 11).json()
    assert (found["difference"], found["on_hand"]) == (3, 11)
    adjustments = [(e["delta"], e["reason"]) for e in api.get("/api/stock/ledger", params={"bin": "a01-01-1"}).json()
                   if e["kind"] == "adjustment"]
    assert adjustments == [(3, "cycle count"), (0, "cycle count"), (-2, "周期盘点 cycle count")]
    books()


def test_a_count_needs_a_reason(api, mug):
    r = count(api, "MUG", "A01-01-1", 8, reason="")
    assert r.status_code == 422
    assert bin_qty(api, "A01-01-1", "MUG") == (10, 0)


def test_a_count_below_what_is_reserved_is_accepted_and_names_the_orders(api, books):
    make_sku(api, "CUP", 272, 5)
    receive(api, "CUP", "A01-01-1", 4)
    receive(api, "CUP", "A02-01-1", 2)
    make_order(api, "TB1", [("CUP", 2)])   # both reserved in A01-01-1 (first bin by code)
    make_order(api, "TB2", [("CUP", 2)])
    assert bin_qty(api, "A01-01-1", "CUP") == (4, 4)
    r = count(api, "CUP", "A01-01-1", 1, "shelf count")
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["on_hand"], body["reserved"]) == (1, 0)
    outcome = {a["order_no"]: a["outcome"] for a in body["affected_orders"]}
    assert outcome == {"TB2": "re_reserved", "TB1": "on_hold"}  # the newest paid order goes first
    assert "TB1" in body["warning"] and "TB2" in body["warning"] and "4 were reserved" in body["warning"]
    assert api.get("/api/orders/TB2").json()["status"] == "reserved"
    held = api.get("/api/orders/TB1").json()
    assert held["status"] == "on_hold" and held["hold_reason"].startswith("stock short")
    assert bin_qty(api, "A02-01-1", "CUP") == (2, 2)
    books()


def test_a_count_cannot_undercut_orders_already_on_a_pick_wave(api, engine, books):
    with UnitOfWork(engine) as uow:
        load_layout(uow, {"name": "dc", "unit": "m", "aisles": [{"id": "A01", "x": 0.0}], "cross_aisles": [0.0, 10.0],
                          "depot": {"x": 0.0, "y": 0.0}, "bins": [{"code": "A01-01-1", "aisle": "A01", "y": 1.0}]})
        uow.commit()
    make_sku(api, "CUP", 272, 5)
    receive(api, "CUP", "A01-01-1", 3)
    make_order(api, "TB1", [("CUP", 3)])
    assert api.as_("supervisor").post("/api/orders/release", {"order_nos": ["TB1"]}).status_code == 200
    wave = api.as_("supervisor").post("/api/waves", {"order_nos": ["TB1"]})
    assert wave.status_code == 201, wave.text
    r = count(api, "CUP", "A01-01-1", 1)
    assert r.status_code == 409
    assert r.json()["error"] == "bin_being_picked" and "TB1" in r.json()["message"]
    assert bin_qty(api, "A01-01-1", "CUP") == (3, 3)
    books()


def test_a_released_order_not_yet_on_a_wave_is_re_reserved_after_a_short_count(api, books):
    make_sku(api, "CUP", 272, 5)
    receive(api, "CUP", "A01-01-1", 3)
    receive(api, "CUP", "A02-01-1", 3)
    make_order(api, "TB1", [("CUP", 3)])
    api.as_("supervisor").post("/api/orders/release", {"order_nos": ["TB1"]})
    body = count(api, "CUP", "A01-01-1", 0).json()
    assert body["affected_orders"][0]["outcome"] == "re_reserved"
    assert bin_qty(api, "A02-01-1", "CUP") == (3, 3)
    books()


def test_the_report_lists_out_then_low_then_ok(api, books):
    for sku, qty in (("A-OK", 20), ("B-LOW", 3), ("C-OUT", 0), ("D-RES", 2)):
        make_sku(api, sku, 100)
        if qty:
            receive(api, sku, "A01-01-1", qty)
    make_order(api, "TB1", [("D-RES", 2)])
    report = api.get("/api/stock/report", params={"low": 5}).json()
    assert [(r["sku"], r["status"]) for r in report] == [
        ("C-OUT", "out"), ("D-RES", "out"), ("B-LOW", "low"), ("A-OK", "ok")]
    res = next(r for r in report if r["sku"] == "D-RES")
    assert (res["on_hand"], res["reserved"], res["available"]) == (2, 2, 0)
    assert [r["status"] for r in api.get("/api/stock/report", params={"low": 2}).json()] == ["out", "out", "ok", "ok"]
    assert api.get("/api/stock/report", params={"low": -1}).status_code == 422


def test_a_bin_shows_what_it_holds_and_its_latest_ledger_rows(api, mug):
    body = api.get("/api/stock/bins/a01-01-1").json()
    assert body["bin"] == "A01-01-1"
    assert body["skus"] == [{"sku": "MUG", "name": "陶瓷马克杯", "on_hand": 10, "reserved": 0, "available": 10}]
    assert body["recent_ledger"][0]["kind"] == "receipt"
    assert api.get("/api/stock/bins/NOPE-1").status_code == 404


def test_the_cli_moves_counts_and_reports(api, mug, database_url, books):
    from wms.cli import _register_all, app

    _register_all()
    run = CliRunner().invoke
    moved = run(app, ["stock", "move", "--sku", "MUG", "--from", "A01-01-1", "--to", "B01-01-1", "--qty", "2",
                      "--database", database_url])
    assert moved.exit_code == 0, moved.output
    assert "A01-01-1 now 8" in moved.output
    too_many = run(app, ["stock", "move", "--sku", "MUG", "--from", "A01-01-1", "--to", "B01-01-1", "--qty", "99",
                         "--database", database_url])
    assert too_many.exit_code == 2 and "only 8 can move" in too_many.output
    counted = run(app, ["stock", "count", "--sku", "MUG", "--bin", "B01-01-1", "--qty", "1", "--reason", "盘点",
                        "--database", database_url])
    assert counted.exit_code == 0 and "difference -1" in counted.output
    no_reason = run(app, ["stock", "count", "--sku", "MUG", "--bin", "B01-01-1", "--qty", "1", "--reason", " ",
                          "--database", database_url])
    assert no_reason.exit_code == 2 and "reason" in no_reason.output
    report = run(app, ["stock", "report", "--low", "10", "--csv", "--database", database_url])
    rows = list(csv.DictReader(io.StringIO(report.output)))
    assert rows == [{"sku": "MUG", "name": "陶瓷马克杯", "on_hand": "9", "reserved": "0", "available": "9",
                     "status": "low"}]
    books()


def test_concurrent_moves_never_take_more_than_is_available(api, mug, engine, books):
    import threading

    from wms.domain.errors import DomainError
    from wms.services.stock import moves

    receive(api, "MUG", "B01-01-1", 2)
    barrier, outcomes = threading.Barrier(4), []

    def move_six(i):
        barrier.wait()
        with UnitOfWork(engine) as uow:
            try:
                # two go one way and two the other way round, to provoke lock-order deadlocks
                src, dst = ("A01-01-1", "B01-01-1") if i % 2 == 0 else ("B01-01-1", "A01-01-1")
                moves.move_stock(uow, "MUG", src, dst, 6, f"t{i}")
                uow.commit()
                outcomes.append("moved")
            except DomainError as exc:
                outcomes.append(exc.code)

    threads = [threading.Thread(target=move_six, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(outcomes) == 4 and set(outcomes) <= {"moved", "insufficient_available"}
    a, b = bin_qty(api, "A01-01-1", "MUG"), bin_qty(api, "B01-01-1", "MUG")
    assert a[0] + b[0] == 12 and a[0] >= 0 and b[0] >= 0
    books()


def test_a_supervisor_receives_into_the_suggested_bin_and_the_stock_filter_works(api, engine, books, database_url):
    with UnitOfWork(engine) as uow:
        load_layout(uow, {"name": "dc", "unit": "m", "aisles": [{"id": "A01", "x": 0.0}], "cross_aisles": [0.0, 10.0],
                          "depot": {"x": 0.0, "y": 0.0},
                          "bins": [{"code": f"A01-0{n}-1", "aisle": "A01", "y": float(n)} for n in (1, 2, 3)]})
        uow.commit()
    make_sku(api, "MUG", 350, 5, name="陶瓷马克杯")
    receive(api, "MUG", "A01-01-1", 10)
    lead = api.as_("supervisor")
    more = lead.post("/api/stock/receipts", {"sku": "MUG", "qty": 5})
    assert more.status_code == 201, more.text
    assert (more.json()["bin"], more.json()["suggested"], more.json()["on_hand"]) == ("A01-01-1", True, 15), \
        "the bin already holding the SKU"
    make_sku(api, "BOWL", 420, 5, name="汤碗")
    first = lead.post("/api/stock/receipts", {"sku": "BOWL", "qty": 3}).json()
    assert (first["bin"], first["suggested"]) == ("A01-02-1", True), "a new SKU: the first empty bin"
    assert api.get(f"/api/stock/bins/{first['bin']}").json()["skus"][0]["sku"] == "BOWL"
    named = lead.post("/api/stock/receipts", {"sku": "BOWL", "qty": 2, "bin": "A01-03-1"}).json()
    assert (named["bin"], named["suggested"]) == ("A01-03-1", False), named
    stray = lead.post("/api/stock/receipts", {"sku": "BOWL", "qty": 2, "bin": "Z99-99-9"})
    assert stray.status_code == 404 and stray.json()["error"] == "unknown_bin"
    assert api.as_("packer").post("/api/stock/receipts", {"sku": "BOWL", "qty": 1}).status_code == 403
    assert lead.post("/api/stock/receipts", {"sku": "NOPE", "qty": 1}).status_code == 404
    only = api.get("/api/stock", params={"sku": "BOWL"}).json()
    assert [(r["sku"], r["on_hand"]) for r in only] == [("BOWL", 5)]
    both = api.get("/api/stock", params=[("sku", "BOWL"), ("sku", "MUG")]).json()
    assert [r["sku"] for r in both] == ["BOWL", "MUG"]
    assert api.get("/api/stock", params={"sku": "NOPE"}).json() == []
    from wms.cli import _register_all, app

    _register_all()
    printed = CliRunner().invoke(app, ["stock", "receive", "BOWL", "4", "--as", "李四", "--database", database_url])
    assert printed.exit_code == 0, printed.output
    assert f"received 4 BOWL into {first['bin']} (suggested): 7 on hand there" in printed.output
    books()
