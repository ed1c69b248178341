"""Stock per bin: receipts, reservations that never oversell, picks, and the ledger."""

from __future__ import annotations

import re

from sqlalchemy import func, update
from sqlmodel import select

from wms.adapters.db import prepared
from wms.adapters.db.tables import (
    BinRow,
    LedgerEntry,
    OrderLine,
    OrderRow,
    Reservation,
    SkuRow,
    StockRow,
    Warehouse,
)
from wms.adapters.db.uow import UnitOfWork
from wms.domain.errors import Conflict, Invalid, NotFound

_BIN_AISLE = re.compile(r"^([A-Za-z]+\d*)-")


def default_warehouse(uow: UnitOfWork) -> Warehouse:
    wh = uow.session.exec(select(Warehouse).order_by(Warehouse.id)).first()  # type: ignore[arg-type]
    if wh is None:
        wh = Warehouse(code="main", name="Main warehouse", layout={})
        uow.session.add(wh)
        uow.session.flush()
    return wh


def find_bin(uow: UnitOfWork, code: str, create_if_unmapped: bool = False) -> BinRow:
    """Bins come from the layout; a warehouse with no layout loaded accepts new bin codes."""
    wh = default_warehouse(uow)
    code = code.strip().upper()
    row = uow.session.exec(
        select(BinRow).where(BinRow.warehouse_id == wh.id, BinRow.code == code)
    ).first()
    if row is not None:
        return row
    if create_if_unmapped and not wh.layout:
        m = _BIN_AISLE.match(code)
        row = BinRow(warehouse_id=wh.id, code=code, aisle=m.group(1) if m else "", y=0.0)  # type: ignore[arg-type]
        uow.session.add(row)
        uow.session.flush()
        return row
    raise NotFound(f"unknown bin {code}: it is not in the warehouse layout", "unknown_bin")


def special_bin(uow: UnitOfWork, kind: str) -> BinRow:
    """Quarantine, scrap and supplier-return areas are bins too, so the ledger covers them."""
    wh = default_warehouse(uow)
    code = {"quarantine": "QUARANTINE", "scrap": "SCRAP", "supplier": "RTV"}[kind]
    row = uow.session.exec(
        select(BinRow).where(BinRow.warehouse_id == wh.id, BinRow.code == code)
    ).first()
    if row is None:
        row = BinRow(warehouse_id=wh.id, code=code, aisle="", y=0.0, kind=kind)  # type: ignore[arg-type]
        uow.session.add(row)
        uow.session.flush()
    return row


def _stock_row(uow: UnitOfWork, bin_id: int, sku: str) -> StockRow:
    row = uow.session.exec(
        uow.locked(select(StockRow).where(StockRow.bin_id == bin_id, StockRow.sku == sku))
    ).first()
    if row is None:
        if uow.session.get(SkuRow, sku) is None:
            raise NotFound(f"unknown SKU {sku}", "unknown_sku")
        row = StockRow(bin_id=bin_id, sku=sku, on_hand=0, reserved=0)
        uow.session.add(row)
        uow.session.flush()
    return row


def move(
    uow: UnitOfWork,
    bin_row: BinRow,
    sku: str,
    delta: int,
    kind: str,
    operator: str,
    ref: str | None = None,
    reason: str | None = None,
) -> StockRow:
    """The one place stock changes: on-hand and a ledger row, in the same transaction."""
    row = _stock_row(uow, bin_row.id, sku)  # type: ignore[arg-type]
    if delta < 0:
        result = uow.session.execute(
            update(StockRow)
            .where(StockRow.id == row.id, StockRow.on_hand + delta >= 0)  # type: ignore[arg-type]
            .values(on_hand=StockRow.on_hand + delta)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict(
                f"bin {bin_row.code} holds fewer than {-delta} of {sku}", "insufficient_stock"
            )
    else:
        uow.session.execute(
            update(StockRow).where(StockRow.id == row.id).values(on_hand=StockRow.on_hand + delta)  # type: ignore[arg-type]
        )
    uow.session.add(
        LedgerEntry(
            bin_id=bin_row.id, sku=sku, delta=delta, kind=kind, ref=ref, operator=operator,  # type: ignore[arg-type]
            reason=reason,
        )
    )
    uow.session.flush()
    uow.session.refresh(row)
    return row


def receive(uow: UnitOfWork, sku: str, bin_code: str, qty: int, operator: str, ref: str | None = None) -> StockRow:
    if qty <= 0:
        raise Invalid("qty: a receipt must add at least one unit", "invalid_qty")
    bin_row = find_bin(uow, bin_code, create_if_unmapped=True)
    return move(uow, bin_row, sku, qty, "receipt", operator, ref=ref)


def available_by_bin(uow: UnitOfWork, sku: str) -> list[tuple[BinRow, StockRow]]:
    rows = uow.session.exec(
        select(BinRow, StockRow)
        .join(StockRow, StockRow.bin_id == BinRow.id)  # type: ignore[arg-type]
        .where(StockRow.sku == sku, BinRow.kind == "storage", StockRow.on_hand > StockRow.reserved)
        .order_by(BinRow.code)
    ).all()
    return [(b, s) for b, s in rows]


def reserve_at(uow: UnitOfWork, stock_id: int, qty: int) -> bool:
    """Conditional update: succeeds only if the units are still free when we write."""
    result = uow.session.execute(
        update(StockRow)
        .where(StockRow.id == stock_id, StockRow.on_hand - StockRow.reserved >= qty)  # type: ignore[arg-type]
        .values(reserved=StockRow.reserved + qty)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def unreserve_at(uow: UnitOfWork, stock_id: int, qty: int) -> None:
    """Give back `qty` reserved units of a stock row; refuses when fewer are reserved."""
    result = uow.session.execute(
        update(StockRow)
        .where(StockRow.id == stock_id, StockRow.reserved >= qty)  # type: ignore[arg-type]
        .values(reserved=StockRow.reserved - qty)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("stock reservations do not add up for this bin; count it", "reservation_mismatch")


def reserve_order(uow: UnitOfWork, order: OrderRow) -> list[str]:
    """Reserve every line or nothing; returns the shortfalls (empty when all is reserved)."""
    # Lines in SKU order and bins in code order: every transaction locks rows in one order.
    lines = uow.session.exec(
        select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.sku)
    ).all()
    shortfalls: list[str] = []
    made: list[Reservation] = []
    for line in lines:
        need = line.qty - _reserved_for_line(uow, line.id)  # type: ignore[arg-type]
        for _bin_row, stock in available_by_bin(uow, line.sku):
            if need <= 0:
                break
            take = min(need, stock.on_hand - stock.reserved)
            while take > 0 and not reserve_at(uow, stock.id, take):  # type: ignore[arg-type]
                uow.session.refresh(stock)
                take = min(need, stock.on_hand - stock.reserved)
            if take > 0:
                res = Reservation(
                    order_id=order.id, line_id=line.id, stock_id=stock.id, sku=line.sku, qty=take  # type: ignore[arg-type]
                )
                uow.session.add(res)
                made.append(res)
                need -= take
        if need > 0:
            shortfalls.append(f"{line.sku} short by {need}")
    if shortfalls:
        for res in made:
            _unreserve(uow, res)
            uow.session.delete(res)
    uow.session.flush()
    return shortfalls


def missing_reservations(uow: UnitOfWork, order: OrderRow) -> bool:
    """Does any line of the order lack part of its reservation?"""
    lines = uow.session.exec(select(OrderLine).where(OrderLine.order_id == order.id)).all()
    return any(line.qty > _reserved_for_line(uow, line.id) for line in lines)  # type: ignore[arg-type]


def _reserved_for_line(uow: UnitOfWork, line_id: int) -> int:
    total = uow.session.exec(
        select(func.coalesce(func.sum(Reservation.qty), 0)).where(
            Reservation.line_id == line_id, Reservation.status != "released"
        )
    ).one()
    return int(total)


def _unreserve(uow: UnitOfWork, res: Reservation) -> None:
    open_qty = res.qty - res.picked
    if open_qty > 0:
        uow.session.execute(
            update(StockRow)
            .where(StockRow.id == res.stock_id)  # type: ignore[arg-type]
            .values(reserved=StockRow.reserved - open_qty)
        )


def release_order(uow: UnitOfWork, order: OrderRow, operator: str, reason: str) -> None:
    """Give back unpicked reservations, and put picked units back in their bins."""
    reservations = uow.session.exec(
        select(Reservation).where(Reservation.order_id == order.id, Reservation.status != "released")
    ).all()
    for res in reservations:
        _unreserve(uow, res)
        if res.picked > 0:
            stock = uow.session.get(StockRow, res.stock_id)
            bin_row = uow.session.get(BinRow, stock.bin_id)  # type: ignore[union-attr]
            move(uow, bin_row, res.sku, res.picked, "return_restock", operator,  # type: ignore[arg-type]
                 ref=f"order:{order.order_no}", reason=reason)
        res.status = "released"
        uow.session.add(res)
    uow.session.flush()


def pick_reserved(uow: UnitOfWork, order: OrderRow, operator: str) -> None:
    """Take an order's reserved units out of their bins (when it is packed without a wave).

    One conditional update per stock row moves reserved and on-hand down together, and
    the ledger rows go in with them: the same rule as `move`, in fewer round trips (all the
    rows' updates in one statement, all the ledger rows in another). This runs on every
    passing weighing, so it uses prepared statements rather than ORM objects.
    """
    taken = [res for res in prepared.open_reservations(uow, order.id) if res.open_qty > 0]  # type: ignore[arg-type]
    if not prepared.take_reserved_many(uow, [(res.stock_id, res.open_qty) for res in taken]):
        skus = ", ".join(sorted({res.sku for res in taken}))
        raise Conflict(f"stock of {skus} changed under the order; recount the bins", "insufficient_stock")
    uow.insert_many(LedgerEntry, [dict(bin_id=res.bin_id, sku=res.sku, delta=-res.open_qty, kind="pick",
                                       ref=f"order:{order.order_no}", operator=operator) for res in taken])
    prepared.mark_reservations_picked(uow, order.id)  # type: ignore[arg-type]


def pick_units(uow: UnitOfWork, order: OrderRow, units: dict[str, int], operator: str) -> None:
    """Take some of an order's reserved units out of their bins: a parcel holding part of the
    order (一单多包). Its reservations stay active for the rest (`pick_reserved` takes that);
    units a wave picked already are taken from no bin again."""
    left = dict(units)
    rows = uow.session.exec(
        select(Reservation, StockRow.bin_id).join(StockRow, StockRow.id == Reservation.stock_id)  # type: ignore[arg-type]
        .where(Reservation.order_id == order.id, Reservation.status == "active")
        .order_by(Reservation.stock_id)).all()  # type: ignore[arg-type]
    for res, bin_id in rows:
        n = min(left.get(res.sku, 0), res.qty - res.picked)
        if n <= 0:
            continue
        if not prepared.take_reserved(uow, res.stock_id, n):
            raise Conflict(f"stock of {res.sku} changed under the order; recount the bin", "insufficient_stock")
        uow.insert_values(LedgerEntry, bin_id=bin_id, sku=res.sku, delta=-n, kind="pick",
                          ref=f"order:{order.order_no}", operator=operator)
        res.picked += n
        uow.session.add(res)
        left[res.sku] -= n
    uow.session.flush()


def ledger_mismatches(uow: UnitOfWork) -> list[tuple[int, str, int, int]]:
    """(bin_id, sku, on_hand, ledger sum) wherever they disagree: should always be empty."""
    sums = dict(
        ((b, s), int(t))
        for b, s, t in uow.session.exec(
            select(LedgerEntry.bin_id, LedgerEntry.sku, func.sum(LedgerEntry.delta)).group_by(
                LedgerEntry.bin_id, LedgerEntry.sku
            )
        ).all()
    )
    out = []
    for row in uow.session.exec(select(StockRow)).all():
        total = sums.pop((row.bin_id, row.sku), 0)
        if total != row.on_hand or row.reserved < 0 or row.reserved > row.on_hand:
            out.append((row.bin_id, row.sku, row.on_hand, total))
    out.extend((b, s, 0, t) for (b, s), t in sums.items() if t != 0)
    return out


def sku_levels(uow: UnitOfWork, skus: set[str] | None = None) -> list[dict[str, object]]:
    """On hand, reserved and available per SKU across storage bins (every SKU, zeros too; only
    `skus` when given)."""
    storage = (
        select(StockRow.sku, func.sum(StockRow.on_hand).label("on_hand"),
               func.sum(StockRow.reserved).label("reserved"))
        .join(BinRow, BinRow.id == StockRow.bin_id)  # type: ignore[arg-type]
        .where(BinRow.kind == "storage")
        .group_by(StockRow.sku)
        .subquery()
    )
    query = (select(SkuRow.sku, SkuRow.name, func.coalesce(storage.c.on_hand, 0), func.coalesce(storage.c.reserved, 0))
             .outerjoin(storage, storage.c.sku == SkuRow.sku).order_by(SkuRow.sku))
    if skus is not None:
        query = query.where(SkuRow.sku.in_(sorted(skus)))  # type: ignore[attr-defined]
    rows = uow.session.exec(query).all()
    return [
        {"sku": s, "name": n, "on_hand": int(o), "reserved": int(r), "available": int(o) - int(r)}
        for s, n, o, r in rows
    ]
