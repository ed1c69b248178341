"""The flash-sale lane (爆款): single-item orders of one SKU packed by scanning the item itself.
The scan finds the most urgent packable order that is exactly one unit of that SKU, opens its
pack session at the station and counts the unit; the weighing then checks it as any parcel, and
the next scan opens the next order. Two stations on one SKU never get the same order.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import select

from wms.adapters.db.tables import OrderLine, OrderRow, PackSessionRow
from wms.adapters.db.uow import UnitOfWork
from wms.config import Settings
from wms.domain import orders as order_rules
from wms.domain.codes import interpret
from wms.domain.errors import NotFound
from wms.services.packing.scan import resolve_sku, scan_session
from wms.services.packing.session import Actor, open_session, session_view


def next_order(uow: UnitOfWork, sku: str) -> OrderRow | None:
    """The most urgent packable order that is one unit of `sku` and nothing else, not being
    packed anywhere; row-locked on PostgreSQL, skipping one another station has just taken."""
    one_unit = (select(OrderLine.order_id).group_by(OrderLine.order_id)
                .having(func.count() == 1, func.sum(OrderLine.qty) == 1, func.max(OrderLine.sku) == sku))
    busy = select(PackSessionRow.order_id).where(PackSessionRow.status == "open")
    query = (select(OrderRow).where(OrderRow.id.in_(one_unit), OrderRow.id.not_in(busy),  # type: ignore[union-attr]
                                    OrderRow.status.in_(order_rules.PACKABLE),  # type: ignore[attr-defined]
                                    OrderRow.merge_group.is_(None))  # type: ignore[union-attr]
             .order_by(OrderRow.ship_by.is_(None), OrderRow.ship_by, OrderRow.id).limit(1))  # type: ignore[union-attr]
    if uow.is_postgres:
        query = query.with_for_update(skip_locked=True)
    return uow.session.exec(query).first()


def flash_scan(uow: UnitOfWork, station: str, raw: str, who: Actor, settings: Settings) -> dict[str, Any]:
    """Scan an item in the flash lane: the next single-item order of it opens here, the unit
    counted (the scan commits, as every scan does)."""
    item = resolve_sku(uow, interpret(raw))
    if item is None:
        raise NotFound(f"{raw.strip()}: no item has this code", "unknown_code")
    order = next_order(uow, item.sku)
    if order is None:
        raise NotFound(f"no single-item order of {item.sku} is waiting to be packed", "no_flash_order")
    session, _ = open_session(uow, order.order_no, station, who, found=order)
    scanned = scan_session(uow, session, raw, who, settings, None, None)
    return {"order_no": order.order_no, "session_id": session.id, "scan": scanned,
            "session": session_view(uow, session)}
