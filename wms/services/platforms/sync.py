"""Orders in from the shop platforms (订单同步): paged pulls by modified time from a stored cursor.

Exactly once, even across a crash: an order's import and its `platform_order` row commit
together, `order_no` is unique, and a trade seen again with a modified time no newer than the
one on record changes nothing. The cursor moves only when a whole time window has been read,
so a pull killed half-way reads the window again and finds what it already has. Pages are read
from the last to the first: a trade modified while we read leaves the window and shifts the
trades after it one place *earlier*, into a page still to come, so none is skipped.

A buyer's change seen on a later pull: before packing the order goes on hold with the reason
(address changed, cancel/refund requested, trade closed); once packed or shipped it cannot be
held, so an alert waits for a person (stop the parcel, 拦截).
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from wms.adapters.db.tables import OrderRow, PlatformAlert, PlatformOrder, PlatformRow
from wms.adapters.db.types import utcnow
from wms.adapters.db.uow import UnitOfWork
from wms.adapters.platforms import KINDS, WAYBILL_KINDS, PlatformError, RemoteOrder, connector_for
from wms.adapters.platforms.base import CLOSED, SHIPPED, TO_SHIP
from wms.domain import orders as rules
from wms.domain.errors import DomainError, Invalid, NotFound
from wms.services.orders import desk
from wms.services.orders.files import import_file

log = logging.getLogger("wms.platforms")
FIRST_PULL = timedelta(days=3)  # how far back a platform's first pull looks
LAG = timedelta(seconds=1)
RATE_RETRIES = 2  # a second still being written to is left for the next pull
UPLOAD_ON = ("handover", "packed", "never")


# ---------------------------------------------------------------- platforms


def add_platform(uow: UnitOfWork, name: str, kind: str, *, url: str = "", shop: str | None = None,
                 app_key: str | None = None, app_secret: str | None = None, access_token: str | None = None,
                 upload_on: str | None = None, ship_by_hours: int | None = None,
                 pull_interval_s: int | None = None, enabled: bool | None = None) -> tuple[PlatformRow, bool]:
    """Add a shop account, or change the settings given (the others stay)."""
    name = name.strip()
    if not name or len(name) > 40:
        raise Invalid("name: 1 to 40 characters", "invalid_name")
    if kind not in KINDS + WAYBILL_KINDS:
        raise Invalid(f"kind: {kind!r} is not one of {', '.join(KINDS + WAYBILL_KINDS)}", "invalid_kind")
    if upload_on is not None and upload_on not in UPLOAD_ON:
        raise Invalid(f"upload_on: {upload_on!r} is not one of {', '.join(UPLOAD_ON)}", "invalid_upload_on")
    if ship_by_hours is not None and not 1 <= ship_by_hours <= 24 * 60:
        raise Invalid("ship_by_hours: 1 to 1440", "invalid_ship_by")
    row = uow.session.get(PlatformRow, name)
    created = row is None
    if row is None:
        row = PlatformRow(name=name, kind=kind)
    elif row.kind != kind:
        raise Invalid(f"platform {name} is of kind {row.kind}; give it a new name for {kind}", "kind_mismatch")
    for key, value in dict(url=url or None, shop=shop, app_key=app_key, app_secret=app_secret,
                           access_token=access_token, upload_on=upload_on, ship_by_hours=ship_by_hours,
                           pull_interval_s=pull_interval_s, enabled=enabled).items():
        if value is not None:
            setattr(row, key, value)
    if kind != "file" and kind not in WAYBILL_KINDS and not row.url:
        raise Invalid("url: the platform's API address is required (the emulator's for a trial)", "missing_url")
    if kind == "file" and not row.url:
        raise Invalid("url: the folder (or file) the shop's order files land in", "missing_url")
    uow.session.add(row)
    uow.commit()
    return row, created


def get_platform(uow: UnitOfWork, name: str) -> PlatformRow:
    row = uow.session.get(PlatformRow, name)
    if row is None:
        raise NotFound(f"no platform {name}; wms platforms list shows them", "unknown_platform")
    return row


def list_platforms(uow: UnitOfWork) -> list[PlatformRow]:
    return list(uow.session.exec(select(PlatformRow).order_by(PlatformRow.name)).all())


def platform_view(row: PlatformRow) -> dict[str, Any]:
    return {"name": row.name, "kind": row.kind, "shop": row.shop, "url": row.url,
            "app_key": row.app_key, "secret_set": bool(row.app_secret), "token_set": bool(row.access_token),
            "upload_on": row.upload_on, "ship_by_hours": row.ship_by_hours,
            "pull_interval_s": row.pull_interval_s, "enabled": row.enabled,
            "cursor": row.cursor.isoformat() if row.cursor else None,
            "last_pull_at": row.last_pull_at.isoformat() if row.last_pull_at else None,
            "last_error": row.last_error, "last_error_code": row.last_error_code,
            "last_error_at": row.last_error_at.isoformat() if row.last_error_at else None}


# ---------------------------------------------------------------- pulling


@dataclass
class PullReport:
    platform: str
    imported: int = 0
    already_present: int = 0
    unchanged: int = 0
    changed: int = 0
    held: list[str] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)
    skipped: int = 0
    rejected: list[str] = field(default_factory=list)
    pages: int = 0
    cursor: str | None = None
    error: dict[str, str] | None = None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def fingerprint(recipient: dict[str, Any]) -> str:
    text = "|".join(str(recipient.get(k) or "").strip() for k in
                    ("name", "phone", "province", "city", "district", "address"))
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def pull(engine: Engine, name: str, *, until: datetime | None = None, since: datetime | None = None,
         page_size: int = 100, connector: Any = None, actor: str | None = None) -> PullReport:
    """Read everything modified since the cursor; returns what happened. A platform's refusal
    stops the pull where it is (nothing read is lost; the cursor stays) and is kept on the
    platform row for the overview, and returned in `error`."""
    with UnitOfWork(engine) as uow:
        row = get_platform(uow, name)
    report = PullReport(row.name)
    actor = actor or f"platform:{row.name}"
    try:
        conn = connector or connector_for(row)
    except PlatformError as exc:
        _record(engine, row.name, report, exc)
        return report
    try:
        if row.kind == "file":
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


def _pull_windows(engine: Engine, row: PlatformRow, conn: Any, report: PullReport, actor: str,
                  until: datetime | None, since: datetime | None, page_size: int) -> None:
    end_all = (until or utcnow() - LAG).replace(microsecond=0)
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


def _fetch(conn: Any, start: datetime, end: datetime, page_no: int, page_size: int) -> Any:
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
        seen = _seen(uow, row.name, remote.platform_order_no)
        if seen is None:
            seen = PlatformOrder(platform=row.name, platform_order_no=remote.platform_order_no)
        seen.platform_status, seen.modified = f"rejected:{remote.raw_status}"[:40], remote.modified
        uow.session.add(seen)
        uow.session.add(PlatformAlert(platform=row.name, order_no=remote.platform_order_no, kind="order_rejected",
                                      message=f"order {remote.platform_order_no} from {row.name} was not "
                                              f"taken in: {why}"[:1000]))
        uow.commit()


def _seen(uow: UnitOfWork, platform: str, platform_order_no: str, lock: bool = False) -> PlatformOrder | None:
    stmt = select(PlatformOrder).where(PlatformOrder.platform == platform,
                                       PlatformOrder.platform_order_no == platform_order_no)
    return uow.session.exec(uow.locked(stmt) if lock else stmt).first()


def apply_remote(uow: UnitOfWork, row: PlatformRow, remote: RemoteOrder, report: PullReport, actor: str) -> str:
    """Take one platform order in, or apply what changed since we last saw it. Caller commits."""
    seen = _seen(uow, row.name, remote.platform_order_no, lock=True)
    if seen is not None and seen.modified is not None and remote.modified <= seen.modified:
        report.unchanged += 1
        return "unchanged"
    if seen is None or seen.order_no is None:
        return _first_sight(uow, row, remote, seen, report, actor)
    return _changed(uow, row, remote, seen, report, actor)


def _first_sight(uow: UnitOfWork, row: PlatformRow, remote: RemoteOrder, seen: PlatformOrder | None,
                 report: PullReport, actor: str) -> str:
    if remote.state != TO_SHIP:  # unpaid: it comes again when paid; closed or shipped: not ours to do
        if remote.state in (CLOSED, SHIPPED):
            seen = seen or PlatformOrder(platform=row.name, platform_order_no=remote.platform_order_no)
            seen.platform_status, seen.modified = f"{remote.state}/{remote.raw_status}"[:40], remote.modified
            uow.session.add(seen)
        report.skipped += 1
        return "skipped"
    data = dict(remote.order)
    data["shop"] = data.get("shop") or row.shop
    if not data.get("ship_by") and data.get("paid_at"):
        data["ship_by"] = data["paid_at"] + timedelta(hours=row.ship_by_hours)
    order, created = desk.create_order(uow, data, actor)
    seen = seen or PlatformOrder(platform=row.name, platform_order_no=remote.platform_order_no)
    seen.order_no, seen.platform_status, seen.modified = order.order_no, f"{remote.state}/{remote.raw_status}"[:40], remote.modified
    seen.fingerprint, seen.refund = fingerprint(data.get("recipient") or {}), remote.refund
    seen.sub_orders = remote.sub_orders
    uow.session.add(seen)
    if created:
        report.imported += 1
    else:
        report.already_present += 1
    if remote.refund:
        _hold(uow, order, actor, f"platform {row.name}: the buyer asked to cancel or refund "
                                 f"before shipping ({remote.raw_status})", report, row, "refund_requested")
    elif order.status == rules.ON_HOLD and created:
        report.held.append(f"{order.order_no}: {order.hold_reason}")
    return "imported" if created else "already_present"


def _changed(uow: UnitOfWork, row: PlatformRow, remote: RemoteOrder, seen: PlatformOrder,
             report: PullReport, actor: str) -> str:
    recipient = remote.order.get("recipient") or {}
    new_print = fingerprint(recipient)
    reasons: list[tuple[str, str]] = []
    if remote.state == CLOSED and seen.platform_status.split("/")[0] != CLOSED:
        reasons.append(("closed", f"the trade was closed on {row.name} ({remote.raw_status}): cancel the order"))
    elif remote.refund and not seen.refund:
        reasons.append(("refund_requested", f"the buyer asked to cancel or refund on {row.name}"))
    if new_print != seen.fingerprint and seen.fingerprint:
        where = " ".join(str(recipient.get(k) or "") for k in ("province", "city", "district", "address"))
        reasons.append(("address_changed", f"the buyer changed the address to {recipient.get('name', '')} "
                                           f"{recipient.get('phone', '')} {where}"))
    seen.platform_status, seen.modified, seen.refund = f"{remote.state}/{remote.raw_status}"[:40], remote.modified, remote.refund
    seen.fingerprint, seen.sub_orders = new_print, remote.sub_orders or seen.sub_orders
    uow.session.add(seen)
    order = desk.get_order(uow, seen.order_no or "", lock=True)
    _take_memo(uow, order, remote, actor)
    if not reasons:
        report.unchanged += 1
        return "unchanged"
    report.changed += 1
    address_changed = any(kind == "address_changed" for kind, _ in reasons)
    text = f"platform {row.name}: " + "; ".join(words for _, words in reasons)
    kind = reasons[0][0]
    if order.status in (rules.PACKED, rules.SHIPPED):
        _alert(uow, row, order, kind, f"order {order.order_no} is already {order.status}: {text} — "
                                      f"stop the parcel with the carrier (拦截) or arrange a return", report)
        return "alert"
    if order.status == rules.CANCELLED:
        return "unchanged"
    if address_changed:
        uow.update(order, recipient_name=str(recipient.get("name") or ""),
                   recipient_phone=rules.normalise_phone(str(recipient.get("phone") or "")),
                   province=str(recipient.get("province") or ""), city=str(recipient.get("city") or ""),
                   district=str(recipient.get("district") or ""), address=str(recipient.get("address") or ""))
    _hold(uow, order, actor, text, report, row, kind)
    return "held"


def _take_memo(uow: UnitOfWork, order: OrderRow, remote: RemoteOrder, actor: str) -> None:
    """The seller edited the memo or its flag: the order shows the new one (the packer sees it)."""
    memo = remote.order.get("seller_memo") or None
    flag = rules.normalise_flag(remote.order.get("seller_flag"))
    if (memo or None) != (order.seller_memo or None) or flag != order.seller_flag:
        uow.update(order, seller_memo=memo, seller_flag=flag)
        desk.add_note(uow, order, actor, f"卖家备注 changed on the platform: [{flag or '-'}] {memo or ''}")


def _hold(uow: UnitOfWork, order: OrderRow, actor: str, reason: str, report: PullReport, row: PlatformRow,
          kind: str) -> None:
    reason = reason[:500]
    if order.status == rules.ON_HOLD:  # held already (stock, review): the platform's reason wins
        uow.update(order, hold_reason=reason)
        desk.add_note(uow, order, actor, reason)
    else:
        desk.transition(uow, order, rules.ON_HOLD, actor, reason)
    report.held.append(f"{order.order_no}: {reason}")


def _alert(uow: UnitOfWork, row: PlatformRow, order: OrderRow, kind: str, message: str, report: PullReport) -> None:
    uow.session.add(PlatformAlert(platform=row.name, order_no=order.order_no, kind=kind, message=message[:1000]))
    desk.add_note(uow, order, f"platform:{row.name}", message[:2000])
    report.alerts.append(f"{order.order_no}: {message}")


def _pull_files(engine: Engine, row: PlatformRow, conn: Any, report: PullReport, actor: str) -> None:
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
                order = desk.get_order(uow, order_no)
                columns: dict[str, Any] = {}
                if order.shop is None and row.shop:
                    columns["shop"] = row.shop
                if order.ship_by is None and order.paid_at is not None:
                    columns["ship_by"] = order.paid_at + timedelta(hours=row.ship_by_hours)
                if columns:
                    uow.update(order, **columns)
                if _seen(uow, row.name, order_no) is None:
                    uow.session.add(PlatformOrder(platform=row.name, platform_order_no=order_no, order_no=order_no,
                                                  platform_status="file", fingerprint=""))
                uow.commit()
    with UnitOfWork(engine) as uow:
        fresh = get_platform(uow, row.name)
        fresh.cursor = utcnow()
        uow.session.add(fresh)
        uow.commit()


# ---------------------------------------------------------------- alerts


def list_alerts(uow: UnitOfWork, open_only: bool = True, limit: int = 200) -> list[PlatformAlert]:
    stmt = select(PlatformAlert)
    if open_only:
        stmt = stmt.where(PlatformAlert.resolved_at.is_(None))  # type: ignore[union-attr]
    return list(uow.session.exec(stmt.order_by(PlatformAlert.id.desc()).limit(limit)).all())  # type: ignore[union-attr]


def alert_view(a: PlatformAlert) -> dict[str, Any]:
    return {"id": a.id, "platform": a.platform, "order_no": a.order_no, "kind": a.kind, "message": a.message,
            "created_at": a.created_at.isoformat(), "resolved_by": a.resolved_by,
            "resolved_at": a.resolved_at.isoformat() if a.resolved_at else None}


def resolve_alert(uow: UnitOfWork, alert_id: int, who: str) -> PlatformAlert:
    alert = uow.session.get(PlatformAlert, alert_id)
    if alert is None:
        raise NotFound(f"no platform alert {alert_id}", "unknown_alert")
    if alert.resolved_at is None:
        alert.resolved_by, alert.resolved_at = who, utcnow()
        uow.session.add(alert)
        uow.commit()
    return alert


def platform_orders(uow: UnitOfWork, order_no: str) -> list[PlatformOrder]:
    return list(uow.session.exec(select(PlatformOrder).where(PlatformOrder.order_no == order_no)).all())
