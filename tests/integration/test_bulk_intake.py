"""Bulk order intake (wms.services.bulk_intake) on SQLite or PostgreSQL: the same orders,
holds, history and reservations as taking the orders in one by one through create_order;
a bad row never blocks the good ones, a second import creates nothing, and concurrent
imports never oversell."""

from __future__ import annotations

import json
import threading
from typing import Any

from sqlalchemy import text

from wms.adapters.db.engine import make_engine
from wms.adapters.db.migrate import upgrade
from wms.adapters.db.uow import UnitOfWork
from wms.services.orders import bulk as bulk_intake
from wms.services.orders import intake
from wms.services.orders.files import import_orders
from wms.services.stock import catalog, ledger

GOOD = {"name": "张三", "phone": "13812345678", "province": "广东省", "city": "深圳市", "district": "南山区",
        "address": "科技园南区 18 号"}


def recipient(i: int, **over: str) -> dict[str, str]:
    return {**GOOD, "phone": f"139{i:08d}", "address": f"幸福路 {i} 号", **over}


def order(no: str, lines: list[tuple[str, Any]], i: int = 0, **extra: Any) -> dict[str, Any]:
    return {"order_no": no, "recipient": recipient(i), "lines": [{"sku": s, "qty": q} for s, q in lines], **extra}


def setup_stock(engine: Any, levels: dict[str, list[tuple[str, int]]]) -> None:
    with UnitOfWork(engine) as uow:
        for sku in levels:
            catalog.create_sku(uow, {"sku": sku, "name": sku, "barcodes": [], "unit_weight_g": 100,
                                     "weight_tolerance_g": 2})
        uow.commit()
        for sku, bins in levels.items():
            for bin_code, qty in bins:
                ledger.receive(uow, sku, bin_code, qty, "test")
        uow.commit()


LEVELS = {"A": [("A01-01-1", 3), ("A01-02-1", 2)], "B": [("A02-01-1", 1)], "C": [("A03-01-1", 10)]}


def mixed_file() -> list[dict[str, Any]]:
    """Every way an order can go: reserved across two bins, short of stock (nothing kept),
    presale waiting, review holds, bad rows, a duplicate, and a consented merge pair."""
    return [
        order("M01", [("A", 4)], 1),                      # takes A from both bins
        order("M02", [("B", 1), ("A", 1)], 2),            # lines reserved in SKU order
        order("M03", [("A", 1), ("B", 1)], 3),            # B is gone: held, its A given back
        order("M04", [("C", 2)], 4, order_type="presale"),
        order("M05", [("B", 1)], 5, order_type="presale"),  # presale waiting for stock
        order("M06", [("NOPE", 1)], 6),                   # unknown SKU
        {"order_no": "M07", "recipient": recipient(7, phone="12345"), "lines": [{"sku": "C", "qty": 1}]},
        order("M08", [("C", 0)], 8),                      # a zero quantity
        order("M09", [("C", 1)], 9, order_type="cod"),    # COD without an amount
        order("M10", [("C", 1)], 10, order_type="weird"),  # a bad row: refused
        order("M11", [("C", 1)], 11, seller_flag="pink"),  # a bad row: refused
        order("M12", [("C", 1)], 12, paid_at="yesterday"),  # a bad row: refused
        order("M13", [("C", 1)], 13, cod_amount="12.50", seller_flag=1, buyer_message="送人的",
              paid_at="2026-11-20 10:00:00"),
        order("M01", [("C", 1)], 1),                      # the same order number again
        {"order_no": "M14", "recipient": GOOD, "lines": [{"sku": "C", "qty": 1}], "merge_consent": True},
        {"order_no": "M15", "recipient": GOOD, "lines": [{"sku": "C", "qty": 1}]},  # merges with M14
        order("M16", [("C", 1)], 16),
    ]


def snapshot(engine: Any) -> dict[str, Any]:
    """Everything intake leaves behind, keyed by order number and bin code, not by ids."""
    with engine.connect() as conn:
        q = lambda sql: [tuple(r) for r in conn.execute(text(sql)).all()]  # noqa: E731
        return {
            "orders": q("SELECT order_no, status, hold_reason, merge_group, order_type, cod_amount, seller_flag, "
                        "recipient_phone, channel FROM orders ORDER BY order_no"),
            "lines": q("SELECT o.order_no, l.sku, l.qty FROM order_line l JOIN orders o ON o.id = l.order_id "
                       "ORDER BY o.order_no, l.id"),
            "events": q("SELECT o.order_no, e.from_status, e.to_status, e.actor, e.reason FROM order_event e "
                        "JOIN orders o ON o.id = e.order_id ORDER BY o.order_no, e.id"),
            "reservations": q("SELECT o.order_no, r.sku, b.code, r.qty, r.status FROM reservation r "
                              "JOIN orders o ON o.id = r.order_id JOIN stock s ON s.id = r.stock_id "
                              "JOIN bin b ON b.id = s.bin_id ORDER BY o.order_no, r.sku, b.code"),
            "stock": q("SELECT b.code, s.sku, s.on_hand, s.reserved FROM stock s JOIN bin b ON b.id = s.bin_id "
                       "ORDER BY b.code, s.sku"),
            "notes": q("SELECT o.order_no, n.text FROM order_note n JOIN orders o ON o.id = n.order_id "
                       "ORDER BY o.order_no, n.id"),
        }


def one_by_one(uow: UnitOfWork, data: list[dict[str, Any]]) -> dict[str, Any]:
    """The import as it was: create_order and a commit per order, errors reported."""
    imported, present, errors = [], [], []
    for row, item in enumerate(data, start=1):
        try:
            created_order, created = intake.create_order(uow, json.loads(json.dumps(item)), "test")
            uow.commit()
        except Exception as exc:  # noqa: BLE001
            uow.rollback()
            errors.append((row, str(exc)))
            continue
        (imported if created else present).append(created_order.order_no)
    return {"imported": imported, "already_present": present, "errors": errors}


def test_bulk_intake_leaves_exactly_what_taking_the_orders_in_one_by_one_does(engine, tmp_path):
    setup_stock(engine, LEVELS)
    with UnitOfWork(engine) as uow:
        report = import_orders(uow, json.dumps(mixed_file()), "json", "test")

    reference = make_engine(f"sqlite:///{tmp_path / 'reference.db'}")
    upgrade(reference)
    setup_stock(reference, LEVELS)
    with UnitOfWork(reference) as uow:
        expected = one_by_one(uow, mixed_file())

    assert report.imported == expected["imported"]
    assert report.already_present == expected["already_present"] == ["M01"]
    assert [(e["row"], e["reason"]) for e in report.errors] == expected["errors"]
    assert [e["order_no"] for e in report.errors] == ["M10", "M11", "M12"]
    ours, theirs = snapshot(engine), snapshot(reference)
    for key in theirs:
        assert ours[key] == theirs[key], key
    statuses = {o[0]: (o[1], o[2]) for o in ours["orders"]}
    assert statuses["M03"] == ("on_hold", "stock short: A short by 1, B short by 1")
    assert statuses["M05"] == ("on_hold", "presale: waiting for stock; B short by 1")
    assert {o[0]: o[3] for o in ours["orders"]}["M15"] == "M14", "the consented pair merged"
    with UnitOfWork(engine) as uow:
        assert ledger.ledger_mismatches(uow) == []


def test_a_chunk_whose_writing_fails_goes_in_order_by_order_and_only_the_bad_order_is_refused(
        engine, monkeypatch):
    from sqlalchemy.exc import IntegrityError

    setup_stock(engine, LEVELS)
    real_write, calls = bulk_intake._write, []

    def failing_write(*args: Any, **kw: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            real_write(*args, **kw)  # half written, then the database says no
            raise IntegrityError("INSERT", {}, Exception("a concurrent import took an order number"))
        return real_write(*args, **kw)

    monkeypatch.setattr(bulk_intake, "_write", failing_write)
    data = [order(f"F{i:02d}", [("C", 1)], 100 + i) for i in range(5)]
    data[2]["order_type"] = "weird"
    with UnitOfWork(engine) as uow:
        report = import_orders(uow, json.dumps(data), "json", "test")
    assert report.imported == ["F00", "F01", "F03", "F04"]
    assert [e["order_no"] for e in report.errors] == ["F02"]
    snap = snapshot(engine)
    assert [o[:2] for o in snap["orders"]] == [(f"F{i:02d}", "reserved") for i in (0, 1, 3, 4)]
    assert sum(r[3] for r in snap["reservations"]) == 4
    assert [r for r in snap["stock"] if r[1] == "C"] == [("A03-01-1", "C", 10, 4)]


def test_a_bad_row_never_blocks_the_good_ones_in_a_csv_file(engine):
    setup_stock(engine, LEVELS)
    csv_text = ("order_no,recipient_name,phone,province,city,district,address,sku,qty\n"
                "G1,张三,13812345678,广东省,深圳市,南山区,路 1 号,C,1\n"
                "G2,李四,13812345679,广东省,深圳市,南山区,路 2 号,C,two\n"
                "G3,王五,13812345670,广东省,深圳市,南山区,路 3 号,C,2\n"
                ",赵六,13812345671,广东省,深圳市,南山区,路 4 号,C,1\n"
                "G4,钱七,13812345672,广东省,深圳市,南山区,路 5 号,NOPE,1\n")
    with UnitOfWork(engine) as uow:
        report = import_orders(uow, csv_text, "csv", "test")
    assert report.imported == ["G1", "G3", "G4"]
    assert sorted(e["row"] for e in report.errors) == [3, 5]
    assert report.on_hold == ["G4: unknown SKU NOPE"]


def test_importing_the_same_file_again_creates_nothing(engine):
    setup_stock(engine, LEVELS)
    body = json.dumps(mixed_file())
    with UnitOfWork(engine) as uow:
        first = import_orders(uow, body, "json", "test")
    before = snapshot(engine)
    with UnitOfWork(engine) as uow:
        again = import_orders(uow, body, "json", "test")
    assert again.imported == []
    assert sorted(set(again.already_present)) == sorted(set(first.imported))
    assert snapshot(engine) == before


def run_at_once(work: Any, parts: list[Any]) -> list[Any]:
    barrier = threading.Barrier(len(parts))
    results: list[Any] = [None] * len(parts)
    failures: list[BaseException] = []

    def body(i: int) -> None:
        barrier.wait()
        try:
            results[i] = work(parts[i])
        except BaseException as exc:  # noqa: BLE001
            failures.append(exc)

    threads = [threading.Thread(target=body, args=(i,)) for i in range(len(parts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not failures, failures
    return results


def test_concurrent_imports_never_oversell(engine, monkeypatch):
    monkeypatch.setattr(bulk_intake, "CHUNK", 7)  # many small transactions interleave
    setup_stock(engine, {"A": [("A01-01-1", 12), ("A01-02-1", 8)], "B": [("A02-01-1", 9)]})
    files = [[order(f"T{t}-{i:02d}", [("A", 1 + (i % 2)), ("B", 1)], 1000 * t + i) for i in range(15)]
             for t in range(4)]

    def work(part: list[dict[str, Any]]) -> Any:
        with UnitOfWork(engine) as uow:
            return import_orders(uow, json.dumps(part), "json", "test")

    reports = run_at_once(work, files)
    assert sum(len(r.imported) for r in reports) == 60
    snap = snapshot(engine)
    stock_rows = {(code, sku): (on_hand, reserved) for code, sku, on_hand, reserved in snap["stock"]}
    assert all(reserved <= on_hand for on_hand, reserved in stock_rows.values()), stock_rows
    reserved_orders = [o[0] for o in snap["orders"] if o[1] == "reserved"]
    assert len(reserved_orders) == 9, "B runs out after nine orders"
    by_sku: dict[str, int] = {}
    for order_no, sku, _, qty, _ in snap["reservations"]:
        assert order_no in reserved_orders
        by_sku[sku] = by_sku.get(sku, 0) + qty
    assert by_sku["B"] == 9 == sum(r for (_, s), (_, r) in stock_rows.items() if s == "B")
    assert by_sku["A"] == sum(r for (_, s), (_, r) in stock_rows.items() if s == "A")
    held = [o for o in snap["orders"] if o[1] == "on_hold"]
    assert len(held) == 51 and all("short by" in o[2] for o in held)
    with UnitOfWork(engine) as uow:
        assert ledger.ledger_mismatches(uow) == []


def test_the_same_file_imported_twice_at_once_creates_each_order_once(engine):
    setup_stock(engine, {"C": [("A03-01-1", 100)]})
    data = [order(f"S{i:02d}", [("C", 1)], 2000 + i) for i in range(30)]

    def work(_: Any) -> Any:
        with UnitOfWork(engine) as uow:
            return import_orders(uow, json.dumps(data), "json", "test")

    reports = run_at_once(work, [0, 1, 2])
    assert sorted(n for r in reports for n in r.imported) == [d["order_no"] for d in data]
    assert all(not r.errors for r in reports), [r.errors for r in reports]
    snap = snapshot(engine)
    assert len(snap["orders"]) == 30 and len(snap["reservations"]) == 30
    assert snap["stock"] == [("A03-01-1", "C", 100, 30)]


def test_a_repeat_buyer_without_consent_gets_separate_parcels_and_a_consenting_one_is_merged(engine):
    """合并发货 only with the buyer's consent: a second order of someone with an open order (a
    repeat buyer, common on a sale day) stays its own order; one that consents joins the first."""
    setup_stock(engine, LEVELS)
    first = [order(f"R{i}", [("C", 1)], i) for i in range(3)]
    with UnitOfWork(engine) as uow:
        assert import_orders(uow, json.dumps(first), "json", "test").imported == ["R0", "R1", "R2"]
    again = [order("S0", [("C", 1)], 0), order("S1", [("C", 1)], 1, merge_consent=True), order("S2", [("C", 1)], 2)]
    with UnitOfWork(engine) as uow:
        report = import_orders(uow, json.dumps(again), "json", "test")
    assert report.imported == ["S0", "S1", "S2"]
    groups = {o[0]: (o[1], o[3]) for o in snapshot(engine)["orders"]}
    assert groups["S0"] == ("reserved", None) and groups["R0"] == ("reserved", None), "no consent, no merge"
    assert groups["S2"] == ("reserved", None)
    assert groups["S1"][1] == groups["R1"][1] == "R1", "the consenting buyer's orders leave as one parcel"
    with UnitOfWork(engine) as uow:
        assert ledger.ledger_mismatches(uow) == []
