"""What the system tests do to a running service and check afterwards: a small warehouse
set up through the API, parcels packed the way a station agent sends them, the labels a
printer received read back by their barcodes, and the SQL checks that nothing was lost
or doubled."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import zxingcpp
from sqlalchemy import text
from sqlalchemy.engine import Engine

from tests.unit.printing.decoders import decode_zpl
from wms.domain.codes import gtin_check_digit

REPO = Path(__file__).resolve().parents[2]
RECIPIENT = {"name": "王芳", "phone": "13912345678", "province": "浙江省", "city": "杭州市",
             "district": "余杭区", "address": "良睦路 1399 号"}


def ean(n: int) -> str:
    body = f"69{n:010d}"
    return body + str(gtin_check_digit(body))


def client(url: str, token: str, timeout: float = 60.0) -> httpx.Client:
    return httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=timeout)


def ok(response: httpx.Response) -> Any:
    assert 200 <= response.status_code < 300, f"{response.status_code} {response.text}"
    return response.json()


def stock_skus(admin: httpx.Client, units: dict[int, int]) -> None:
    """SKU S<n> (barcode ean(n), 100 + 50n grams) with `units[n]` in bin A0<n+1>-01-1."""
    for n, qty in units.items():
        ok(admin.post("/api/skus", json={"sku": f"S{n}", "name": f"商品{n}", "barcodes": [ean(n)],
                                         "unit_weight_g": 100 + 50 * n, "weight_tolerance_g": 3}))
        ok(admin.post("/api/stock/receipts", json={"sku": f"S{n}", "bin": f"A0{n + 1}-01-1", "qty": qty}))


def grams(lines: dict[int, int]) -> int:
    return sum((100 + 50 * n) * qty for n, qty in lines.items())


def place_order(admin: httpx.Client, order_no: str, lines: dict[int, int]) -> Any:
    return ok(admin.post("/api/orders", json={"order_no": order_no, "recipient": RECIPIENT,
                                              "lines": [{"sku": f"S{n}", "qty": q} for n, q in lines.items()]}))


def parcel_events(station: str, order_no: str, lines: dict[int, int]) -> list[dict[str, Any]]:
    """What a station agent sends for one parcel: the order scan, each unit, the stable weight.
    Event ids are unique per station and order, so a resend is recognised."""
    events: list[dict[str, Any]] = [{"event_id": f"{station}-{order_no}-o", "kind": "scan", "code": order_no}]
    for n, qty in lines.items():
        for i in range(qty):
            events.append({"event_id": f"{station}-{order_no}-{n}-{i}", "kind": "scan", "code": ean(n)})
    events.append({"event_id": f"{station}-{order_no}-w", "kind": "weight", "grams": grams(lines), "stable": True})
    return events


def run_at_once(n: int, work: Callable[[int], None], timeout: float = 180.0) -> list[BaseException]:
    """`work(i)` for i in range(n), in n threads released together; the exceptions raised."""
    barrier = threading.Barrier(n)
    errors: list[BaseException] = []

    def body(i: int) -> None:
        barrier.wait()
        try:
            work(i)
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            errors.append(exc)

    threads = [threading.Thread(target=body, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    assert not any(t.is_alive() for t in threads), "clients still waiting for an answer"
    return errors


def label_numbers(jobs: list[bytes]) -> list[str]:
    """The tracking number on each ZPL label a printer received, read from its barcode."""
    numbers = []
    for job in jobs:
        image = decode_zpl(job).image.convert("L")
        codes = [r.text for r in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.Code128)]
        numbers.append(max(codes, key=len) if codes else "<unreadable>")
    return numbers


CHECKS = {
    "stock below zero or over-reserved":
        "SELECT bin_id, sku, on_hand, reserved FROM stock WHERE on_hand < 0 OR reserved < 0 OR reserved > on_hand",
    "on hand differs from the ledger":
        "SELECT s.bin_id, s.sku, s.on_hand, COALESCE(SUM(l.delta), 0) FROM stock s LEFT JOIN stock_ledger l"
        " ON l.bin_id = s.bin_id AND l.sku = s.sku GROUP BY s.id, s.bin_id, s.sku, s.on_hand"
        " HAVING s.on_hand <> COALESCE(SUM(l.delta), 0)",
    "reserved differs from the open reservations":
        "SELECT s.id, s.reserved, COALESCE(SUM(r.qty - r.picked), 0) FROM stock s LEFT JOIN reservation r"
        " ON r.stock_id = s.id AND r.status = 'active' GROUP BY s.id, s.reserved"
        " HAVING s.reserved <> COALESCE(SUM(r.qty - r.picked), 0)",
    "tracking number on two parcels":
        "SELECT tracking_no FROM parcel WHERE tracking_no IS NOT NULL GROUP BY tracking_no HAVING COUNT(*) > 1",
    "order with two tracking numbers":
        "SELECT order_id FROM trackingnumber GROUP BY order_id HAVING COUNT(*) > 1",
    "parcel whose number was not handed out for its order":
        "SELECT p.tracking_no FROM parcel p LEFT JOIN trackingnumber t ON t.tracking_no = p.tracking_no"
        " WHERE t.tracking_no IS NULL OR t.order_id <> p.order_id",
    "order packed into two parcels":
        "SELECT order_id FROM parcel GROUP BY order_id HAVING COUNT(*) > 1",
    "session with two passing weighings":
        "SELECT session_id FROM weighing WHERE tracking_no IS NOT NULL GROUP BY session_id HAVING COUNT(*) > 1",
    "weighing event counted twice":
        "SELECT event_id FROM weighing WHERE event_id IS NOT NULL GROUP BY event_id HAVING COUNT(*) > 1",
    "scan event counted twice":
        "SELECT event_id FROM pack_scan WHERE event_id IS NOT NULL GROUP BY event_id HAVING COUNT(*) > 1",
    "more units scanned than ordered":
        "SELECT ps.session_id, ps.sku FROM pack_scan ps JOIN pack_session s ON s.id = ps.session_id"
        " WHERE ps.outcome = 'accepted' GROUP BY ps.session_id, ps.sku, s.order_id"
        " HAVING COUNT(*) > (SELECT COALESCE(SUM(ol.qty), 0) FROM order_line ol"
        " WHERE ol.order_id = s.order_id AND ol.sku = ps.sku)",
    "parcel with two first labels":
        "SELECT parcel_id FROM print_job WHERE reprint_of IS NULL AND parcel_id IS NOT NULL"
        " GROUP BY parcel_id HAVING COUNT(*) > 1",
    "parcel with no label queued":
        "SELECT p.id FROM parcel p LEFT JOIN print_job j ON j.parcel_id = p.id WHERE j.id IS NULL",
}


def anomalies(engine: Engine) -> list[str]:
    """Every way the database breaks the promises (nothing lost, nothing doubled): [] when none."""
    found = []
    with engine.connect() as conn:
        for name, sql in CHECKS.items():
            rows = conn.execute(text(sql)).fetchall()
            if rows:
                found.append(f"{name}: {[tuple(r) for r in rows[:5]]}")
    return found


def count(engine: Engine, sql: str, **params: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(sql), params).scalar_one())


def add_printer(engine: Engine, name: str, url: str, stations: tuple[str, ...] = ()) -> None:
    """A ZPL network printer, and the stations whose labels it prints."""
    from wms.adapters.db.tables import Printer, Station
    from wms.adapters.db.uow import UnitOfWork

    with UnitOfWork(engine) as uow:
        uow.session.add(Printer(name=name, url=url, protocol="zpl", dpi=203, label_size="100x150"))
        for code in stations:
            uow.session.add(Station(code=code, name=code, printer_name=name))
        uow.commit()


def queue_labels(engine: Engine, printer: str, n: int, prefix: str = "SF1400") -> list[str]:
    """n waybills queued for `printer` in one transaction, as packed parcels queue theirs."""
    from wms.adapters.db.uow import UnitOfWork
    from wms.services.labels import print_queue

    waybill = json.loads((REPO / "fixtures" / "waybill-sample.json").read_text("utf-8"))
    numbers = [f"{prefix}{i:07d}" for i in range(n)]
    with UnitOfWork(engine) as uow:
        for number in numbers:
            print_queue.enqueue(uow, printer, {**waybill, "tracking_no": number}, None, "test")
        uow.commit()
    return numbers


def jobs_by_status(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {s: int(n) for s, n in conn.execute(text("SELECT status, COUNT(*) FROM print_job GROUP BY status"))}


def wait_for(check: Callable[[], bool], timeout: float = 120.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)
