"""Voiding a packed parcel before the courier takes it (作废 / 面单回收).

A supervisor voids a parcel whose label must not travel: a wrong or spoilt label, an order the
buyer cancelled after packing, a parcel that has to be packed again. What happens, in order:

1. One transaction: the parcel becomes `voided` (who, when, why); its orders go back from
   packed to picked, their lines unpacked; a label still queued is not printed; a tracking
   upload not yet sent is cancelled; a number from an e-waybill service is marked `cancelling`.
2. Then, with no transaction open, the number goes back to the service (Cainiao
   `cainiao.waybill.ii.cancel`, 回收). A pool number needs nothing: a pool never hands a
   number out twice, and the voided parcel keeps it on record.
3. The number is marked `cancelled`; if the service refused or did not answer, the reason is
   kept and voiding the parcel again retries the cancel (a repeat after a lost answer is fine).

Stock is not touched, on purpose. Packing took the units out of their bins (on hand and
reservation down together, `stock.pick_reserved`); after a void they are still out of their
bins, in the parcel on the bench, and the order's reservations stay `picked`. Packing the
order again takes nothing from the bins a second time (there is no open reservation left to
take), and cancelling it instead (`orders.cancel`, allowed again now that it is `picked`)
puts the picked units back into their bins through the ledger. Either way each unit is counted
once. A parcel already handed over (shipped, or in a handover batch) cannot be voided: it is
with the courier, and a return is an after-sales case.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlmodel import select

from wms.adapters.db.tables import Handover, OrderLine, OrderRow, Parcel, PrintJob, TrackingUpload, WaybillIssue
from wms.adapters.db.types import utcnow
from wms.adapters.db.uow import UnitOfWork
from wms.domain import orders as order_rules
from wms.domain.errors import Conflict, Invalid, NotFound
from wms.domain.waybill_numbers import WaybillProvider, WaybillUnavailable
from wms.services.orders import records
from wms.services.shipping import waybill_numbers


def void_parcel(uow: UnitOfWork, tracking_no: str, who: str, reason: str, timeout: float = 8.0) -> dict[str, Any]:
    reason = " ".join((reason or "").split())
    if not reason:
        raise Invalid("reason: say why the parcel is voided", "reason_required")
    tracking_no = tracking_no.strip()
    parcel = uow.session.exec(uow.locked(select(Parcel).where(Parcel.tracking_no == tracking_no))).first()
    if parcel is None:
        raise NotFound(f"no parcel with tracking number {tracking_no}", "unknown_parcel")
    already = parcel.status == "voided"
    if not already:
        loading = parcel.handover_id is not None and _batch_open(uow, parcel.handover_id)
        if parcel.status not in ("packed", "intercepted") or (parcel.handover_id is not None and not loading):
            raise Conflict(f"parcel {tracking_no} was handed over to {parcel.carrier} already"
                           f"{f' (handover #{parcel.handover_id})' if parcel.handover_id else ''}; "
                           "it can no longer be voided: open an after-sales case for it", "already_handed_over")
        if loading:  # scanned onto a batch still open: taken off it again
            uow.update(parcel, handover_id=None)
        _void_here(uow, parcel, who, reason)
    issue = uow.session.get(WaybillIssue, tracking_no)
    provider: WaybillProvider | None = None
    if issue is not None and issue.status in ("issued", "used"):
        uow.update(issue, status="cancelling")
    if issue is not None and issue.status == "cancelling":
        try:
            provider = waybill_numbers.provider_for(uow, issue.carrier, timeout, issue.account)
        except WaybillUnavailable as exc:
            uow.update(issue, cancel_error=exc.message[:500])
    uow.commit()  # the parcel is void whatever the provider says next
    answer = {"tracking_no": tracking_no, "status": "voided", "already_voided": already,
              "voided_by": parcel.voided_by, "void_reason": parcel.void_reason,
              "voided_at": parcel.voided_at.isoformat() if parcel.voided_at else None}
    if issue is None:
        answer.update(number="retired", message=f"{tracking_no} is void; a pool number is never handed out again")
        return answer
    if issue.status == "cancelled":
        answer.update(number="cancelled", message=f"{tracking_no} is void and was returned to {issue.carrier}")
        return answer
    if provider is None:
        answer.update(number="cancel_pending", cancel_error=issue.cancel_error,
                      message=f"{tracking_no} is void, but could not be returned: {issue.cancel_error}; "
                              "void it again to retry")
        return answer
    try:
        provider.cancel(tracking_no)
    except WaybillUnavailable as exc:
        uow.update(issue, cancel_error=exc.message[:500])
        uow.commit()
        answer.update(number="cancel_pending", cancel_error=exc.message, provider_code=exc.provider_code,
                      message=f"{tracking_no} is void, but {issue.carrier}'s number could not be returned yet "
                              f"({exc.message}); void it again to retry the 回收")
        return answer
    uow.update(issue, status="cancelled", cancelled_at=utcnow(), cancel_error=None)
    uow.commit()
    answer.update(number="cancelled", message=f"{tracking_no} is void and was returned to {issue.carrier} (回收)")
    return answer


def _void_here(uow: UnitOfWork, parcel: Parcel, who: str, reason: str) -> None:
    order = uow.get_locked(OrderRow, parcel.order_id)
    group = records.in_parcel(uow, order)
    for member in group:
        if member.status == order_rules.PACKED:
            records.transition(uow, member, order_rules.PICKED, who, f"parcel {parcel.tracking_no} voided: {reason}")
    others = uow.session.exec(select(Parcel.id).where(Parcel.order_id == parcel.order_id, Parcel.id != parcel.id,
                                                      Parcel.status != "voided")).first()
    if others is None:  # the order's only parcel: nothing of it is packed any more
        for member in group:
            uow.session.execute(update(OrderLine).where(OrderLine.order_id == member.id).values(packed=0))  # type: ignore[arg-type]
    else:  # 一单多包: only what this parcel held is to pack again
        _unpack(uow, group, dict(parcel.items or {}))
    uow.update(parcel, status="voided", voided_at=utcnow(), voided_by=who, void_reason=reason[:500])
    uow.session.execute(update(PrintJob).where(PrintJob.tracking_no == parcel.tracking_no,  # type: ignore[arg-type]
                                               PrintJob.status == "queued")
                        .values(status="failed", last_error=f"parcel voided by {who}: {reason}"[:500]))
    uow.session.execute(update(TrackingUpload).where(TrackingUpload.tracking_no == parcel.tracking_no,  # type: ignore[arg-type]
                                                     TrackingUpload.status.in_(("queued", "failed")))  # type: ignore[attr-defined]
                        .values(status="cancelled", last_error=f"parcel voided: {reason}"[:500]))


def _unpack(uow: UnitOfWork, group: list[OrderRow], items: dict[str, int]) -> None:
    """Count `items` (sku -> units) as not packed any more, from the group's last lines back."""
    lines = uow.session.exec(select(OrderLine).where(OrderLine.order_id.in_([m.id for m in group]))  # type: ignore[attr-defined]
                             .order_by(OrderLine.id.desc())).all()  # type: ignore[union-attr]
    for line in lines:
        n = min(items.get(line.sku, 0), line.packed)
        if n > 0:
            line.packed -= n
            items[line.sku] -= n
            uow.session.add(line)


def _batch_open(uow: UnitOfWork, handover_id: int) -> bool:
    batch = uow.session.get(Handover, handover_id)
    return batch is not None and batch.closed_at is None
