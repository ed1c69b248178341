"""The pack station use cases: open a session, scan items, weigh, override, finish a parcel.

Lock order (PostgreSQL, several instances on one database): the order row first, then its pack
session. Opening a session locks the order, then the order's open session; weighing, an override
and a resent weighing read the session's order id unlocked (it never changes), lock the order,
then the session (`lock_for_parcel`). A scan locks only its session. One order everywhere, so
two instances never wait on each other in a circle. SQLite takes the file's write lock at BEGIN.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import select

from wms.adapters.db import prepared
from wms.adapters.db.tables import (
    OrderRow,
    Override,
    PackagingRow,
    PackScan,
    PackSessionRow,
    Parcel,
    SkuRow,
    WaybillIssue,
    Weighing,
)
from wms.adapters.db.types import utcnow
from wms.adapters.db.uow import UnitOfWork
from wms.config import Settings
from wms.domain import orders as order_rules
from wms.domain import packing as pack_rules
from wms.domain import weighing as weight_rules
from wms.domain.codes import interpret
from wms.domain.errors import Conflict, DomainError, Invalid, NotFound
from wms.domain.packaging import ItemDims, suggest_packaging
from wms.domain.waybill_numbers import ParcelFacts, WaybillNumber, WaybillProvider, WaybillUnavailable, object_id
from wms.services.labels import print_queue, waybills
from wms.services.orders import records
from wms.services.packing.learning import learn_from_parcel
from wms.services.picking.tasks import order_in_tote
from wms.services.shipping import carriers, waybill_numbers
from wms.services.stock import catalog, ledger

RECENT_WRONG_SCANS = timedelta(minutes=15)


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


def _order_for_code(uow: UnitOfWork, raw: str) -> OrderRow:
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
class _Contents:
    """What a session's parcel must hold: the order, its merge group (合并发货) and their lines."""

    order: OrderRow
    members: list[OrderRow]
    lines: list[prepared.LineQty]

    @property
    def ordered(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for line in self.lines:
            out[line.sku] = out.get(line.sku, 0) + line.qty
        return out


def _contents(uow: UnitOfWork, order: OrderRow) -> _Contents:
    """Read once per request: the weigh path used to load the same lines four times."""
    members = records.group_of(uow, order)
    return _Contents(order, members, prepared.lines_of(uow, [m.id for m in members]))  # type: ignore[misc]


@dataclass
class _History:
    """The session's scans so far: accepted units per SKU, and the last read (for double reads)."""

    scanned: dict[str, int]
    last: pack_rules.Read | None


def _history(uow: UnitOfWork, session_id: int) -> _History:
    scanned: dict[str, int] = {}
    last = None
    for code, sku, outcome, at, source in prepared.scans(uow, session_id):
        if outcome == "accepted" and sku:
            scanned[sku] = scanned.get(sku, 0) + 1
        last = (code, at, source)
    if last is None:
        return _History(scanned, None)
    code, at, source = last
    # A scanner's row holds the device's own time of the read (see _source); others prove nothing.
    return _History(scanned, pack_rules.Read(code, _ms(at) if source == pack_rules.SCANNER else None, source))


UNTIMED_SCANNER = "scanner-untimed"  # said it was a scanner but sent no device time: proves nothing


def _source(source: str | None, scanned_at: str | None) -> str | None:
    """What is kept of a scan's declared source: "scanner" only with the device's time of the read."""
    said = (source or "").strip().lower()[:20] or None
    if said == pack_rules.SCANNER and not scanned_at:
        return UNTIMED_SCANNER
    return said


def _confirm_key(event_id: str) -> str:
    """The event id a packer's "yes, a second unit" is kept under, for a double read sent with `event_id`."""
    return f"{event_id[:72]}:confirm"


def _scanned_counts(uow: UnitOfWork, session_id: int) -> dict[str, int]:
    return _history(uow, session_id).scanned


def _ordered(uow: UnitOfWork, order: OrderRow) -> dict[str, int]:
    """What goes in the parcel: the order's lines, and its merge group's (合并发货)."""
    return _contents(uow, order).ordered


def session_view(uow: UnitOfWork, session: PackSessionRow) -> dict[str, Any]:
    order = uow.session.get(OrderRow, session.order_id)
    assert order is not None
    ordered = _ordered(uow, order)
    scanned = _scanned_counts(uow, session.id)  # type: ignore[arg-type]
    skus = catalog.skus_by_code(uow, set(ordered))
    parcel = uow.session.exec(select(Parcel).where(Parcel.session_id == session.id)).first()
    return {
        "session_id": session.id,
        "order_no": order.order_no,
        "station": session.station,
        "status": session.status,
        "packaging": session.packaging,
        "lines": [
            {"sku": sku, "name": skus[sku].name if sku in skus else sku, "qty": qty,
             "scanned": scanned.get(sku, 0),
             "unit_weight_g": skus[sku].unit_weight_g if sku in skus else None}
            for sku, qty in ordered.items()
        ],
        "complete": all(scanned.get(s, 0) >= q for s, q in ordered.items()),
        "tracking_no": parcel.tracking_no if parcel else None,
        "recipient": {"name": order.recipient_name, "phone": order_rules.mask_phone(order.recipient_phone),
                      "province": order.province, "city": order.city, "district": order.district},
        "notes": notes_view(uow, order, session),
    }


def _noted(uow: UnitOfWork, order: OrderRow) -> list[OrderRow]:
    """The orders in this parcel whose buyer or seller wrote something."""
    members = records.group_of(uow, order) if order.merge_group else [order]
    return [m for m in members if m.buyer_message or m.seller_memo]


def notes_view(uow: UnitOfWork, order: OrderRow, session: PackSessionRow) -> dict[str, Any]:
    """What the buyer and the seller wrote (买家留言 / 卖家备注 with its flag), and whether the packer
    has confirmed reading it; a parcel of merged orders shows each order's."""
    noted = _noted(uow, order)
    need = any(order_rules.needs_acknowledgement(m.buyer_message, m.seller_flag) for m in noted)
    return {
        "items": [{"order_no": m.order_no, "buyer_message": m.buyer_message, "seller_memo": m.seller_memo,
                   "seller_flag": m.seller_flag} for m in noted],
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
        uow.commit()
    order = uow.session.get(OrderRow, session.order_id)
    return notes_view(uow, order, session)  # type: ignore[arg-type]


def _check_notes_seen(uow: UnitOfWork, contents: Any, session_id: int) -> None:
    """A weighing does not count until a flagged note of the parcel's orders was confirmed read."""
    if not any(order_rules.needs_acknowledgement(m.buyer_message, m.seller_flag) for m in contents.members):
        return
    seen = uow.session.exec(select(PackSessionRow.notes_ack_at).where(PackSessionRow.id == session_id)).first()
    if seen is None:
        texts = "; ".join(t for m in contents.members for t in (
            f"买家留言: {m.buyer_message}" if m.buyer_message else "",
            f"卖家备注 ({m.seller_flag}): {m.seller_memo}" if m.seller_flag and m.seller_memo else "") if t)
        raise Conflict(f"read the note first, then confirm it: {texts}", "notes_unacknowledged")


def open_session(uow: UnitOfWork, code: str, station: str, who: Actor,
                 packaging: str | None = None, found: OrderRow | None = None) -> tuple[PackSessionRow, bool]:
    """Start packing an order at a station; an order's open session is resumed, not doubled.

    `found` is the order `code` resolved to, when the caller has looked it up already."""
    found = found or _order_for_code(uow, code)
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
    options = [_packaging(p) for p in uow.session.exec(
        select(PackagingRow).where(PackagingRow.kind != "filler")).all()]
    if not options:
        return None
    ordered = _ordered(uow, order)
    skus = catalog.skus_by_code(uow, set(ordered))
    items = [(ItemDims(s, skus[s].length_mm or 0, skus[s].width_mm or 0, skus[s].height_mm or 0,
                       skus[s].unit_weight_g), q) for s, q in ordered.items() if s in skus]
    return suggest_packaging(items, options).code


def _packaging(row: PackagingRow) -> weight_rules.Packaging:
    return weight_rules.Packaging(row.code, row.name, row.weight_g, row.tolerance_g, row.inner_l_mm,
                                  row.inner_w_mm, row.inner_h_mm, row.max_load_g)


def _parse_time(value: str | None) -> datetime:
    if not value:
        return utcnow()
    try:
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise Invalid(f"scanned_at: {value!r} is not an ISO time", "invalid_time") from exc
    return at if at.tzinfo else at.replace(tzinfo=utcnow().tzinfo)


def scan(uow: UnitOfWork, session_id: int, raw: str, who: Actor, settings: Settings,
         event_id: str | None = None, scanned_at: str | None = None, source: str | None = None,
         confirm_repeat: bool = False) -> dict[str, Any]:
    """Check one scanned item against the order. A rejected scan changes no count.

    A double read (see wms.domain.packing) is refused as 409 `double_read`; the same scan sent
    again with `confirm_repeat` (the packer's "yes, a second unit") counts."""
    session = get_session(uow, session_id, lock=True)
    if event_id:
        earlier = uow.session.exec(select(PackScan).where(PackScan.event_id == event_id)).first()
        if earlier is not None and earlier.outcome == "double_read" and confirm_repeat:
            event_id = _confirm_key(event_id)  # the confirmation of that double read, once
            earlier = uow.session.exec(select(PackScan).where(PackScan.event_id == event_id)).first()
        if earlier is not None:
            return _replay_scan(uow, session, earlier, settings)
    return _scan(uow, session, raw, who, settings, event_id, scanned_at, source, confirm_repeat)


def _scan(uow: UnitOfWork, session: Any, raw: str, who: Actor, settings: Settings,
          event_id: str | None, scanned_at: str | None, source: str | None = None,
          confirm_repeat: bool = False) -> dict[str, Any]:
    """`scan` for a session already read (and locked) in this unit of work, its event id unseen.

    `session` is a PackSessionRow or prepared.OpenSession: only id, order_id, station and
    status are read. Its statements are the prepared ones: this runs on every scan.
    """
    if session.status != "open":
        raise Conflict(f"pack session {session.id} is {session.status}; open a new one", "session_closed")
    at = _parse_time(scanned_at)
    code = interpret(raw)
    item = _sku_named(uow, code)
    sku = item.sku if item else None
    history = _history(uow, session.id)
    ordered = _ordered_by_id(uow, session.order_id)
    kept_source = _source(source, scanned_at)
    record = dict(session_id=session.id, at=at, code=raw.strip()[:200], sku=sku, station=session.station,
                  operator=who.name, event_id=event_id, source=kept_source)
    model = pack_rules.PackSession(ordered, history.scanned)
    read = pack_rules.Read(record["code"], _ms(at) if kept_source == pack_rules.SCANNER else None, kept_source)
    if not confirm_repeat and pack_rules.proves_double_read(history.last, read, settings.double_read_window_ms):
        prepared.add_scan(uow, outcome="double_read", **record)  # type: ignore[arg-type]
        uow.commit()
        gap = read.device_ms - history.last.device_ms  # type: ignore[operator,union-attr]
        raise _double_read(record["code"], sku, gap, history.scanned.get(sku, 0) if sku else 0, model)
    try:
        accepted = model.scan(sku, raw)
    except pack_rules.ScanRejected as rejected:
        prepared.add_scan(uow, outcome=rejected.code, **record)  # type: ignore[arg-type]
        uow.commit()
        message = rejected.message
        if code.kind == "invalid" and code.error:
            message = f"{raw.strip()}: {code.error}"
        raise _rejection(rejected.code, message) from None
    prepared.add_scan(uow, outcome="accepted", **record)  # type: ignore[arg-type]
    uow.commit()
    return {"sku": accepted.sku, "scanned": accepted.scanned, "remaining": accepted.remaining,
            "name": item.name if item else None, "double_read": False,
            "complete": model.complete}


def _sku_named(uow: UnitOfWork, code: Any) -> prepared.SkuName | None:
    """The SKU a scanned code stands for (a GTIN by the prepared statement), or None."""
    if code.kind in ("gtin", "gs1") and code.gtin:
        return prepared.sku_for_gtin(uow, catalog.barcode_key(code.gtin))
    row = _resolve_sku(uow, code)
    return prepared.SkuName(row.sku, row.name) if row else None


def _ordered_by_id(uow: UnitOfWork, order_id: int) -> dict[str, int]:
    """`_ordered` for an order known by id; an order outside any merge group in two small reads."""
    if prepared.merge_group(uow, order_id) is not None:
        return _ordered(uow, uow.session.get(OrderRow, order_id))  # type: ignore[arg-type]
    out: dict[str, int] = {}
    for sku, qty in prepared.order_lines(uow, order_id):
        out[sku] = out.get(sku, 0) + qty
    return out


def _double_read(code: str, sku: str | None, gap_ms: int | None, scanned: int,
                 model: pack_rules.PackSession) -> Conflict:
    """The 409 a double read gets: nothing counted, said so, and how to count it after all."""
    when = f" {gap_ms} ms after the last read" if gap_ms is not None else ""
    return Conflict(
        f"{code}: the scanner read it twice{when}, so it was counted once. If this is a second unit, "
        "confirm it (Enter or + at the station; over the API, send it again with confirm_repeat: true).",
        "double_read", sku=sku, scanned=scanned, remaining=model.remaining, complete=model.complete,
        counted=False, confirm_with={"confirm_repeat": True})


def _rejection(code: str, message: str) -> DomainError:
    """unknown_code is a 404 (nobody knows it); wrong_item and over_scan are 409s."""
    return NotFound(message, code) if code == "unknown_code" else Conflict(message, code)


def _ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


def _resolve_sku(uow: UnitOfWork, code: Any) -> SkuRow | None:
    if code.kind in ("gtin", "gs1") and code.gtin:
        return catalog.sku_for_barcode(uow, code.gtin)
    if code.kind == "text":
        return catalog.sku_for_barcode(uow, code.value) or uow.session.get(SkuRow, code.value)
    return None


def _scan_answer(uow: UnitOfWork, session: PackSessionRow, sku: str | None) -> dict[str, Any]:
    order = uow.session.get(OrderRow, session.order_id)
    ordered = _ordered(uow, order)  # type: ignore[arg-type]
    scanned = _scanned_counts(uow, session.id)  # type: ignore[arg-type]
    model = pack_rules.PackSession(ordered, scanned)  # type: ignore[arg-type]
    return {"sku": sku, "scanned": scanned.get(sku, 0) if sku else 0, "remaining": model.remaining,
            "complete": model.complete}


def _replay_scan(uow: UnitOfWork, session: PackSessionRow, earlier: PackScan, settings: Settings) -> dict[str, Any]:
    """The station resent a scan we already have: answer as before, count nothing twice."""
    if earlier.outcome == "double_read":
        order = uow.session.get(OrderRow, session.order_id)
        scanned = _scanned_counts(uow, session.id)  # type: ignore[arg-type]
        model = pack_rules.PackSession(_ordered(uow, order), scanned)  # type: ignore[arg-type]
        error = _double_read(earlier.code, earlier.sku, None, scanned.get(earlier.sku, 0) if earlier.sku else 0,
                             model)
        error.details["replayed"] = True
        raise error
    if earlier.outcome != "accepted":
        raise _rejection(earlier.outcome, f"scan {earlier.code} was rejected: {earlier.outcome}")
    view = _scan_answer(uow, session, earlier.sku)
    view["double_read"] = False
    view["replayed"] = True
    return view


def _expectation(uow: UnitOfWork, contents: _Contents, session: PackSessionRow, settings: Settings
                 ) -> tuple[weight_rules.Expectation, list[tuple[weight_rules.ItemWeight, int]], dict[str, prepared.SkuWeight]]:
    ordered = contents.ordered
    skus = prepared.sku_weights(uow, set(ordered))
    lines = [(_item(skus[s]), q) for s, q in ordered.items() if s in skus]
    packaging = uow.session.get(PackagingRow, session.packaging) if session.packaging else None
    expectation = weight_rules.expect(
        lines, _packaging(packaging) if packaging else None,
        scale_resolution_g=settings.scale_resolution_g, floor_g=settings.weight_floor_g,
    )
    return expectation, lines, skus


def _item(row: SkuRow | prepared.SkuWeight) -> weight_rules.ItemWeight:
    return weight_rules.ItemWeight(row.sku, row.name, row.unit_weight_g, row.weight_tolerance_g)


def _recent_wrong_items(uow: UnitOfWork, station: str) -> list[weight_rules.ItemWeight]:
    """Items the station scanned but the order did not want: the likeliest extras in a box."""
    skus = prepared.wrong_scans_since(uow, station, utcnow() - RECENT_WRONG_SCANS)
    return [_item(r) for r in prepared.sku_weights(uow, skus).values()]


def weigh(uow: UnitOfWork, session_id: int, grams: int, who: Actor, settings: Settings,
          scale_id: str | None = None, stable: bool = True, event_id: str | None = None) -> dict[str, Any]:
    """Judge the parcel's weight against the order; only a pass gets a tracking number."""
    def attempt(refused: WaybillUnavailable | None) -> dict[str, Any]:
        session = lock_for_parcel(uow, session_id)
        done_id = prepared.weighing_for_event(uow, event_id) if event_id else None
        if done_id is not None:
            return _replayed(uow, session, uow.session.get(Weighing, done_id), who, settings, refused)
        return _weigh(uow, session, grams, who, settings, scale_id, stable, event_id, refused)
    return _with_number(uow, attempt)


class _NeedNumber(Exception):
    """Raised inside a parcel's transaction before it has written anything: the carrier's numbers
    come from a remote provider (Cainiao) and none was given for this parcel yet. The caller
    rolls back, asks the provider with no transaction open (no lock held while the network
    answers), records the number, and runs the use case again, which then finds it."""

    def __init__(self, carrier: str, facts: ParcelFacts | None, provider: WaybillProvider | None,
                 refused: WaybillUnavailable | None = None) -> None:
        super().__init__(carrier)
        self.carrier, self.facts, self.provider, self.refused = carrier, facts, provider, refused


Attempt = Any  # Callable[[WaybillUnavailable | None], dict[str, Any]]


def _with_number(uow: UnitOfWork, attempt: Attempt) -> dict[str, Any]:
    """Run `attempt(None)`; when it needs a number from a remote provider, get it and run again.

    The number is asked for with the parcel's request key (order + pack session), so asking
    again after a crash, a timeout or a lost answer gets the same number, never a second one.
    A refusal runs `attempt(refusal)` once more: it records what must not be lost (the
    weighing) and raises the refusal as a 409 `waybill_unavailable`."""
    for _ in range(3):
        try:
            return attempt(None)
        except _NeedNumber as need:
            uow.rollback()
            refused = need.refused
            number = None
            if refused is None:
                assert need.provider is not None and need.facts is not None
                try:
                    number = need.provider.issue(need.facts)
                except WaybillUnavailable as exc:
                    refused = exc
            if refused is not None:
                return attempt(refused)
            assert need.facts is not None and number is not None
            _record_issue(uow, need.carrier, need.facts, number, need.provider)
    raise Conflict("the parcel's carrier changed while its number was being taken; weigh again", "waybill_busy")


def _record_issue(uow: UnitOfWork, carrier: str, facts: ParcelFacts, number: WaybillNumber,
                  provider: WaybillProvider | None) -> None:
    """Keep a number a provider gave, at once: whatever happens next, it is on record."""
    if uow.session.get(WaybillIssue, number.tracking_no) is None:
        session_id = int(facts.object_id.rsplit("-S", 1)[1])
        uow.insert(WaybillIssue(tracking_no=number.tracking_no, carrier=carrier,
                                account=getattr(provider, "account", "") or "", order_no=facts.order_no,
                                sort_code=number.sort_code, bag_hub=number.bag_hub,
                                print_data=number.print_data, object_id=facts.object_id,
                                cp_code=getattr(provider, "cp_code", None), session_id=session_id))
    uow.commit()


def _replayed(uow: UnitOfWork, session: PackSessionRow, row: Weighing, who: Actor, settings: Settings,
              refused: WaybillUnavailable | None) -> dict[str, Any]:
    """A weighing sent again: answered as before; one that passed but could not get its number
    (the provider refused or did not answer) tries to finish the parcel again."""
    if not (row.verdict == "pass" and row.tracking_no is None and row.kind == "outbound"
            and session.status == "open" and row.session_id == session.id):
        answer = weighing_answer(uow, row)
        if row.verdict == "pass" and row.tracking_no is None and session.status != "open":
            parcel = uow.session.exec(select(Parcel).where(Parcel.session_id == session.id)).first()
            if parcel is not None:  # finished later, by a resend of this weighing or another one
                answer["tracking_no"] = parcel.tracking_no
        return answer
    order = uow.get_locked(OrderRow, session.order_id)
    contents = _contents(uow, order)
    if not pack_rules.PackSession(contents.ordered, _history(uow, session.id).scanned).complete:  # type: ignore[arg-type]
        return weighing_answer(uow, row)
    expectation, lines, skus = _expectation(uow, contents, session, settings)
    answer = weighing_answer(uow, row)
    try:
        number, warning = _finish_parcel(uow, session, contents, row.grams, who, settings, expectation, lines, skus)
    except _NeedNumber:
        if refused is None:
            raise
        uow.rollback()
        raise _refusal(refused, answer) from None
    uow.commit()
    answer.update(_number_fields(number, warning), replayed=True)
    return answer


def _refusal(refused: WaybillUnavailable, answer: dict[str, Any]) -> WaybillUnavailable:
    """The 409 a packer gets: the provider's reason, and the weighing as it was recorded."""
    weighing = {k: v for k, v in answer.items() if k not in ("message", "error")}
    return WaybillUnavailable(
        f"{refused.message}. The weighing is kept; the parcel gets its number when it is weighed again.",
        refused.provider_code, refused.retryable, **weighing)


def _number_fields(number: WaybillNumber, label_warning: str | None = None) -> dict[str, Any]:
    """The parcel's number for the answer, and what its label cannot print as written (the
    packer sees it at once: "recipient.name: no font draws 😀; printed as 〓")."""
    fields = {"tracking_no": number.tracking_no, "sort_code": number.sort_code, "bag_hub": number.bag_hub}
    if label_warning:
        fields["label_warning"] = label_warning
    return fields


def _weigh(uow: UnitOfWork, session: PackSessionRow, grams: int, who: Actor, settings: Settings,
           scale_id: str | None, stable: bool, event_id: str | None,
           refused: WaybillUnavailable | None = None) -> dict[str, Any]:
    """`weigh` for a session already read (and locked) in this unit of work, its event id unseen.

    Every row it needs is read once and handed down: on the pass path this is the slowest
    request a station makes, and the one a packer waits on with the parcel in their hands.
    """
    if session.status != "open":
        parcel = uow.session.exec(select(Parcel).where(Parcel.session_id == session.id)).first()
        raise Conflict(f"pack session {session.id} is {session.status}"
                       + (f"; its parcel is {parcel.tracking_no}" if parcel else ""), "session_closed")
    if not stable:
        raise Conflict("the scale is still moving: wait for a stable reading", "unstable_reading")
    order = uow.get_locked(OrderRow, session.order_id)
    contents = _contents(uow, order)
    _check_notes_seen(uow, contents, session.id)  # type: ignore[arg-type]
    expectation, lines, skus = _expectation(uow, contents, session, settings)
    judgement = weight_rules.judge(expectation, grams, True, lines, _recent_wrong_items(uow, session.station))
    tracking_no = None
    number: WaybillNumber | None = None
    warning: str | None = None
    blocked: WaybillUnavailable | None = None
    scanned = _history(uow, session.id).scanned  # type: ignore[arg-type]
    complete = pack_rules.PackSession(contents.ordered, scanned).complete
    if judgement.verdict == "pass" and complete:
        try:
            number, warning = _finish_parcel(uow, session, contents, grams, who, settings, expectation, lines, skus)
            tracking_no = number.tracking_no
        except _NeedNumber:
            if refused is None:
                raise
            blocked = refused  # nothing of the parcel was written: the weighing alone is kept
    row = Weighing(
        kind="outbound", session_id=session.id, order_id=order.id, tracking_no=tracking_no, grams=grams,
        expected_g=expectation.expected_g, tolerance_g=expectation.tolerance_g, delta_g=judgement.delta_g,
        verdict=judgement.verdict, stable=True, station=session.station, operator=who.name,
        scale_id=scale_id, event_id=event_id,
        suspects=[_suspect(s) for s in judgement.suspects],
    )
    uow.insert(row)  # kept as taken, never updated
    uow.commit()
    answer = weighing_answer(uow, row)
    if blocked is not None:
        raise _refusal(blocked, answer)
    if number is not None:
        answer.update(_number_fields(number, warning))
    if judgement.verdict == "pass" and not complete:
        answer["label_blocked"] = "scan_incomplete"
        answer["message"] = "the weight matches, but not every item was scanned: scan the rest and weigh again"
    return answer


def _is_complete(uow: UnitOfWork, order: OrderRow, session: PackSessionRow) -> bool:
    return pack_rules.PackSession(_ordered(uow, order), _scanned_counts(uow, session.id)).complete  # type: ignore[arg-type]


def _suspect(s: Any) -> dict[str, Any]:
    return {"sku": s.sku, "name": s.name, "qty": s.qty, "direction": s.direction, "weight_g": s.weight_g}


def weighing_answer(uow: UnitOfWork, row: Weighing) -> dict[str, Any]:
    explanation = "; ".join(
        f"{s['direction']} {s['qty']} × {s['name']} (≈{s['weight_g']} g)" for s in row.suspects
    )
    return {
        "weighing_id": row.id, "verdict": row.verdict, "grams": row.grams, "expected_g": row.expected_g,
        "tolerance_g": row.tolerance_g, "delta_g": row.delta_g, "suspects": row.suspects,
        "explanation": explanation, "tracking_no": row.tracking_no, "session_id": row.session_id,
    }


def _finish_parcel(uow: UnitOfWork, session: PackSessionRow, contents: _Contents, grams: int, who: Actor,
                   settings: Settings, expectation: weight_rules.Expectation | None = None,
                   lines: list[tuple[weight_rules.ItemWeight, int]] | None = None,
                   skus: dict[str, prepared.SkuWeight] | None = None,
                   learn: bool = True) -> tuple[WaybillNumber, str | None]:
    """Take the stock, number the parcel, queue its waybill: all in one transaction.

    A number from a remote provider must have been given before (see `_with_number`): without
    one this raises `_NeedNumber` before anything is written."""
    order = contents.order
    carrier = carriers.pick_carrier(uow, order, grams)
    if skus is None:
        skus = prepared.sku_weights(uow, {line.sku for line in contents.lines})
    number = _number_for(uow, session, contents, carrier, grams, settings, skus)
    tracking_no = number.tracking_no
    parcel = Parcel(tracking_no=tracking_no, order_id=order.id, session_id=session.id, carrier=carrier,  # type: ignore[arg-type]
                    packaging=session.packaging, weight_g=grams)
    uow.insert(parcel)
    for member in contents.members:
        ledger.pick_reserved(uow, member, who.name)
    for member in contents.members:
        prepared.mark_lines_packed(uow, member.id)  # type: ignore[arg-type]
    for member in contents.members:
        records.transition(uow, member, order_rules.PACKED, who.name, f"parcel {tracking_no}", carrier=carrier)
    uow.update(session, status="passed", closed_at=utcnow())
    waybill = waybills.build_waybill(order, parcel, contents.lines, skus, session.station, settings, number)
    job = print_queue.enqueue(uow, print_queue.printer_for_station(uow, session.station), waybill, parcel.id, who.name)
    if learn and expectation is not None and lines is not None:
        learn_from_parcel(uow, lines, expectation, grams)
    return number, job.warning


def _number_for(uow: UnitOfWork, session: PackSessionRow, contents: _Contents, carrier: str, grams: int,
                settings: Settings, skus: dict[str, prepared.SkuWeight]) -> WaybillNumber:
    """The parcel's number: from the pool here and now, or the one a remote provider gave for
    this parcel's request key (marked used in this transaction), or `_NeedNumber`."""
    order = contents.order
    if not waybill_numbers.is_remote(uow, carrier):
        return waybill_numbers.PoolProvider(uow).issue(ParcelFacts(
            carrier, "", order.id, order.order_no, {}, {}, (), grams))  # type: ignore[arg-type]
    key = object_id(order.order_no, session.id)  # type: ignore[arg-type]
    issued = waybill_numbers.issue_for(uow, key)
    if issued is not None and issued.carrier == carrier:
        if issued.status != "used":
            uow.update(issued, status="used")
        return WaybillNumber(issued.tracking_no, issued.sort_code, issued.bag_hub, issued.print_data)
    facts = ParcelFacts(
        carrier, key, order.id, order.order_no,  # type: ignore[arg-type]
        {"name": settings.sender_name, "phone": settings.sender_phone, "address": settings.sender_address},
        {"name": order.recipient_name, "phone": order.recipient_phone, "province": order.province,
         "city": order.city, "district": order.district, "address": order.address},
        tuple((skus[line.sku].name if line.sku in skus else line.sku, line.qty) for line in contents.lines),
        grams)
    try:
        provider = waybill_numbers.provider_for(uow, carrier, settings.waybill_timeout_s)
    except WaybillUnavailable as exc:
        raise _NeedNumber(carrier, facts, None, exc) from None
    raise _NeedNumber(carrier, facts, provider)


def override(uow: UnitOfWork, session_id: int, reason: str, who: Actor, settings: Settings) -> dict[str, Any]:
    """A supervisor ships a parcel despite a weight mismatch; who and why go on record."""
    return _with_number(uow, lambda refused: _override(uow, session_id, reason, who, settings, refused))


def _override(uow: UnitOfWork, session_id: int, reason: str, who: Actor, settings: Settings,
              refused: WaybillUnavailable | None) -> dict[str, Any]:
    session = lock_for_parcel(uow, session_id)
    if session.status != "open":
        raise Conflict(f"pack session {session_id} is {session.status}", "session_closed")
    last = uow.session.exec(
        select(Weighing).where(Weighing.session_id == session.id).order_by(Weighing.id.desc())  # type: ignore[union-attr]
    ).first()
    if last is None:
        raise Conflict("weigh the parcel first: there is nothing to override", "no_weighing")
    if not _is_complete(uow, uow.session.get(OrderRow, session.order_id), session):  # type: ignore[arg-type]
        raise Conflict("not every item is scanned; an override covers the weight, not missing scans",
                       "scan_incomplete")
    order = uow.get_locked(OrderRow, session.order_id)
    try:
        number, warning = _finish_parcel(uow, session, _contents(uow, order), last.grams, who, settings, learn=False)
    except _NeedNumber:
        if refused is None:
            raise
        uow.rollback()
        raise WaybillUnavailable(f"{refused.message}. Nothing was overridden yet; send the override again "
                                 "once the carrier's account can give numbers.", refused.provider_code,
                                 refused.retryable) from None
    tracking_no = number.tracking_no
    session.status = "overridden"
    uow.session.add(session)
    uow.session.add(Override(session_id=session.id, weighing_id=last.id, by=who.name, role=who.role,  # type: ignore[arg-type]
                             reason=reason))
    uow.commit()
    answer = weighing_answer(uow, last)
    answer.update({"tracking_no": tracking_no, "overridden": True, "override_by": who.name,
                   "override_reason": reason, **_number_fields(number, warning)})
    return answer


def current_session(uow: UnitOfWork, station: str) -> PackSessionRow | None:
    """The station's most recently opened session that is still open, row-locked on PostgreSQL,
    as a row to change; a scan, which only reads it, uses prepared.current_session."""
    found = prepared.current_session(uow, station)  # row-locked on PostgreSQL
    return uow.session.get(PackSessionRow, found.id) if found else None


def _current_for_parcel(uow: UnitOfWork, station: str) -> PackSessionRow | None:
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


def station_event(uow: UnitOfWork, station: str, event: dict[str, Any], who: Actor,
                  settings: Settings) -> dict[str, Any]:
    """One event from a station agent, interpreted the way the packer meant it.

    A scan of an order number (or tote) opens that order's session at the station; an
    item code goes into the station's current session; a stable weight is judged against
    it. Event ids make a resend harmless: the same id is answered, never counted again.
    """
    event_id = event.get("event_id")
    if event["kind"] == "weight":
        def attempt(refused: WaybillUnavailable | None) -> dict[str, Any]:
            done_id = prepared.weighing_for_event(uow, event_id) if event_id else None
            if done_id is not None:
                done = uow.session.get(Weighing, done_id)
                own = lock_for_parcel(uow, done.session_id) if done.session_id else None  # type: ignore[union-attr]
                result = _replayed(uow, own, done, who, settings, refused) if own else weighing_answer(uow, done)  # type: ignore[arg-type]
                return {"action": "replayed", "result": result}
            session = _current_for_parcel(uow, station)
            if session is None:
                raise Conflict(f"station {station} has no open pack session: scan an order first", "no_open_session")
            result = _weigh(uow, session, int(event["grams"]), who, settings,
                            event.get("scale_id"), bool(event.get("stable", True)), event_id, refused)
            return {"action": "weighed", "result": result}
        return _with_number(uow, attempt)
    raw = str(event.get("code") or "").strip()
    scanned_at = event.get("scanned_at") or event.get("at")
    source, confirm = event.get("source"), bool(event.get("confirm_repeat"))
    if event_id:
        done_in = prepared.scan_event_session(uow, event_id)
        if done_in is not None:
            result = scan(uow, done_in, raw, who, settings, event_id, scanned_at, source, confirm)
            return {"action": "replayed" if result.get("replayed") else "scanned", "result": result}
    code = interpret(raw)
    if code.kind not in ("gtin", "gs1"):
        try:
            found = _order_for_code(uow, raw)
        except NotFound:
            found = None
        if found is not None:
            session, _ = open_session(uow, found.order_no, station, who, found=found)
            view = session_view(uow, session)  # before the commit: after it, a read would begin anew
            uow.commit()
            return {"action": "opened", "result": view}
    session = prepared.current_session(uow, station)
    if session is None:
        if _resolve_sku(uow, code) is None:
            raise NotFound(f"{raw}: no order and no item has this code", "unknown_code")
        raise Conflict(f"station {station} has no open pack session: scan an order first", "no_open_session")
    result = _scan(uow, session, raw, who, settings, event_id, scanned_at, source, confirm)
    return {"action": "scanned", "result": result}
