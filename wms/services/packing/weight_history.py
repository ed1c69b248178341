"""A parcel's weight record (底单称重): every weighing, failed ones included, never edited."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlmodel import or_, select

from wms.adapters.db.tables import OrderRow, Override, PackSessionRow, Parcel, Weighing
from wms.adapters.db.types import utcnow
from wms.adapters.db.uow import UnitOfWork
from wms.domain import weighing as weight_rules
from wms.domain.errors import Conflict, Invalid, NotFound
from wms.domain.orders import mask_phone
from wms.services import local_time
from wms.services.orders import records
from wms.services.stock import catalog


def get_parcel(uow: UnitOfWork, tracking_no: str) -> Parcel:
    parcel = uow.session.exec(select(Parcel).where(Parcel.tracking_no == tracking_no.strip())).first()
    if parcel is None:
        raise NotFound(f"no parcel with tracking number {tracking_no}", "unknown_parcel")
    return parcel


def parcel_weighings(uow: UnitOfWork, parcel: Parcel) -> list[Weighing]:
    """Its pack session's weighings (before the number existed) and every later one."""
    cond = Weighing.tracking_no == parcel.tracking_no
    if parcel.session_id is not None:
        cond = or_(cond, Weighing.session_id == parcel.session_id)  # type: ignore[assignment]
    return list(uow.session.exec(select(Weighing).where(cond).order_by(Weighing.at, Weighing.id)).all())  # type: ignore[arg-type]


def weighing_record(row: Weighing, override: dict[str, Any] | None = None) -> dict[str, Any]:
    """One weighing as the record shows it; `override` is who let it ship despite its verdict, and why."""
    return {"kind": row.kind, "grams": row.grams, "expected_g": row.expected_g,
            "tolerance_g": row.tolerance_g, "delta_g": row.delta_g, "verdict": row.verdict,
            "station": row.station, "operator": row.operator, "scale_id": row.scale_id,
            "typed": row.scale_id is None,  # no scale named it: typed by a person (手输)
            "stable": row.stable, "suspects": row.suspects, "at": row.at.isoformat(),
            "at_local": local_time.local(row.at), "overridden": override is not None, "override": override}


def parcel_record(uow: UnitOfWork, parcel: Parcel) -> list[dict[str, Any]]:
    """The parcel's weight history with each supervisor override marked on the weighing it let through."""
    rows = parcel_weighings(uow, parcel)
    overrides: dict[int | None, dict[str, Any]] = {}
    if parcel.session_id is not None:
        for o in uow.session.exec(select(Override).where(Override.session_id == parcel.session_id)
                                  .order_by(Override.id)).all():  # type: ignore[arg-type]
            overrides[o.weighing_id] = {"by": o.by, "role": o.role, "reason": o.reason, "at": o.at.isoformat()}
    return [weighing_record(w, overrides.get(w.id)) for w in rows]


def record_delivery(uow: UnitOfWork, parcel: Parcel, delivered_at: Any, source: str, actor: str) -> Parcel:
    """When the buyer got the parcel (from the platform's tracking, or typed in from the courier's
    page): the 7-day no-reason window runs from this, not from a guess."""
    if source not in ("platform", "manual"):
        raise Invalid("source: platform or manual", "invalid_source")
    if parcel.shipped_at is None and parcel.status != "shipped":
        raise Conflict(f"parcel {parcel.tracking_no} has not been handed to the carrier yet", "not_shipped")
    if isinstance(delivered_at, str):
        try:
            delivered_at = datetime.fromisoformat(delivered_at.strip().replace("Z", "+00:00"))
        except ValueError:
            raise Invalid(f"delivered_at: {delivered_at!r} is not an ISO date-time", "invalid_time") from None
    when = delivered_at or utcnow()
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    if when > utcnow():
        raise Invalid("delivered_at: a delivery cannot be in the future", "invalid_time")
    if parcel.shipped_at is not None and when < parcel.shipped_at:
        raise Invalid("delivered_at: before the parcel was shipped", "invalid_time")
    parcel.delivered_at, parcel.delivered_source = when, source
    uow.session.add(parcel)
    uow.session.flush()
    return parcel


def find_parcels(uow: UnitOfWork, query: str) -> list[Parcel]:
    """Look up by tracking number, order number, or the last digits of the recipient's phone."""
    q = query.strip()
    if not q:
        return []
    stmt = (
        select(Parcel).join(OrderRow, OrderRow.id == Parcel.order_id)  # type: ignore[arg-type]
        .where(or_(Parcel.tracking_no == q, OrderRow.order_no == q,
                   OrderRow.recipient_phone.endswith(q) if q.isdigit() and 4 <= len(q) <= 11 else False))
        .order_by(Parcel.id.desc()).limit(50)  # type: ignore[union-attr]
    )
    return list(uow.session.exec(stmt).all())


def reweigh(uow: UnitOfWork, parcel: Parcel, grams: int, kind: str, station: str | None, operator: str,
            scale_id: str | None = None, stable: bool = True,
            expected: tuple[int, int] | None = None) -> Weighing:
    """Weigh a parcel again: a re-check against its outbound record, or a return against
    `expected` (grams, tolerance) of what its case says came back."""
    if not stable:
        raise Conflict("the scale is still moving: wait for a stable reading", "unstable_reading")
    if expected is not None:
        expected_g, tolerance = expected
    else:
        outbound = [w for w in parcel_weighings(uow, parcel) if w.kind == "outbound" and w.expected_g is not None]
        expected_g = outbound[-1].expected_g if outbound else parcel.weight_g
        tolerance = outbound[-1].tolerance_g if outbound else None
    verdict, delta = "recorded", None
    if expected_g is not None and tolerance is not None:
        delta = grams - expected_g
        verdict = weight_rules.verdict_for_delta(delta, tolerance)
        if kind == "return" and verdict == "overweight":
            verdict = "pass"  # the buyer's own packing adds weight; only a light return is suspicious
    row = Weighing(kind=kind, order_id=parcel.order_id, tracking_no=parcel.tracking_no, grams=grams,
                   expected_g=expected_g, tolerance_g=tolerance, delta_g=delta, verdict=verdict,
                   stable=stable, station=station, operator=operator, scale_id=scale_id)
    uow.session.add(row)
    uow.session.flush()
    return row


def evidence(uow: UnitOfWork, parcel: Parcel) -> dict[str, Any]:
    """Everything the evidence sheet states, gathered from records that are never edited."""
    order = uow.session.get(OrderRow, parcel.order_id)
    assert order is not None
    session = uow.session.get(PackSessionRow, parcel.session_id) if parcel.session_id else None
    weighings = parcel_record(uow, parcel)
    # What this parcel held: its own items (一单多包), else the order's lines.
    held = list(parcel.items.items()) if parcel.items else [
        (l.sku, l.qty) for l in records.order_lines(uow, order) if l.qty > 0]
    skus = catalog.skus_by_code(uow, {sku for sku, _ in held})
    outbound = [w for w in weighings if w["kind"] == "outbound"]
    last = outbound[-1] if outbound else None
    overrides = [{"by": o.by, "reason": o.reason, "at": o.at.isoformat()} for o in uow.session.exec(
        select(Override).where(Override.session_id == parcel.session_id)).all()] if parcel.session_id else []
    if last and last["verdict"] == "pass":
        conclusion = (f"结论: 包裹出库重量 {last['grams']} g, 在应重 {last['expected_g']} g ± {last['tolerance_g']} g 范围内, "
                      f"出库时重量完整。 The parcel left at full weight, within tolerance.")
    elif overrides:
        conclusion = f"结论: 出库重量与应重不符, 由主管 {overrides[-1]['by']} 放行 (原因: {overrides[-1]['reason']})。"
    else:
        conclusion = "结论: 无合格的出库称重记录。 No passing outbound weighing is on record."
    return {
        "tracking_no": parcel.tracking_no, "order_no": order.order_no,
        "recipient": f"{order.recipient_name} {mask_phone(order.recipient_phone)} {order.province}{order.city}{order.district}",
        "parcel": {"carrier": parcel.carrier, "packer": session.operator if session else None,
                   "station": session.station if session else None,
                   "packed_at": local_time.local(parcel.created_at),
                   "packaging": parcel.packaging, "weight_g": parcel.weight_g,
                   "expected_g": last["expected_g"] if last else None,
                   "tolerance_g": last["tolerance_g"] if last else None},
        "items": [{"sku": sku, "name": skus[sku].name if sku in skus else sku, "qty": qty,
                   "unit_weight_g": skus[sku].unit_weight_g if sku in skus else 0} for sku, qty in held],
        "weighings": weighings, "overrides": overrides, "conclusion": conclusion,
        "generated_at": utcnow().isoformat(), "generated_local": local_time.local(utcnow()),
        "time_zone": local_time.zone_name(),
    }
