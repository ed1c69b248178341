"""The pulls `wms serve` runs by itself: each enabled platform every `pull_interval_s` seconds.

A pull resumes from the platform's stored cursor, so a service killed mid-pull reads the
unfinished window again on its next start and finds what it already has (nothing doubles).
A failing platform is tried again at its interval; its error stays on the overview meanwhile.
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy.engine import Engine

from wms.adapters.db.uow import UnitOfWork
from wms.adapters.platforms import KINDS
from wms.services.platforms import changes, shops, sync

log = logging.getLogger("wms.platforms")


def due_platforms(engine: Engine, last_tried: dict[str, float], now: float) -> list[str]:
    with UnitOfWork(engine, read_only=True) as uow:
        rows = shops.list_platforms(uow)
    return [r.name for r in rows if r.enabled and r.kind in KINDS and r.pull_interval_s > 0
            and now - last_tried.get(r.name, 0.0) >= r.pull_interval_s]


class PullScheduler(threading.Thread):
    def __init__(self, engine: Engine, tick: float = 5.0) -> None:
        super().__init__(name="platform-pull", daemon=True)
        self.engine, self.tick = engine, tick
        self.last_tried: dict[str, float] = {}
        self._stop_event = threading.Event()

    def run_once(self) -> list[changes.PullReport]:
        reports = []
        for name in due_platforms(self.engine, self.last_tried, time.monotonic()):
            if self._stop_event.is_set():
                break
            self.last_tried[name] = time.monotonic()
            reports.append(sync.pull(self.engine, name, actor=f"platform:{name}"))
        return reports

    def run(self) -> None:
        # let the app finish starting first: its engine events are still being set up
        self._stop_event.wait(2.0)
        while not self._stop_event.is_set():
            try:
                for r in self.run_once():
                    if r.imported or r.changed or r.error:
                        log.info("pull %s: imported %d changed %d%s", r.platform, r.imported, r.changed,
                                 f" error {r.error['code']}" if r.error else "")
            except Exception:  # a database hiccup: logged, tried again at the next tick
                log.exception("platform pull pass failed")
            self._stop_event.wait(self.tick)

    def stop(self) -> None:
        self._stop_event.set()
