"""Moves between bins, cycle counts and the low-stock report, on top of `ledger.move`.

Every change here goes through `wms.services.stock.ledger.move`, so the ledger stays equal to
on-hand. Reserved units belong to orders: a move may only take what is available, and
a count that finds fewer units than are reserved takes the reservations back from the
most recently paid orders, which are re-reserved elsewhere or wait on hold.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import select

from wms.adapters.db.tables import BinRow, LedgerEntry, OrderRow, PickTask, Reservation, SkuRow, StockRow
from wms.adapters.db.uow import UnitOfWork
from wms.domain import orders as order_rules
from wms.domain.errors import Conflict, Invalid
from wms.services.orders import intake, records
from wms.services.stock import catalog
from wms.services.stock import ledger as stock

STATUS_ORDER = {"out": 0, "low": 1, "ok": 2}


def _locked_row(uow: UnitOfWork, bin_row: BinRow, sku: str) -> StockRow | None:
    stmt = select(StockRow).where(StockRow.bin_id == bin_row.id, StockRow.sku == sku)
    return uow.session.exec(uow.locked(stmt)).first()


def move_stock(uow: UnitOfWork, sku: str, from_bin: str, to_bin: str, qty: int, operator: str,
               reason: str | None = None) -> dict[str, Any]:
    """Move available units from one bin to another: two ledger rows sharing one ref.

    Reserved units stay where they are: an order's pick list points at that bin.
    """
    if qty <= 0:
        raise Invalid("qty: a move must take at least one unit", "invalid_qty")
    item = catalog.get_sku(uow, sku.strip())
    source = stock.find_bin(uow, from_bin)
    target = stock.find_bin(uow, to_bin, create_if_unmapped=True)
    if source.id == target.id:
        raise Invalid(f"from_bin and to_bin are both {source.code}", "same_bin")
    # Lock both rows in one order (by bin id) so two opposite moves cannot deadlock.
    rows = {b.id: _locked_row(uow, b, item.sku) for b in sorted((source, target), key=lambda b: b.id)}  # type: ignore[arg-type, return-value]
    src = rows[source.id]
    on_hand, reserved = (src.on_hand, src.reserved) if src else (0, 0)
    if on_hand - reserved < qty:
        held = f", {reserved} reserved for orders" if reserved else ""
        raise Conflict(
            f"bin {source.code} holds {on_hand} of {item.sku}{held}: only {max(0, on_hand - reserved)} "
            f"can move, not {qty}", "insufficient_available")
    ref = f"move:{uuid.uuid4().hex[:12]}"
    out_row = stock.move(uow, source, item.sku, -qty, "move", operator, ref=ref, reason=reason)
    in_row = stock.move(uow, target, item.sku, qty, "move", operator, ref=ref, reason=reason)
    return {"ref": ref, "sku": item.sku, "qty": qty,
            "from": _row_view(source, out_row), "to": _row_view(target, in_row)}


def _row_view(bin_row: BinRow, row: StockRow) -> dict[str, Any]:
    return {"bin": bin_row.code, "on_hand": row.on_hand, "reserved": row.reserved,
            "available": row.on_hand - row.reserved}


def count_bin(uow: UnitOfWork, sku: str, bin_code: str, counted_qty: int, reason: str,
              operator: str) -> dict[str, Any]:
    """Record a cycle count: the difference to the books goes on the ledger as an adjustment.

    A count with no difference is recorded too (delta 0), so the ledger shows when the
    bin was last counted. A count below the reserved quantity is accepted: the shelf is
    what it is. The orders that can no longer be covered from this bin are named in a
    warning and re-reserved from other bins, or put on hold until stock arrives.
    """
    if counted_qty < 0:
        raise Invalid("counted_qty: cannot be negative", "invalid_qty")
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("reason: a stock adjustment needs a reason", "missing_reason")
    item = catalog.get_sku(uow, sku.strip())
    bin_row = stock.find_bin(uow, bin_code)
    row = _locked_row(uow, bin_row, item.sku)
    books = row.on_hand if row else 0
    ref = f"count:{uuid.uuid4().hex[:12]}"
    row = stock.move(uow, bin_row, item.sku, counted_qty - books, "adjustment", operator, ref=ref,
                     reason=reason[:300])
    answer: dict[str, Any] = {"ref": ref, "sku": item.sku, "bin": bin_row.code, "books_qty": books,
                              "counted_qty": counted_qty, "difference": counted_qty - books,
                              **_row_view(bin_row, row), "affected_orders": [], "warning": None}
    if row.reserved > row.on_hand:
        why = (f"stock short: cycle count of {bin_row.code} found {counted_qty} of {item.sku} "
               f"(books said {books}, {row.reserved} reserved)")
        reserved = row.reserved
        affected = _take_back_reservations(uow, row, operator, why)
        uow.session.refresh(row)
        answer.update(_row_view(bin_row, row), affected_orders=affected)
        answer["warning"] = (
            f"counted {counted_qty} of {item.sku} in {bin_row.code} but {reserved} were reserved; "
            f"orders affected: "
            + "; ".join(f"{a['order_no']} {a['outcome'].replace('_', ' ')}" for a in affected))
    return answer


def _take_back_reservations(uow: UnitOfWork, row: StockRow, operator: str, why: str) -> list[dict[str, Any]]:
    """Release whole orders, newest paid first, until the bin's reservations fit its units.

    Each released order goes on hold with the reason and is reserved again at once from
    whatever is free (other bins, or what is left here); it stays on hold if nothing is.
    Orders on a pick wave are not touched: the wave's pick tasks point at their
    reservations, and the wave's short-pick keeps those (and tote contents) right.
    """
    reservations = uow.session.exec(
        select(Reservation, OrderRow)
        .join(OrderRow, OrderRow.id == Reservation.order_id)  # type: ignore[arg-type]
        .where(Reservation.stock_id == row.id, Reservation.status == "active",
               Reservation.qty > Reservation.picked)
    ).all()
    by_order: dict[int, tuple[OrderRow, int]] = {}
    for res, order in reservations:
        _, open_qty = by_order.get(order.id, (order, 0))  # type: ignore[arg-type]
        by_order[order.id] = (order, open_qty + res.qty - res.picked)  # type: ignore[index]
    on_wave = set(uow.session.exec(
        select(PickTask.order_id).where(PickTask.order_id.in_(list(by_order)), PickTask.status == "open")  # type: ignore[attr-defined]
    ).all()) if by_order else set()
    free = {order_rules.RESERVED, order_rules.RELEASED}
    candidates = sorted((o for o, _ in by_order.values() if o.status in free and o.id not in on_wave),
                        key=lambda o: (o.paid_at or o.created_at, o.id), reverse=True)
    chosen = {o.id for o in candidates}
    busy = sorted(o.order_no for o, _ in by_order.values() if o.id not in chosen)
    affected: list[dict[str, Any]] = []
    for order in candidates:
        uow.session.refresh(row)
        if row.reserved <= row.on_hand:
            break
        stock.release_order(uow, order, operator, why)
        records.transition(uow, order, order_rules.ON_HOLD, operator, why[:500])
        reserved_again = intake.try_reserve(uow, order, operator)
        affected.append({"order_no": order.order_no, "cut": by_order[order.id][1],  # type: ignore[index]
                         "outcome": "re_reserved" if reserved_again else "on_hold",
                         "status": order.status, "hold_reason": order.hold_reason})
    uow.session.refresh(row)
    if row.reserved > row.on_hand:
        raise Conflict(
            f"orders {', '.join(busy)} are on a pick wave for this bin; record the shortfall with the "
            f"wave's short-pick instead of a count", "bin_being_picked")
    return affected


def bin_contents(uow: UnitOfWork, bin_code: str, recent: int = 20) -> dict[str, Any]:
    """What a bin holds by SKU, and its latest ledger rows."""
    bin_row = stock.find_bin(uow, bin_code)
    rows = uow.session.exec(
        select(StockRow, SkuRow.name).join(SkuRow, SkuRow.sku == StockRow.sku)  # type: ignore[arg-type]
        .where(StockRow.bin_id == bin_row.id).order_by(StockRow.sku)
    ).all()
    return {
        "bin": bin_row.code, "kind": bin_row.kind, "aisle": bin_row.aisle, "zone": bin_row.zone,
        "skus": [{"sku": s.sku, "name": name, "on_hand": s.on_hand, "reserved": s.reserved,
                  "available": s.on_hand - s.reserved} for s, name in rows if s.on_hand or s.reserved],
        "recent_ledger": ledger(uow, bin_code=bin_row.code, limit=recent),
    }


def stock_report(uow: UnitOfWork, low: int = 5) -> list[dict[str, Any]]:
    """Per SKU: on hand, reserved, available and ok|low|out; out first, then low, then ok.

    `low` is the threshold: available at or below it (and above 0) is low. SKUs with no
    stock at all in storage bins are listed as out.
    """
    if low < 0:
        raise Invalid("low: the threshold cannot be negative", "invalid_threshold")
    levels = {r["sku"]: r for r in stock.sku_levels(uow)}
    for sku, name in uow.session.exec(select(SkuRow.sku, SkuRow.name)).all():
        levels.setdefault(sku, {"sku": sku, "name": name, "on_hand": 0, "reserved": 0, "available": 0})
    report = []
    for r in levels.values():
        available = int(r["available"])  # type: ignore[call-overload]
        status = "out" if available <= 0 else "low" if available <= low else "ok"
        report.append({**r, "status": status})
    report.sort(key=lambda r: (STATUS_ORDER[r["status"]], r["available"], r["sku"]))
    return report


def ledger(uow: UnitOfWork, sku: str | None = None, bin_code: str | None = None,
           limit: int = 200) -> list[dict[str, Any]]:
    """The append-only stock history, newest first, optionally for one SKU and/or bin."""
    if not 1 <= limit <= 5000:
        raise Invalid("limit: between 1 and 5000", "invalid_limit")
    stmt = select(LedgerEntry, BinRow.code).join(BinRow, BinRow.id == LedgerEntry.bin_id)  # type: ignore[arg-type]
    if sku:
        stmt = stmt.where(LedgerEntry.sku == sku.strip())
    if bin_code:
        stmt = stmt.where(BinRow.code == bin_code.strip().upper())
    rows = uow.session.exec(stmt.order_by(LedgerEntry.id.desc()).limit(limit)).all()  # type: ignore[union-attr]
    return [{"id": e.id, "at": e.at.isoformat(), "bin": code, "sku": e.sku, "delta": e.delta,
             "kind": e.kind, "ref": e.ref, "operator": e.operator, "reason": e.reason}
            for e, code in rows]


def suggest_bin(uow: UnitOfWork, sku: str) -> BinRow:
    """Where received units of `sku` go: the storage bin already holding the most of it, else the
    first empty storage bin by code (units of one SKU together, a picker walks less)."""
    catalog.get_sku(uow, sku)
    holding = uow.session.exec(
        select(BinRow).join(StockRow, StockRow.bin_id == BinRow.id)  # type: ignore[arg-type]
        .where(StockRow.sku == sku, StockRow.on_hand > 0, BinRow.kind == "storage")
        .order_by(StockRow.on_hand.desc(), BinRow.code).limit(1)  # type: ignore[attr-defined]
    ).first()
    if holding is not None:
        return holding
    used = select(StockRow.bin_id).where(StockRow.on_hand > 0)
    empty = uow.session.exec(select(BinRow).where(BinRow.kind == "storage", BinRow.id.not_in(used))  # type: ignore[union-attr]
                             .order_by(BinRow.code).limit(1)).first()
    if empty is None:
        raise Conflict(f"no bin holds {sku} and no storage bin is empty: name the bin", "no_bin")
    return empty


def receive(uow: UnitOfWork, sku: str, qty: int, bin_code: str | None, operator: str) -> dict[str, Any]:
    """Units received into a bin (the one named, else the suggested one), on the ledger; orders
    waiting for this SKU are reserved again. The caller commits."""
    sku = sku.strip()
    catalog.get_sku(uow, sku)
    target = bin_code.strip() if bin_code and bin_code.strip() else suggest_bin(uow, sku).code
    row = stock.receive(uow, sku, target, qty, operator)
    released = intake.retry_waiting_orders(uow, {sku}, operator)
    return {"sku": sku, "bin": target.upper(), "suggested": not (bin_code and bin_code.strip()),
            "on_hand": row.on_hand, "reserved": row.reserved, "orders_released": released}
