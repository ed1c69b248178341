"""The daily handover (交接): a carrier's packed parcels closed into a batch, its view and manifest."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import update
from sqlmodel import select

from wms.adapters.db.tables import Carrier, Handover, OrderRow, Parcel
from wms.adapters.db.types import utcnow
from wms.adapters.db.uow import UnitOfWork
from wms.domain import orders as order_rules
from wms.domain.errors import Conflict, NotFound
from wms.services.orders import records
from wms.services.platforms import uploads
from wms.services.shipping.carrier_setup import get_carrier, list_carriers

# Couriers pick up on the warehouse's calendar day: China Standard Time, no daylight saving.
WAREHOUSE_TZ = timezone(timedelta(hours=8), "CST")


_CHUNK = 500  # ids per IN (...) list: well under SQLite's bound-parameter limit


def close_handover(uow: UnitOfWork, carrier: str, actor: str) -> Handover:
    """Close the carrier's batch: every packed parcel not yet handed over leaves in it.

    Parcels are claimed with a conditional update (`... AND handover_id IS NULL`), so two
    supervisors closing at the same moment never put one parcel in two batches: the
    second finds nothing left and gets `nothing_to_hand_over`.
    """
    code = get_carrier(uow, carrier).code
    ids = list(uow.session.exec(
        select(Parcel.id).where(Parcel.carrier == code, Parcel.status == "packed",
                                Parcel.handover_id.is_(None)).order_by(Parcel.id)  # type: ignore[union-attr, arg-type]
    ).all())
    if not ids:
        raise Conflict(f"no packed parcels of {code} are waiting to be handed over", "nothing_to_hand_over")
    batch = Handover(carrier=code)
    uow.session.add(batch)
    uow.session.flush()
    if ship_batch(uow, batch, ids, actor) == 0:  # another close took them all between our read and our write
        raise Conflict(f"no packed parcels of {code} are waiting to be handed over", "nothing_to_hand_over")
    return batch


def ship_batch(uow: UnitOfWork, batch: Handover, ids: list[int], actor: str) -> int:
    """The parcels `ids` leave in `batch`: shipped, their orders shipped, their tracking numbers
    queued for the platforms, the batch closed with its totals. Claimed with a conditional
    update (still packed, in no other batch), so no parcel leaves twice; returns how many."""
    now = utcnow()
    claimed = 0
    for chunk in _chunks(ids):
        claimed += uow.session.execute(
            update(Parcel).where(Parcel.id.in_(chunk), Parcel.status == "packed",  # type: ignore[union-attr]
                                 (Parcel.handover_id.is_(None)) | (Parcel.handover_id == batch.id))  # type: ignore[union-attr]
            .values(handover_id=batch.id, status="shipped", shipped_at=now)
        ).rowcount  # type: ignore[attr-defined]
    if claimed == 0:
        return 0
    code = batch.carrier
    parcels = _batch_parcels(uow, batch.id)  # type: ignore[arg-type]
    reason = f"handed over to {code} in batch {batch.id}"
    for _parcel, order in parcels:
        for member in records.in_parcel(uow, order):
            if member.status == order_rules.PACKED:
                records.transition(uow, member, order_rules.SHIPPED, actor, reason)
    uploads.on_handover(uow, batch.id)  # type: ignore[arg-type]
    batch.parcels = len(parcels)
    batch.total_weight_g = sum(p.weight_g or 0 for p, _ in parcels)
    batch.closed_by, batch.closed_at = actor, now
    uow.session.add(batch)
    uow.session.flush()
    return claimed


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for i in range(0, len(ids), _CHUNK):
        yield ids[i:i + _CHUNK]


def _batch_parcels(uow: UnitOfWork, handover_id: int) -> list[tuple[Parcel, OrderRow]]:
    rows = uow.session.exec(
        select(Parcel, OrderRow).join(OrderRow, OrderRow.id == Parcel.order_id)  # type: ignore[arg-type]
        .where(Parcel.handover_id == handover_id).order_by(Parcel.id)  # type: ignore[arg-type]
    ).all()
    for parcel, _ in rows:
        uow.session.refresh(parcel)  # the bulk update bypassed the identity map
    return [(p, o) for p, o in rows]


def get_handover(uow: UnitOfWork, handover_id: int) -> Handover:
    row = uow.session.get(Handover, handover_id)
    if row is None:
        raise NotFound(f"unknown handover batch {handover_id}", "unknown_handover")
    return row


def list_handovers(uow: UnitOfWork, carrier: str | None = None, day: date | None = None,
                   limit: int = 200) -> list[dict[str, Any]]:
    """Batches, newest first; `day` is the warehouse's calendar day (China Standard Time)."""
    stmt = select(Handover)
    if carrier:
        stmt = stmt.where(Handover.carrier == carrier.strip().upper())
    if day is not None:
        start = datetime.combine(day, time.min, WAREHOUSE_TZ)
        stmt = stmt.where(Handover.closed_at >= start, Handover.closed_at < start + timedelta(days=1))  # type: ignore[operator]
    rows = uow.session.exec(stmt.order_by(Handover.id.desc()).limit(limit)).all()  # type: ignore[union-attr]
    names = {c.code: c.name for c in list_carriers(uow)}
    return [_summary(r, names.get(r.carrier, r.carrier)) for r in rows]


def _summary(batch: Handover, carrier_name: str) -> dict[str, Any]:
    closed = batch.closed_at
    return {"id": batch.id, "carrier": batch.carrier, "carrier_name": carrier_name,
            "closed_at": closed.isoformat() if closed else None,
            "closed_at_local": closed.astimezone(WAREHOUSE_TZ).strftime("%Y-%m-%d %H:%M") if closed else None,
            "closed_by": batch.closed_by, "parcels": batch.parcels, "total_weight_g": batch.total_weight_g}


def handover_view(uow: UnitOfWork, handover_id: int) -> dict[str, Any]:
    """A batch with its parcels as the manifest lists them; phones are masked."""
    batch = get_handover(uow, handover_id)
    carrier = uow.session.get(Carrier, batch.carrier)
    lines = []
    for parcel, order in _batch_parcels(uow, batch.id):  # type: ignore[arg-type]
        members = records.in_parcel(uow, order)
        cod = sum((o.cod_amount for o in members), Decimal("0"))
        lines.append({
            "tracking_no": parcel.tracking_no, "order_no": "/".join(o.order_no for o in members),
            "recipient_name": order.recipient_name, "phone": order_rules.mask_phone(order.recipient_phone),
            "province": order.province, "city": order.city, "weight_g": parcel.weight_g or 0,
            "pieces": parcel.pieces, "cod_amount": f"{cod:.2f}",
            "shipped_at": parcel.shipped_at.isoformat() if parcel.shipped_at else None})
    cod_total = sum((Decimal(l["cod_amount"]) for l in lines), Decimal("0"))
    return {**_summary(batch, carrier.name if carrier else batch.carrier), "cod_total": f"{cod_total:.2f}",
            "total_pieces": sum(l["pieces"] for l in lines), "parcel_list": lines}


MANIFEST_COLUMNS = ("tracking_no", "order_no", "recipient_name", "phone", "province", "city", "weight_g",
                    "pieces", "cod_amount")


def manifest_csv(view: dict[str, Any]) -> str:
    """The manifest as CSV with a totals row; starts with a BOM so Excel reads the Chinese."""
    buf = io.StringIO()
    buf.write("\ufeff")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(MANIFEST_COLUMNS)
    for line in view["parcel_list"]:
        writer.writerow([line[c] for c in MANIFEST_COLUMNS])
    writer.writerow(["TOTAL", f"{view['parcels']} parcels", "", "", "", "", view["total_weight_g"],
                     view["total_pieces"], view["cod_total"]])
    return buf.getvalue()
