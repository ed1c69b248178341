"""Sends queued waybills to the printers the service reaches directly (network, serial, file).

Printers whose URL is `agent://` are printed by their station agent instead (it claims
jobs over the API). The worker checks the printer's status first where the protocol has
one, so a printer that is out of paper keeps its jobs instead of swallowing them.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine

from printing.render import render
from printing.status import printer_status
from printing.transports import TransportError, open_transport
from printing.waybill import Waybill, WaybillError
from wms.adapters.db.tables import Printer
from wms.adapters.db.types import utcnow
from wms.adapters.db.uow import UnitOfWork
from wms.services import job_queue
from wms.services.labels import print_queue

_STATUS_SCHEMES = ("tcp://", "socket://", "serial://", "/dev/", "rfc2217://")


def _check_ready(printer: Printer) -> str | None:
    """None when the printer can take a label (or cannot tell us); else what is wrong."""
    if not printer.url.startswith(_STATUS_SCHEMES):
        return None
    try:
        with open_transport(printer.url, timeout=2.0) as transport:
            status = printer_status(transport, printer.protocol, timeout=1.0)
    except (TransportError, OSError) as exc:
        return f"unreachable: {exc}"
    if status.known and not status.ready:
        return status.describe()
    return None


def print_one(engine: Engine, printer: Printer, worker: str) -> bool:
    """Claim and send one job for `printer`; False when its queue is empty."""
    with UnitOfWork(engine) as uow:
        job = print_queue.claim_next(uow, [printer.name], worker)
        if job is None:
            return False
        try:
            data = render(Waybill.from_dict(job.waybill), printer.protocol, printer.label_size, printer.dpi)
        except WaybillError as exc:
            print_queue.mark_failed(uow, job.id, worker, f"bad label: {exc}", give_up=True)  # type: ignore[arg-type]
            return True
        problem = _check_ready(printer)
        if problem:
            print_queue.mark_failed(uow, job.id, worker, problem)  # type: ignore[arg-type]
            _set_status(uow, printer.name, problem)
            return False
        try:
            with open_transport(printer.url, timeout=5.0) as transport:
                transport.write(data)
                transport.finish(5.0)  # a printer gone mid-label: not printed, sent again once back
        except (TransportError, OSError) as exc:
            print_queue.mark_failed(uow, job.id, worker, f"printer: {exc}")  # type: ignore[arg-type]
            _set_status(uow, printer.name, f"error: {exc}")
            return False
        print_queue.mark_printed(uow, job.id, worker)  # type: ignore[arg-type]
        _set_status(uow, printer.name, "ready")
        return True


def _set_status(uow: UnitOfWork, name: str, status: str) -> None:
    row = uow.session.get(Printer, name)
    if row is not None:
        row.status, row.status_at = status[:40], utcnow()
        uow.session.add(row)
        uow.commit()


def run_once(engine: Engine, worker: str) -> int:
    """One pass over every directly reachable printer; returns labels printed."""
    with UnitOfWork(engine) as uow:
        print_queue.fail_interrupted(uow)
        printers = [p for p in print_queue.printers(uow) if not p.url.startswith("agent://")]
    printed = 0
    for printer in printers:
        while print_one(engine, printer, worker):
            printed += 1
    return printed


def print_worker_thread(engine: Engine, interval: float = 1.0) -> job_queue.QueueWorker:
    """The thread `wms serve` runs: `run_once` every `interval` seconds, one per service instance."""
    return job_queue.QueueWorker("print-worker", run_once, engine, interval, id_prefix="svc")
