"""The durable job queue that the print queue and the tracking-upload outbox both stand on, and
the outboxes still to come: jobs are rows, queued -> sending -> done | failed.

A job table has `id`, `status`, `next_attempt_at`, `claimed_by`, `claimed_at`, `attempts` and
`last_error`. A claim is a conditional update (queued -> sending), so two service instances
never take one job. Each step commits at once (the services' commit rule, case 3): another
worker sees it, and a crash keeps it. What a claim left `sending` past its lease means is each
queue's own call: a label may be on paper already (a person decides), a consignment may be
sent again (the platform refuses a repeat).
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.engine import Engine
from sqlmodel import select

from wms.adapters.db.types import utcnow
from wms.adapters.db.uow import UnitOfWork
from wms.domain.errors import Conflict, NotFound

QUEUED, SENDING, FAILED = "queued", "sending", "failed"
CANDIDATES = 5  # due jobs read per claim: another worker may take the first ones meanwhile

log = logging.getLogger("wms.jobs")


def claim_next(uow: UnitOfWork, table: Any, worker: str, *where: Any) -> Any | None:
    """Take the oldest due job of `table` (narrowed by `where`), or None; safe across instances."""
    now = utcnow()
    candidates = uow.session.exec(
        select(table.id).where(table.status == QUEUED, table.next_attempt_at <= now, *where)
        .order_by(table.id).limit(CANDIDATES)
    ).all()
    for job_id in candidates:
        claimed = uow.session.execute(
            update(table).where(table.id == job_id, table.status == QUEUED)
            .values(status=SENDING, claimed_by=worker, claimed_at=now, attempts=table.attempts + 1))
        if claimed.rowcount == 1:  # type: ignore[attr-defined]
            job = uow.session.get(table, job_id, populate_existing=True)
            uow.commit()  # read before the commit: no transaction stays open while the job is sent
            return job
    uow.commit()
    return None


def mark_done(uow: UnitOfWork, table: Any, job_id: int, worker: str, status: str, **values: Any) -> None:
    """The claimed job is done (`status`: printed, sent, skipped ...), if this worker still holds it."""
    uow.session.execute(update(table).where(table.id == job_id, table.claimed_by == worker)
                        .values(status=status, **values))
    uow.commit()


def mark_failed(uow: UnitOfWork, table: Any, job_id: int, worker: str, error: str,
                retry_in: Callable[[Any], float | None], **values: Any) -> None:
    """The claimed job failed: queued again after `retry_in(job)` seconds, or, when that is None,
    failed for a person to look at. A job this worker no longer holds is left alone."""
    job = uow.session.get(table, job_id)
    if job is None or job.claimed_by != worker or job.status != SENDING:
        return
    wait = retry_in(job)
    if wait is None:
        job.status = FAILED
    else:
        job.status, job.next_attempt_at = QUEUED, utcnow() + timedelta(seconds=wait)
    job.last_error = error[:500]
    for name, value in values.items():
        setattr(job, name, value)
    uow.session.add(job)
    uow.commit()


def backoff_s(attempts: int, most_s: float, doublings: int) -> float:
    """2 s, 4 s, 8 s ... after each failed attempt, never more than `most_s`."""
    return min(most_s, 2 ** min(attempts, doublings))


def settle_interrupted(uow: UnitOfWork, table: Any, lease: timedelta, status: str, error: str,
                       **values: Any) -> int:
    """Jobs left `sending` past their lease (their worker died mid-send) get `status` and `error`
    (queued again, or failed for a person: the queue's call). Returns how many."""
    now = utcnow()
    stale = uow.session.exec(select(table).where(table.status == SENDING, table.claimed_at < now - lease)).all()
    for job in stale:
        job.status, job.last_error = status, error
        if status == QUEUED:
            job.next_attempt_at = now
        for name, value in values.items():
            setattr(job, name, value)
        uow.session.add(job)
    uow.commit()
    return len(stale)


def queue_again(uow: UnitOfWork, job: Any) -> None:
    """A person sends a failed job again: due now, its attempts counted afresh (the caller commits)."""
    job.status, job.attempts, job.next_attempt_at = QUEUED, 0, utcnow()
    uow.session.add(job)


def retry(uow: UnitOfWork, table: Any, job_id: int, what: str, unknown: str) -> None:
    """`queue_again` for the job `job_id` of `table` a person names; 404 `unknown`, 409 once it is
    sending or sent (`what` names the job in the messages)."""
    job = uow.session.get(table, job_id)
    if job is None:
        raise NotFound(f"no {what} {job_id}", unknown)
    if job.status in (SENDING, "sent"):
        raise Conflict(f"{what} {job_id} is {job.status}", "not_retryable")
    queue_again(uow, job)


def counts(uow: UnitOfWork, table: Any, statuses: tuple[str, ...]) -> dict[str, int]:
    """Jobs of `table` per status, every status named (zeros too)."""
    found = dict(uow.session.exec(select(table.status, func.count()).group_by(table.status)).all())
    return {status: int(found.get(status, 0)) for status in statuses}


def progress(job: Any) -> dict[str, Any]:
    """How an outbox row is getting on, as the API and the pages show it."""
    return {"status": job.status, "attempts": job.attempts,
            "next_attempt_at": job.next_attempt_at.isoformat() if job.next_attempt_at else None,
            "last_error": job.last_error, "last_error_code": job.last_error_code,
            "sent_at": job.sent_at.isoformat() if job.sent_at else None}


class QueueWorker(threading.Thread):
    """Runs `run_once(engine, worker_id)` every `interval` seconds until stopped, one per service
    instance; a pass that fails (a database hiccup) is logged and the next one runs anyway."""

    def __init__(self, name: str, run_once: Callable[[Engine, str], Any], engine: Engine, interval: float,
                 first_wait: float = 0.0, id_prefix: str = "svc") -> None:
        super().__init__(name=name, daemon=True)
        self.engine, self.interval, self.first_wait = engine, interval, first_wait
        self.worker_id = f"{id_prefix}-{uuid.uuid4().hex[:8]}"
        self._run_once = run_once
        self._stop_event = threading.Event()

    def run(self) -> None:
        self._stop_event.wait(self.first_wait)
        while not self._stop_event.is_set():
            try:
                self._run_once(self.engine, self.worker_id)
            except Exception:  # keep going after a database hiccup; it is logged
                log.exception("%s pass failed", self.name)
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
