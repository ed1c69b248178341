"""The sender thread: empties the outbox into the service, oldest first, one at a time.

Only the head of the queue is ever in flight, so events reach the service in the
order they happened. The head leaves the queue once the service has answered (2xx, or
a 4xx refusal handed to `on_answer` for the packer to see); when the service cannot be
reached the head stays and is tried again with back-off (0.2 s doubling to `max_backoff`),
and nothing behind it overtakes it. A resend after a lost answer carries the same event
id, which the service answers without counting twice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from scanners.agent.client import Answer, ServiceClient, ServiceUnavailable
from scanners.agent.outbox import Entry, Outbox

log = logging.getLogger("wms.station.sender")

OnAnswer = Callable[[Entry, Answer], None]


class OutboxSender:
    """Runs in its own thread until `stop()`. `state` is "up" after an answer and
    "unreachable" while the head cannot be delivered; `last_error` says why."""

    def __init__(self, outbox: Outbox, client: ServiceClient, on_answer: OnAnswer | None = None, *,
                 min_backoff: float = 0.2, max_backoff: float = 5.0) -> None:
        self.outbox = outbox
        self.client = client
        self.on_answer = on_answer
        self.min_backoff = min_backoff
        self.max_backoff = max_backoff
        self.state = "starting"
        self.last_error: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> OutboxSender:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="outbox-sender", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 15.0) -> None:
        self._stop.set()
        self.outbox.changed.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def send_next(self) -> bool | None:
        """Try to deliver the head once: True answered, False kept for later, None empty."""
        entry = self.outbox.oldest()
        if entry is None:
            return None
        try:
            answer = self.client.post(entry.path, entry.body)
        except ServiceUnavailable as exc:
            self.outbox.failed_attempt(entry.seq, str(exc))
            if self.state != "unreachable":
                log.warning("service unreachable, %d waiting in the outbox: %s",
                            len(self.outbox), exc)
            self.state, self.last_error = "unreachable", str(exc)
            return False
        if self.state == "unreachable":
            log.info("service answers again; %d waiting", len(self.outbox))
        self.state, self.last_error = "up", None
        self.outbox.done(entry.seq)
        if self.on_answer is not None:
            try:
                self.on_answer(entry, answer)
            except Exception:  # a display problem must not stop the queue
                log.exception("showing the answer to %s failed", entry.key)
        return True

    def _run(self) -> None:
        backoff = self.min_backoff
        while not self._stop.is_set():
            self.outbox.changed.clear()  # before looking, so a put() from now on wakes us
            try:
                sent = self.send_next()
            except Exception:  # e.g. the disk is full: log, wait, try again
                log.exception("outbox sender failed; retrying")
                sent = False
            if sent is None:
                self.outbox.changed.wait(1.0)
            elif sent:
                backoff = self.min_backoff
            else:
                self._stop.wait(backoff)
                backoff = min(backoff * 2, self.max_backoff)
