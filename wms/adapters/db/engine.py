"""Engines for the embedded SQLite file (WAL) and PostgreSQL, configured alike."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import create_engine

from wms.adapters.db import guard

try:
    import fcntl
except ImportError:  # Windows: SQLite's own locking only
    fcntl = None  # type: ignore[assignment]


# Where a request's time goes on the write path, for Server-Timing: [waited for the writer
# lock, held it] in seconds. Whoever wants the figures sets a fresh list; threads that run
# the request's database work see the same list (contexts are copied, the list is shared).
WRITER_TIMES: ContextVar[list[float] | None] = ContextVar("wms_writer_times", default=None)


def normalise_url(url: str) -> str:
    """Accept the URLs people type (`postgresql://`, `postgres://`) and use psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def make_engine(url: str, busy_timeout_s: float = 30.0, **kw: Any) -> Engine:
    """`busy_timeout_s`: how long an SQLite write waits for a lock another process holds (a
    backup, a person's sqlite3 shell) before it gives up with "database is locked", which the
    API answers 503 `database_busy` with Retry-After."""
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": busy_timeout_s}, **kw
        )
        _configure_sqlite(engine, busy_timeout_s)
    else:
        engine = create_engine(url, pool_pre_ping=True, pool_size=20, max_overflow=20, **kw)
    guard.install(engine)
    return engine


def _configure_sqlite(engine: Engine, busy_timeout_s: float = 30.0) -> None:
    """WAL for concurrent readers, foreign keys on, and `BEGIN IMMEDIATE` for writers.

    pysqlite's own transaction handling starts transactions lazily, which lets two
    writers both read the last unit before either writes; taking the write lock at
    BEGIN makes read-check-write sequences atomic, like row locks on PostgreSQL.
    Writers of this process queue on a Python lock first: SQLite's own busy handler
    sleeps in growing steps, which turns a short wait into a long tail under load.
    Read-only units of work (`read_only=True`) begin deferred and take no lock.
    Several service processes on one file (`wms serve --workers N`) queue on an OS file
    lock beside the database as well: the kernel wakes the next writer the moment the
    lock is free, where SQLite's busy handler would have it sleep and poll.
    While another program holds the file locked, a writer waits at most `busy_timeout_s` for
    its turn here and as long again in SQLite's busy handler, then fails as locked.
    """
    writer = threading.Lock()
    database = engine.url.database
    between_processes = _ProcessLock(f"{database}.writer-lock") if database and database != ":memory:" else None

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_s * 1000)}")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if conn.get_execution_options().get("read_only"):
            conn.exec_driver_sql("BEGIN")
            return
        asked = time.perf_counter()
        if not writer.acquire(timeout=busy_timeout_s):
            raise OperationalError("BEGIN IMMEDIATE", {}, sqlite3.OperationalError(
                f"database is locked: no write lock within {busy_timeout_s:g} s"))
        conn.info["wms_writer"] = True
        try:
            if between_processes is not None:
                between_processes.acquire()
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _release(conn)
            raise
        got = time.perf_counter()
        conn.info["wms_writer_since"] = got
        times = WRITER_TIMES.get()
        if times is not None:
            times[0] += got - asked

    def _end(statement: str) -> Any:
        """SQLAlchemy announces COMMIT / ROLLBACK before it sends it; a writer's locks may
        only go once the database has it, or the next writer's BEGIN IMMEDIATE finds the
        file still locked and SQLite's busy handler puts it to sleep for milliseconds."""

        def finish(conn: Any, *_: Any) -> None:
            if not conn.info.get("wms_writer"):
                return
            try:
                raw = conn.connection.dbapi_connection
                if raw is not None and raw.in_transaction:
                    raw.execute(statement)  # the DBAPI's own commit()/rollback() then has nothing to do
            finally:
                _release(conn)

        return finish

    def _release(conn: Any, *_: Any) -> None:
        if conn.info.pop("wms_writer", False):
            if between_processes is not None:
                between_processes.release()
            writer.release()
            times = WRITER_TIMES.get()
            since = conn.info.pop("wms_writer_since", None)
            if times is not None and since is not None:
                times[1] += time.perf_counter() - since

    event.listen(engine, "commit", _end("COMMIT"))
    event.listen(engine, "rollback", _end("ROLLBACK"))


class _ProcessLock:
    """An exclusive `flock` on a file, opened per process (a forked child gets its own).

    Only ever taken by the thread holding the in-process writer lock, so one descriptor
    per process is enough. Where `fcntl` does not exist, processes rely on SQLite's own lock.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self._fd: int | None = None
        self._pid = 0
        self._held = False

    def acquire(self) -> None:
        if fcntl is None:
            return
        if self._pid != os.getpid():
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            self._pid = os.getpid()
        fcntl.flock(self._fd, fcntl.LOCK_EX)  # type: ignore[arg-type]
        self._held = True

    def release(self) -> None:
        if fcntl is not None and self._held:
            self._held = False
            fcntl.flock(self._fd, fcntl.LOCK_UN)  # type: ignore[arg-type]


class WalCheckpointer:
    """Moves the SQLite write-ahead log into the database file from a thread of its own.

    SQLite normally checkpoints inside whichever commit pushes the log past 1000 pages:
    that commit copies the pages and syncs the database file to disk, which took up to half
    a second on this kind of disk, with the writer lock held and every station queued
    behind it. The service turns that off (`wal_autocheckpoint=0`) and checkpoints every
    `every_s` seconds here instead, PASSIVE: it never waits for, or blocks, a reader or a
    writer. A crash loses nothing: committed pages sit in the log until copied.
    """

    def __init__(self, path: str, every_s: float = 1.0) -> None:
        self.path = path
        self.every_s = every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="wal-checkpoint", daemon=True)

    def start(self) -> WalCheckpointer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)

    def _run(self) -> None:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        try:
            conn.execute("PRAGMA synchronous=NORMAL")
            while not self._stop.wait(self.every_s):
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error:  # another process's checkpointer is at it: next time
                    continue
        finally:
            conn.close()


def checkpoint_in_background(engine: Engine, every_s: float = 1.0) -> WalCheckpointer | None:
    """For a long-running service on an SQLite file: no checkpoint inside commits, a
    `WalCheckpointer` instead. Connections opened before are dropped so that all of them
    follow. None for PostgreSQL and in-memory databases."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return None

    @event.listens_for(engine, "connect")
    def _no_checkpoint_in_commits(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute("PRAGMA wal_autocheckpoint=0")

    engine.dispose()
    return WalCheckpointer(database, every_s).start()


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"
