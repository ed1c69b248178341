"""The station's local queue: every scan and weight is on disk before it is sent.

An event leaves the queue only once the service has answered it (2xx, or a 4xx that
is a final "no"), so an agent restart, a network drop or a service restart loses
nothing; events go out one at a time in the order they happened. Each carries an
event id, and the service answers a repeated id without counting it again, so the
resend after a lost answer is harmless.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from pathlib import Path
from typing import Any


class Outbox:
    def __init__(self, path: str | Path) -> None:
        Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
                         " event_id TEXT UNIQUE NOT NULL, body TEXT NOT NULL)")
        self._lock = threading.Lock()
        self.changed = threading.Event()

    def put(self, station: str, body: dict[str, Any]) -> str:
        event_id = body.get("event_id") or f"{station}-{uuid.uuid4().hex}"
        with self._lock:
            self._db.execute("INSERT OR IGNORE INTO outbox (event_id, body) VALUES (?, ?)",
                             (event_id, json.dumps({**body, "event_id": event_id}, ensure_ascii=False)))
        self.changed.set()
        return event_id

    def peek(self) -> tuple[int, dict[str, Any]] | None:
        with self._lock:
            row = self._db.execute("SELECT seq, body FROM outbox ORDER BY seq LIMIT 1").fetchone()
        return (row[0], json.loads(row[1])) if row else None

    def done(self, seq: int) -> None:
        with self._lock:
            self._db.execute("DELETE FROM outbox WHERE seq = ?", (seq,))

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()
