"""Expected receipts from a seller's ERP, goods in (入库单, `entryorder.create`) or a buyer's
return (退货入库单, `returnorder.create`, type THRK): received into bins against what was
announced, and closed by the warehouse, which sends `entryorder.confirm` or `returnorder.confirm`
with the units that came (through the ERP outbox).

An ERP may send an entry order again: the same lines change nothing, other lines replace the
plan until the first unit is received; after that the ERP must cancel and announce anew. Units
of an item the entry order does not list are refused at the bin: the ERP would not know them.
Receiving and closing leave the commit to the caller.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from wms.adapters.db.tables import EntryOrder, PlatformOrder, PlatformRow
from wms.adapters.db.types import utcnow
from wms.adapters.db.uow import UnitOfWork
from wms.adapters.qimen import protocol
from wms.adapters.qimen.protocol import QimenFailure
from wms.domain.errors import Conflict, Invalid, NotFound
from wms.services.platforms import erp_outbox
from wms.services.platforms.qimen_fields import known_units, section, text
from wms.services.stock import ledger

CONFIRM = "taobao.qimen.entryorder.confirm"
RETURN_CONFIRM = "taobao.qimen.returnorder.confirm"
RETURN = "THRK"  # 退货入库
ENTRY_TYPES = frozenset({"SCRK", "LYRK", "CCRK", "CGRK", "DBRK", "QTRK", "B2BRK", "XTRK"})
OPEN = ("NEW", "PARTFULFILLED")


def create(uow: UnitOfWork, erp: PlatformRow, request: dict[str, Any]) -> dict[str, Any]:
    """`entryorder.create`: the receipt the ERP expects, its lines in units of known items."""
    entry = section(request, "entryOrder")
    code = text(entry, "entryOrderCode", "entryOrder.")
    kind = (text(entry, "orderType", "", required=False) or text(entry, "entryOrderType", "", required=False)
            or "CGRK").upper()
    if kind not in ENTRY_TYPES:
        raise QimenFailure("invalid_field", f"entryOrder.orderType {kind!r} is not one of {', '.join(sorted(ENTRY_TYPES))}")
    planned = _planned(uow, request)
    supplier = text(entry, "supplierName", "", required=False) or text(entry, "supplierCode", "", required=False)
    return _announce(uow, erp, EntryOrder(code=code, platform=erp.name, order_type=kind,
                                          supplier=supplier[:100] or None, expected=planned, received={}),
                     "entryOrderId")


def create_return(uow: UnitOfWork, erp: PlatformRow, request: dict[str, Any]) -> dict[str, Any]:
    """`returnorder.create`: a buyer's return on its way back, for one of this ERP's shipments."""
    notice = section(request, "returnOrder")
    code = text(notice, "returnOrderCode", "returnOrder.")
    shipment = text(notice, "preDeliveryOrderCode", "returnOrder.", required=False)
    if shipment and not uow.session.exec(select(PlatformOrder.order_no).where(
            PlatformOrder.platform == erp.name, PlatformOrder.platform_order_no == shipment)).first():
        raise QimenFailure("unknown_order", f"returnOrder.preDeliveryOrderCode {shipment}: no delivery order of "
                           f"that code came from ERP {erp.name}")
    planned = _planned(uow, request)
    return _announce(uow, erp, EntryOrder(
        code=code, platform=erp.name, order_type=RETURN, expected=planned, received={},
        source_order=shipment or None, carrier=text(notice, "logisticsCode", "", required=False)[:20] or None,
        tracking_no=text(notice, "expressCode", "", required=False)[:40] or None), "returnOrderId")


def _planned(uow: UnitOfWork, request: dict[str, Any]) -> dict[str, int]:
    """The announced units per item, every item one synchronised here."""
    return known_units(uow, request, "orderLines", "orderLine", "planQty", 1_000_000, "orderLines.orderLine is required")


def _announce(uow: UnitOfWork, erp: PlatformRow, new: EntryOrder, id_field: str) -> dict[str, Any]:
    """Keep an announced receipt; sent again: the same lines change nothing, other lines replace
    the plan until the first unit is received."""
    code, planned, kind = new.code, new.expected, new.order_type
    row = uow.get_locked(EntryOrder, code)
    if row is None:
        uow.session.add(new)
        uow.session.flush()
        return {id_field: code}
    if row.platform != erp.name or (row.order_type == RETURN) != (kind == RETURN):
        raise QimenFailure("duplicate_order", f"receipt {code} exists already for another ERP or of another kind")
    if row.expected == planned:
        return {id_field: code, "message": f"receipt {code} exists already; nothing changed"}
    if row.received or row.status not in OPEN:
        raise QimenFailure("order_in_progress", f"entry order {code} is being received ({row.status}); "
                           "the new lines were not applied (cancel it and announce a new one)")
    row.expected, row.order_type = planned, kind
    uow.session.add(row)
    return {id_field: code, "message": f"receipt {code} updated"}


def get(uow: UnitOfWork, code: str, lock: bool = False) -> EntryOrder:
    row = uow.get_locked(EntryOrder, code) if lock else uow.session.get(EntryOrder, code)
    if row is None:
        raise NotFound(f"no entry order {code}", "unknown_entry_order")
    return row


def receive(uow: UnitOfWork, code: str, sku: str, bin_code: str, qty: int, operator: str) -> EntryOrder:
    """Units of an announced item put into a bin: stock and its ledger, and the entry's count."""
    row = get(uow, code, lock=True)
    if row.status not in OPEN:
        raise Conflict(f"entry order {code} is {row.status}: nothing more is received against it", "entry_closed")
    if sku not in row.expected:
        raise Conflict(f"{sku} is not on entry order {code} (it lists {', '.join(sorted(row.expected))}); "
                       "set it aside and ask the seller", "not_on_entry_order")
    if qty <= 0:
        raise Invalid("qty: receive at least one unit", "invalid_qty")
    ledger.receive(uow, sku, bin_code, qty, operator, ref=f"entry {code}")
    received = dict(row.received)
    received[sku] = int(received.get(sku, 0)) + qty
    row.received, row.status = received, "PARTFULFILLED"
    uow.session.add(row)
    return row


def close(uow: UnitOfWork, code: str, operator: str) -> EntryOrder:
    """The receipt is done: what came is final and `entryorder.confirm` is queued for the ERP."""
    row = get(uow, code, lock=True)
    if row.status == "FULFILLED":
        return row
    if row.status not in OPEN:
        raise Conflict(f"entry order {code} is {row.status}", "entry_closed")
    now = utcnow()
    row.status, row.closed_at, row.closed_by = "FULFILLED", now, operator[:80]
    uow.session.add(row)
    lines = [{"itemCode": sku, "planQty": planned, "actualQty": int(row.received.get(sku, 0)), "inventoryType": "ZP"}
             for sku, planned in sorted(row.expected.items())]
    if row.order_type == RETURN:
        notice = {"returnOrderCode": code, "warehouseCode": "WH01", "orderType": RETURN,
                  "orderConfirmTime": protocol.timestamp(now), "operatorName": operator}
        notice |= {k: v for k, v in (("preDeliveryOrderCode", row.source_order), ("logisticsCode", row.carrier),
                                     ("expressCode", row.tracking_no)) if v}
        erp_outbox.enqueue(uow, row.platform, RETURN_CONFIRM, code, {"returnOrder": notice, "orderLines": lines})
        return row
    erp_outbox.enqueue(uow, row.platform, CONFIRM, code, {
        "entryOrder": {"entryOrderCode": code, "warehouseCode": "WH01", "entryOrderType": row.order_type,
                       "status": "FULFILLED", "operateTime": protocol.timestamp(now), "operatorName": operator,
                       "confirmType": 0},
        "orderLines": lines,
    })
    return row


def entry_view(row: EntryOrder) -> dict[str, Any]:
    return {"code": row.code, "erp": row.platform, "type": row.order_type, "supplier": row.supplier,
            "return_of": row.source_order, "return_tracking_no": row.tracking_no,
            "status": row.status,
            "lines": [{"sku": sku, "planned": planned, "received": int(row.received.get(sku, 0))}
                      for sku, planned in sorted(row.expected.items())],
            "closed_at": row.closed_at.isoformat() if row.closed_at else None, "closed_by": row.closed_by}


def list_entries(uow: UnitOfWork, open_only: bool = True, limit: int = 200) -> list[EntryOrder]:
    query = select(EntryOrder).order_by(EntryOrder.created_at.desc()).limit(limit)  # type: ignore[attr-defined]
    if open_only:
        query = query.where(EntryOrder.status.in_(OPEN))  # type: ignore[attr-defined]
    return list(uow.session.exec(query).all())
