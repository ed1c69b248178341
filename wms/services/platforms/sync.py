"""Orders in from the shop platforms (订单同步): paged pulls by modified time from a stored cursor.

Exactly once, even across a crash: an order's import and its `platform_order` row commit
together, `order_no` is unique, and a trade seen again with a modified time no newer than the
one on record changes nothing. The cursor moves only when a whole time window has been read,
so a pull killed half-way reads the window again and finds what it already has. Pages are read
from the last to the first: a trade modified while we read leaves the window and shifts the
trades after it one place *earlier*, into a page still to come, so none is skipped.

A buyer's change seen on a later pull is applied by `changes` (a hold before packing, an
alert for a person after it); the platforms on record and their alerts are in `shops`."""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from wms.adapters.db.tables import PlatformAlert, PlatformOrder, PlatformRow
from wms.adapters.db.types import utcnow
from wms.adapters.db.uow import UnitOfWork
from wms.adapters.platforms import Connector, FileDrop, Page, PlatformError, RemoteOrder, order_source_for
from wms.domain.errors import DomainError
from wms.services.orders import records
from wms.services.orders.files import import_file
from wms.services.platforms import tokens
from wms.services.platforms.changes import PullReport, apply_remote, seen_order
from wms.services.platforms.shops import get_platform

log = logging.getLogger("wms.platforms")


FIRST_PULL = timedelta(days=3)  # how far back a platform's first pull looks


LAG = timedelta(seconds=1)


RATE_RETRIES = 2  # a second still being written to is left for the next pull


def pull(engine: Engine, name: str, *, until: datetime | None = None, since: datetime | None = None,
         page_size: int = 100, connector: Connector | None = None, actor: str | None = None) -> PullReport:
    """Read everything modified since the cursor; returns what happened. A platform's refusal
    stops the pull where it is (nothing read is lost; the cursor stays) and is kept on the
    platform row for the overview, and returned in `error`. A shop whose access token runs out
    within the hour gets a new one first (`tokens.keep_fresh`)."""
    if connector is None:
        tokens.keep_fresh(engine, name)
    with UnitOfWork(engine) as uow:
        row = get_platform(uow, name)
    report = PullReport(row.name)
    actor = actor or f"platform:{row.name}"
    try:
        conn = connector or order_source_for(row)
    except PlatformError as exc:
        _record(engine, row.name, report, exc)
        return report
    try:
        if isinstance(conn, FileDrop):
            _pull_files(engine, row, conn, report, actor)
        else:
            _pull_windows(engine, row, conn, report, actor, until, since, page_size)
    except PlatformError as exc:
        _record(engine, row.name, report, exc)
        return report
    finally:
        if connector is None:
            conn.close()
    with UnitOfWork(engine) as uow:
        fresh = get_platform(uow, row.name)
        fresh.last_pull_at, fresh.last_error, fresh.last_error_code = utcnow(), None, None
        uow.session.add(fresh)
        uow.commit()
        report.cursor = fresh.cursor.isoformat() if fresh.cursor else None
    return report


def _record(engine: Engine, name: str, report: PullReport, exc: PlatformError) -> None:
    report.error = {"code": exc.code, "message": exc.message}
    log.warning("pull of %s stopped: %s", name, exc)
    with UnitOfWork(engine) as uow:
        row = get_platform(uow, name)
        row.last_error, row.last_error_code, row.last_error_at = exc.message[:500], exc.code[:40], utcnow()
        uow.session.add(row)
        uow.commit()
        report.cursor = row.cursor.isoformat() if row.cursor else None


def _pull_windows(engine: Engine, row: PlatformRow, conn: Connector, report: PullReport, actor: str,
                  until: datetime | None, since: datetime | None, page_size: int) -> None:
    end_all = (until or utcnow() - getattr(conn, "lag", LAG)).replace(microsecond=0)  # Pinduoduo: 3 min behind
    start = since or row.cursor or end_all - FIRST_PULL
    while start < end_all:
        end = min(end_all, start + conn.max_window - timedelta(seconds=1))
        first = _fetch(conn, start, end, 1, page_size)
        report.pages += 1
        pages = [first]
        # the last page first (see the module's docstring), page 1 again at the end
        for page_no in range(first.pages, 1, -1):
            page = _fetch(conn, start, end, page_no, page_size)
            report.pages += 1
            _apply_page(engine, row, page.orders, report, actor)
        if first.pages > 1:
            pages = [_fetch(conn, start, end, 1, page_size)]
            report.pages += 1
        for page in pages:
            _apply_page(engine, row, page.orders, report, actor)
        with UnitOfWork(engine) as uow:  # the window is read: the cursor moves past it
            fresh = get_platform(uow, row.name)
            fresh.cursor = end
            uow.session.add(fresh)
            uow.commit()
        start = end


def _fetch(conn: Connector, start: datetime, end: datetime, page_no: int, page_size: int) -> Page:
    """One page; a call limit is waited out briefly (twice at most) before the pull gives up."""
    for attempt in range(RATE_RETRIES + 1):
        try:
            return conn.pull(start, end, page_no, page_size)
        except PlatformError as exc:
            if exc.code != "rate_limited" or attempt == RATE_RETRIES:
                raise
            time.sleep(min(exc.retry_after or 1.0, 3.0))
    raise AssertionError("unreachable")


def _apply_page(engine: Engine, row: PlatformRow, remotes: list[RemoteOrder], report: PullReport,
                actor: str) -> None:
    for remote in remotes:
        for attempt in (1, 2):  # a concurrent pull may insert the same order first: then it is seen
            with UnitOfWork(engine) as uow:
                try:
                    apply_remote(uow, row, remote, report, actor)
                    uow.commit()
                    break
                except IntegrityError:
                    uow.rollback()
                    if attempt == 2:
                        raise
                except (DomainError, TypeError, ValueError) as exc:
                    uow.rollback()
                    why = exc.message if isinstance(exc, DomainError) else str(exc)
                    report.rejected.append(f"{remote.platform_order_no}: {why}")
                    _reject(engine, row, remote, why)
                    break


def _reject(engine: Engine, row: PlatformRow, remote: RemoteOrder, why: str) -> None:
    """An order we cannot take in: kept (so the same version is not retried every pull) with an alert."""
    with UnitOfWork(engine) as uow:
        seen = seen_order(uow, row.name, remote.platform_order_no)
        if seen is None:
            seen = PlatformOrder(platform=row.name, platform_order_no=remote.platform_order_no)
        seen.platform_status, seen.modified = f"rejected:{remote.raw_status}"[:40], remote.modified
        uow.session.add(seen)
        uow.session.add(PlatformAlert(platform=row.name, order_no=remote.platform_order_no, kind="order_rejected",
                                      message=f"order {remote.platform_order_no} from {row.name} was not "
                                              f"taken in: {why}"[:1000]))
        uow.commit()


def _pull_files(engine: Engine, row: PlatformRow, conn: FileDrop, report: PullReport, actor: str) -> None:
    for path in conn.files():
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise PlatformError("bad_file", f"cannot read {path}: {exc}") from None
        with UnitOfWork(engine) as uow:
            try:
                result = import_file(uow, raw, path.name, actor)
            except DomainError as exc:
                report.rejected.append(f"{path.name}: {exc.message}")
                continue
            report.pages += 1
            report.imported += len(result.imported)
            report.already_present += len(result.already_present)
            report.held.extend(result.on_hold)
            report.rejected.extend(f"{path.name} row {e['row']}: {e.get('order_no', '')} {e['reason']}"
                                   for e in result.errors)
            for order_no in result.imported:
                order = records.get_order(uow, order_no)
                columns: dict[str, Any] = {}
                if order.shop is None and row.shop:
                    columns["shop"] = row.shop
                if order.ship_by is None and order.paid_at is not None:
                    columns["ship_by"] = order.paid_at + timedelta(hours=row.ship_by_hours)
                if columns:
                    uow.update(order, **columns)
                if seen_order(uow, row.name, order_no) is None:
                    uow.session.add(PlatformOrder(platform=row.name, platform_order_no=order_no, order_no=order_no,
                                                  platform_status="file", fingerprint=""))
                uow.commit()
    with UnitOfWork(engine) as uow:
        fresh = get_platform(uow, row.name)
        fresh.cursor = utcnow()
        uow.session.add(fresh)
        uow.commit()
