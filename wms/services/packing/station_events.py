"""Events from a station agent, read the way the packer meant them: an order's code opens its
session, an item's code is scanned into the current one, a stable weight is judged."""

from __future__ import annotations

from typing import Any

from wms.adapters.db import prepared
from wms.adapters.db.tables import (
    PackagingRow,
    Weighing,
)
from wms.adapters.db.uow import UnitOfWork
from wms.config import Settings
from wms.domain.codes import interpret
from wms.domain.errors import Conflict, NotFound
from wms.domain.waybill_numbers import WaybillUnavailable
from wms.services.packing.finish import NumberRequest, weighing_answer, with_remote_number
from wms.services.packing.scan import resolve_sku, scan, scan_session
from wms.services.packing.session import (
    Actor,
    choose_packaging,
    current_for_parcel,
    lock_for_parcel,
    open_session,
    order_for_code,
    session_view,
)
from wms.services.packing.weigh import replay_weighing, weigh_session


def station_event(uow: UnitOfWork, station: str, event: dict[str, Any], who: Actor,
                  settings: Settings) -> dict[str, Any]:
    """One event from a station agent, interpreted the way the packer meant it.

    A scan of an order number (or tote) opens that order's session at the station; an
    item code goes into the station's current session; a stable weight is judged against
    it. Event ids make a resend harmless: the same id is answered, never counted again.
    """
    event_id = event.get("event_id")
    if event["kind"] == "weight":
        def attempt(refused: WaybillUnavailable | None) -> dict[str, Any] | NumberRequest:
            done_id = prepared.weighing_for_event(uow, event_id) if event_id else None
            if done_id is not None:
                done = uow.session.get(Weighing, done_id)
                own = lock_for_parcel(uow, done.session_id) if done.session_id else None  # type: ignore[union-attr]
                result = replay_weighing(uow, own, done, who, settings, refused) if own else weighing_answer(uow, done)  # type: ignore[arg-type]
                return result if isinstance(result, NumberRequest) else {"action": "replayed", "result": result}
            session = current_for_parcel(uow, station)
            if session is None:
                raise Conflict(f"station {station} has no open pack session: scan an order first", "no_open_session")
            result = weigh_session(uow, session, int(event["grams"]), who, settings,
                                   event.get("scale_id"), bool(event.get("stable", True)), event_id, refused)
            return result if isinstance(result, NumberRequest) else {"action": "weighed", "result": result}
        return with_remote_number(uow, attempt)
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
            found = order_for_code(uow, raw)
        except NotFound:
            found = None
        if found is not None:
            session, _ = open_session(uow, found.order_no, station, who, found=found)
            return {"action": "opened", "result": session_view(uow, session)}
        box = uow.session.get(PackagingRow, raw) or uow.session.get(PackagingRow, raw.upper())
        if box is not None:  # the barcode on a box: the parcel goes in this one (and weighs with it)
            current = prepared.current_session(uow, station)
            if current is None:
                raise Conflict(f"station {station} has no open pack session: scan an order first", "no_open_session")
            return {"action": "packaging", "result": choose_packaging(uow, current.id, box.code)}  # type: ignore[arg-type]
    session = prepared.current_session(uow, station)
    if session is None:
        if resolve_sku(uow, code) is None:
            raise NotFound(f"{raw}: no order and no item has this code", "unknown_code")
        raise Conflict(f"station {station} has no open pack session: scan an order first", "no_open_session")
    result = scan_session(uow, session, raw, who, settings, event_id, scanned_at, source, confirm)
    return {"action": "scanned", "result": result}
