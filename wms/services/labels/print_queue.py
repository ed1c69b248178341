"""The durable print queue: jobs live in the database until a printer has taken them.

queued -> sending -> printed | failed. A printer that is off, offline or out of paper
keeps its jobs queued, retried with back-off; only a label that cannot be rendered
fails at once. The claim is a conditional update, so two service instances never send
the same job. A job found still `sending` after its lease (the sender died mid-send) is
not sent again by itself, since the label may already be on paper: it is marked failed
with that explanation and waits for a person, whose reprint is recorded with who and why.
A printer that went away mid-label (it closed the connection with part of the job unread)
did not print it: the job is queued again with that reason and sent once it is back.

`enqueue` and `reprint` leave the commit to their caller; a worker's claim and its outcome
(`claim_next`, `mark_printed`, `mark_failed`, `fail_interrupted`) commit at once.
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

from sqlmodel import select

from printing.fonts import REPLACEMENT, drawable
from printing.waybill import Waybill
from wms.adapters.db import prepared
from wms.adapters.db.tables import PackSessionRow, Parcel, Printer, PrintJob
from wms.adapters.db.types import utcnow
from wms.adapters.db.uow import UnitOfWork
from wms.domain.errors import Conflict, Forbidden, NotFound
from wms.services import job_queue

LEASE = timedelta(seconds=float(os.environ.get("WMS_PRINT_LEASE_S", "120")))  # longer than any send takes


def printer_for_station(uow: UnitOfWork, station: str) -> str:
    """The station's own printer if one is set, else its agent's (`station:<code>`)."""
    return prepared.station_printer(uow, station) or f"station:{station}"


def component_queue(station: str) -> str:
    """Where a platform e-waybill waits for the station to relay it to the print component."""
    return f"component:{station}"


def label_warnings(waybill: dict[str, Any]) -> list[str]:
    """What the label will not show as written: characters no font draws (printing.fonts),
    by field. Told to the packer in the weighing's answer and kept on the print job."""
    recipient = waybill.get("recipient") or {}
    fields = {"recipient.name": recipient.get("name"), "recipient.address": " ".join(
        str(recipient.get(k) or "") for k in ("province", "city", "district", "address")),
        "remark": waybill.get("remark"),
        "items": " ".join(str(i.get("name") or "") for i in waybill.get("items") or [] if isinstance(i, dict))}
    out = []
    for field, text in fields.items():
        missing = drawable(str(text or ""))[1]
        if missing:
            out.append(f"{field}: no font draws {' '.join(missing)}; printed as {REPLACEMENT}")
    return out


def enqueue(uow: UnitOfWork, printer: str, waybill: Waybill | dict[str, Any], parcel_id: int | None,
            requested_by: str, reprint_of: int | None = None, reason: str | None = None) -> PrintJob:
    """Queue a label: a parcel's new `Waybill`, or one stored before (a reprint) as it was queued."""
    stored = waybill.to_dict() if isinstance(waybill, Waybill) else waybill
    warnings = label_warnings(stored)
    job = PrintJob(printer=printer, tracking_no=stored.get("tracking_no"), parcel_id=parcel_id,
                   waybill=stored, requested_by=requested_by, reprint_of=reprint_of, reason=reason,
                   next_attempt_at=utcnow(), warning="; ".join(warnings)[:500] or None)
    uow.insert(job)  # a queued job is only ever changed later, by the worker that claims it
    return job


PACKER_REPRINT_WINDOW = timedelta(hours=2)  # a packer reprints a jammed label of their own, not last week's


def reprint(uow: UnitOfWork, tracking_no: str, who: str, reason: str, printer: str | None = None,
            role: str = "supervisor") -> PrintJob:
    """A person asked for the label again: a new job that says who and why. A packer may reprint
    a parcel they packed in the last two hours, to its station's printer; a supervisor any."""
    first = uow.session.exec(
        select(PrintJob).where(PrintJob.tracking_no == tracking_no, PrintJob.reprint_of.is_(None))  # type: ignore[union-attr]
    ).first()
    if first is None:
        raise NotFound(f"no label was ever queued for {tracking_no}", "unknown_parcel")
    if not reason.strip():
        raise Conflict("a reprint needs a reason", "reason_required")

    parcel = uow.session.get(Parcel, first.parcel_id) if first.parcel_id else None
    if parcel is not None and parcel.status == "voided":
        raise Conflict(f"parcel {tracking_no} was voided ({parcel.void_reason}); its label must not be printed",
                       "parcel_voided")
    if role == "packer":
        _check_packers_own(uow, parcel, tracking_no, who, printer)
    if first.waybill.get("component") and printer and not printer.startswith("component:"):
        raise Conflict(f"{tracking_no} is a platform e-waybill: only the {first.waybill['component']} print "
                       "component at a station can print it (leave the printer out)", "platform_label")
    return enqueue(uow, printer or first.printer, first.waybill, first.parcel_id, who, first.id, reason)


def _check_packers_own(uow: UnitOfWork, parcel: Parcel | None, tracking_no: str, who: str, printer: str | None) -> None:
    session = uow.session.get(PackSessionRow, parcel.session_id) if parcel is not None and parcel.session_id else None
    recent = parcel is not None and parcel.created_at >= utcnow() - PACKER_REPRINT_WINDOW
    if session is None or session.operator != who or not recent or printer:
        raise Forbidden(f"{tracking_no}: a packer reprints only labels they packed in the last "
                        f"{int(PACKER_REPRINT_WINDOW.total_seconds() // 3600)} hours, on their station's printer; "
                        "ask a supervisor for this one", "not_your_label")


def claim_next(uow: UnitOfWork, printers: list[str], worker: str) -> PrintJob | None:
    """Take the oldest due job for these printers, or None. Safe across service instances."""
    return job_queue.claim_next(uow, PrintJob, worker, PrintJob.printer.in_(printers))  # type: ignore[attr-defined]


def mark_printed(uow: UnitOfWork, job_id: int, worker: str) -> None:
    job_queue.mark_done(uow, PrintJob, job_id, worker, "printed", printed_at=utcnow(), last_error=None)


def mark_failed(uow: UnitOfWork, job_id: int, worker: str, error: str, give_up: bool = False) -> None:
    """Printer trouble: back off (2 s, 4 s ... at most 60 s) and keep the job. `give_up`:
    the label itself is bad, so it waits as failed for a person."""
    job_queue.mark_failed(uow, PrintJob, job_id, worker, error,
                          lambda job: None if give_up else job_queue.backoff_s(job.attempts, 60, 6))


def fail_interrupted(uow: UnitOfWork) -> int:
    """Jobs left `sending` past their lease: maybe printed, maybe not; a person decides."""
    return job_queue.settle_interrupted(
        uow, PrintJob, LEASE, job_queue.FAILED,
        "interrupted while sending: check the printer, reprint if no label came out")


def printers(uow: UnitOfWork) -> list[Printer]:
    return list(uow.session.exec(select(Printer).order_by(Printer.name)).all())


def list_jobs(uow: UnitOfWork, status: str | None = None, tracking_no: str | None = None,
              limit: int = 200) -> list[PrintJob]:
    stmt = select(PrintJob)
    if status:
        stmt = stmt.where(PrintJob.status == status)
    if tracking_no:
        stmt = stmt.where(PrintJob.tracking_no == tracking_no)
    return list(uow.session.exec(stmt.order_by(PrintJob.id.desc()).limit(limit)).all())  # type: ignore[union-attr]
