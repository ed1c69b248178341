"""The warehouse at a glance: counts a lead checks first thing in the morning."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import select

from wms.adapters.db.tables import (
    BinRow,
    Carrier,
    ErpMessage,
    OrderRow,
    Parcel,
    PlatformRow,
    PrintJob,
    SkuRow,
    StockRow,
    TrackingUpload,
    Warehouse,
    Weighing,
)
from wms.adapters.db.uow import UnitOfWork
from wms.domain.orders import STATUSES
from wms.services import local_time
from wms.services.labels.print_queue import printers
from wms.services.picking.waves import list_waves
from wms.services.shipping.carrier_setup import pool_status
from wms.services.stock.ledger import sku_levels


def warehouse_counts(uow: UnitOfWork) -> dict[str, object]:
    s = uow.session
    by_status = dict(s.exec(select(OrderRow.status, func.count()).group_by(OrderRow.status)).all())
    verdicts = dict(
        s.exec(select(Weighing.verdict, func.count()).where(Weighing.kind == "outbound")
               .group_by(Weighing.verdict)).all()
    )
    judged = sum(v for k, v in verdicts.items() if k != "unstable")
    mismatches = sum(v for k, v in verdicts.items() if k in ("underweight", "overweight"))
    return {
        "bins": s.exec(select(func.count()).select_from(BinRow).where(BinRow.kind == "storage")).one(),
        "skus": s.exec(select(func.count()).select_from(SkuRow)).one(),
        "units_on_hand": int(s.exec(select(func.coalesce(func.sum(StockRow.on_hand), 0))).one()),
        "units_reserved": int(s.exec(select(func.coalesce(func.sum(StockRow.reserved), 0))).one()),
        "orders": sum(by_status.values()),
        "orders_by_status": {st: int(by_status.get(st, 0)) for st in STATUSES},
        "weighings": judged,
        "mismatch_rate": round(mismatches / judged, 4) if judged else 0.0,
    }


LOW_STOCK_AT = 5


def start_of_local_day(now: datetime | None = None) -> datetime:
    """Midnight of the warehouse's day (its display time zone, Asia/Shanghai by default), as an aware time.

    "Today" on a wall board means the floor's day, not UTC's: in Hangzhou UTC midnight
    is 08:00, half-way through the morning shift."""
    local = (now or datetime.now(UTC)).astimezone(local_time.zone())
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def mismatch_rate_today(uow: UnitOfWork, now: datetime | None = None) -> dict[str, object]:
    """Outbound weighings judged since local midnight, and the share that did not match."""
    since = start_of_local_day(now).astimezone(UTC)
    verdicts = dict(
        uow.session.exec(select(Weighing.verdict, func.count())
                         .where(Weighing.kind == "outbound", Weighing.at >= since)  # type: ignore[operator]
                         .group_by(Weighing.verdict)).all()
    )
    judged = sum(v for k, v in verdicts.items() if k != "unstable")
    mismatches = sum(v for k, v in verdicts.items() if k in ("underweight", "overweight"))
    return {"since": since.isoformat(), "weighings": judged, "mismatches": mismatches,
            "rate": round(mismatches / judged, 4) if judged else 0.0}


def waves_in_progress(uow: UnitOfWork) -> list[dict[str, Any]]:
    """Waves with picking still to do (newest first), with trips, orders and open tasks."""
    return [w for w in list_waves(uow) if w["status"] != "done"]


def printer_status(uow: UnitOfWork) -> list[dict[str, Any]]:
    """Every label printer with its last known status and how many jobs wait on it.

    Jobs for a printer that has no Printer row (a station's own `station:PK-01` queue)
    are listed too, so a label waiting for an agent nobody configured is not invisible."""
    queues: dict[str, dict[str, int]] = {}
    for name, status, n in uow.session.exec(
        select(PrintJob.printer, PrintJob.status, func.count())
        .where(PrintJob.status.in_(("queued", "sending", "failed")))  # type: ignore[attr-defined]
        .group_by(PrintJob.printer, PrintJob.status)
    ).all():
        queues.setdefault(name, {})[status] = int(n)
    out = []
    for p in printers(uow):
        q = queues.pop(p.name, {})
        out.append({"name": p.name, "protocol": p.protocol, "station": p.station, "status": p.status,
                    "status_at": p.status_at.isoformat() if p.status_at else None,
                    "queued": q.get("queued", 0), "sending": q.get("sending", 0),
                    "failed": q.get("failed", 0)})
    for name, q in sorted(queues.items()):
        out.append({"name": name, "protocol": None, "station": None, "status": "not configured",
                    "status_at": None, "queued": q.get("queued", 0), "sending": q.get("sending", 0),
                    "failed": q.get("failed", 0)})
    return out


def print_queue_waiting(uow: UnitOfWork, limit: int = 20) -> list[dict[str, Any]]:
    """Labels not yet on paper: queued, being sent, or failed and waiting for a person."""
    rows = uow.session.exec(
        select(PrintJob).where(PrintJob.status.in_(("queued", "sending", "failed")))  # type: ignore[attr-defined]
        .order_by(PrintJob.id).limit(limit)  # type: ignore[arg-type]
    ).all()
    return [{"job_id": j.id, "printer": j.printer, "tracking_no": j.tracking_no, "status": j.status,
             "attempts": j.attempts, "last_error": j.last_error, "created_at": j.created_at.isoformat()}
            for j in rows]


def low_stock(uow: UnitOfWork, at_most: int = LOW_STOCK_AT, limit: int = 20) -> list[dict[str, object]]:
    """SKUs whose available units (on hand minus reserved, storage bins) are at or below
    `at_most`, fewest first: what to replenish or stop selling."""
    levels = [r for r in sku_levels(uow) if int(r["available"]) <= at_most]  # type: ignore[call-overload]
    levels.sort(key=lambda r: (int(r["available"]), str(r["sku"])))  # type: ignore[call-overload]
    return levels[:limit]


def warehouse_name(uow: UnitOfWork) -> str:
    """The board's title; read only (an empty database shows a neutral name)."""
    name = uow.session.exec(select(Warehouse.name).order_by(Warehouse.id)).first()  # type: ignore[arg-type]
    return name or "Warehouse 仓库"


def tracking_number_warnings(uow: UnitOfWork, low_water: int) -> list[str]:
    """Carriers numbered from our own pools that have run dry or low (an e-waybill carrier gets
    its numbers from the provider, so an empty pool says nothing about it)."""
    remote = {c.code for c in uow.session.exec(select(Carrier).where(Carrier.provider != "pool")).all()}
    return [c["warning"] for c in pool_status(uow, low_water)["carriers"]
            if c["warning"] and c["carrier"] not in remote]


def outbox_problems(uow: UnitOfWork) -> list[dict[str, Any]]:
    """Per shop platform or ERP: tracking uploads, confirmations and other ERP messages that
    failed for good or are being retried after an error, with an error, for the lead to see
    without a shell."""
    out: dict[str, dict[str, Any]] = {}
    for table in (TrackingUpload, ErpMessage):
        rows = uow.session.exec(
            select(table.platform, PlatformRow.kind, table.status, func.count(), func.max(table.id))
            .join(PlatformRow, PlatformRow.name == table.platform)  # type: ignore[arg-type]
            .where((table.status == "failed") | ((table.status == "queued") & table.last_error.is_not(None)))
            .group_by(table.platform, PlatformRow.kind, table.status)
        ).all()
        for platform, kind, status, n, newest in rows:
            entry = out.setdefault(platform, {"platform": platform, "kind": kind, "failed": 0, "retrying": 0,
                                              "last_error": None})
            entry["failed" if status == "failed" else "retrying"] += int(n)
            entry["last_error"] = uow.session.get(table, newest).last_error  # type: ignore[union-attr]
    return sorted(out.values(), key=lambda e: e["platform"])



def parcels_per_hour(uow: UnitOfWork, now: datetime | None = None) -> list[dict[str, int]]:
    """Parcels packed in each hour of the warehouse's day so far (voided ones left out)."""
    midnight = start_of_local_day(now)
    hours = [0] * 24
    for (at,) in uow.session.execute(select(Parcel.created_at).where(
            Parcel.created_at >= midnight.astimezone(UTC), Parcel.status != "voided")):  # type: ignore[operator]
        hours[at.astimezone(midnight.tzinfo).hour] += 1
    last = (now or datetime.now(UTC)).astimezone(midnight.tzinfo).hour
    return [{"hour": h, "parcels": hours[h]} for h in range(last + 1)]


def platform_sync_errors(uow: UnitOfWork) -> list[dict[str, Any]]:
    """Shop platforms and ERPs whose last pull or call failed, newest trouble first."""
    rows = uow.session.exec(select(PlatformRow).where(PlatformRow.last_error.is_not(None))  # type: ignore[union-attr]
                            .order_by(PlatformRow.name)).all()
    return [{"platform": r.name, "kind": r.kind, "code": r.last_error_code, "error": r.last_error,
             "at": local_time.local(r.last_error_at, "%m-%d %H:%M") if r.last_error_at else ""} for r in rows]


def countdown(hours_left: float) -> str:
    """"2 h 05 m left" / "overdue 35 m": what a lead reads off the wall."""
    minutes = int(round(abs(hours_left) * 60))
    text = f"{minutes // 60} h {minutes % 60:02d} m" if minutes >= 60 else f"{minutes} m"
    return f"overdue 超时 {text}" if hours_left < 0 else f"{text} left 剩余"
