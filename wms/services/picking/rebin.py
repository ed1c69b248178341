"""Better bins for a wave: an order's open reservations, moved to bins on its way.

Reservations are made bin by bin in code order (wms.services.stock); when a wave is
planned (wms.services.waves), an order whose reservation sits in a bin off its way is
moved to a bin on the way that has free stock. The reservation moves; stock does not.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlmodel import select

from wms.adapters.db.tables import BinRow, OrderRow, Reservation, StockRow
from wms.adapters.db.uow import UnitOfWork
from wms.domain.bin_choice import InsufficientStock, choose_bins
from wms.domain.layout import Layout
from wms.domain.routing import plan_route
from wms.services.orders import records
from wms.services.picking.tasks import open_qty
from wms.services.stock.ledger import reserve_at, unreserve_at


@dataclass
class OpenLine:
    """One open reservation of an order, as a wave needs it."""

    res: Reservation
    bin_code: str


def open_lines(uow: UnitOfWork, order: OrderRow) -> list[OpenLine]:
    rows = uow.session.exec(
        select(Reservation, BinRow.code)
        .join(StockRow, StockRow.id == Reservation.stock_id)  # type: ignore[arg-type]
        .join(BinRow, BinRow.id == StockRow.bin_id)  # type: ignore[arg-type]
        .where(Reservation.order_id == order.id, Reservation.status == "active",
               Reservation.qty > Reservation.picked)
        .order_by(Reservation.id)
    ).all()
    return [OpenLine(res, code) for res, code in rows]


# ---------------------------------------------------------------- better bins


def rebin_order(uow: UnitOfWork, layout: Layout, order: OrderRow) -> list[dict[str, Any]]:
    """Move an order's reservations to bins that shorten its own pick walk.

    Reservations are made bin by bin in code order, which can send a picker to a far
    aisle for one item that also sits on the way. Only orders with nothing picked yet,
    and only SKUs on one line, are moved; each move is a conditional update, so a bin
    whose free stock was taken meanwhile is simply not used.
    """
    lines = open_lines(uow, order)
    if not lines or any(l.res.picked for l in lines):
        return []
    if any(not layout.has_bin(l.bin_code) for l in lines):
        return []
    line_ids: dict[str, set[int]] = defaultdict(set)
    for line in records.order_lines(uow, order):
        line_ids[line.sku].add(line.id)  # type: ignore[arg-type]
    current: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for l in lines:
        current[l.res.sku][l.bin_code] += l.res.qty
    skus = [s for s in current if len(line_ids[s]) == 1]
    if not skus:
        return []
    stock_rows: dict[tuple[str, str], StockRow] = {}
    candidates: dict[str, list[tuple[str, int]]] = {}
    for sku in skus:
        options = []
        for b, s in uow.session.exec(
            select(BinRow, StockRow).join(StockRow, StockRow.bin_id == BinRow.id)  # type: ignore[arg-type]
            .where(StockRow.sku == sku, BinRow.kind == "storage", StockRow.on_hand > 0)
            .order_by(BinRow.code)
        ).all():
            if not layout.has_bin(b.code):
                continue
            stock_rows[(sku, b.code)] = s
            usable = s.on_hand - s.reserved + current[sku].get(b.code, 0)
            if usable > 0:
                options.append((b.code, usable))
        candidates[sku] = options
    fixed = [code for sku, bins in current.items() if sku not in skus for code in bins]
    demand = {sku: sum(current[sku].values()) for sku in skus}
    try:
        better = choose_bins(layout, demand, candidates)
    except InsufficientStock:
        return []

    def walk(alloc: dict[str, dict[str, int]] | dict[str, list[tuple[str, int]]]) -> float:
        codes = set(fixed)
        for sku in skus:
            entry = alloc[sku]
            codes |= set(entry) if isinstance(entry, dict) else {c for c, _ in entry}
        return plan_route(layout, sorted(codes), "auto", time_budget_s=0.02).distance

    if walk(better) >= walk(current) - 1e-9:
        return []
    moved = []
    for sku in skus:
        new = {code: qty for code, qty in better[sku]}
        old = dict(current[sku])
        if new == old:
            continue
        line_id = next(iter(line_ids[sku]))
        if _move_reservation(uow, order, line_id, sku, old, new, stock_rows):
            moved.append({"order_no": order.order_no, "sku": sku,
                          "from": [{"bin": c, "qty": q} for c, q in sorted(old.items())],
                          "to": [{"bin": c, "qty": q} for c, q in sorted(new.items())]})
    return moved


def _move_reservation(
    uow: UnitOfWork,
    order: OrderRow,
    line_id: int,
    sku: str,
    old: dict[str, int],
    new: dict[str, int],
    stock_rows: dict[tuple[str, str], StockRow],
) -> bool:
    """Reserve the extra units first (conditionally), then give back the ones no longer needed."""
    grown: list[tuple[int, int]] = []
    for code, qty in new.items():
        extra = qty - old.get(code, 0)
        if extra <= 0:
            continue
        stock_id = stock_rows[(sku, code)].id
        if not reserve_at(uow, stock_id, extra):  # type: ignore[arg-type]
            for sid, d in grown:
                unreserve_at(uow, sid, d)
            return False
        grown.append((stock_id, extra))  # type: ignore[arg-type]
    for stock_id, extra in grown:
        res = uow.session.exec(
            select(Reservation).where(Reservation.line_id == line_id, Reservation.stock_id == stock_id,
                                      Reservation.status == "active")
        ).first()
        if res is None:
            uow.session.add(Reservation(order_id=order.id, line_id=line_id, stock_id=stock_id,  # type: ignore[arg-type]
                                        sku=sku, qty=extra))
        else:
            res.qty += extra
            uow.session.add(res)
    for code, qty in old.items():
        fewer = qty - new.get(code, 0)
        if fewer <= 0:
            continue
        stock_id = stock_rows[(sku, code)].id
        unreserve_at(uow, stock_id, fewer)  # type: ignore[arg-type]
        for res in uow.session.exec(
            select(Reservation).where(Reservation.line_id == line_id, Reservation.stock_id == stock_id,
                                      Reservation.status == "active").order_by(Reservation.id)  # type: ignore[arg-type]
        ).all():
            take = min(fewer, open_qty(res))
            res.qty -= take
            if res.qty == 0:
                res.status = "released"
            uow.session.add(res)
            fewer -= take
            if fewer == 0:
                break
    uow.session.flush()
    return True
