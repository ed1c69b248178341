"""The order desk: intake with review, reservation, status history, notes, cancellation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from sqlmodel import select

from printing.layout import recipient_print_problems
from wms.adapters.db.tables import OrderEvent, OrderLine, OrderNote, OrderRow, Parcel
from wms.adapters.db.types import utcnow
from wms.adapters.db.uow import UnitOfWork
from wms.config import get_settings
from wms.domain import orders as rules
from wms.domain.carriers import carrier_problems
from wms.domain.errors import Conflict, Invalid, NotFound
from wms.services.shipping.carriers import carrier_rules
from wms.services.stock import catalog, ledger

BEIJING = timezone(timedelta(hours=8))


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


def parse_time(value: Any, field_name: str) -> datetime | None:
    """An ISO time from a file or a platform; a time without a zone is taken as Beijing time,
    which is what the shops' exports mean."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            raise Invalid(f"{field_name}: {value!r} is not an ISO date-time", "invalid_time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=BEIJING)
    return moment.astimezone(UTC)


def _text(value: Any, limit: int) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text[:limit] or None


@dataclass
class DraftOrder:
    """An order as it arrived, checked field by field but not stored: the columns of its
    row (plain values: building an OrderRow costs more than storing it) and its lines."""

    values: dict[str, Any]
    lines: list[rules.DraftLine]

    @property
    def order_no(self) -> str:
        return self.values["order_no"]

    @property
    def recipient(self) -> rules.Recipient:
        v = self.values
        return rules.Recipient(v["recipient_name"], v["recipient_phone"], v["province"], v["city"],
                               v["district"], v["address"])


class Lookups:
    """What reviewing an order reads from the database, asked once per batch of orders:
    create_order makes one for its one order, the bulk intake one for a chunk of them."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        self._skus: dict[str, int | None] = {}  # unit weight, None for an unknown SKU
        self._carriers: list[Any] | None = None

    def known_skus(self, codes: set[str]) -> set[str]:
        missing = {c for c in codes if c not in self._skus}
        if missing:
            found = catalog.skus_by_code(self.uow, missing)
            self._skus.update({c: found[c].unit_weight_g if c in found else None for c in missing})
        return {c for c in codes if self._skus[c] is not None}

    def weight_g(self, lines: list[rules.DraftLine]) -> int:
        """The items' weight from the master data: what a carrier's weight limit is checked against."""
        self.known_skus({l.sku for l in lines})
        return sum((self._skus.get(l.sku) or 0) * max(0, l.qty) for l in lines)

    def carriers(self) -> list[Any]:
        if self._carriers is None:
            self._carriers = carrier_rules(self.uow)
        return self._carriers


def order_no_of(data: dict[str, Any]) -> str:
    return str(data.get("order_no") or "").strip()


def draft_order(data: dict[str, Any]) -> DraftOrder:
    """Read an incoming order (API body, file row); raises Invalid naming the bad field."""
    order_no = order_no_of(data)
    if not order_no:
        raise Invalid("order_no: is required", "missing_field")
    recipient = data.get("recipient") or {}
    lines = [rules.DraftLine(str(l.get("sku", "")).strip(), int(l.get("qty", 0))) for l in data.get("lines") or []]
    order_type = str(data.get("order_type") or ("cod" if data.get("cod_amount") not in (None, "", "0", "0.00", 0) else "normal"))
    if order_type not in ("normal", "presale", "cod"):
        raise Invalid(f"order_type: {order_type!r} is not one of normal, presale, cod", "invalid_order_type")
    cod = rules.parse_money(data.get("cod_amount"))
    paid_at = parse_time(data.get("paid_at"), "paid_at")
    values = dict(
        order_no=order_no,
        channel=str(data.get("channel") or "api"),
        shop=_text(data.get("shop"), 64),
        buyer_message=_text(data.get("buyer_message"), 1000),
        seller_memo=_text(data.get("seller_memo"), 1000),
        seller_flag=rules.normalise_flag(data.get("seller_flag")),
        ship_by=parse_time(data.get("ship_by"), "ship_by"),
        order_type=order_type,
        recipient_name=str(recipient.get("name") or ""),
        recipient_phone=rules.normalise_phone(str(recipient.get("phone") or "")),
        province=str(recipient.get("province") or ""),
        city=str(recipient.get("city") or ""),
        district=str(recipient.get("district") or ""),
        address=str(recipient.get("address") or ""),
        oaid=_text(recipient.get("oaid") or data.get("oaid"), 128),
        cod_amount=cod,
        carrier=data.get("carrier") or None,
        merge_consent=bool(data.get("merge_consent", False)),
        remark=data.get("remark"),
        paid_at=paid_at or utcnow(),
    )
    return DraftOrder(values, lines)


def review_draft(draft: DraftOrder, lookups: Lookups) -> rules.Review:
    """The desk's review of an arriving order (wms.domain.orders.review_order), the one both
    create_order and the bulk intake (wms.services.bulk_intake) apply."""
    v = draft.values
    return _review(draft.recipient, draft.lines, v["order_type"], v["cod_amount"], v.get("carrier"), lookups,
                   bool(v.get("oaid")))


def review(uow: UnitOfWork, order: OrderRow, lines: list[rules.DraftLine]) -> rules.Review:
    """The same review of an order as it now stands, after an edit or before a hold is lifted."""
    recipient = rules.Recipient(order.recipient_name, order.recipient_phone, order.province, order.city,
                                order.district, order.address)
    return _review(recipient, lines, order.order_type, order.cod_amount, order.carrier, Lookups(uow),
                   bool(order.oaid))


def _review(recipient: rules.Recipient, lines: list[rules.DraftLine], order_type: str, cod_amount: Any,
            carrier: str | None, lookups: Lookups, masked: bool = False) -> rules.Review:
    """Address, phone, lines, COD, and whether the carrier asked for (or any carrier, for COD)
    can carry it (wms.domain.carriers.carrier_problems)."""
    review = rules.review_order(
        recipient, lines, lookups.known_skus({l.sku for l in lines}), order_type, cod_amount,
        carrier_problems(lookups.carriers(), recipient.province, cod_amount > 0, lookups.weight_g(lines), carrier),
        masked,
    )
    # A recipient the label cannot hold would be found by the printer, after the stock and a
    # tracking number were spent: the order desk fixes it first (PATCH /api/orders/{no}).
    review.problems.extend(recipient_print_problems(recipient, get_settings().label_size))
    return review


def create_order(uow: UnitOfWork, data: dict[str, Any], actor: str, hold: str | None = None) -> tuple[OrderRow, bool]:
    """Take an order in (idempotent by order_no) and review it; returns (order, created).

    `hold`: a reviewed order stays on hold with this reason and reserves nothing (a replacement
    waiting for its after-sales case's decision)."""
    order_no = order_no_of(data)
    if not order_no:
        raise Invalid("order_no: is required", "missing_field")
    existing = uow.session.exec(select(OrderRow).where(OrderRow.order_no == order_no)).first()
    if existing is not None:
        return existing, False
    draft = draft_order(data)
    order, lines = OrderRow(**draft.values), draft.lines
    uow.session.add(order)
    uow.session.flush()
    for line in lines:
        uow.session.add(OrderLine(order_id=order.id, sku=line.sku, qty=line.qty))  # type: ignore[arg-type]
    uow.session.add(OrderEvent(order_id=order.id, from_status=None, to_status=rules.RECEIVED, actor=actor))  # type: ignore[arg-type]
    uow.session.flush()
    found = review_draft(draft, Lookups(uow))
    if not found.ok:
        transition(uow, order, rules.ON_HOLD, "review", found.reason())
        return order, True
    transition(uow, order, rules.REVIEWED, "review")
    if hold:
        transition(uow, order, rules.ON_HOLD, actor, hold)
        return order, True
    try_reserve(uow, order, "review")
    merge_if_consented(uow, order, "review")
    return order, True


def stock_hold_reason(order_type: str, shortfalls: list[str]) -> str:
    return ("presale: waiting for stock; " if order_type == "presale" else "stock short: ") + ", ".join(shortfalls)


def try_reserve(uow: UnitOfWork, order: OrderRow, actor: str) -> bool:
    shortfalls = ledger.reserve_order(uow, order)
    if shortfalls:
        why = stock_hold_reason(order.order_type, shortfalls)
        if order.status != rules.ON_HOLD:
            transition(uow, order, rules.ON_HOLD, actor, why)
        else:
            order.hold_reason = why
            uow.session.add(order)
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
    ledger.release_order(uow, order, actor, reason or "cancelled")
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


STOCK_HOLDS = ("presale: waiting for stock", "stock short")


def retry_waiting_orders(uow: UnitOfWork, skus: set[str], actor: str) -> list[str]:
    """Stock arrived: orders held for it are reserved again, oldest paid first (presales too)."""
    held = uow.session.exec(
        select(OrderRow).where(OrderRow.status == rules.ON_HOLD)
        .order_by(OrderRow.paid_at, OrderRow.id)  # type: ignore[arg-type]
    ).all()
    released = []
    for order in held:
        if not (order.hold_reason or "").startswith(STOCK_HOLDS):
            continue
        if not skus & {line.sku for line in order_lines(uow, order)}:
            continue
        if try_reserve(uow, order, actor):
            released.append(order.order_no)
    return released


MERGEABLE = (rules.REVIEWED, rules.RESERVED, rules.RELEASED, rules.PICKED)


def merge_candidates(uow: UnitOfWork, order: OrderRow) -> list[OrderRow]:
    """Other open orders of the same recipient at the same address (合并发货)."""
    return list(uow.session.exec(
        select(OrderRow).where(
            OrderRow.id != order.id, OrderRow.recipient_name == order.recipient_name,
            OrderRow.recipient_phone == order.recipient_phone, OrderRow.province == order.province,
            OrderRow.city == order.city, OrderRow.district == order.district, OrderRow.address == order.address,
            OrderRow.status.in_(MERGEABLE),  # type: ignore[attr-defined]
        ).order_by(OrderRow.id)  # type: ignore[arg-type]
    ).all())


def merge_if_consented(uow: UnitOfWork, order: OrderRow, actor: str) -> str | None:
    """Join an order to the recipient's other open orders when the buyer agreed to one parcel."""
    others = merge_candidates(uow, order)
    if not others or not (order.merge_consent or any(o.merge_consent for o in others)):
        return None
    group = next((o.merge_group for o in others if o.merge_group), None) or others[0].order_no
    for o in [order, *others]:
        if o.merge_group != group:
            o.merge_group = group
            uow.session.add(o)
            add_note(uow, o, actor, f"合并发货: packed as one parcel with group {group} (buyer consented)")
    uow.session.flush()
    return group


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


# --- fixing held orders: edit, hold, release, list -------------------------------------------

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


def release_hold(uow: UnitOfWork, order: OrderRow, actor: str, reason: str) -> rules.Review:
    """Lift a hold: the order is reviewed again and goes on (reserved, or back to its wave), or
    stays on hold with what review still finds wrong."""
    if order.status != rules.ON_HOLD:
        raise Conflict(f"order {order.order_no} is {order.status}, not on hold", "not_on_hold")
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
