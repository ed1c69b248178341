"""Handover by scan-out (扫描交接): parcels are scanned onto a carrier's open batch as they go on
the courier's bag or truck, and closing the batch ships exactly those; what was packed for the
carrier but not scanned is listed, not shipped.

A parcel whose order was cancelled after packing (`intercepted`) is refused loudly, and so is a
voided one or another carrier's. Scanning one twice is harmless. One batch per carrier is open
at a time: opening again returns it. The caller commits.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import select

from wms.adapters.db.tables import Handover, Parcel
from wms.adapters.db.uow import UnitOfWork
from wms.domain.errors import Conflict, NotFound
from wms.services.shipping.carrier_setup import get_carrier
from wms.services.shipping.handover import get_handover, ship_batch


def open_batch(uow: UnitOfWork, carrier: str) -> Handover:
    """The carrier's open scan-out batch, started now if none is open."""
    code = get_carrier(uow, carrier).code
    found = uow.session.exec(select(Handover).where(Handover.carrier == code, Handover.closed_at.is_(None))  # type: ignore[union-attr]
                             .order_by(Handover.id)).first()  # type: ignore[arg-type]
    if found is not None:
        return found
    batch = Handover(carrier=code)
    uow.session.add(batch)
    uow.session.flush()
    return batch


def _open(uow: UnitOfWork, handover_id: int) -> Handover:
    batch = uow.get_locked(Handover, handover_id)
    if batch is None:
        get_handover(uow, handover_id)  # the 404
    if batch.closed_at is not None:
        raise Conflict(f"handover {handover_id} was closed at {batch.closed_at:%H:%M}; open a new one", "handover_closed")
    return batch  # type: ignore[no-any-return]


def scan(uow: UnitOfWork, handover_id: int, raw: str) -> dict[str, Any]:
    """One parcel scanned onto the batch: its tracking number, as the label's barcode gives it."""
    batch = _open(uow, handover_id)
    number = raw.strip()
    parcel = uow.session.exec(uow.locked(select(Parcel).where(Parcel.tracking_no == number))).first()
    if parcel is None:
        raise NotFound(f"{raw.strip()}: not a parcel packed here; set it aside", "unknown_parcel")
    if parcel.status == "intercepted":
        raise Conflict(f"STOP — 拦截: parcel {number} was intercepted (its order was cancelled after packing). "
                       "Do not load it; take it to the lead to void.", "parcel_intercepted")
    if parcel.status == "voided":
        raise Conflict(f"STOP: parcel {number} was voided ({parcel.void_reason}); do not load it", "parcel_voided")
    if parcel.carrier != batch.carrier:
        raise Conflict(f"parcel {number} goes with {parcel.carrier}, not {batch.carrier}", "wrong_carrier")
    again = parcel.handover_id == batch.id
    if not again:
        if parcel.status != "packed" or parcel.handover_id is not None:
            raise Conflict(f"parcel {number} was handed over already (batch {parcel.handover_id})",
                           "already_handed_over")
        uow.update(parcel, handover_id=batch.id)
    return {"handover_id": batch.id, "tracking_no": number, "already_scanned": again,
            "scanned": _scanned(uow, batch.id)}  # type: ignore[arg-type]


def _scanned(uow: UnitOfWork, handover_id: int) -> int:
    return int(uow.session.exec(select(func.count()).select_from(Parcel)
                                .where(Parcel.handover_id == handover_id)).one())


def close(uow: UnitOfWork, handover_id: int, actor: str) -> tuple[Handover, list[str]]:
    """Ship what was scanned; the batch and the carrier's packed parcels left behind (unscanned)."""
    batch = _open(uow, handover_id)
    ids = list(uow.session.exec(select(Parcel.id).where(Parcel.handover_id == batch.id,
                                                        Parcel.status == "packed").order_by(Parcel.id)).all())  # type: ignore[arg-type]
    if not ids:
        raise Conflict(f"nothing was scanned onto handover {handover_id}", "nothing_scanned")
    ship_batch(uow, batch, ids, actor)  # type: ignore[arg-type]
    left = list(uow.session.exec(select(Parcel.tracking_no).where(
        Parcel.carrier == batch.carrier, Parcel.status.in_(("packed", "intercepted")),  # type: ignore[attr-defined]
        Parcel.handover_id.is_(None)).order_by(Parcel.id)).all())  # type: ignore[union-attr, arg-type]
    return batch, left
