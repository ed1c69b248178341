"""An ERP's shipments over 奇门: `deliveryorder.create` (an order like any other, updated until
picking starts, its shortfall reported with `itemlack.report`) and `order.cancel` (before packing;
after it, refused and the parcel held out of the handover: 拦截). The caller commits, except the
interception a refused cancel asks for (the services' commit rule, case 1)."""

from __future__ import annotations

import re
from typing import Any

from sqlmodel import select

from wms.adapters.db.tables import (
    Carrier,
    OrderRow,
    Parcel,
    PlatformAlert,
    PlatformOrder,
    PlatformRow,
)
from wms.adapters.db.types import utcnow
from wms.adapters.db.uow import UnitOfWork
from wms.adapters.qimen import protocol
from wms.adapters.qimen.protocol import QimenFailure
from wms.domain.errors import DomainError
from wms.services.orders import edits, intake, records
from wms.services.platforms import erp_outbox
from wms.services.platforms.qimen_fields import counted, section, text


def shipment_lines(request: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"sku": sku, "qty": qty} for _, sku, qty in counted(
        request, "orderLines", "orderLine", "planQty", 100_000, "orderLines.orderLine is required")]


def _raw_lines(request: dict[str, Any]) -> list[dict[str, Any]]:
    """The orderLine elements as they came (for fields beside item and quantity)."""
    holder = request.get("orderLines")
    found = holder.get("orderLine") if isinstance(holder, dict) else None
    return [e for e in (found if isinstance(found, list) else [found]) if isinstance(e, dict)]


def order_cancel(uow: UnitOfWork, erp: PlatformRow, request: dict[str, Any]) -> dict[str, Any]:
    code = text(request, "orderCode", "")
    order = _erp_order(uow, erp, code)
    if order.status == records.rules.CANCELLED:
        return {"message": f"order {code} was cancelled already"}
    reason = text(request, "cancelReason", "", required=False) or "cancelled by the ERP"
    try:
        edits.cancel(uow, order, f"erp:{erp.name}", f"{erp.name}: {reason}"[:400])
    except DomainError as exc:
        held = _intercept(uow, erp, order, reason)
        uow.commit()  # the interception outlives the failure answered next (the commit rule, case 1)
        raise QimenFailure("cancel_refused", f"order {code} cannot be cancelled: {exc.message}. " + (
            f"Parcel {', '.join(held)} is held out of the handover (拦截) for the warehouse to void."
            if held else "It has left the warehouse: intercept it with the carrier.")) from None
    return {"message": f"order {code} cancelled; its units are back in stock"}


def _intercept(uow: UnitOfWork, erp: PlatformRow, order: OrderRow, reason: str) -> list[str]:
    """An ERP cancelled a packed order: its parcels still in the building are held out of the
    handover (`intercepted`) and a person is told, once, to void them; the tracking numbers held."""
    members = records.group_of(uow, order)
    parcels = uow.session.exec(uow.locked(select(Parcel).where(
        Parcel.order_id.in_([m.id for m in members]),  # type: ignore[union-attr]
        Parcel.status.in_(("packed", "intercepted"))))).all()  # type: ignore[attr-defined]
    held = [p.tracking_no for p in parcels]
    for parcel in parcels:
        if parcel.status == "packed":
            uow.update(parcel, status="intercepted")
    told = uow.session.exec(select(PlatformAlert.id).where(
        PlatformAlert.order_no == order.order_no, PlatformAlert.kind == "intercept",
        PlatformAlert.resolved_at.is_(None))).first()  # type: ignore[union-attr]
    if told is None:
        message = (f"ERP {erp.name} cancelled {order.order_no} after packing ({reason}): " + (
            f"parcel {', '.join(held)} is held out of the handover; void it (wms parcels void), then cancel "
            "the order, to put the items back" if held else
            "the parcel has left the warehouse; intercept it with the carrier"))[:1000]
        uow.session.add(PlatformAlert(platform=erp.name, order_no=order.order_no, kind="intercept", message=message))
        records.add_note(uow, order, f"erp:{erp.name}", message)
    return held


def _erp_order(uow: UnitOfWork, erp: PlatformRow, code: str) -> OrderRow:
    seen = uow.session.exec(select(PlatformOrder).where(PlatformOrder.platform == erp.name,
                                                        PlatformOrder.platform_order_no == code)).first()
    order = uow.session.exec(select(OrderRow).where(OrderRow.order_no == seen.order_no)).first() if seen else None
    if order is None:
        raise QimenFailure("unknown_order", f"no delivery order {code} came from ERP {erp.name}")
    return order


def deliveryorder_create(uow: UnitOfWork, erp: PlatformRow, request: dict[str, Any]) -> dict[str, Any]:
    shipment = section(request, "deliveryOrder")
    code = text(shipment, "deliveryOrderCode", "deliveryOrder.")
    receiver = shipment.get("receiverInfo")
    if not isinstance(receiver, dict):
        raise QimenFailure("missing_field", "deliveryOrder.receiverInfo is required")
    lines = shipment_lines(request)
    asked = text(shipment, "logisticsCode", "deliveryOrder.", required=False).upper()
    known = asked and uow.session.get(Carrier, asked) is not None
    express = text(shipment, "expressCode", "deliveryOrder.", required=False)
    if express and not (len(express) <= 40 and express.isascii() and express.isprintable() and " " not in express):
        raise QimenFailure("invalid_field", f"deliveryOrder.expressCode {express[:60]!r} is not a waybill number")
    flags = {f.strip().upper() for f in text(shipment, "orderFlag", "", required=False).replace(";", ",").split(",")}
    owed = text(shipment, "arAmount", "", required=False)  # what the buyer pays the courier (货到付款)
    if "COD" in flags and not owed:
        raise QimenFailure("missing_field", "deliveryOrder.arAmount (the amount to collect) is required with orderFlag COD")
    platform_orders = sorted({c for c in [text(shipment, "oaidOrderSourceCode", "", required=False)]
                              + [str(line.get("sourceOrderCode") or "").strip() for line in _raw_lines(request)] if c})
    source = text(shipment, "oaidOrderSourceCode", "", required=False)
    data = {
        "order_no": code,
        # the platform trade the OAID belongs to: Cainiao takes the OAID only with its tid
        "trade_no": (source or (platform_orders[0] if len(platform_orders) == 1 else ""))[:64] or None,
        "order_type": "cod" if "COD" in flags else "presale" if "PRESELL" in flags else "normal",
        "cod_amount": owed if "COD" in flags else None,
        "ship_by": text(shipment, "latestDeliveryTime", "", required=False) or None,
        "channel": (text(shipment, "sourcePlatformCode", "", required=False) or "qimen")[:20],
        "shop": text(shipment, "shopNick", "", required=False)[:64] or None,
        "paid_at": text(shipment, "payTime", "", required=False) or text(shipment, "placeOrderTime", "",
                                                                          required=False) or None,
        "carrier": asked if known else None,
        "waybill_no": express if known and express else None,  # the ERP took the number: the parcel uses it
        "buyer_message": text(shipment, "buyerMessage", "", required=False) or None,
        "seller_memo": text(shipment, "sellerMessage", "", required=False) or None,
        "remark": text(shipment, "remark", "", required=False)[:500] or None,
        "recipient": {"name": text(receiver, "name", "receiverInfo."),
                      "phone": text(receiver, "mobile", "", required=False) or text(receiver, "tel", "receiverInfo.",
                                                                                      required=False),
                      "province": text(receiver, "province", "receiverInfo."),
                      "city": text(receiver, "city", "receiverInfo."),
                      "district": text(receiver, "area", "", required=False),
                      "address": text(receiver, "detailAddress", "receiverInfo."),
                      "oaid": text(receiver, "oaid", "", required=False) or None},
        "lines": lines,
    }
    order, created = intake.create_order(uow, data, f"erp:{erp.name}", give_gifts=False)
    updated = [] if created else _update_before_picking(uow, erp, order, data)
    if created:
        _report_lack(uow, erp, order)
    seen = uow.session.exec(select(PlatformOrder).where(PlatformOrder.platform == erp.name,
                                                        PlatformOrder.platform_order_no == code)).first()
    if seen is None:
        uow.session.add(PlatformOrder(platform=erp.name, platform_order_no=code, order_no=order.order_no,
                                      platform_status="WMS_ACCEPT", modified=utcnow()))
    if created and platform_orders:
        records.add_note(uow, order, f"erp:{erp.name}", "platform orders: " + ", ".join(platform_orders)[:1800])
    if created and asked and not known:
        records.add_note(uow, order, f"erp:{erp.name}", f"the ERP asked for logistics {asked}, which is not set up "
                        "here; the warehouse's carrier rules choose" + (
                            f" and its waybill number {express} is not used" if express else ""))
    uow.session.flush()
    said = None if created else (f"delivery order {code} updated: {'; '.join(updated)}" if updated
                                 else f"delivery order {code} exists already; nothing changed")
    return {"deliveryOrderId": order.order_no, "createTime": protocol.timestamp(),
            "warehouseCode": text(shipment, "warehouseCode", "", required=False) or None,
            **({"message": said} if said else {})}


ITEM_LACK = "taobao.qimen.itemlack.report"


SHORT = re.compile(r"(\S+) short by (\d+)")  # as the stock hold reason words each shortfall


def _report_lack(uow: UnitOfWork, erp: PlatformRow, order: OrderRow) -> None:
    """A new shipment the stock cannot cover went on hold: `itemlack.report` tells the ERP which
    items are short and by how much (once per shipment, through the ERP outbox)."""
    reason = order.hold_reason or ""
    short = SHORT.findall(reason) if order.status == records.rules.ON_HOLD and reason.startswith(intake.STOCK_HOLDS) else []
    if not short:
        return
    planned: dict[str, int] = {}
    for line in records.order_lines(uow, order):  # combos exploded: what the shelves must give
        planned[line.sku] = planned.get(line.sku, 0) + line.qty
    erp_outbox.enqueue(uow, erp.name, ITEM_LACK, order.order_no, {
        "warehouseCode": "WH01", "deliveryOrderCode": order.order_no, "deliveryOrderId": order.order_no,
        "createTime": protocol.timestamp(), "outBizCode": f"lack-{order.order_no}",
        "items": [{"itemCode": sku, "planQty": planned.get(sku, 0), "lackQty": int(lack), "reason": "库存不足 stock short"}
                  for sku, lack in short]})


# An ERP may send a shipment again with changes (a new address, other quantities) until the
# warehouse starts picking it; after that the change is refused and the ERP must intercept.
UPDATABLE = frozenset({records.rules.RECEIVED, records.rules.REVIEWED, records.rules.RESERVED, records.rules.ON_HOLD})


def _update_before_picking(uow: UnitOfWork, erp: PlatformRow, order: OrderRow, data: dict[str, Any]) -> list[str]:
    """Apply a resent shipment's changes to its order; what changed, in words ([] for a plain resend)."""
    actor, reason = f"erp:{erp.name}", f"{erp.name} sent the shipment again with changes"
    recipient = {k: v for k, v in data["recipient"].items() if k in edits.RECIPIENT_FIELDS}
    differs = {k: v for k, v in recipient.items()
               if getattr(order, edits.RECIPIENT_FIELDS[k]) != (records.rules.normalise_phone(v) if k == "phone" else v)}
    current = {line.sku: line.qty for line in records.order_lines(uow, order) if line.qty > 0}
    wanted: dict[str, int] = {}
    for line in data["lines"]:
        wanted[line["sku"]] = wanted.get(line["sku"], 0) + line["qty"]
    new_oaid = data["recipient"].get("oaid")
    new_trade = data.get("trade_no") or order.trade_no
    if not differs and wanted == current and (new_oaid or None) == (order.oaid or None) and new_trade == order.trade_no:
        return []
    if order.status not in UPDATABLE:
        raise QimenFailure("order_in_progress", f"delivery order {order.order_no} is {order.status} already; the "
                           "change was not applied (cancel or intercept it instead)")
    changed = []
    if new_oaid != order.oaid or new_trade != order.trade_no:
        changed.append("oaid" if new_oaid != order.oaid else "trade number")
        order.oaid, order.trade_no = new_oaid, new_trade
        uow.session.add(order)
    if differs:
        changed += edits.edit(uow, order, actor, reason, recipient=differs)
    if wanted != current:
        edits.change_lines(uow, order, [{"sku": s, "qty": q} for s, q in wanted.items()], actor, reason)
        changed.append("lines " + ", ".join(f"{s}×{q}" for s, q in wanted.items()))
    return changed
