"""Scanning an item into a pack session: counted once, a wrong item or an extra refused, a
scanner's double read told apart from a second unit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import select

from wms.adapters.db import prepared
from wms.adapters.db.tables import (
    OrderRow,
    PackScan,
    PackSessionRow,
    SkuRow,
)
from wms.adapters.db.types import utcnow
from wms.adapters.db.uow import UnitOfWork
from wms.config import Settings
from wms.domain import packing as pack_rules
from wms.domain.codes import interpret
from wms.domain.errors import Conflict, DomainError, Invalid, NotFound
from wms.services.packing.session import Actor, epoch_ms, get_session, history_of, ordered_in, scanned_counts
from wms.services.stock import catalog

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
    """Check one scanned item against the order. A rejected scan changes no count, but is kept:
    this commits on every path (the services' commit rule, case 1).

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
    return scan_session(uow, session, raw, who, settings, event_id, scanned_at, source, confirm_repeat)


def scan_session(uow: UnitOfWork, session: Any, raw: str, who: Actor, settings: Settings,
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
    history = history_of(uow, session.id)
    ordered = _ordered_by_id(uow, session.order_id)
    kept_source = _source(source, scanned_at)
    record = dict(session_id=session.id, at=at, code=raw.strip()[:200], sku=sku, station=session.station,
                  operator=who.name, event_id=event_id, source=kept_source)
    model = pack_rules.PackSession(ordered, history.scanned)
    read = pack_rules.Read(record["code"], epoch_ms(at) if kept_source == pack_rules.SCANNER else None, kept_source)
    if not confirm_repeat and pack_rules.proves_double_read(history.last, read, settings.double_read_window_ms):
        prepared.add_scan(uow, outcome="double_read", **record)  # type: ignore[arg-type]
        uow.commit()
        gap = read.device_ms - history.last.device_ms  # type: ignore[operator,union-attr]
        raise _double_read(record["code"], sku, gap, history.scanned.get(sku, 0) if sku else 0, model)
    parts = catalog.combo_parts(uow, {sku}).get(sku) if sku and sku not in ordered else None
    if parts:  # a combo's own barcode: every part it holds, all or none
        return _scan_combo(uow, model, item, parts, record, raw)  # type: ignore[arg-type]
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


def _scan_combo(uow: UnitOfWork, model: pack_rules.PackSession, item: prepared.SkuName,
                parts: list[tuple[str, int]], record: dict[str, Any], raw: str) -> dict[str, Any]:
    """The barcode of a combo (组合装) whose parts the order lists (its lines were exploded at
    intake): each part counts as scanned, as many as the combo holds, or none does when one of
    them would be too many or is not in the order. One scan row per unit, like scanning each."""
    units = [part for part, qty in parts for _ in range(qty)]
    try:
        accepted = [model.scan(part, raw) for part in units]
    except pack_rules.ScanRejected as rejected:
        prepared.add_scan(uow, outcome=rejected.code, **record)  # the combo's own code, not counted
        uow.commit()
        raise _rejection(rejected.code, f"combo {item.sku} ({item.name}): {rejected.message}; nothing of it "
                                        "was counted") from None
    for n, part in enumerate(units):
        prepared.add_scan(uow, outcome="accepted", **{**record, "sku": part,
                                                      "event_id": record["event_id"] if n == 0 else None})
    uow.commit()
    last = accepted[-1]
    return {"sku": item.sku, "scanned": last.scanned, "remaining": last.remaining, "name": item.name,
            "double_read": False, "complete": model.complete,
            "counted": {part: qty for part, qty in parts}}


def _sku_named(uow: UnitOfWork, code: Any) -> prepared.SkuName | None:
    """The SKU a scanned code stands for (a GTIN by the prepared statement), or None."""
    if code.kind in ("gtin", "gs1") and code.gtin:
        return prepared.sku_for_gtin(uow, catalog.barcode_key(code.gtin))
    row = resolve_sku(uow, code)
    return prepared.SkuName(row.sku, row.name) if row else None


def _ordered_by_id(uow: UnitOfWork, order_id: int) -> dict[str, int]:
    """`ordered_in` for an order known by id; an order outside any merge group in one small read."""
    group, lines = prepared.order_lines(uow, order_id)
    if group is not None:
        return ordered_in(uow, uow.session.get(OrderRow, order_id))  # type: ignore[arg-type]
    out: dict[str, int] = {}
    for sku, qty in lines:
        out[sku] = out.get(sku, 0) + qty
    return out


def _double_read(code: str, sku: str | None, gap_ms: int | None, scanned: int,
                 model: pack_rules.PackSession) -> Conflict:
    """The 409 a double read gets: this read counted nothing, said so; and, only where the line
    still wants a unit, how to count it as a second one after all (`offer_repeat`)."""
    when = f" {gap_ms} ms after the last read" if gap_ms is not None else ""
    wanted = bool(sku) and model.missing().get(sku, 0) > 0  # type: ignore[arg-type]
    then = (" If this is a second unit, confirm it (+ at the station; over the API, send it again with "
            "confirm_repeat: true)." if wanted else " The line needs no more units: nothing to confirm.")
    return Conflict(
        f"{code}: the scanner read it twice{when}; this second read was not counted ({scanned} counted so far).{then}",
        "double_read", sku=sku, scanned=scanned, remaining=model.remaining, complete=model.complete,
        counted=False, offer_repeat=wanted, **({"confirm_with": {"confirm_repeat": True}} if wanted else {}))


def _rejection(code: str, message: str) -> DomainError:
    """unknown_code is a 404 (nobody knows it); wrong_item and over_scan are 409s."""
    return NotFound(message, code) if code == "unknown_code" else Conflict(message, code)


def resolve_sku(uow: UnitOfWork, code: Any) -> SkuRow | None:
    if code.kind in ("gtin", "gs1") and code.gtin:
        return catalog.sku_for_barcode(uow, code.gtin)
    if code.kind == "text":
        return catalog.sku_for_barcode(uow, code.value) or uow.session.get(SkuRow, code.value)
    return None


def _scan_answer(uow: UnitOfWork, session: PackSessionRow, sku: str | None) -> dict[str, Any]:
    order = uow.session.get(OrderRow, session.order_id)
    ordered = ordered_in(uow, order)  # type: ignore[arg-type]
    scanned = scanned_counts(uow, session.id)  # type: ignore[arg-type]
    model = pack_rules.PackSession(ordered, scanned)  # type: ignore[arg-type]
    return {"sku": sku, "scanned": scanned.get(sku, 0) if sku else 0, "remaining": model.remaining,
            "complete": model.complete}


def _replay_scan(uow: UnitOfWork, session: PackSessionRow, earlier: PackScan, settings: Settings) -> dict[str, Any]:
    """The station resent a scan we already have: answer as before, count nothing twice."""
    if earlier.outcome == "double_read":
        order = uow.session.get(OrderRow, session.order_id)
        scanned = scanned_counts(uow, session.id)  # type: ignore[arg-type]
        model = pack_rules.PackSession(ordered_in(uow, order), scanned)  # type: ignore[arg-type]
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
