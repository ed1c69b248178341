"""Two `wms serve` instances on one PostgreSQL schema, as a warehouse with two service hosts
runs: clients race through both for the last units, both print workers take from one queue,
and twenty stations weigh at once through both. Afterwards the database is checked by SQL
(tests/system/warehouse.py CHECKS) and the printer's labels are read back by barcode."""

from __future__ import annotations

from collections import Counter

import pytest

from scanners.emulators.network_printer import NetworkPrinter
from tests.system.warehouse import (
    RECIPIENT,
    add_printer,
    anomalies,
    client,
    count,
    jobs_by_status,
    label_numbers,
    ok,
    parcel_events,
    place_order,
    queue_labels,
    run_at_once,
    stock_skus,
    wait_for,
)

pytestmark = pytest.mark.usefixtures("postgres_only")
CLIENTS, LAST_UNITS, STATIONS, LABELS = 50, 10, 20, 40


def test_fifty_clients_racing_through_two_instances_for_the_last_units_get_exactly_those(engine, services, tokens):
    a, b = services(), services()
    with client(a.url, tokens["admin"]) as admin:
        stock_skus(admin, {0: LAST_UNITS, 1: 1000})
    answers: dict[str, str] = {}

    def buyer(i: int) -> None:
        order_no = f"RACE{i:03d}"
        body = {"order_no": order_no, "recipient": RECIPIENT, "lines": [{"sku": "S0", "qty": 1}, {"sku": "S1", "qty": 1}]}
        with client((a, b)[i % 2].url, tokens["admin"]) as http:
            answers[order_no] = ok(http.post("/api/orders", json=body))["status"]

    assert run_at_once(CLIENTS, buyer) == []
    assert len(answers) == CLIENTS
    assert Counter(answers.values()) == {"reserved": LAST_UNITS, "on_hold": CLIENTS - LAST_UNITS}
    reserved_in_db = count(engine, "SELECT COUNT(*) FROM orders WHERE status = 'reserved'")
    assert reserved_in_db == LAST_UNITS
    assert count(engine, "SELECT reserved FROM stock WHERE sku = 'S0'") == LAST_UNITS
    assert count(engine, "SELECT reserved FROM stock WHERE sku = 'S1'") == LAST_UNITS  # all or nothing per order
    held_with_reservations = count(engine, "SELECT COUNT(*) FROM reservation r JOIN orders o ON o.id = r.order_id"
                                           " WHERE o.status = 'on_hold' AND r.status = 'active'")
    assert held_with_reservations == 0
    assert anomalies(engine) == []


def test_both_instances_print_workers_share_one_queue_and_send_each_label_once(engine, services):
    with NetworkPrinter() as printer:
        add_printer(engine, "PRN-LINE", printer.url)
        a, b = services(print_worker=True), services(print_worker=True)
        numbers = queue_labels(engine, "PRN-LINE", LABELS)
        wait_for(lambda: jobs_by_status(engine).get("printed", 0) == LABELS, what="every label printed")
        received = printer.wait_jobs(LABELS, timeout=10)
        a.stop(), b.stop()  # nothing more may arrive once they are gone
        assert sorted(label_numbers(printer.jobs)) == sorted(numbers)
        assert len(printer.jobs) == LABELS == len(received)
        assert printer.partial == []
    assert jobs_by_status(engine) == {"printed": LABELS}
    assert anomalies(engine) == []


def test_twenty_stations_weighing_at_once_through_both_instances_pack_each_parcel_once(engine, services, tokens):
    stations = [f"PK-{n + 1:02d}" for n in range(STATIONS)]
    lines = {0: 1, 1: 1, 2: 2}
    with NetworkPrinter() as printer:
        add_printer(engine, "PRN-LINE", printer.url, tuple(stations))
        a, b = services(print_worker=True), services(print_worker=True)
        with client(a.url, tokens["admin"]) as admin:
            stock_skus(admin, {0: 100, 1: 100, 2: 100})
            for n in range(STATIONS):
                place_order(admin, f"TB{n:04d}", lines)
        passed: dict[str, str] = {}

        def station(n: int) -> None:
            """Each event goes to one instance and is sent again to the other, as an agent
            whose answer was lost resends it: the second must be a replay, never a second count."""
            code = stations[n]
            with client(a.url, tokens["packer"]) as first, client(b.url, tokens["packer"]) as second:
                for i, event in enumerate(parcel_events(code, f"TB{n:04d}", lines)):
                    one, other = (first, second) if (n + i) % 2 else (second, first)
                    answer = ok(one.post(f"/api/stations/{code}/events", json=event))
                    again = ok(other.post(f"/api/stations/{code}/events", json=event))
                    if event["kind"] == "weight":
                        assert answer["result"]["verdict"] == "pass", answer
                        assert again["action"] == "replayed"
                        assert again["result"]["tracking_no"] == answer["result"]["tracking_no"]
                        passed[code] = answer["result"]["tracking_no"]

        assert run_at_once(STATIONS, station) == []
        assert len(passed) == STATIONS and len(set(passed.values())) == STATIONS
        wait_for(lambda: jobs_by_status(engine).get("printed", 0) == STATIONS, what="every label printed")
        printer.wait_jobs(STATIONS, timeout=10)
        a.stop(), b.stop()
        assert sorted(label_numbers(printer.jobs)) == sorted(passed.values())
    assert count(engine, "SELECT COUNT(*) FROM parcel") == STATIONS
    assert count(engine, "SELECT COUNT(*) FROM weighing") == STATIONS
    assert count(engine, "SELECT COUNT(*) FROM pack_scan WHERE outcome = 'accepted'") == STATIONS * 4
    assert count(engine, "SELECT SUM(on_hand) FROM stock") == 300 - STATIONS * 4
    assert anomalies(engine) == []
