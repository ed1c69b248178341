"""Sending the tracking-upload outbox: claims under a lease, retries with back-off, a failure
kept for a person after too many; the worker thread `wms serve` runs."""

from __future__ import annotations

import os
import threading
import uuid
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import select

from wms.adapters.db.tables import PlatformRow, TrackingUpload
from wms.adapters.db.types import utcnow
from wms.adapters.db.uow import UnitOfWork
from wms.adapters.platforms import PlatformError, TrackingSink, tracking_sink_for
from wms.services.platforms.uploads import enqueue_packed, log

LEASE = timedelta(seconds=float(os.environ.get("WMS_UPLOAD_LEASE_S", "120")))  # a claim older is dead


MAX_BACKOFF_S = 600


GIVE_UP_AFTER = 30  # attempts; then it waits as failed for a person


RETRY_CODES = {"timeout", "unreachable", "platform_down", "bad_answer", "rate_limited", "token_expired",
               "token_missing", "bad_signature", "bad_app_key", "not_configured", "no_permission", "cannot_write"}


def claim_next(uow: UnitOfWork, worker: str) -> TrackingUpload | None:
    now = utcnow()
    candidates = uow.session.exec(
        select(TrackingUpload.id).where(TrackingUpload.status == "queued",
                                        TrackingUpload.next_attempt_at <= now)  # type: ignore[operator]
        .order_by(TrackingUpload.id).limit(5)  # type: ignore[arg-type]
    ).all()
    for upload_id in candidates:
        claimed = uow.session.execute(
            update(TrackingUpload).where(TrackingUpload.id == upload_id, TrackingUpload.status == "queued")  # type: ignore[arg-type]
            .values(status="sending", claimed_by=worker, claimed_at=now, attempts=TrackingUpload.attempts + 1))
        if claimed.rowcount == 1:  # type: ignore[attr-defined]
            uow.commit()
            return uow.session.get(TrackingUpload, upload_id)
    uow.commit()
    return None


def mark_sent(uow: UnitOfWork, upload_id: int, worker: str, status: str = "sent", note: str | None = None) -> None:
    uow.session.execute(
        update(TrackingUpload).where(TrackingUpload.id == upload_id, TrackingUpload.claimed_by == worker)  # type: ignore[arg-type]
        .values(status=status, sent_at=utcnow(), last_error=note, last_error_code=None))
    uow.commit()


def mark_failed(uow: UnitOfWork, upload_id: int, worker: str, exc: PlatformError) -> None:
    row = uow.session.get(TrackingUpload, upload_id)
    if row is None or row.claimed_by != worker or row.status != "sending":
        return
    retry = (exc.retryable or exc.code in RETRY_CODES) and row.attempts < GIVE_UP_AFTER
    if retry:
        wait = exc.retry_after or min(MAX_BACKOFF_S, 2 ** min(row.attempts, 10))
        row.status, row.next_attempt_at = "queued", utcnow() + timedelta(seconds=wait)
    else:
        row.status = "failed"
    row.last_error, row.last_error_code = exc.message[:500], exc.code[:40]
    uow.session.add(row)
    uow.commit()


def requeue_interrupted(uow: UnitOfWork, lease: timedelta = LEASE) -> int:
    """Rows left `sending` past their lease go out again; the platform turns a repeat into 'already sent'."""
    stale = uow.session.exec(select(TrackingUpload).where(
        TrackingUpload.status == "sending", TrackingUpload.claimed_at < utcnow() - lease)).all()  # type: ignore[operator]
    for row in stale:
        row.status, row.next_attempt_at = "queued", utcnow()
        row.last_error, row.last_error_code = "interrupted while sending; sent again", "interrupted"
        uow.session.add(row)
    uow.commit()
    return len(stale)


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
            result = conn.upload_tracking(job.platform_order_no, job.carrier, job.tracking_no, list(job.sub_orders),
                                          dict(job.extra))
        except PlatformError as exc:
            mark_failed(uow, job.id, worker, exc)  # type: ignore[arg-type]
            _set_platform_error(engine, job.platform, exc)
            return True
        mark_sent(uow, job.id, worker, note="the platform had it already" if result.get("already_sent") else None)  # type: ignore[arg-type]
    _set_platform_error(engine, job.platform, None)
    return True


def run_once(engine: Engine, worker: str, lease: timedelta = LEASE, limit: int | None = None) -> int:
    """One pass: requeue interrupted rows, queue packed parcels, send what is due. Returns rows handled."""
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


class UploadWorker(threading.Thread):
    """Runs `run_once` every `interval` seconds until stopped (one per service instance)."""

    def __init__(self, engine: Engine, interval: float = 2.0) -> None:
        super().__init__(name="tracking-upload", daemon=True)
        self.engine, self.interval = engine, interval
        self.worker_id = f"up-{uuid.uuid4().hex[:8]}"
        self._stop_event = threading.Event()

    def run(self) -> None:
        # let the app finish starting first: its engine events are still being set up
        self._stop_event.wait(2.0)
        while not self._stop_event.is_set():
            try:
                run_once(self.engine, self.worker_id)
            except Exception:  # keep going after a database hiccup; it is logged
                log.exception("tracking upload pass failed")
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
