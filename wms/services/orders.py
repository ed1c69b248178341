"""The order desk: intake with review, reservation, status history, notes, cancellation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import select

from wms.adapters.db.tables import OrderEvent, OrderLine, OrderNote, OrderRow
from wms.adapters.db.types import utcnow
from wms.adapters.db.uow import UnitOfWork
from wms.domain import orders as rules
from wms.domain.errors import Conflict, Invalid, NotFound
from wms.services import catalog, stock


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


def transition(uow: UnitOfWork, order: OrderRow, new: str, actor: str, reason: str | None = None) -> None:
    """Every status change goes through here so the history is complete."""
    rules.check_transition(order.status, new)
    uow.session.add(
        OrderEvent(order_id=order.id, from_status=order.status, to_status=new, actor=actor, reason=reason)  # type: ignore[arg-type]
    )
    order.status = new
    order.hold_reason = reason if new == rules.ON_HOLD else None
    uow.session.add(order)
    uow.session.flush()


def create_order(uow: UnitOfWork, data: dict[str, Any], actor: str) -> tuple[OrderRow, bool]:
    """Take an order in (idempotent by order_no) and review it; returns (order, created)."""
    order_no = str(data.get("order_no") or "").strip()
    if not order_no:
        raise Invalid("order_no: is required", "missing_field")
    existing = uow.session.exec(select(OrderRow).where(OrderRow.order_no == order_no)).first()
    if existing is not None:
        return existing, False
    recipient = data.get("recipient") or {}
    lines = [rules.DraftLine(str(l.get("sku", "")).strip(), int(l.get("qty", 0))) for l in data.get("lines") or []]
    order_type = str(data.get("order_type") or ("cod" if data.get("cod_amount") not in (None, "", "0", "0.00", 0) else "normal"))
    if order_type not in ("normal", "presale", "cod"):
        raise Invalid(f"order_type: {order_type!r} is not one of normal, presale, cod", "invalid_order_type")
    cod = rules.parse_money(data.get("cod_amount"))
    paid_at = data.get("paid_at")
    order = OrderRow(
        order_no=order_no,
        channel=str(data.get("channel") or "api"),
        order_type=order_type,
        recipient_name=str(recipient.get("name") or ""),
        recipient_phone=rules.normalise_phone(str(recipient.get("phone") or "")),
        province=str(recipient.get("province") or ""),
        city=str(recipient.get("city") or ""),
        district=str(recipient.get("district") or ""),
        address=str(recipient.get("address") or ""),
        cod_amount=cod,
        carrier=data.get("carrier") or None,
        merge_consent=bool(data.get("merge_consent", False)),
        remark=data.get("remark"),
        paid_at=datetime.fromisoformat(str(paid_at).replace("Z", "+00:00")) if paid_at else utcnow(),
    )
    uow.session.add(order)
    uow.session.flush()
    for line in lines:
        uow.session.add(OrderLine(order_id=order.id, sku=line.sku, qty=line.qty))  # type: ignore[arg-type]
    uow.session.add(OrderEvent(order_id=order.id, from_status=None, to_status=rules.RECEIVED, actor=actor))  # type: ignore[arg-type]
    uow.session.flush()
    review = rules.review_order(
        rules.Recipient(order.recipient_name, order.recipient_phone, order.province, order.city,
                        order.district, order.address),
        lines,
        set(catalog.skus_by_code(uow, {l.sku for l in lines})),
        order_type,
        cod,
    )
    if not review.ok:
        transition(uow, order, rules.ON_HOLD, "review", review.reason())
        return order, True
    transition(uow, order, rules.REVIEWED, "review")
    try_reserve(uow, order, "review")
    return order, True


def try_reserve(uow: UnitOfWork, order: OrderRow, actor: str) -> bool:
    shortfalls = stock.reserve_order(uow, order)
    if shortfalls:
        why = ("presale: waiting for stock; " if order.order_type == "presale" else "stock short: ") + ", ".join(shortfalls)
        if order.status != rules.ON_HOLD:
            transition(uow, order, rules.ON_HOLD, actor, why)
        return False
    transition(uow, order, rules.RESERVED, actor)
    return True


def add_note(uow: UnitOfWork, order: OrderRow, author: str, text: str) -> OrderNote:
    if not text.strip():
        raise Invalid("text: a note cannot be empty", "empty_note")
    note = OrderNote(order_id=order.id, author=author, text=text.strip())  # type: ignore[arg-type]
    uow.session.add(note)
    uow.session.flush()
    return note


def cancel(uow: UnitOfWork, order: OrderRow, actor: str, reason: str) -> None:
    if order.status in (rules.PACKED, rules.SHIPPED):
        raise Conflict(f"order {order.order_no} is {order.status}; it can no longer be cancelled", "too_late")
    stock.release_order(uow, order, actor, reason or "cancelled")
    transition(uow, order, rules.CANCELLED, actor, reason)


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
