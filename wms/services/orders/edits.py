"""Changing an order on the desk: holds and their release, recipient and line edits with a
new review, cancellation."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from wms.adapters.db.tables import OrderEvent, OrderLine, OrderRow
from wms.adapters.db.uow import UnitOfWork
from wms.domain import orders as rules
from wms.domain.errors import Conflict, Invalid
from wms.services.orders.intake import review, try_reserve
from wms.services.orders.records import add_note, order_lines, transition
from wms.services.stock import ledger


def cancel(uow: UnitOfWork, order: OrderRow, actor: str, reason: str) -> None:
    if order.status in (rules.PACKED, rules.SHIPPED):
        raise Conflict(f"order {order.order_no} is {order.status}; it can no longer be cancelled", "too_late")
    ledger.release_order(uow, order, actor, reason or "cancelled")
    transition(uow, order, rules.CANCELLED, actor, reason)


def change_lines(uow: UnitOfWork, order: OrderRow, lines: list[dict[str, Any]], actor: str, reason: str) -> None:
    """Change what an order contains before it is packed: give everything back, review again."""
    if order.status in (rules.PACKED, rules.SHIPPED, rules.CANCELLED):
        raise Conflict(f"order {order.order_no} is {order.status}; its lines can no longer change", "too_late")
    ledger.release_order(uow, order, actor, f"order changed: {reason}")
    drafts = [rules.DraftLine(str(l.get("sku", "")).strip(), int(l.get("qty", 0))) for l in lines]
    wanted = {d.sku: d.qty for d in drafts}
    # Lines are changed in place (a removed SKU keeps its line at qty 0): reservations
    # and picks already made still point at them, and the history stays readable.
    for line in order_lines(uow, order):
        line.qty = wanted.pop(line.sku, 0)
        uow.session.add(line)
    for sku, qty in wanted.items():
        uow.session.add(OrderLine(order_id=order.id, sku=sku, qty=qty))  # type: ignore[arg-type]
    uow.session.flush()
    what = f"lines changed ({reason}): " + ", ".join(f"{d.sku}×{d.qty}" for d in drafts)
    add_note(uow, order, actor, what)
    _record(uow, order, actor, what)
    found = review(uow, order, drafts)
    if not found.ok:
        if order.status != rules.ON_HOLD:
            transition(uow, order, rules.ON_HOLD, actor, found.reason())
        elif not _held_on_purpose(order):
            order.hold_reason = found.reason()
            uow.session.add(order)
        return
    if order.status == rules.ON_HOLD and _held_on_purpose(order):
        ledger.reserve_order(uow, order)  # book the new lines; the hold stays until a person lifts it
        return
    if order.status != rules.ON_HOLD:
        transition(uow, order, rules.ON_HOLD, actor, f"stock short: re-reserving after change ({reason})")
    try_reserve(uow, order, actor)


RECIPIENT_FIELDS = {"name": "recipient_name", "phone": "recipient_phone", "province": "province",
                    "city": "city", "district": "district", "address": "address"}


MANUAL_HOLD = rules.MANUAL_HOLD


def _record(uow: UnitOfWork, order: OrderRow, actor: str, what: str) -> None:
    """A change that keeps the status still goes in the history, with who and when."""
    uow.insert(OrderEvent(order_id=order.id, from_status=order.status, to_status=order.status,  # type: ignore[arg-type]
                          actor=actor, reason=what[:500]))


def _drafts(uow: UnitOfWork, order: OrderRow) -> list[rules.DraftLine]:
    return [rules.DraftLine(l.sku, l.qty) for l in order_lines(uow, order) if l.qty > 0]


def edit(uow: UnitOfWork, order: OrderRow, actor: str, reason: str, recipient: dict[str, Any] | None = None,
         carrier: str | None = None, clear_carrier: bool = False) -> list[str]:
    """Change the recipient or the carrier before packing; then review again (a hold the edit
    fixed is released, a problem it made puts the order on hold). Returns what changed."""
    if order.status not in rules.EDITABLE:
        raise Conflict(f"order {order.order_no} is {order.status}; it can no longer be changed", "too_late")
    if not (reason or "").strip():
        raise Invalid("reason: say why the order is changed", "missing_field")
    changed: list[str] = []
    for key, value in (recipient or {}).items():
        if key not in RECIPIENT_FIELDS or value is None:
            continue
        column = RECIPIENT_FIELDS[key]
        value = rules.normalise_phone(str(value)) if key == "phone" else str(value).strip()
        if getattr(order, column) != value:
            setattr(order, column, value)
            changed.append(f"phone → {rules.mask_phone(value)}" if key == "phone" else f"{key} → {value}")
    if clear_carrier or carrier is not None:
        new = None if clear_carrier else (carrier.strip().upper() or None)
        if new != order.carrier:
            order.carrier = new
            changed.append(f"carrier → {new or 'any'}")
    if not changed:
        raise Invalid("nothing to change: give recipient fields or a carrier", "nothing_changed")
    uow.session.add(order)
    uow.session.flush()
    _record(uow, order, actor, f"edited ({reason.strip()}): " + "; ".join(changed))
    rereview(uow, order, actor)
    return changed


def rereview(uow: UnitOfWork, order: OrderRow, actor: str) -> rules.Review:
    """Run review on the order as it now is. A review hold that is fixed is released; a new
    problem holds the order. Holds put on by a person or by after-sales stay until lifted."""
    found = review(uow, order, _drafts(uow, order))
    if not found.ok:
        if order.status != rules.ON_HOLD:
            transition(uow, order, rules.ON_HOLD, "review", found.reason())
        elif not _held_on_purpose(order):
            order.hold_reason = found.reason()
            uow.session.add(order)
        return found
    if order.status == rules.ON_HOLD and not _held_on_purpose(order):
        _resume(uow, order, actor, "review passed")
    return found


def _held_on_purpose(order: OrderRow) -> bool:
    return (order.hold_reason or "").startswith((rules.MANUAL_HOLD, rules.AFTER_SALES_HOLD))


def hold(uow: UnitOfWork, order: OrderRow, actor: str, reason: str) -> None:
    """Stop an order by hand (buyer asked to wait, address doubtful ...); its stock stays booked."""
    if not (reason or "").strip():
        raise Invalid("reason: say why the order is held", "missing_field")
    if order.status == rules.ON_HOLD:
        raise Conflict(f"order {order.order_no} is on hold already: {order.hold_reason}", "already_on_hold")
    if order.status not in rules.EDITABLE:
        raise Conflict(f"order {order.order_no} is {order.status}; it can no longer be held", "too_late")
    transition(uow, order, rules.ON_HOLD, actor, f"{MANUAL_HOLD} {reason.strip()}")


def release_hold(uow: UnitOfWork, order: OrderRow, actor: str, reason: str, by_case: bool = False) -> rules.Review:
    """Lift a hold: the order is reviewed again and goes on (reserved, or back to its wave), or
    stays on hold with what review still finds wrong. An after-sales hold (a replacement waiting
    for its case) is lifted only by its case (`by_case`), never by hand."""
    if order.status != rules.ON_HOLD:
        raise Conflict(f"order {order.order_no} is {order.status}, not on hold", "not_on_hold")
    if (order.hold_reason or "").startswith(rules.AFTER_SALES_HOLD) and not by_case:
        raise Conflict(f"order {order.order_no} waits for its after-sales case ({order.hold_reason}); the case "
                       "releases it once its decision, or its return, allows", "held_by_case")
    if not (reason or "").strip():
        raise Invalid("reason: say why the hold is lifted", "missing_field")
    found = review(uow, order, _drafts(uow, order))
    if not found.ok:
        order.hold_reason = found.reason()
        uow.session.add(order)
        _record(uow, order, actor, f"release refused by review ({reason.strip()}): {found.reason()}")
        return found
    _resume(uow, order, actor, reason.strip())
    return found


def _resume(uow: UnitOfWork, order: OrderRow, actor: str, why: str) -> None:
    """Back to where the order was before its hold when its stock is still booked, else reserve."""
    before = uow.session.exec(
        select(OrderEvent.from_status).where(OrderEvent.order_id == order.id, OrderEvent.to_status == rules.ON_HOLD)
        .order_by(OrderEvent.id.desc())  # type: ignore[union-attr]
    ).first()
    if before in (rules.RELEASED, rules.PICKED) and not ledger.missing_reservations(uow, order):
        transition(uow, order, before, actor, why)
        return
    transition(uow, order, rules.REVIEWED, actor, why)
    try_reserve(uow, order, actor)
