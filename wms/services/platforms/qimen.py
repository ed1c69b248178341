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

from typing import Any

from wms.adapters.db.tables import (
    PlatformRow,
    SkuBarcode,
    SkuRow,
)
from wms.adapters.db.uow import UnitOfWork
from wms.adapters.qimen import protocol
from wms.adapters.qimen.protocol import QimenFailure
from wms.domain.errors import DomainError
from wms.services.platforms import entry_orders
from wms.services.platforms.qimen_fields import grams_from_kg, known_units, mm_from_cm, section, text
from wms.services.platforms.qimen_shipments import deliveryorder_create, order_cancel
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


def _singleitem(uow: UnitOfWork, erp: PlatformRow, request: dict[str, Any]) -> dict[str, Any]:
    item = section(request, "item")
    sku = text(item, "itemCode", "item.")
    name = text(item, "itemName", "item.", required=False) or sku
    grams = grams_from_kg(text(item, "grossWeight", "item.", required=False), "item.grossWeight") \
        or grams_from_kg(text(item, "netWeight", "item.", required=False), "item.netWeight")
    barcodes = [b for b in text(item, "barCode", "item.", required=False).replace(";", ",").split(",") if b.strip()]
    sizes = {f"{side}_mm": mm_from_cm(text(item, side, "item.", required=False), f"item.{side}")
             for side in ("length", "width", "height")}
    row = uow.session.get(SkuRow, sku)
    if row is None:
        if grams is None:
            raise QimenFailure("missing_field", "item.grossWeight (kg) is required for a new item: "
                               "the pack station checks every parcel's weight")
        catalog.create_sku(uow, {"sku": sku, "name": name[:200], "unit_weight_g": grams, "barcodes": barcodes,
                                 "owner": erp.name, **sizes})
        return {"itemId": sku}
    row.name, row.owner = name[:200], row.owner or erp.name
    if grams is not None and grams != row.unit_weight_g:
        row.unit_weight_g, row.weight_tolerance_g = grams, max(2, round(grams * 0.03))
    for column, mm in sizes.items():
        if mm is not None:
            setattr(row, column, mm)
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


def _combineitem(uow: UnitOfWork, erp: PlatformRow, request: dict[str, Any]) -> dict[str, Any]:
    combo = text(request, "itemCode", "")
    wanted = known_units(uow, request, "items", "item", "quantity", 10_000, "items.item (the combo's parts) is required")
    if combo in wanted:
        raise QimenFailure("invalid_field", f"combo {combo} cannot contain itself")
    try:
        catalog.save_combo(uow, combo, wanted, text(request, "itemName", "", required=False) or None)
    except DomainError as exc:
        raise QimenFailure("invalid_field", exc.message) from None
    return {"itemId": combo}


def _inventory_query(uow: UnitOfWork, erp: PlatformRow, request: dict[str, Any]) -> dict[str, Any]:
    holder = request.get("criteriaList")
    criteria = holder.get("criteria") if isinstance(holder, dict) else None
    asked = [c for c in (criteria if isinstance(criteria, list) else [criteria]) if isinstance(c, dict)] if criteria else []
    wanted = {str(c.get("itemCode") or "").strip() for c in asked} - {""}
    levels = {row["sku"]: row for row in ledger.sku_levels(uow, wanted or None)}
    items = []
    for sku in sorted(wanted or levels):
        row = levels.get(sku)
        if row is None:
            continue
        items.append({"warehouseCode": "WH01", "itemCode": sku, "inventoryType": "ZP",
                      "quantity": row["on_hand"], "lockQuantity": row["reserved"]})
    return {"items": items}


METHODS = {
    "singleitem.synchronize": _singleitem,
    "deliveryorder.create": deliveryorder_create,
    "combineitem.synchronize": _combineitem,
    "order.cancel": order_cancel,
    "inventory.query": _inventory_query,
    "entryorder.create": entry_orders.create,
    "returnorder.create": entry_orders.create_return,
}
