"""Twelve stations packing at the same time over HTTP: distinct numbers, nothing doubled."""

import threading

import httpx
import pytest
from sqlmodel import select

from tests.integration.conftest import make_order, make_sku
from wms.adapters.db.tables import Parcel, PrintJob
from wms.adapters.db.uow import UnitOfWork
from wms.domain.codes import gtin_check_digit
from wms.service_process import ServiceProcess
from wms.services.stock.ledger import ledger_mismatches

STATIONS = 12


def ean(n):
    body = f"69{n:010d}"
    return body + str(gtin_check_digit(body))


def test_twelve_stations_pack_at_once_with_distinct_tracking_numbers(api, tokens, live_url, engine):
    pack_at_once(api, tokens, live_url, engine)


@pytest.fixture
def two_worker_url(database_url, tmp_path):
    """`wms serve --workers 2` on the test database: two processes writing the same file."""
    with ServiceProcess(database_url, workers=2, env={"WMS_PLATFORM_SYNC": "false"},
                        log=tmp_path / "serve.log") as service:
        yield service.url


def test_twelve_stations_on_two_service_processes_get_distinct_numbers(api, tokens, two_worker_url, engine):
    pack_at_once(api, tokens, two_worker_url, engine)


def pack_at_once(api, tokens, url, engine):
    for i in range(3):
        make_sku(api, f"S{i}", 100 + 50 * i, 3, ean(i))
        api.post("/api/stock/receipts", {"sku": f"S{i}", "bin": f"A0{i + 1}-01-1", "qty": 100})
    for n in range(STATIONS):
        make_order(api, f"TB9{n:03d}", [("S0", 1), ("S1", 1), ("S2", 2)])
    results, errors = {}, []
    barrier = threading.Barrier(STATIONS)

    def station(n):
        code = f"PK-{n + 1:02d}"
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {tokens['packer']}"},
                          timeout=30) as http:
            barrier.wait()
            try:
                events = [f"TB9{n:03d}", ean(0), ean(1), ean(2), ean(2)]
                for i, scanned in enumerate(events):
                    r = http.post(f"/api/stations/{code}/events", json={
                        "event_id": f"{code}-{i}", "kind": "scan", "code": scanned,
                        "at": f"2026-11-22T10:00:0{i}.000Z"})
                    assert r.status_code == 200, r.text
                r = http.post(f"/api/stations/{code}/events", json={
                    "event_id": f"{code}-w", "kind": "weight", "grams": 100 + 150 + 400, "stable": True})
                assert r.status_code == 200, r.text
                results[code] = r.json()["result"]
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append((code, exc))

    threads = [threading.Thread(target=station, args=(n,)) for n in range(STATIONS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    assert all(r["verdict"] == "pass" for r in results.values())
    numbers = [r["tracking_no"] for r in results.values()]
    assert len(numbers) == STATIONS and len(set(numbers)) == STATIONS
    with UnitOfWork(engine) as uow:
        assert len(uow.session.exec(select(Parcel)).all()) == STATIONS
        assert len(uow.session.exec(select(PrintJob)).all()) == STATIONS
        assert ledger_mismatches(uow) == []


def test_a_resent_weight_event_does_not_make_a_second_parcel(api, tokens):
    make_sku(api, "S0", 100, 3, ean(0))
    api.post("/api/stock/receipts", {"sku": "S0", "bin": "A01-01-1", "qty": 5})
    make_order(api, "TB777", [("S0", 1)])
    packer = api.as_("packer")
    assert packer.post("/api/stations/PK-01/events", {"event_id": "e1", "kind": "scan", "code": "TB777"}).json()["action"] == "opened"
    assert packer.post("/api/stations/PK-01/events", {"event_id": "e2", "kind": "scan", "code": ean(0)}).json()["action"] == "scanned"
    first = packer.post("/api/stations/PK-01/events", {"event_id": "e3", "kind": "weight", "grams": 101})
    again = packer.post("/api/stations/PK-01/events", {"event_id": "e3", "kind": "weight", "grams": 101})
    assert first.status_code == again.status_code == 200
    assert first.json()["result"]["tracking_no"] == again.json()["result"]["tracking_no"]
    assert again.json()["action"] == "replayed"


def test_an_item_scan_with_no_open_session_says_so(api):
    make_sku(api, "S0", 100, 3, ean(0))
    r = api.as_("packer").post("/api/stations/PK-02/events", {"event_id": "x1", "kind": "scan", "code": ean(0)})
    assert r.status_code == 409
    assert r.json()["error"] == "no_open_session"
