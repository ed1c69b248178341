"""Tracking numbers back to the platforms (发货回传), through a durable outbox like the print queue.

queued -> sending -> sent | skipped | failed. A row is written in the same transaction that
hands the parcel over (or, for shops that send on packing, by the worker's scan of packed
parcels), one per (platform order, tracking number) under a unique key, so nothing is queued
twice. The claim is a conditional update, so two service instances never send one row at once.

Unlike a label, a consignment can safely be sent again: the platform refuses a second one for
the same order and says which number it already has. So a row found still `sending` after its
lease (the sender died mid-call) is queued again, and the platform's "already shipped with
this very number" counts as sent: never lost, never sent twice. Trouble that time can cure
(timeouts, call limits, an expired token awaiting a new one) backs off 2 s, 4 s ... at most
10 min; a refusal no retry can change (the trade was closed, another number is on it) fails
and waits for a person (`wms platforms outbox --retry ID`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from wms.adapters.db.tables import OrderRow, PackSessionRow, Parcel, PlatformOrder, PlatformRow, TrackingUpload
from wms.adapters.db.types import utcnow
from wms.adapters.db.uow import UnitOfWork
from wms.services import job_queue
from wms.services.orders import records
from wms.services.stock import catalog

STATUSES = ("queued", "sending", "sent", "skipped", "failed")


def _platform_of(uow: UnitOfWork, order_no: str) -> tuple[PlatformOrder, PlatformRow] | None:
    """The platform order behind ours; a back-order (拆单) ships for its first order's."""
    row = uow.session.exec(
        select(PlatformOrder, PlatformRow).join(PlatformRow, PlatformRow.name == PlatformOrder.platform)  # type: ignore[arg-type]
        .where(PlatformOrder.order_no == order_no)
    ).first()
    if row is None:
        parent = uow.session.exec(select(OrderRow.split_from).where(OrderRow.order_no == order_no)).first()
        return _platform_of(uow, parent) if parent else None
    return (row[0], row[1])


def enqueue(uow: UnitOfWork, order_no: str, carrier: str, tracking_no: str, when: str,
            weight_g: int | None = None, parcel: dict[str, Any] | None = None,
            holds: Parcel | None = None) -> TrackingUpload | None:
    """Queue the number for the order's platform if its shop sends on `when` (handover | packed).
    Returns None when the order came from no platform, its shop sends at another moment, or the
    row exists already. `holds`: the parcel, when it may hold only part of the order (一单多包):
    its upload then names the platform's lines it carries (split_lines)."""
    found = _platform_of(uow, order_no)
    if found is None:
        return None
    seen, platform = found
    if platform.upload_on == "never" or (when == "packed" and platform.upload_on != "packed"):
        return None
    exists = uow.session.exec(select(TrackingUpload.id).where(
        TrackingUpload.platform == platform.name, TrackingUpload.platform_order_no == seen.platform_order_no,
        TrackingUpload.tracking_no == tracking_no)).first()
    if exists is not None:
        return None
    earlier = uow.session.exec(select(func.count()).select_from(TrackingUpload).where(
        TrackingUpload.platform == platform.name, TrackingUpload.platform_order_no == seen.platform_order_no)).one()
    cod = uow.session.exec(select(OrderRow.order_type).where(OrderRow.order_no == order_no)).first() == "cod"
    sub_orders = split_lines(uow, seen, holds) if holds is not None else []
    if sub_orders:  # how many units of each line go (抖店's shipped_num): the line whole, with its first parcel
        parcel = {**(parcel or {}), "shipped": {oid: int((seen.line_skus.get(oid) or {}).get("qty") or 1)
                                               if isinstance(seen.line_skus.get(oid), dict) else 1
                                               for oid in sub_orders}}
    row = TrackingUpload(platform=platform.name, platform_order_no=seen.platform_order_no, order_no=order_no,
                         carrier=carrier, tracking_no=tracking_no, next_attempt_at=utcnow(), sub_orders=sub_orders,
                         extra={**({"additional_package": True} if earlier and not sub_orders else {}),
                                **({"cod": True} if cod else {}),
                                **({"weight_g": weight_g} if weight_g else {}), **(parcel or {})})
    try:
        with uow.session.begin_nested():
            uow.session.add(row)
            uow.session.flush()
    except IntegrityError:  # queued by another instance a moment ago
        return None
    return row


def split_lines(uow: UnitOfWork, seen: PlatformOrder, parcel: Parcel) -> list[str]:
    """The platform's lines (sub-orders, oid) a parcel of a split order carries (拆单发货: Taobao's
    `is_split` + `sub_tid`), not yet sent with another parcel; [] when the parcel is the order's
    only one (the whole order is sent) or the platform gave no line ids. A line whose units
    went in several parcels goes with the first; gifts are no platform line, so never sent."""
    if not parcel.items or not seen.line_skus:
        return []
    order = uow.session.get(OrderRow, parcel.order_id)
    others = uow.session.exec(select(Parcel.id).where(Parcel.order_id == parcel.order_id, Parcel.id != parcel.id,
                                                      Parcel.status != "voided")).first()
    split_order = order is not None and (order.split_from is not None or uow.session.exec(
        select(OrderRow.id).where(OrderRow.split_from == order.order_no)).first() is not None)
    if others is None and not split_order and order is not None \
            and order.status in (records.rules.PACKED, records.rules.SHIPPED):
        return []
    sent = set()
    for (lines,) in uow.session.execute(select(TrackingUpload.sub_orders).where(
            TrackingUpload.platform == seen.platform, TrackingUpload.platform_order_no == seen.platform_order_no,
            TrackingUpload.status != "cancelled")):
        sent.update(lines or [])
    skus = {oid: line_sku(line) for oid, line in seen.line_skus.items()}
    parts = catalog.combo_parts(uow, set(skus.values()))
    held = set(parcel.items)
    return [oid for oid, sku in skus.items() if oid not in sent
            and (sku in held or any(part in held for part, _ in parts.get(sku, [])))]


def line_sku(line: Any) -> str:
    """A platform line's SKU as kept in `PlatformOrder.line_skus` ({"sku", "qty"})."""
    return str(line.get("sku") or "") if isinstance(line, dict) else str(line)


def _parcel_facts(uow: UnitOfWork, parcel: Parcel, member: OrderRow) -> dict[str, Any]:
    """What an ERP's confirmation tells beside the number: the items of this order in the parcel,
    who packed it and when (kept with the outbox row, so a resend says the same)."""
    session = uow.session.get(PackSessionRow, parcel.session_id) if parcel.session_id else None
    items = [{"sku": line.sku, "qty": line.qty} for line in records.order_lines(uow, member) if line.qty > 0]
    if parcel.items and not member.merge_group and sum(parcel.items.values()) < sum(i["qty"] for i in items):
        items = [{"sku": sku, "qty": qty} for sku, qty in parcel.items.items()]  # 一单多包: this parcel's share
    return {"items": items,
            "operator": session.operator if session else None,
            "packed_at": parcel.created_at.isoformat()}


def on_handover(uow: UnitOfWork, handover_id: int, actor: str = "handover") -> int:
    """Queue every order of a closed handover batch (merged orders share their parcel's number)."""
    queued = 0
    rows = uow.session.exec(
        select(Parcel, OrderRow).join(OrderRow, OrderRow.id == Parcel.order_id)  # type: ignore[arg-type]
        .where(Parcel.handover_id == handover_id).order_by(Parcel.id)  # type: ignore[arg-type]
    ).all()
    for parcel, order in rows:
        if not parcel.tracking_no:
            continue
        for member in records.in_parcel(uow, order):
            if enqueue(uow, member.order_no, parcel.carrier or member.carrier or "", parcel.tracking_no, "handover",
                       parcel.weight_g, _parcel_facts(uow, parcel, member), parcel):
                queued += 1
    return queued


def enqueue_packed(uow: UnitOfWork, limit: int = 500) -> int:
    """Shops that send on packing: queue packed parcels not yet queued. A step of the upload
    worker, committed here (the services' commit rule, case 3)."""
    packing_shops = uow.session.exec(select(PlatformRow.name).where(PlatformRow.upload_on == "packed")).all()
    if not packing_shops:
        return 0
    queued_numbers = select(TrackingUpload.tracking_no).where(TrackingUpload.order_no == OrderRow.order_no)
    rows = uow.session.exec(
        select(Parcel, OrderRow).join(OrderRow, OrderRow.id == Parcel.order_id)  # type: ignore[arg-type]
        .join(PlatformOrder, PlatformOrder.order_no == OrderRow.order_no)  # type: ignore[arg-type]
        .where(PlatformOrder.platform.in_(packing_shops), Parcel.tracking_no.is_not(None),  # type: ignore[attr-defined,union-attr]
               Parcel.status != "voided",
               Parcel.tracking_no.not_in(queued_numbers.scalar_subquery()))  # type: ignore[union-attr]
        .order_by(Parcel.id).limit(limit)  # type: ignore[arg-type]
    ).all()
    queued = 0
    for parcel, order in rows:
        for member in records.in_parcel(uow, order):
            if enqueue(uow, member.order_no, parcel.carrier or member.carrier or "", parcel.tracking_no or "", "packed",
                       parcel.weight_g, _parcel_facts(uow, parcel, member), parcel):
                queued += 1
    uow.commit()
    return queued


def counts(uow: UnitOfWork) -> dict[str, int]:
    return job_queue.counts(uow, TrackingUpload, STATUSES)


def list_uploads(uow: UnitOfWork, status: str | None = None, limit: int = 50,
                 kind: str | None = None) -> list[TrackingUpload]:
    """The newest uploads, of one status and of one kind of platform (`qimen`: the ERPs) if given."""
    stmt = select(TrackingUpload)
    if status:
        stmt = stmt.where(TrackingUpload.status == status)
    if kind:
        stmt = stmt.join(PlatformRow, PlatformRow.name == TrackingUpload.platform).where(PlatformRow.kind == kind)  # type: ignore[arg-type]
    return list(uow.session.exec(stmt.order_by(TrackingUpload.id.desc()).limit(limit)).all())  # type: ignore[union-attr]


def upload_view(u: TrackingUpload) -> dict[str, Any]:
    return {"id": u.id, "platform": u.platform, "order_no": u.order_no, "platform_order_no": u.platform_order_no,
            "carrier": u.carrier, "tracking_no": u.tracking_no, **job_queue.progress(u)}


def retry(uow: UnitOfWork, upload_id: int) -> None:
    """A person sends a failed upload again (the caller commits)."""
    job_queue.retry(uow, TrackingUpload, upload_id, "tracking upload", "unknown_upload")
