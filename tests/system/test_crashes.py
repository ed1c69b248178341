"""`wms serve` killed with SIGKILL (a power cut, the OOM killer) in the middle of work, then
started again: what it acknowledged is there exactly once, nothing is doubled when the stations
resend, and what was cut off half-way waits for a person. Runs on the test database (SQLite
file, or PostgreSQL with WMS_TEST_DATABASE_URL); checked by SQL (tests/system/warehouse.py)."""

from __future__ import annotations

import re
import threading

import httpx
from sqlalchemy import text

from scanners.emulators.network_printer import NetworkPrinter
from tests.system.warehouse import (
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
    stock_skus,
    wait_for,
)

STATIONS, ORDERS_EACH = 4, 6
LINES = {0: 1, 1: 2}


def test_killed_in_a_burst_of_weighings_keeps_each_acknowledged_one_once_and_resends_double_nothing(
        engine, services, tokens):
    service = services()
    stations = [f"PK-{n + 1:02d}" for n in range(STATIONS)]
    with client(service.url, tokens["admin"]) as admin:
        stock_skus(admin, {0: 100, 1: 100})
        for s in range(STATIONS):
            for i in range(ORDERS_EACH):
                place_order(admin, f"K{s}-{i}", LINES)
    acknowledged: dict[str, str] = {}  # weighing event id -> tracking number the station was told
    progress = [0] * STATIONS  # per station: how many of its events were answered
    lock = threading.Lock()
    enough = threading.Event()

    def events_of(s: int) -> list[dict]:
        return [e for i in range(ORDERS_EACH) for e in parcel_events(stations[s], f"K{s}-{i}", LINES)]

    def station(s: int) -> None:
        code = stations[s]
        with client(service.url, tokens["packer"], timeout=10) as c:
            for event in events_of(s):
                try:
                    r = c.post(f"/api/stations/{code}/events", json=event)
                except httpx.HTTPError:
                    return  # the service is gone: this station waits for it, as a real one would
                if r.status_code != 200:
                    return
                progress[s] += 1
                if event["kind"] == "weight":
                    with lock:
                        acknowledged[event["event_id"]] = r.json()["result"]["tracking_no"]
                        if len(acknowledged) >= STATIONS * 2:
                            enough.set()

    threads = [threading.Thread(target=station, args=(s,), daemon=True) for s in range(STATIONS)]
    for t in threads:
        t.start()
    assert enough.wait(120), "the stations did not get going"
    service.kill()  # in the middle of the burst: other stations have requests in flight
    for t in threads:
        t.join(30)
    before = dict(acknowledged)
    assert anomalies(engine) == [], "the database is consistent right after the kill"

    service.start()
    with client(service.url, tokens["packer"]) as c:
        for s, code in enumerate(stations):
            events = events_of(s)
            # Every acknowledged weighing sent again (its answer lost, say): the same number back.
            for event in events:
                if event["event_id"] in before:
                    answer = ok(c.post(f"/api/stations/{code}/events", json=event))
                    assert answer["action"] == "replayed", answer
                    assert answer["result"]["tracking_no"] == before[event["event_id"]]
            # Then each station carries on from its last answered event, sent again in case its
            # answer was lost, through the one in flight at the kill to the end.
            for event in events[max(0, progress[s] - 1):]:
                answer = ok(c.post(f"/api/stations/{code}/events", json=event))
                if event["kind"] == "weight":
                    assert answer["result"]["tracking_no"], answer
    for event_id, number in before.items():
        assert count(engine, "SELECT COUNT(*) FROM weighing WHERE event_id = :e AND tracking_no = :t",
                     e=event_id, t=number) == 1, event_id
    orders = STATIONS * ORDERS_EACH
    assert count(engine, "SELECT COUNT(*) FROM parcel") == orders
    assert count(engine, "SELECT COUNT(DISTINCT tracking_no) FROM parcel") == orders
    assert count(engine, "SELECT COUNT(*) FROM orders WHERE status = 'packed'") == orders
    assert count(engine, "SELECT SUM(on_hand) FROM stock") == 200 - orders * 3
    assert anomalies(engine) == []


def test_killed_while_printing_no_label_is_sent_twice_and_the_cut_off_one_waits_for_a_person(
        engine, services, tokens):
    labels = 12
    with NetworkPrinter() as printer:
        add_printer(engine, "PRN-CRASH", printer.url)
        numbers = queue_labels(engine, "PRN-CRASH", labels)
        env = {"WMS_PRINT_LEASE_S": "2"}
        service = services(print_worker=True, env=env)
        printer.wait_jobs(3, timeout=60)
        printer.pause()  # the printer stops taking data: the next label hangs half-sent
        cut_off = None
        try:
            # The label already past the printer's pause when it came still prints whole, so
            # the cut-off one is the label the printer holds: wait for that before naming it,
            # and kill well inside the sender's wait for the printer's answer.
            assert printer.wait_until(lambda: printer.held > 0, timeout=20), "no label was held"
            wait_for(lambda: jobs_by_status(engine).get("sending", 0) > 0, timeout=20, what="a label being sent")
            with engine.connect() as conn:
                cut_off = conn.execute(text("SELECT tracking_no FROM print_job WHERE status = 'sending'")).scalar()
        except AssertionError:
            pass  # the queue ran ahead of the pause; the kill still lands mid-queue
        service.kill()
        printer.resume()
        received_before = len(printer.jobs)
        service.start()
        wait_for(lambda: not ({"queued", "sending"} & set(jobs_by_status(engine))), timeout=90,
                 what="the queue to drain after the restart")
        service.stop()
        on_paper = label_numbers(printer.jobs)
    assert len(on_paper) == len(set(on_paper)), f"a label was printed twice: {on_paper}"
    statuses = jobs_by_status(engine)
    assert statuses.get("printed", 0) + statuses.get("failed", 0) == labels
    with engine.connect() as conn:
        failed = conn.execute(text("SELECT tracking_no, last_error FROM print_job WHERE status = 'failed'")).all()
        printed = {r[0] for r in conn.execute(text("SELECT tracking_no FROM print_job WHERE status = 'printed'"))}
    assert printed <= set(on_paper) and printed | {f[0] for f in failed} == set(numbers)
    for number, error in failed:
        assert "interrupted while sending" in error, (number, error)
    if cut_off is not None:
        assert cut_off in {f[0] for f in failed}, "the label cut off by the kill waits for a person"
    assert len(failed) <= 1 and received_before >= 3


def test_a_pool_running_dry_mid_burst_is_a_clear_409_at_the_station_and_shows_on_the_overview(
        engine, services, tokens):
    service = services()
    with client(service.url, tokens["admin"]) as admin:
        ok(admin.post("/api/carriers", json={"code": "SF", "name": "顺丰速运", "regions": ["*"], "cod": True,
                                             "max_weight_g": 30000, "default": True}))
        ok(admin.post("/api/carriers/SF/pools", json={"prefix": "SF", "digits": 13, "start": 1000, "end": 1002}))
        stock_skus(admin, {0: 20, 1: 20})
        for i in range(5):
            place_order(admin, f"P{i}", LINES)
        outcomes = []
        with client(service.url, tokens["packer"]) as c:
            for i in range(5):
                answer = None
                for event in parcel_events("PK-01", f"P{i}", LINES):
                    answer = c.post("/api/stations/PK-01/events", json=event)
                    assert answer.status_code < 500, answer.text
                outcomes.append((answer.status_code, answer.json()))
        passed = [o for o in outcomes if o[0] == 200]
        dry = [o for o in outcomes if o[0] == 409]
        assert len(passed) == 3 and len(dry) == 2, outcomes
        for _, body in dry:
            assert body["error"] == "pool_exhausted" and "load a new range" in body["message"]
        pools = ok(admin.get("/api/tracking-pools"))
    sf = [p for p in pools["pools"] if p["carrier"] == "SF"]
    assert sf and sf[0]["remaining"] == 0, pools
    with httpx.Client(base_url=service.url, timeout=30) as browser:  # the lead's overview page
        csrf = re.search(r'name="csrf-token" content="([^"]+)"', browser.get("/login").text).group(1)
        browser.post("/login", data={"token": tokens["admin"], "csrf_token": csrf})
        page = browser.get("/")
    assert page.status_code == 200
    assert 'id="pool-warnings"' in page.text and "SF" in page.text and "no tracking numbers left" in page.text
    assert count(engine, "SELECT COUNT(*) FROM parcel") == 3
    assert anomalies(engine) == []
