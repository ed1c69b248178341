"""A seller's ERP drives the warehouse over 奇门 (Qimen): what each method does. Who may call
(`wms erp add`) and the checks every call passes (customer, timestamp window, signature) are
in `erps`.

An ERP is a `platform` row of kind `qimen`: `app_key`, the secret (a value or `env:NAME`), the
ERP's `customerId` (kept as `shop`) and its callback URL (`url`). A shipment it creates is an
order whose number is the `deliveryOrderCode`, linked to the ERP by a `platform_order` row, so
the tracking-upload outbox sends its `deliveryorder.confirm` when the parcel leaves (handover),
retried until the ERP answers success, and never sent twice after that.

Methods (with or without the `taobao.qimen.` prefix): `singleitem.synchronize` (items: barcode,
weights in kg), `combineitem.synchronize` (a combo and its parts; a shipment line for a combo is
exploded into its parts at intake, so reservation, picking, scanning and the expected weight all
see the parts), `deliveryorder.create` (a shipment; a masked receiver with an OAID passes
review), `order.cancel` (before packing) and `inventory.query` (on hand and reserved per item).
Anything else is a `failure` naming the method. The caller commits."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from sqlmodel import select

from wms.adapters.db.tables import Carrier, ComboComponent, OrderRow, PlatformOrder, PlatformRow, SkuBarcode, SkuRow
from wms.adapters.db.types import utcnow
from wms.adapters.db.uow import UnitOfWork
from wms.adapters.qimen import protocol
from wms.adapters.qimen.protocol import QimenFailure
from wms.domain.errors import DomainError
from wms.services.orders import edits, intake, records
from wms.services.stock import catalog, ledger


def handle(uow: UnitOfWork, erp: PlatformRow, method: str, request: dict[str, Any]) -> dict[str, Any]:
    """Do what `method` asks; the answer's fields besides flag, code and message."""
    name = protocol.short_method(method)
    work = METHODS.get(name)
    if work is None:
        raise QimenFailure("unknown_method", f"method {method!r} is not served here; served: "
                           f"{', '.join(sorted(METHODS))}")
    try:
        return work(uow, erp, request)
    except DomainError as exc:
        raise QimenFailure(exc.code, exc.message) from None


def _text(data: dict[str, Any], key: str, where: str, required: bool = True) -> str:
    value = data.get(key)
    if isinstance(value, (dict, list)):
        raise QimenFailure("invalid_field", f"{where}{key} must be text")
    text = str(value or "").strip()
    if required and not text:
        raise QimenFailure("missing_field", f"{where}{key} is required")
    return text


def _section(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise QimenFailure("missing_field", f"{key} is required")
    return value


def _kilograms_to_grams(value: str, where: str) -> int | None:
    if not value:
        return None
    try:
        grams = Decimal(value) * 1000
    except InvalidOperation:
        raise QimenFailure("invalid_field", f"{where} {value!r} is not a weight in kilograms") from None
    if not grams.is_finite() or grams <= 0 or grams > 1_000_000:
        raise QimenFailure("invalid_field", f"{where} {value!r} kg is not a parcel item's weight")
    return max(1, int(grams.to_integral_value()))


def _singleitem(uow: UnitOfWork, erp: PlatformRow, request: dict[str, Any]) -> dict[str, Any]:
    item = _section(request, "item")
    sku = _text(item, "itemCode", "item.")
    name = _text(item, "itemName", "item.", required=False) or sku
    grams = _kilograms_to_grams(_text(item, "grossWeight", "item.", required=False), "item.grossWeight") \
        or _kilograms_to_grams(_text(item, "netWeight", "item.", required=False), "item.netWeight")
    barcodes = [b for b in _text(item, "barCode", "item.", required=False).replace(";", ",").split(",") if b.strip()]
    row = uow.session.get(SkuRow, sku)
    if row is None:
        if grams is None:
            raise QimenFailure("missing_field", "item.grossWeight (kg) is required for a new item: "
                               "the pack station checks every parcel's weight")
        catalog.create_sku(uow, {"sku": sku, "name": name[:200], "unit_weight_g": grams, "barcodes": barcodes})
        return {"itemId": sku}
    row.name = name[:200]
    if grams is not None and grams != row.unit_weight_g:
        row.unit_weight_g, row.weight_tolerance_g = grams, max(2, round(grams * 0.03))
    uow.session.add(row)
    for raw in barcodes:
        key = catalog.barcode_key(raw.strip())
        owner = uow.session.get(SkuBarcode, key)
        if owner is None:
            uow.session.add(SkuBarcode(gtin=key, raw=raw.strip(), sku=sku))
        elif owner.sku != sku:
            raise QimenFailure("duplicate_barcode", f"barcode {raw} belongs to item {owner.sku} already")
    uow.session.flush()
    return {"itemId": sku}


def _counted(request: dict[str, Any], holder: str, element: str, qty_field: str, most: int,
             missing: str) -> list[tuple[int, str, int]]:
    """The (position, itemCode, quantity) of each `<holder><element>` (order lines, a combo's
    parts), every quantity a whole number from 1 to `most`; QimenFailure naming the first bad one."""
    found = request.get(holder)
    entries = found.get(element) if isinstance(found, dict) else None
    if not entries:
        raise QimenFailure("missing_field", missing)
    out = []
    for n, entry in enumerate(entries if isinstance(entries, list) else [entries], start=1):
        if not isinstance(entry, dict):
            raise QimenFailure("invalid_field", f"{element} {n} is not an element")
        sku = _text(entry, "itemCode", f"{element} {n}: ")
        qty = _text(entry, qty_field, f"{element} {n}: ")
        if not qty.isdigit() or not 0 < int(qty) <= most:
            raise QimenFailure("invalid_field", f"{element} {n}: {qty_field} {qty!r} is not a whole number of units")
        out.append((n, sku, int(qty)))
    return out


def _lines(request: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"sku": sku, "qty": qty} for _, sku, qty in _counted(
        request, "orderLines", "orderLine", "planQty", 100_000, "orderLines.orderLine is required")]


def _combineitem(uow: UnitOfWork, erp: PlatformRow, request: dict[str, Any]) -> dict[str, Any]:
    combo = _text(request, "itemCode", "")
    wanted: dict[str, int] = {}
    for n, sku, qty in _counted(request, "items", "item", "quantity", 10_000,
                                "items.item (the combo's parts) is required"):
        if uow.session.get(SkuRow, sku) is None:
            raise QimenFailure("unknown_item", f"item {n}: {sku} is not an item here; synchronise it first "
                               "(singleitem.synchronize)")
        if sku == combo:
            raise QimenFailure("invalid_field", f"combo {combo} cannot contain itself")
        wanted[sku] = wanted.get(sku, 0) + qty
    if uow.session.get(SkuRow, combo) is not None:
        raise QimenFailure("invalid_field", f"{combo} is a single item here; a combo needs a code of its own")
    for old in uow.session.exec(select(ComboComponent).where(ComboComponent.combo == combo)).all():
        uow.session.delete(old)
    uow.session.flush()
    for sku, qty in wanted.items():
        uow.session.add(ComboComponent(combo=combo, sku=sku, qty=qty))
    uow.session.flush()
    return {"itemId": combo}


def explode_combos(uow: UnitOfWork, lines: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """Shipment lines with each combo replaced by its parts (quantities multiplied, the same SKU
    summed), and what was exploded, in words, for the order's history."""
    codes = sorted({line["sku"] for line in lines})
    parts: dict[str, list[tuple[str, int]]] = {}
    for row in uow.session.exec(select(ComboComponent).where(ComboComponent.combo.in_(codes))).all():  # type: ignore[attr-defined]
        parts.setdefault(row.combo, []).append((row.sku, row.qty))
    if not parts:
        return lines, []
    out: dict[str, int] = {}
    said = []
    for line in lines:
        if line["sku"] in parts:
            said.append(f"{line['qty']} × combo {line['sku']} = " + " + ".join(
                f"{line['qty'] * q} × {s}" for s, q in sorted(parts[line["sku"]])))
            for sku, qty in parts[line["sku"]]:
                out[sku] = out.get(sku, 0) + line["qty"] * qty
        else:
            out[line["sku"]] = out.get(line["sku"], 0) + line["qty"]
    return [{"sku": s, "qty": q} for s, q in out.items()], said


def _order_cancel(uow: UnitOfWork, erp: PlatformRow, request: dict[str, Any]) -> dict[str, Any]:
    code = _text(request, "orderCode", "")
    order = _erp_order(uow, erp, code)
    if order.status == records.rules.CANCELLED:
        return {"message": f"order {code} was cancelled already"}
    reason = _text(request, "cancelReason", "", required=False) or "cancelled by the ERP"
    try:
        edits.cancel(uow, order, f"erp:{erp.name}", f"{erp.name}: {reason}"[:400])
    except DomainError as exc:
        raise QimenFailure("cancel_refused", f"order {code} cannot be cancelled: {exc.message}; intercept the "
                           "parcel with the carrier instead") from None
    return {"message": f"order {code} cancelled; its units are back in stock"}


def _erp_order(uow: UnitOfWork, erp: PlatformRow, code: str) -> OrderRow:
    seen = uow.session.exec(select(PlatformOrder).where(PlatformOrder.platform == erp.name,
                                                        PlatformOrder.platform_order_no == code)).first()
    order = uow.session.exec(select(OrderRow).where(OrderRow.order_no == seen.order_no)).first() if seen else None
    if order is None:
        raise QimenFailure("unknown_order", f"no delivery order {code} came from ERP {erp.name}")
    return order


def _inventory_query(uow: UnitOfWork, erp: PlatformRow, request: dict[str, Any]) -> dict[str, Any]:
    holder = request.get("criteriaList")
    criteria = holder.get("criteria") if isinstance(holder, dict) else None
    asked = [c for c in (criteria if isinstance(criteria, list) else [criteria]) if isinstance(c, dict)] if criteria else []
    wanted = {str(c.get("itemCode") or "").strip() for c in asked} - {""}
    levels = {row["sku"]: row for row in ledger.sku_levels(uow)}
    items = []
    for sku in sorted(wanted or levels):
        row = levels.get(sku)
        if row is None:
            continue
        items.append({"warehouseCode": "WH01", "itemCode": sku, "inventoryType": "ZP",
                      "quantity": row["on_hand"], "lockQuantity": row["reserved"]})
    return {"items": items}


def _deliveryorder_create(uow: UnitOfWork, erp: PlatformRow, request: dict[str, Any]) -> dict[str, Any]:
    shipment = _section(request, "deliveryOrder")
    code = _text(shipment, "deliveryOrderCode", "deliveryOrder.")
    receiver = shipment.get("receiverInfo")
    if not isinstance(receiver, dict):
        raise QimenFailure("missing_field", "deliveryOrder.receiverInfo is required")
    lines, exploded = explode_combos(uow, _lines(request))
    asked = _text(shipment, "logisticsCode", "deliveryOrder.", required=False).upper()
    known = asked and uow.session.get(Carrier, asked) is not None
    data = {
        "order_no": code,
        "channel": (_text(shipment, "sourcePlatformCode", "", required=False) or "qimen")[:20],
        "shop": _text(shipment, "shopNick", "", required=False)[:64] or None,
        "paid_at": _text(shipment, "payTime", "", required=False) or _text(shipment, "placeOrderTime", "",
                                                                          required=False) or None,
        "carrier": asked if known else None,
        "buyer_message": _text(shipment, "buyerMessage", "", required=False) or None,
        "seller_memo": _text(shipment, "sellerMessage", "", required=False) or None,
        "remark": _text(shipment, "remark", "", required=False)[:500] or None,
        "recipient": {"name": _text(receiver, "name", "receiverInfo."),
                      "phone": _text(receiver, "mobile", "", required=False) or _text(receiver, "tel", "receiverInfo.",
                                                                                      required=False),
                      "province": _text(receiver, "province", "receiverInfo."),
                      "city": _text(receiver, "city", "receiverInfo."),
                      "district": _text(receiver, "area", "", required=False),
                      "address": _text(receiver, "detailAddress", "receiverInfo."),
                      "oaid": _text(receiver, "oaid", "", required=False) or None},
        "lines": lines,
    }
    order, created = intake.create_order(uow, data, f"erp:{erp.name}")
    updated = [] if created else _update_before_picking(uow, erp, order, data)
    seen = uow.session.exec(select(PlatformOrder).where(PlatformOrder.platform == erp.name,
                                                        PlatformOrder.platform_order_no == code)).first()
    if seen is None:
        uow.session.add(PlatformOrder(platform=erp.name, platform_order_no=code, order_no=order.order_no,
                                      platform_status="WMS_ACCEPT", modified=utcnow()))
    if created and exploded:
        records.add_note(uow, order, f"erp:{erp.name}", "combos exploded into their parts: " + "; ".join(exploded))
    if created and asked and not known:
        records.add_note(uow, order, f"erp:{erp.name}", f"the ERP asked for logistics {asked}, which is not set up "
                        "here; the warehouse's carrier rules choose")
    uow.session.flush()
    said = None if created else (f"delivery order {code} updated: {'; '.join(updated)}" if updated
                                 else f"delivery order {code} exists already; nothing changed")
    return {"deliveryOrderId": order.order_no, "createTime": protocol.timestamp(),
            "warehouseCode": _text(shipment, "warehouseCode", "", required=False) or None,
            **({"message": said} if said else {})}


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
    if not differs and wanted == current and (new_oaid or None) == (order.oaid or None):
        return []
    if order.status not in UPDATABLE:
        raise QimenFailure("order_in_progress", f"delivery order {order.order_no} is {order.status} already; the "
                           "change was not applied (cancel or intercept it instead)")
    changed = []
    if new_oaid != order.oaid:
        order.oaid = new_oaid
        uow.session.add(order)
        changed.append("oaid")
    if differs:
        changed += edits.edit(uow, order, actor, reason, recipient=differs)
    if wanted != current:
        edits.change_lines(uow, order, [{"sku": s, "qty": q} for s, q in wanted.items()], actor, reason)
        changed.append("lines " + ", ".join(f"{s}×{q}" for s, q in wanted.items()))
    return changed


METHODS = {
    "singleitem.synchronize": _singleitem,
    "deliveryorder.create": _deliveryorder_create,
    "combineitem.synchronize": _combineitem,
    "order.cancel": _order_cancel,
    "inventory.query": _inventory_query,
}
