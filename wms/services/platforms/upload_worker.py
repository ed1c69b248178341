"""Sending the tracking-upload outbox: claims under a lease, retries with back-off, a failure
kept for a person after too many; the worker thread `wms serve` runs."""

from __future__ import annotations

import os
from datetime import timedelta

from sqlalchemy.engine import Engine

from wms.adapters.db.tables import PlatformRow, TrackingUpload
from wms.adapters.db.types import utcnow
from wms.adapters.db.uow import UnitOfWork
from wms.adapters.platforms import PlatformError, TrackingSink, tracking_sink_for
from wms.services import job_queue
from wms.services.platforms import tokens
from wms.services.platforms.uploads import enqueue_packed

LEASE = timedelta(seconds=float(os.environ.get("WMS_UPLOAD_LEASE_S", "120")))  # a claim older is dead


MAX_BACKOFF_S = 600


GIVE_UP_AFTER = 30  # attempts; then it waits as failed for a person


RETRY_CODES = {"timeout", "unreachable", "platform_down", "bad_answer", "rate_limited", "token_expired",
               "token_missing", "bad_signature", "bad_app_key", "not_configured", "no_permission", "cannot_write"}


def claim_next(uow: UnitOfWork, worker: str) -> TrackingUpload | None:
    return job_queue.claim_next(uow, TrackingUpload, worker)


def mark_sent(uow: UnitOfWork, upload_id: int, worker: str, status: str = "sent", note: str | None = None) -> None:
    job_queue.mark_done(uow, TrackingUpload, upload_id, worker, status, sent_at=utcnow(), last_error=note,
                        last_error_code=None)


def mark_failed(uow: UnitOfWork, upload_id: int, worker: str, exc: PlatformError) -> None:
    """Trouble time can cure backs off (or waits as long as the platform asked); a refusal no
    retry can change, or too many attempts, fails for a person."""
    def retry_in(row: TrackingUpload) -> float | None:
        if not ((exc.retryable or exc.code in RETRY_CODES) and row.attempts < GIVE_UP_AFTER):
            return None
        return exc.retry_after or job_queue.backoff_s(row.attempts, MAX_BACKOFF_S, 10)
    job_queue.mark_failed(uow, TrackingUpload, upload_id, worker, exc.message, retry_in,
                          last_error_code=exc.code[:40])


def requeue_interrupted(uow: UnitOfWork, lease: timedelta = LEASE) -> int:
    """Rows left `sending` past their lease go out again; the platform turns a repeat into 'already sent'."""
    return job_queue.settle_interrupted(uow, TrackingUpload, lease, job_queue.QUEUED,
                                        "interrupted while sending; sent again", last_error_code="interrupted")


def _set_platform_error(engine: Engine, name: str, exc: PlatformError | None) -> None:
    with UnitOfWork(engine) as uow:
        row = uow.session.get(PlatformRow, name)
        if row is None:
            return
        if exc is None:
            if row.last_error_code and row.last_error_code.startswith("upload:"):
                row.last_error = row.last_error_code = None
                uow.session.add(row)
                uow.commit()
            return
        row.last_error, row.last_error_code = f"tracking upload: {exc.message}"[:500], f"upload:{exc.code}"[:40]
        row.last_error_at = utcnow()
        uow.session.add(row)
        uow.commit()


def send_one(engine: Engine, worker: str, connectors: dict[str, TrackingSink]) -> bool:
    """Claim and send one due upload; False when none is due."""
    with UnitOfWork(engine) as uow:
        job = claim_next(uow, worker)
        if job is None:
            return False
        platform = uow.session.get(PlatformRow, job.platform)
        try:
            if platform is None:
                raise PlatformError("unknown_platform", f"platform {job.platform} was removed")
            if job.extra.get("additional_package") and platform.kind == "taobao":
                mark_sent(uow, job.id, worker, "skipped",  # type: ignore[arg-type]
                          "a further parcel of a trade already consigned: Taobao keeps one number per trade")
                return True
            conn = connectors.get(platform.name)
            if conn is None:
                conn = connectors[platform.name] = tracking_sink_for(platform)
            uow.commit()  # ends the read: no transaction stays open while the platform answers
            result = conn.upload_tracking(job.platform_order_no, job.carrier, job.tracking_no, list(job.sub_orders),
                                          dict(job.extra))
        except PlatformError as exc:
            mark_failed(uow, job.id, worker, exc)  # type: ignore[arg-type]
            _set_platform_error(engine, job.platform, exc)
            return True
        mark_sent(uow, job.id, worker, note="the platform had it already" if result.get("already_sent") else None)  # type: ignore[arg-type]
    if (platform.last_error_code or "").startswith("upload:"):  # an upload error on show: it is over now
        _set_platform_error(engine, job.platform, None)
    return True


def run_once(engine: Engine, worker: str, lease: timedelta = LEASE, limit: int | None = None) -> int:
    """One pass: requeue interrupted rows, queue packed parcels, renew shop tokens about to run
    out, send what is due. Returns rows handled."""
    tokens.keep_all_fresh(engine)
    with UnitOfWork(engine) as uow:
        requeue_interrupted(uow, lease)
        enqueue_packed(uow)
    connectors: dict[str, TrackingSink] = {}
    handled = 0
    try:
        while (limit is None or handled < limit) and send_one(engine, worker, connectors):
            handled += 1
    finally:
        for conn in connectors.values():
            conn.close()
    return handled


def upload_worker_thread(engine: Engine, interval: float = 2.0) -> job_queue.QueueWorker:
    """The thread `wms serve` runs: `run_once` every `interval` seconds, one per service instance.
    It lets the app finish starting first (its engine events are still being set up)."""
    return job_queue.QueueWorker("tracking-upload", run_once, engine, interval, first_wait=2.0, id_prefix="up")
