"""The station's durable outbox: a request is on disk before anyone tries to send it.

Each entry is one POST to the service (a station event, or a print job's result) with
a unique key (the event id). Entries leave in the order they were put, and only when
`done()` says the service has answered; until then they survive a crash, a power cut
(SQLite WAL with synchronous=FULL) and an agent restart. Putting the same key twice
keeps the first, so a re-queued entry is never sent as two.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    key        TEXT NOT NULL UNIQUE,
    path       TEXT NOT NULL,
    body       TEXT NOT NULL,
    queued_at  REAL NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
)
"""


def new_event_id(station: str) -> str:
    """A key no other event from any station will have: the station code plus a uuid4."""
    return f"{station}-{uuid.uuid4().hex}"


@dataclass(frozen=True)
class Entry:
    """One queued request: POST `body` to `path`; `attempts` sends have failed so far."""

    seq: int
    key: str
    path: str
    body: dict[str, Any]
    queued_at: float
    attempts: int = 0
    last_error: str | None = None


class Outbox:
    """A FIFO of requests in a SQLite file, safe to share between threads."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None,
                                   timeout=10.0)
        self._lock = threading.Lock()
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")  # on disk when put() returns
            self._db.execute(_SCHEMA)
        self.changed = threading.Event()  # set by put(): a sender waiting for work wakes up

    def put(self, path: str, body: dict[str, Any], key: str) -> bool:
        """Queue a POST of `body` to `path` under `key`; False if `key` was already queued."""
        with self._lock:
            cursor = self._db.execute(
                "INSERT OR IGNORE INTO outbox (key, path, body, queued_at) VALUES (?, ?, ?, ?)",
                (key, path, json.dumps(body, ensure_ascii=False), time.time()))
        self.changed.set()
        return cursor.rowcount == 1

    def oldest(self) -> Entry | None:
        """The entry to send next, or None when nothing waits."""
        rows = self._select("ORDER BY seq LIMIT 1")
        return rows[0] if rows else None

    def pending(self, limit: int = 1000) -> list[Entry]:
        """Waiting entries, oldest first."""
        return self._select("ORDER BY seq LIMIT ?", (limit,))

    def failed_attempt(self, seq: int, error: str) -> None:
        """Remember that sending failed (for display); the entry stays where it is."""
        with self._lock:
            self._db.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE seq = ?",
                (error[:300], seq))

    def done(self, seq: int) -> None:
        """The service answered: the entry leaves the queue."""
        with self._lock:
            self._db.execute("DELETE FROM outbox WHERE seq = ?", (seq,))

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _select(self, tail: str, args: tuple[Any, ...] = ()) -> list[Entry]:
        with self._lock:
            rows = self._db.execute(
                "SELECT seq, key, path, body, queued_at, attempts, last_error FROM outbox " + tail,
                args).fetchall()
        return [Entry(seq, key, path, json.loads(body), queued_at, attempts, last_error)
                for seq, key, path, body, queued_at, attempts, last_error in rows]
