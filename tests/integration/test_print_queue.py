"""The durable print queue: what a printer on the network really receives, and when."""

import json
import socket
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from scanners.emulators.escpos_printer import EscPosPrinter
from scanners.emulators.network_printer import NetworkPrinter
from wms.adapters.db.tables import Printer, PrintJob
from wms.adapters.db.types import utcnow
from wms.adapters.db.uow import UnitOfWork
from wms.services.labels import print_queue
from wms.services.labels.print_worker import run_once

WAYBILL = json.loads((Path(__file__).parents[2] / "fixtures" / "waybill-sample.json").read_text("utf-8"))


def add_printer(engine, name, url, protocol="zpl"):
    with UnitOfWork(engine) as uow:
        uow.session.add(Printer(name=name, url=url, protocol=protocol, dpi=203, label_size="100x150"))
        uow.commit()


def queue(engine, printer, n=1):
    with UnitOfWork(engine) as uow:
        ids = []
        for i in range(n):
            job = print_queue.enqueue(uow, printer, {**WAYBILL, "tracking_no": f"SF14000123{i:05d}"}, None, "test")
            ids.append(job.id)
        uow.commit()
        return ids


def jobs(engine):
    with UnitOfWork(engine) as uow:
        return {j.id: j for j in uow.session.exec(select(PrintJob)).all()}


def test_a_queued_label_reaches_a_network_printer_once(engine):
    printer = NetworkPrinter()
    add_printer(engine, "P1", f"tcp://127.0.0.1:{printer.port}")
    (job_id,) = queue(engine, "P1")
    assert run_once(engine, "w1") == 1
    assert run_once(engine, "w1") == 0
    _wait(lambda: len(printer.jobs) == 1)
    assert printer.jobs[0].startswith(b"^XA") and b"^GF" in printer.jobs[0]
    assert jobs(engine)[job_id].status == "printed"


def test_a_printer_that_is_off_keeps_its_jobs(engine):
    dead = socket.socket()
    dead.bind(("127.0.0.1", 0))
    port = dead.getsockname()[1]
    dead.close()  # nothing listens there now
    add_printer(engine, "P1", f"tcp://127.0.0.1:{port}")
    (job_id,) = queue(engine, "P1")
    assert run_once(engine, "w1") == 0
    job = jobs(engine)[job_id]
    assert job.status == "queued"
    assert job.last_error
    assert job.next_attempt_at > utcnow()


def test_paper_out_keeps_the_job_and_it_prints_once_paper_is_back(engine):
    emulator = EscPosPrinter(transport="tcp", paper_out=True).start()
    try:
        url = emulator.path.replace("socket://", "tcp://")
        add_printer(engine, "P1", url, protocol="escpos")
        (job_id,) = queue(engine, "P1")
        assert run_once(engine, "w1") == 0
        job = jobs(engine)[job_id]
        assert job.status == "queued" and "paper out" in job.last_error
        assert b"\x1dv0" not in emulator.received
        emulator.paper_out = False
        with UnitOfWork(engine) as uow:  # skip the back-off wait
            row = uow.session.get(PrintJob, job_id)
            row.next_attempt_at = utcnow()
            uow.session.add(row)
            uow.commit()
        assert run_once(engine, "w1") == 1
        assert emulator.wait_received(lambda b: b.count(b"\x1dv0") >= 1, timeout=5)
        assert jobs(engine)[job_id].status == "printed"
    finally:
        emulator.stop()


def test_two_service_instances_never_send_the_same_job_twice(engine):
    printer = NetworkPrinter()
    add_printer(engine, "P1", f"tcp://127.0.0.1:{printer.port}")
    ids = queue(engine, "P1", 8)
    done = []
    threads = [threading.Thread(target=lambda w=w: done.append(run_once(engine, w))) for w in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sum(done) == 8
    _wait(lambda: len(printer.jobs) == 8)
    assert all(j.status == "printed" for j in jobs(engine).values())
    assert len(ids) == 8


def test_a_job_interrupted_mid_send_is_not_resent_by_itself(engine):
    printer = NetworkPrinter()
    add_printer(engine, "P1", f"tcp://127.0.0.1:{printer.port}")
    (job_id,) = queue(engine, "P1")
    with UnitOfWork(engine) as uow:
        assert print_queue.claim_next(uow, ["P1"], "crashed-worker").id == job_id
        row = uow.session.get(PrintJob, job_id)
        row.claimed_at = utcnow() - timedelta(minutes=10)
        uow.session.add(row)
        uow.commit()
    assert run_once(engine, "w2") == 0
    job = jobs(engine)[job_id]
    assert job.status == "failed" and "interrupted" in job.last_error
    assert printer.jobs == []


def test_a_reprint_is_a_new_job_that_records_who_and_why(api, engine):
    add_printer(engine, "P1", "memory://reprint-test")
    (job_id,) = queue(engine, "P1")
    tracking = jobs(engine)[job_id].tracking_no
    assert api.as_("packer").post(f"/api/parcels/{tracking}/reprint", {"reason": "label smudged"}).status_code == 403
    r = api.as_("supervisor").post(f"/api/parcels/{tracking}/reprint", {"reason": "label smudged"})
    assert r.status_code == 201, r.text
    assert (r.json()["reprint_of"], r.json()["requested_by"], r.json()["reason"]) == (job_id, "test-supervisor", "label smudged")


def test_a_label_that_cannot_be_rendered_fails_at_once_and_sends_nothing(engine):
    printer = NetworkPrinter()
    add_printer(engine, "P1", f"tcp://127.0.0.1:{printer.port}")
    with UnitOfWork(engine) as uow:
        bad = {**WAYBILL, "recipient": {**WAYBILL["recipient"], "address": ""}}
        bad.pop("tracking_no")
        job_id = print_queue.enqueue(uow, "P1", bad, None, "test").id
        uow.commit()
    run_once(engine, "w1")
    job = jobs(engine)[job_id]
    assert job.status == "failed" and "bad label" in job.last_error
    assert printer.jobs == []


def _wait(cond, timeout=5.0):
    import time

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return
        time.sleep(0.02)
    pytest.fail("condition not met in time")


def test_a_slow_printer_holds_no_transaction_while_it_takes_a_label(engine):
    """While the worker sends a label to a printer that is slow to take it, the warehouse goes on
    writing: no transaction of the print queue is open during the printer's I/O."""
    with NetworkPrinter() as printer:
        printer.linger_s = 3.0  # takes the label, confirms it 3 s later
        add_printer(engine, "P-SLOW", printer.url)
        queue(engine, "P-SLOW")
        worker = threading.Thread(target=run_once, args=(engine, "w-slow"), daemon=True)
        worker.start()
        deadline = utcnow() + timedelta(seconds=10)
        while jobs_status(engine) != "sending" and utcnow() < deadline:
            threading.Event().wait(0.05)
        assert jobs_status(engine) == "sending", "the worker took the job"
        started = utcnow()
        with engine.begin() as conn:  # a station's write while the printer dawdles
            conn.exec_driver_sql("UPDATE printer SET status = status WHERE name = 'P-SLOW'")
        waited = (utcnow() - started).total_seconds()
        worker.join(30)
    assert jobs_status(engine) == "printed"
    assert waited < 1.5, f"a write waited {waited:.1f} s behind the print worker"


def jobs_status(engine) -> str:
    with UnitOfWork(engine, read_only=True) as uow:  # a reader takes no lock
        return uow.session.exec(select(PrintJob.status)).one()
