"""The order record: reading an order, its status changes and history, notes, lists, and the
orders that ship in one parcel."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import select

from wms.adapters.db.tables import OrderEvent, OrderLine, OrderNote, OrderRow, Parcel
from wms.adapters.db.uow import UnitOfWork
from wms.domain import orders as rules
from wms.domain.errors import Invalid, NotFound


def get_order(uow: UnitOfWork, order_no: str, lock: bool = False) -> OrderRow:
    stmt = select(OrderRow).where(OrderRow.order_no == order_no)
    row = uow.session.exec(uow.locked(stmt) if lock else stmt).first()
    if row is None:
        raise NotFound(f"unknown order {order_no}", "unknown_order")
    return row


def order_lines(uow: UnitOfWork, order: OrderRow) -> list[OrderLine]:
    return list(
        uow.session.exec(
            select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.id)  # type: ignore[arg-type]
        ).all()
    )


def transition(uow: UnitOfWork, order: OrderRow, new: str, actor: str, reason: str | None = None,
               **columns: Any) -> None:
    """Every status change goes through here so the history is complete; `columns` change
    with it in the same statement (packing sets the carrier as the order becomes packed)."""
    rules.check_transition(order.status, new)
    if order.id is None:  # a new order: it needs its row before its history can point at it
        uow.session.flush()
    uow.insert_values(OrderEvent, order_id=order.id, from_status=order.status, to_status=new, actor=actor,
                      reason=reason)
    uow.update(order, status=new, hold_reason=reason if new == rules.ON_HOLD else None, **columns)


def add_note(uow: UnitOfWork, order: OrderRow, author: str, text: str, for_warehouse: bool = False) -> OrderNote:
    """A note on the order's record; `for_warehouse`: the packer must also read it at the station
    (kept on the order, newest last, as the station shows it)."""
    if not text.strip():
        raise Invalid("text: a note cannot be empty", "empty_note")
    note = OrderNote(order_id=order.id, author=author, text=text.strip())  # type: ignore[arg-type]
    uow.session.add(note)
    if for_warehouse:
        said = f"{text.strip()} ({author})"
        order.warehouse_note = ((order.warehouse_note + "; ") if order.warehouse_note else "") + said
        order.warehouse_note = order.warehouse_note[-1000:]
        uow.session.add(order)
    uow.session.flush()
    return note


def history(uow: UnitOfWork, order: OrderRow) -> list[OrderEvent]:
    return list(
        uow.session.exec(
            select(OrderEvent).where(OrderEvent.order_id == order.id).order_by(OrderEvent.id)  # type: ignore[arg-type]
        ).all()
    )


def notes(uow: UnitOfWork, order: OrderRow) -> list[OrderNote]:
    return list(
        uow.session.exec(
            select(OrderNote).where(OrderNote.order_id == order.id).order_by(OrderNote.id)  # type: ignore[arg-type]
        ).all()
    )


def group_of(uow: UnitOfWork, order: OrderRow) -> list[OrderRow]:
    """The orders that leave in one parcel with `order` (just itself unless merged)."""
    if not order.merge_group:
        return [order]
    members = uow.session.exec(
        select(OrderRow).where(OrderRow.merge_group == order.merge_group,
                               OrderRow.status.in_(rules.PACKABLE | {rules.PACKED}))  # type: ignore[attr-defined]
        .order_by(OrderRow.id)  # type: ignore[arg-type]
    ).all()
    return list(members) if order in members else [order, *members]


def summary(order: OrderRow, mask: bool) -> dict[str, Any]:
    """One line of the order desk's list (phones masked for whoever may not see them)."""
    return {"order_no": order.order_no, "status": order.status, "hold_reason": order.hold_reason,
            "shop": order.shop, "channel": order.channel, "carrier": order.carrier, "order_type": order.order_type,
            "recipient_name": order.recipient_name,
            "phone": rules.mask_phone(order.recipient_phone) if mask else order.recipient_phone,
            "province": order.province, "city": order.city, "district": order.district,
            "seller_flag": order.seller_flag, "has_buyer_message": bool(order.buyer_message),
            "paid_at": order.paid_at.isoformat() if order.paid_at else None,
            "ship_by": order.ship_by.isoformat() if order.ship_by else None}


ORDER_SORTS = {"ship_by": (OrderRow.ship_by, OrderRow.id), "paid_at": (OrderRow.paid_at, OrderRow.id),
               "newest": (OrderRow.id.desc(),)}  # type: ignore[union-attr]


def list_orders(uow: UnitOfWork, status: str | None = None, hold_reason: str | None = None, shop: str | None = None,
                ship_by_before: datetime | None = None, sort: str = "ship_by", limit: int = 200) -> list[OrderRow]:
    """The order desk's list: filter by status, hold reason (words in it), shop, ship-by."""
    if status and status not in rules.STATUSES:
        raise Invalid(f"status: choose one of {', '.join(rules.STATUSES)}", "invalid_status")
    if sort not in ORDER_SORTS:
        raise Invalid(f"sort: choose one of {', '.join(ORDER_SORTS)}", "invalid_sort")
    stmt = select(OrderRow)
    if status:
        stmt = stmt.where(OrderRow.status == status)
    if hold_reason:
        stmt = stmt.where(OrderRow.hold_reason.contains(hold_reason.strip()))  # type: ignore[union-attr]
    if shop:
        stmt = stmt.where(OrderRow.shop == shop)
    if ship_by_before is not None:
        stmt = stmt.where(OrderRow.ship_by <= ship_by_before)  # type: ignore[operator]
    if sort == "ship_by":  # no promise yet sorts last
        stmt = stmt.order_by(OrderRow.ship_by.is_(None), *ORDER_SORTS[sort])  # type: ignore[union-attr]
    else:
        stmt = stmt.order_by(*ORDER_SORTS[sort])
    return list(uow.session.exec(stmt.limit(max(1, min(limit, 1000)))).all())


def picklist_notes(uow: UnitOfWork, trip_orders: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the buyers and the seller wrote for a trip's orders, tote by tote, for the pick list."""
    nos = [o["order_no"] for o in trip_orders]
    if not nos:
        return []
    rows = {o.order_no: o for o in uow.session.exec(select(OrderRow).where(OrderRow.order_no.in_(nos))).all()}  # type: ignore[attr-defined]
    out = []
    for o in trip_orders:
        row = rows.get(o["order_no"])
        if row is not None and (row.buyer_message or row.seller_memo):
            out.append({"order_no": row.order_no, "tote": o.get("tote"), "tote_code": o.get("tote_code"),
                        "buyer_message": row.buyer_message, "seller_memo": row.seller_memo,
                        "seller_flag": row.seller_flag})
    return out


def in_parcel(uow: UnitOfWork, order: OrderRow) -> list[OrderRow]:
    """The parcel's order, plus orders merged into it (合并发货) that have no parcel of their own."""
    if not order.merge_group:
        return [order]
    own_parcel = select(Parcel.order_id).where(Parcel.order_id == OrderRow.id).exists()
    members = uow.session.exec(
        select(OrderRow).where(OrderRow.merge_group == order.merge_group, OrderRow.id != order.id,
                               OrderRow.status.in_((rules.PACKED, rules.SHIPPED)),  # type: ignore[attr-defined]
                               ~own_parcel).order_by(OrderRow.id)  # type: ignore[arg-type]
    ).all()
    return [order, *members]
