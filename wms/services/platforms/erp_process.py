"""How far an ERP's shipments have come (`orderprocess.report`): picked (PICK), weighed and packed
(WEIGH, PACKAGE: a passing weighing packs the parcel) and handed over (DELIVERED); and the stock
changes of its SKUs it did not ask for (`stockchange.report`: counts, receipts outside an entry
order, returns put back or set aside), from the stock ledger.

Read from the orders' status history after the fact, by the ERP outbox's worker, so no step of
the floor waits for it: every status change of an ERP's order since the last look becomes one
message per step, under the outbox's unique key (ERP, method, "order:STEP"), so a second look
queues nothing twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import select

from wms.adapters.db.tables import ErpMessage, LedgerEntry, OrderEvent, OrderRow, Parcel, PlatformOrder, PlatformRow, SkuRow
from wms.adapters.db.uow import UnitOfWork
from wms.adapters.qimen import protocol
from wms.domain import orders as rules

PROCESS = "taobao.qimen.orderprocess.report"
KIND = "qimen"
STEPS = {rules.PICKED: ("PICK",), rules.PACKED: ("WEIGH", "PACKAGE"), rules.SHIPPED: ("DELIVERED",)}


def due_reports(uow: UnitOfWork, since: datetime) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(ERP, method, code, request) of every step an ERP's order reached since `since` and not
    yet queued, oldest first."""
    rows = uow.session.exec(
        select(PlatformOrder.platform, OrderRow.order_no, OrderRow.id, OrderEvent.to_status, OrderEvent.at,
               OrderEvent.actor, OrderEvent.reason)
        .join(OrderRow, OrderRow.id == OrderEvent.order_id)  # type: ignore[arg-type]
        .join(PlatformOrder, PlatformOrder.order_no == OrderRow.order_no)  # type: ignore[arg-type]
        .join(PlatformRow, PlatformRow.name == PlatformOrder.platform)  # type: ignore[arg-type]
        .where(PlatformRow.kind == KIND, OrderEvent.at >= since,
               OrderEvent.to_status.in_(tuple(STEPS)))  # type: ignore[attr-defined]
        .order_by(OrderEvent.id)  # type: ignore[arg-type]
    ).all()
    wanted = [(erp, f"{order_no}:{step}", order_no, order_id, at, actor, reason, step)
              for erp, order_no, order_id, status, at, actor, reason in rows for step in STEPS[status]]
    if not wanted:
        return []
    queued = set(uow.session.exec(select(ErpMessage.platform, ErpMessage.code).where(
        ErpMessage.method == PROCESS, ErpMessage.code.in_({w[1] for w in wanted}))).all())  # type: ignore[attr-defined]
    parcels = {p.order_id: p for p in uow.session.exec(select(Parcel).where(
        Parcel.order_id.in_({w[3] for w in wanted}), Parcel.status != "voided")).all()}  # type: ignore[attr-defined]
    out = []
    for erp, code, order_no, order_id, at, actor, reason, step in wanted:
        if (erp, code) in queued:
            continue
        queued.add((erp, code))
        process: dict[str, Any] = {"processStatus": step, "operatorName": actor, "operateTime": protocol.timestamp(at)}
        if reason:
            process["operateInfo"] = reason[:200]
        parcel = parcels.get(order_id)
        if parcel is not None and step != "PICK":
            process["expressCode"] = parcel.tracking_no
            if step == "WEIGH":
                process["remark"] = f"{parcel.weight_g} g"
        out.append((erp, PROCESS, code, {
            "order": {"orderCode": order_no, "orderId": order_no, "orderType": "JYCK", "warehouseCode": "WH01"},
            "process": process}))
    return out


STOCK_CHANGE = "taobao.qimen.stockchange.report"
# Ledger kinds an ERP did not ask for, as the inventory type they change (ZP sellable, CC defective).
# A receipt against an entry order is confirmed by entryorder.confirm, a pick by deliveryorder.confirm.
UNASKED = {"adjustment": "ZP", "receipt": "ZP", "return_restock": "ZP", "quarantine": "CC", "scrap": "CC"}


def due_stock_changes(uow: UnitOfWork, since: datetime) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(ERP, method, code, request) of each stock change since `since` of a SKU an ERP owns that the
    ERP did not cause (counts, receipts outside an entry order, returns put back or set aside),
    not yet queued; one message per ledger row."""
    rows = uow.session.exec(
        select(LedgerEntry, SkuRow.owner)
        .join(SkuRow, SkuRow.sku == LedgerEntry.sku)  # type: ignore[arg-type]
        .where(SkuRow.owner.is_not(None), LedgerEntry.at >= since,  # type: ignore[union-attr]
               LedgerEntry.kind.in_(tuple(UNASKED)))  # type: ignore[attr-defined]
        .order_by(LedgerEntry.id)  # type: ignore[arg-type]
    ).all()
    wanted = [(entry, erp) for entry, erp in rows if not (entry.kind == "receipt" and (entry.ref or "").startswith("entry "))]
    if not wanted:
        return []
    codes = {f"ledger:{entry.id}" for entry, _ in wanted}
    queued = set(uow.session.exec(select(ErpMessage.code).where(
        ErpMessage.method == STOCK_CHANGE, ErpMessage.code.in_(codes))).all())  # type: ignore[attr-defined]
    out = []
    for entry, erp in wanted:
        code = f"ledger:{entry.id}"
        if code in queued:
            continue
        item = {"warehouseCode": "WH01", "orderCode": entry.ref or code, "orderType": entry.kind.upper(),
                "outBizCode": code, "itemCode": entry.sku, "inventoryType": UNASKED[entry.kind],
                "quantity": entry.delta, "changeTime": protocol.timestamp(entry.at)}
        if entry.reason:
            item["reason"] = entry.reason[:200]
        out.append((erp, STOCK_CHANGE, code, {"items": [item]}))
    return out
