"""The ERP outbox: 奇门 calls to a seller's ERP besides a shipment's confirmation (which rides
the tracking-upload outbox), such as `entryorder.confirm` when an expected receipt is closed.

A message is written in the transaction that makes it true, one per (ERP, method, document
code) under a unique key, so nothing is queued twice. It is sent from the durable job queue
(`wms.services.job_queue`): claimed under a lease, retried with back-off while the ERP is busy
or away, and kept as failed for a person after too many tries (`wms erp outbox --retry ID`).
A message left `sending` by a dead worker goes out again: an ERP takes a confirmation of the
same document twice as one.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from wms.adapters.db.tables import ErpMessage, PlatformRow
from wms.adapters.db.types import utcnow
from wms.adapters.db.uow import UnitOfWork
from wms.adapters.platforms import PlatformError, erp_client_for
from wms.adapters.qimen.client import QimenClient
from wms.services import job_queue
from wms.services.platforms import erp_process

LEASE = timedelta(seconds=float(os.environ.get("WMS_UPLOAD_LEASE_S", "120")))
MAX_BACKOFF_S = 600
GIVE_UP_AFTER = 30
STATUSES = ("queued", "sending", "sent", "failed")


def enqueue(uow: UnitOfWork, erp: str, method: str, code: str, payload: dict[str, Any]) -> bool:
    """Queue `method` for the ERP's document `code` in the caller's transaction; False when it
    was queued before (the first one stands)."""
    if uow.session.exec(select(ErpMessage.id).where(ErpMessage.platform == erp, ErpMessage.method == method,
                                                    ErpMessage.code == code)).first() is not None:
        return False
    try:
        with uow.session.begin_nested():
            uow.session.add(ErpMessage(platform=erp, method=method, code=code, payload=payload,
                                       next_attempt_at=utcnow()))
    except IntegrityError:  # queued by another instance meanwhile
        return False
    return True


def send_one(engine: Engine, worker: str, clients: dict[str, QimenClient]) -> bool:
    """Claim and send one due message; False when none is due."""
    with UnitOfWork(engine) as uow:
        job = job_queue.claim_next(uow, ErpMessage, worker)
        if job is None:
            return False
        try:
            client = clients.get(job.platform)
            if client is None:
                erp = uow.session.get(PlatformRow, job.platform)
                client = clients[job.platform] = erp_client_for(erp)
            uow.commit()  # ends the read: no transaction stays open while the ERP answers
            client.call(job.method, job.payload)
        except PlatformError as exc:
            job_queue.mark_failed(uow, ErpMessage, job.id, worker, exc.message, _retry_in(exc),  # type: ignore[arg-type]
                                  last_error_code=exc.code[:40])
            return True
        job_queue.mark_done(uow, ErpMessage, job.id, worker, "sent", sent_at=utcnow(),  # type: ignore[arg-type]
                            last_error=None, last_error_code=None)
    return True


def _retry_in(exc: PlatformError) -> Any:
    """An ERP that is busy, away or misconfigured is tried again later (a person can fix a key
    meanwhile); after GIVE_UP_AFTER tries the message waits as failed."""
    def retry_in(job: ErpMessage) -> float | None:
        if job.attempts >= GIVE_UP_AFTER:
            return None
        return exc.retry_after or job_queue.backoff_s(job.attempts, MAX_BACKOFF_S, 10)
    return retry_in


LOOK_BACK = timedelta(days=1)  # a worker's first look at the status history reaches this far back
OVERLAP = timedelta(minutes=5)  # each later look overlaps the previous one: a change committed late is seen
_looked: dict[str, datetime] = {}  # worker -> when it last looked (a new worker looks a day back)


def queue_process_reports(engine: Engine, worker: str) -> int:
    """Queue `orderprocess.report` for the steps ERPs' orders reached since this worker last
    looked (wms.services.platforms.erp_process); returns how many were queued."""
    now = utcnow()
    since = _looked.get(worker, now - LOOK_BACK) - OVERLAP
    with UnitOfWork(engine) as uow:
        due = erp_process.due_reports(uow, since) + erp_process.due_stock_changes(uow, since)
        queued = sum(enqueue(uow, erp, method, code, payload) for erp, method, code, payload in due)
        uow.commit()
    _looked[worker] = now
    return queued


def run_once(engine: Engine, worker: str, lease: timedelta = LEASE, limit: int | None = None) -> int:
    """One pass: messages a dead worker left `sending` go out again, the floor's progress on ERP
    shipments is queued, then what is due is sent."""
    with UnitOfWork(engine) as uow:
        job_queue.settle_interrupted(uow, ErpMessage, lease, job_queue.QUEUED, "interrupted while sending; sent again",
                                     last_error_code="interrupted")
    queue_process_reports(engine, worker)
    clients: dict[str, QimenClient] = {}
    handled = 0
    try:
        while (limit is None or handled < limit) and send_one(engine, worker, clients):
            handled += 1
    finally:
        for client in clients.values():
            client.close()
    return handled


def counts(uow: UnitOfWork) -> dict[str, int]:
    return job_queue.counts(uow, ErpMessage, STATUSES)


def list_messages(uow: UnitOfWork, status: str | None = None, limit: int = 50) -> list[ErpMessage]:
    query = select(ErpMessage).order_by(ErpMessage.id.desc()).limit(limit)  # type: ignore[union-attr]
    if status:
        query = query.where(ErpMessage.status == status)
    return list(uow.session.exec(query).all())


def message_view(m: ErpMessage) -> dict[str, Any]:
    return {"id": m.id, "erp": m.platform, "method": m.method, "code": m.code, **job_queue.progress(m)}


def retry(uow: UnitOfWork, message_id: int) -> None:
    """A person sends a failed message again (the caller commits)."""
    job_queue.retry(uow, ErpMessage, message_id, "ERP message", "unknown_message")


def erp_outbox_thread(engine: Engine, interval: float = 2.0) -> job_queue.QueueWorker:
    """The thread `wms serve` runs beside the tracking-upload one: `run_once` every `interval` s."""
    return job_queue.QueueWorker("erp-outbox", run_once, engine, interval, first_wait=2.0, id_prefix="erp")
