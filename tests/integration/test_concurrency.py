"""Concurrent requests never oversell stock nor hand out a tracking number twice."""

import threading

from sqlmodel import select

from wms.adapters.db.tables import OrderRow, StockRow
from wms.adapters.db.uow import UnitOfWork
from wms.services.orders import intake, records
from wms.services.shipping import carriers
from wms.services.stock import catalog, ledger
from wms.services.stock.ledger import ledger_mismatches

RECIPIENT = {"name": "王芳", "phone": "13912345678", "province": "浙江省", "city": "杭州市",
             "district": "余杭区", "address": "良睦路 1399 号"}


def run_at_once(n, work):
    barrier = threading.Barrier(n)
    errors = []

    def body(i):
        barrier.wait()
        try:
            work(i)
        except Exception as exc:  # noqa: BLE001 - surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=body, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return errors


def test_two_requests_for_the_last_unit_never_both_succeed(engine):
    with UnitOfWork(engine) as uow:
        catalog.create_sku(uow, {"sku": "LAST", "name": "最后一件", "unit_weight_g": 100})
        ledger.receive(uow, "LAST", "A01-01-1", 1, "test")
        uow.commit()

    def reserve(i):
        with UnitOfWork(engine) as uow:
            intake.create_order(uow, {"order_no": f"C{i}", "recipient": RECIPIENT,
                                      "lines": [{"sku": "LAST", "qty": 1}]}, "test")
            uow.commit()

    assert run_at_once(8, reserve) == []
    with UnitOfWork(engine) as uow:
        statuses = sorted(o.status for o in uow.session.exec(select(OrderRow)).all())
        assert statuses.count("reserved") == 1
        assert statuses.count("on_hold") == 7
        row = uow.session.exec(select(StockRow)).one()
        assert (row.on_hand, row.reserved) == (1, 1)
        assert ledger_mismatches(uow) == []


def test_concurrent_allocations_hand_out_distinct_numbers_and_never_overrun_the_pool(engine):
    with UnitOfWork(engine) as uow:
        from wms.adapters.db.tables import Carrier

        uow.session.add(Carrier(code="ZTO", name="中通", regions=["*"], is_default=True))
        uow.session.flush()
        carriers.add_pool(uow, "ZTO", "ZT", "", 10, 1, 20)
        intake.create_order(uow, {"order_no": "T1", "recipient": RECIPIENT, "lines": []}, "test")
        uow.commit()
    got, lock = [], threading.Lock()

    def allocate(i):
        with UnitOfWork(engine) as uow:
            order = records.get_order(uow, "T1")
            for _ in range(3):
                try:
                    number = carriers.allocate_tracking_number(uow, "ZTO", order)
                    uow.commit()
                except Exception as exc:  # noqa: BLE001
                    if getattr(exc, "code", "") == "pool_exhausted":
                        return
                    raise
                with lock:
                    got.append(number)

    assert run_at_once(10, allocate) == []
    assert len(got) == 20
    assert len(set(got)) == 20


def test_a_writer_holds_the_file_lock_that_other_service_processes_queue_on(engine):
    """`wms serve --workers N` on SQLite: a write in one process locks `<db>.writer-lock` until it ends."""
    import fcntl
    import os

    import pytest

    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL locks rows, not a file")
    path = f"{engine.url.database}.writer-lock"

    def free() -> bool:
        fd = os.open(path, os.O_RDWR | os.O_CREAT)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            fcntl.flock(fd, fcntl.LOCK_UN)
            return True
        except BlockingIOError:
            return False
        finally:
            os.close(fd)

    with UnitOfWork(engine) as uow:
        catalog.create_sku(uow, {"sku": "LOCK", "name": "锁", "unit_weight_g": 10})
        assert not free()
        uow.commit()
    assert free()
    with UnitOfWork(engine, read_only=True) as uow:
        catalog.get_sku(uow, "LOCK")
        assert free()  # readers never queue behind it


def test_a_writers_locks_go_only_once_its_commit_is_in_the_database(engine):
    """The next writer must find the file unlocked, or SQLite's busy handler puts it to sleep:
    at the moment the writer lock is free, another connection already sees the new row."""
    import sqlite3

    import pytest
    from sqlalchemy import event

    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL locks rows, not a file")
    seen = []

    def after_our_commit(conn) -> None:  # runs after the engine's own commit listener
        with sqlite3.connect(engine.url.database) as other:
            seen.append(other.execute("SELECT count(*) FROM sku WHERE sku = 'SEEN'").fetchone()[0])

    event.listen(engine, "commit", after_our_commit)
    try:
        with UnitOfWork(engine) as uow:
            catalog.create_sku(uow, {"sku": "SEEN", "name": "看见", "unit_weight_g": 10})
            uow.commit()
    finally:
        event.remove(engine, "commit", after_our_commit)
    assert seen == [1]


def test_the_service_moves_the_write_ahead_log_into_the_database_file_without_a_commit_doing_it(engine):
    """`wms serve` checkpoints from a thread of its own: no commit waits for it, and committed
    pages still reach the database file within moments."""
    import os
    import time

    import pytest
    from sqlalchemy import text

    from wms.adapters.db.engine import checkpoint_in_background

    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL has no write-ahead log file of ours")
    checkpointer = checkpoint_in_background(engine, every_s=0.05)
    assert checkpointer is not None
    try:
        with UnitOfWork(engine) as uow:
            assert uow.session.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 0
            uow.session.execute(text("CREATE TABLE bulk (data BLOB)"))
            uow.session.execute(text("INSERT INTO bulk VALUES (zeroblob(4000000))"))
            uow.commit()
        deadline = time.monotonic() + 5
        while os.path.getsize(engine.url.database) < 4_000_000 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert os.path.getsize(engine.url.database) >= 4_000_000
    finally:
        checkpointer.stop()
