"""A pack session: the order a scan opened at a station, what its parcel must hold, what was
scanned so far, and the notes the packer must read first.

Lock order (PostgreSQL, several instances on one database): the order row first, then its pack
session. Opening a session locks the order, then the order's open session; weighing, an override
and a resent weighing read the session's order id unlocked (it never changes), lock the order,
then the session (`lock_for_parcel`). A scan locks only its session. One order everywhere, so
two instances never wait on each other in a circle. SQLite takes the file's write lock at BEGIN.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import select

from wms.adapters.db import prepared
from wms.adapters.db.tables import (
    OrderRow,
    PackagingRow,
    PackSessionRow,
    Parcel,
)
from wms.adapters.db.types import utcnow
from wms.adapters.db.uow import UnitOfWork
from wms.domain import orders as order_rules
from wms.domain import packing as pack_rules
from wms.domain import weighing as weight_rules
from wms.domain.codes import interpret
from wms.domain.errors import Conflict, NotFound
from wms.domain.packaging import ItemDims, suggest_packaging
from wms.services.orders import records
from wms.services.picking.tasks import order_in_tote
from wms.services.stock import catalog


@dataclass
class Actor:
    name: str
    role: str


def get_session(uow: UnitOfWork, session_id: int, lock: bool = False) -> PackSessionRow:
    row = uow.get_locked(PackSessionRow, session_id) if lock else uow.session.get(PackSessionRow, session_id)
    if row is None:
        raise NotFound(f"no pack session {session_id}", "unknown_session")
    return row


def lock_for_parcel(uow: UnitOfWork, session_id: int) -> PackSessionRow:
    """A session about to become a parcel, with its order locked first (the module's lock order)."""
    if uow.is_postgres:
        order_id = uow.session.execute(select(PackSessionRow.order_id).where(PackSessionRow.id == session_id)).scalar()
        if order_id is None:
            raise NotFound(f"no pack session {session_id}", "unknown_session")
        uow.get_locked(OrderRow, order_id)
    return get_session(uow, session_id, lock=True)


def order_for_code(uow: UnitOfWork, raw: str) -> OrderRow:
    """An order number as typed or scanned; pick-list and tote codes resolve to their order."""
    code = interpret(raw)
    value = code.value if code.kind not in ("invalid",) else raw.strip()
    row = uow.session.exec(select(OrderRow).where(OrderRow.order_no == value)).first()
    if row is None and code.kind == "tote":
        row = order_in_tote(uow, value)
    if row is None:
        raise NotFound(f"no order {raw.strip()}: scan the order number on the pick list", "unknown_order")
    return row


@dataclass
class Contents:
    """What a session's parcel must hold: the order, its merge group (合并发货) and their lines.

    `lines` count what is left to pack (an earlier parcel of the order took `packed`). A parcel
    that holds part of the order (一单多包) is `parcel_of` them: its lines are its own units
    (`split`), and `final` says whether it takes the last of them."""

    order: OrderRow
    members: list[OrderRow]
    lines: list[prepared.LineQty]
    split: bool = False
    final: bool = True

    @property
    def ordered(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for line in self.lines:
            if line.qty - line.packed > 0:
                out[line.sku] = out.get(line.sku, 0) + line.qty - line.packed
        return out

    @property
    def gifts(self) -> dict[str, int]:
        """Of `ordered`, the gift units per SKU (赠品): the packer must see them to put them in."""
        out: dict[str, int] = {}
        for line in self.lines:
            if line.gift_qty and line.qty - line.packed > 0:
                out[line.sku] = out.get(line.sku, 0) + min(line.gift_qty, line.qty - line.packed)
        return out

    @property
    def started(self) -> bool:
        """An earlier parcel took part of the order already."""
        return any(line.packed for line in self.lines)

    def parcel_of(self, units: dict[str, int]) -> Contents:
        """The share of the lines a parcel holding `units` (sku -> n) takes, line by line in
        order (a merge group's orders in turn); each share's qty is what it adds to `packed`."""
        left = dict(units)
        share, final = [], True
        for line in self.lines:
            todo = line.qty - line.packed
            n = min(todo, left.get(line.sku, 0))
            if n < todo:
                final = False
            if n > 0:
                share.append(line._replace(qty=n, packed=0, gift_qty=min(line.gift_qty, n)))
                left[line.sku] -= n
        return Contents(self.order, self.members, share, split=True, final=final)


def parcel_contents(contents: Contents, session: PackSessionRow, scanned: dict[str, int]) -> Contents:
    """What this session's parcel holds: the whole order as usual; what was scanned when the
    packer closed the parcel early (一单多包); the rest when an earlier parcel took some."""
    if session.partial:
        return contents.parcel_of(scanned)
    if contents.started:
        return contents.parcel_of(contents.ordered)
    return contents


def contents_of(uow: UnitOfWork, order: OrderRow) -> Contents:
    """Read once per request: the weigh path used to load the same lines four times."""
    members = records.group_of(uow, order)
    return Contents(order, members, prepared.lines_of(uow, [m.id for m in members]))  # type: ignore[misc]


@dataclass
class History:
    """The session's scans so far: accepted units per SKU, and the last read (for double reads)."""

    scanned: dict[str, int]
    last: pack_rules.Read | None


def history_of(uow: UnitOfWork, session_id: int) -> History:
    scanned: dict[str, int] = {}
    last = None
    for code, sku, outcome, at, source in prepared.scans(uow, session_id):
        if outcome == "accepted" and sku:
            scanned[sku] = scanned.get(sku, 0) + 1
        last = (code, at, source)
    if last is None:
        return History(scanned, None)
    code, at, source = last
    # A scanner's row holds the device's own time of the read (see _source); others prove nothing.
    return History(scanned, pack_rules.Read(code, epoch_ms(at) if source == pack_rules.SCANNER else None, source))


def scanned_counts(uow: UnitOfWork, session_id: int) -> dict[str, int]:
    return history_of(uow, session_id).scanned


def ordered_in(uow: UnitOfWork, order: OrderRow) -> dict[str, int]:
    """What goes in the parcel: the order's lines, and its merge group's (合并发货)."""
    return contents_of(uow, order).ordered


def session_view(uow: UnitOfWork, session: PackSessionRow) -> dict[str, Any]:
    """The session as the station shows it: an open one's lines are what is left to pack (with
    what is scanned); a closed one's, what its parcel holds."""
    order = uow.session.get(OrderRow, session.order_id)
    assert order is not None
    contents = contents_of(uow, order)
    scanned = scanned_counts(uow, session.id)  # type: ignore[arg-type]
    parcel = uow.session.exec(select(Parcel).where(Parcel.session_id == session.id)).first()
    if session.status == "open":
        ordered, gifts = contents.ordered, contents.gifts
        complete = session.partial or all(scanned.get(s, 0) >= q for s, q in ordered.items())
    else:
        ordered = dict(parcel.items) if parcel is not None and parcel.items else {}
        if not ordered:  # a parcel from before parcels kept their items: the whole order
            for line in contents.lines:
                ordered[line.sku] = ordered.get(line.sku, 0) + line.qty
        gifts, complete = {}, True
    skus = catalog.skus_by_code(uow, set(ordered))
    box = uow.session.get(PackagingRow, session.packaging) if session.packaging else None
    earlier = uow.session.exec(select(Parcel.id).where(
        Parcel.order_id == order.id, Parcel.status != "voided",
        Parcel.session_id != session.id)).all()  # type: ignore[arg-type]
    return {
        "session_id": session.id,
        "order_no": order.order_no,
        "station": session.station,
        "status": session.status,
        "packaging": session.packaging,
        "packaging_name": box.name if box is not None else None,
        "partial": session.partial,
        "opened_at": session.opened_at.isoformat(),
        "parcel_no": len(earlier) + 1,
        "lines": [
            {"sku": sku, "name": skus[sku].name if sku in skus else sku, "qty": qty,
             "scanned": scanned.get(sku, 0), "gift_qty": gifts.get(sku, 0),
             "unit_weight_g": skus[sku].unit_weight_g if sku in skus else None,
             "image_url": skus[sku].image_url if sku in skus else None}
            for sku, qty in ordered.items()
        ],
        "complete": complete,
        "tracking_no": parcel.tracking_no if parcel else None,
        "recipient": {"name": order.recipient_name, "phone": order_rules.mask_phone(order.recipient_phone),
                      "province": order.province, "city": order.city, "district": order.district},
        "notes": notes_view(uow, order, session),
    }


def _noted(uow: UnitOfWork, order: OrderRow) -> list[OrderRow]:
    """The orders in this parcel whose buyer or seller wrote something."""
    members = records.group_of(uow, order) if order.merge_group else [order]
    return [m for m in members if m.buyer_message or m.seller_memo or m.warehouse_note]


def notes_view(uow: UnitOfWork, order: OrderRow, session: PackSessionRow) -> dict[str, Any]:
    """What the buyer and the seller wrote (买家留言 / 卖家备注 with its flag), and whether the packer
    has confirmed reading it; a parcel of merged orders shows each order's."""
    noted = _noted(uow, order)
    need = any(order_rules.needs_acknowledgement(m.buyer_message, m.seller_flag, m.warehouse_note, m.seller_memo) for m in noted)
    return {
        "items": [{"order_no": m.order_no, "buyer_message": m.buyer_message, "seller_memo": m.seller_memo,
                   "seller_flag": m.seller_flag, "warehouse_note": m.warehouse_note} for m in noted],
        "needs_ack": need,
        "acknowledged_by": session.notes_ack_by,
        "acknowledged_at": session.notes_ack_at.isoformat() if session.notes_ack_at else None,
    }


def acknowledge_notes(uow: UnitOfWork, session_id: int, who: Actor) -> dict[str, Any]:
    """The packer read the buyer's message / flagged memo: from now on the weighing counts."""
    session = get_session(uow, session_id, lock=True)
    if session.status != "open":
        raise Conflict(f"pack session {session.id} is {session.status}", "session_closed")
    if session.notes_ack_at is None:
        session.notes_ack_by, session.notes_ack_at = who.name, utcnow()
        uow.session.add(session)
    order = uow.session.get(OrderRow, session.order_id)
    return notes_view(uow, order, session)  # type: ignore[arg-type]


def check_notes_seen(uow: UnitOfWork, contents: Any, session_id: int) -> None:
    """A weighing does not count until a flagged note of the parcel's orders was confirmed read."""
    if not any(order_rules.needs_acknowledgement(m.buyer_message, m.seller_flag, m.warehouse_note, m.seller_memo)
               for m in contents.members):
        return
    seen = uow.session.exec(select(PackSessionRow.notes_ack_at).where(PackSessionRow.id == session_id)).first()
    if seen is None:
        texts = "; ".join(t for m in contents.members for t in (
            f"买家留言: {m.buyer_message}" if m.buyer_message else "",
            f"卖家备注 ({m.seller_flag}): {m.seller_memo}" if m.seller_flag and m.seller_memo else "",
            f"客服备注 warehouse: {m.warehouse_note}" if m.warehouse_note else "") if t)
        raise Conflict(f"read the note first, then confirm it: {texts}", "notes_unacknowledged")


def close_parcel(uow: UnitOfWork, session_id: int, who: Actor) -> dict[str, Any]:
    """一单多包: this parcel holds what is scanned so far and is weighed as such; the rest of the
    order goes in the next parcel, which opens when this one passes. Scans still count here
    until it is weighed. Saying it twice changes nothing."""
    session = get_session(uow, session_id, lock=True)
    if session.status != "open":
        raise Conflict(f"pack session {session.id} is {session.status}", "session_closed")
    if not any(scanned_counts(uow, session.id).values()):  # type: ignore[arg-type]
        raise Conflict("nothing is scanned into this parcel yet: scan what goes in it, then close it",
                       "nothing_scanned")
    if not session.partial:
        session.partial = True
        uow.session.add(session)
        order = uow.session.get(OrderRow, session.order_id)
        records.add_note(uow, order, who.name, f"parcel closed early at {session.station} (一单多包): "  # type: ignore[arg-type]
                         "the rest of the order goes in the next parcel")
    return session_view(uow, session)


def choose_packaging(uow: UnitOfWork, session_id: int, code: str) -> dict[str, Any]:
    """The packer confirms or changes the box by scanning its barcode: the expected weight counts
    that box from now on."""
    session = get_session(uow, session_id, lock=True)
    if session.status != "open":
        raise Conflict(f"pack session {session.id} is {session.status}", "session_closed")
    box = uow.session.get(PackagingRow, code.strip()) or uow.session.get(PackagingRow, code.strip().upper())
    if box is None:
        raise NotFound(f"unknown packaging {code}", "unknown_packaging")
    if session.packaging != box.code:
        session.packaging = box.code
        uow.session.add(session)
    uow.commit()
    return {**session_view(uow, session), "packaging_name": box.name, "packaging_weight_g": box.weight_g}


def open_session(uow: UnitOfWork, code: str, station: str, who: Actor,
                 packaging: str | None = None, found: OrderRow | None = None) -> tuple[PackSessionRow, bool]:
    """Start packing an order at a station; an order's open session is resumed, not doubled.

    `found` is the order `code` resolved to, when the caller has looked it up already."""
    found = found or order_for_code(uow, code)
    # SQLite took the write lock at BEGIN, so the row just read is current; PostgreSQL locks it now.
    order = records.get_order(uow, found.order_no, lock=True) if uow.is_postgres else found
    existing = uow.session.exec(uow.locked(
        select(PackSessionRow).where(PackSessionRow.order_id == order.id, PackSessionRow.status == "open")
    )).first()
    if existing is not None:
        if existing.station != station:
            existing.station = station
            uow.session.add(existing)
        return existing, False
    if order.status not in order_rules.PACKABLE:
        if order.status == order_rules.ON_HOLD:
            raise Conflict(f"order {order.order_no} is on hold: {order.hold_reason}", "order_on_hold")
        if order.status in (order_rules.PACKED, order_rules.SHIPPED):
            raise Conflict(f"order {order.order_no} is packed already", "already_packed")
        if order.status == order_rules.CANCELLED:
            raise Conflict(f"order {order.order_no} was cancelled: do not pack it", "order_cancelled")
        raise Conflict(f"order {order.order_no} is {order.status}, not ready to pack", "order_not_ready")
    if packaging and uow.session.get(PackagingRow, packaging) is None:
        raise NotFound(f"unknown packaging {packaging}", "unknown_packaging")
    session = PackSessionRow(order_id=order.id, station=station, operator=who.name,  # type: ignore[arg-type]
                             packaging=packaging or _suggest_packaging(uow, order))
    uow.session.add(session)
    uow.session.flush()
    return session, True


def _suggest_packaging(uow: UnitOfWork, order: OrderRow) -> str | None:
    options = [packaging_of(p) for p in uow.session.exec(
        select(PackagingRow).where(PackagingRow.kind != "filler")).all()]
    if not options:
        return None
    ordered = ordered_in(uow, order)
    skus = catalog.skus_by_code(uow, set(ordered))
    items = [(ItemDims(s, skus[s].length_mm or 0, skus[s].width_mm or 0, skus[s].height_mm or 0,
                       skus[s].unit_weight_g), q) for s, q in ordered.items() if s in skus]
    return suggest_packaging(items, options).code


def packaging_of(row: PackagingRow) -> weight_rules.Packaging:
    return weight_rules.Packaging(row.code, row.name, row.weight_g, row.tolerance_g, row.inner_l_mm,
                                  row.inner_w_mm, row.inner_h_mm, row.max_load_g)


def epoch_ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


def current_session(uow: UnitOfWork, station: str) -> PackSessionRow | None:
    """The station's most recently opened session that is still open, row-locked on PostgreSQL,
    as a row to change; a scan, which only reads it, uses prepared.current_session."""
    return uow.session.exec(uow.locked(  # row-locked on PostgreSQL; one statement, the whole row
        select(PackSessionRow).where(PackSessionRow.station == station, PackSessionRow.status == "open")
        .order_by(PackSessionRow.id.desc()).limit(1))).first()  # type: ignore[union-attr]


def current_for_parcel(uow: UnitOfWork, station: str) -> PackSessionRow | None:
    """The station's current session for a weighing, locked in the module's lock order: found
    unlocked, its order locked, then the session locked and checked to be still the current one."""
    if not uow.is_postgres:
        return current_session(uow, station)
    for _ in range(3):
        found = prepared.current_session_unlocked(uow, station)
        if found is None:
            return None
        session = lock_for_parcel(uow, found.id)
        if session.status == "open" and session.station == station:
            return session
    return current_session(uow, station)
