"""A seller's ERP drives the warehouse over 奇门 (Qimen): who may call (`wms erp add`), the
checks every call passes (customer, timestamp window, signature), and what each method does.

An ERP is a `platform` row of kind `qimen`: `app_key`, the secret (a value or `env:NAME`), the
ERP's `customerId` (kept as `shop`) and its callback URL (`url`). A shipment it creates is an
order whose number is the `deliveryOrderCode`, linked to the ERP by a `platform_order` row, so
the tracking-upload outbox sends its `deliveryorder.confirm` when the parcel leaves (handover),
retried until the ERP answers success, and never sent twice after that.

Methods (with or without the `taobao.qimen.` prefix): `singleitem.synchronize` (items: barcode,
weights in kg) and `deliveryorder.create` (a shipment; a masked receiver with an OAID passes
review). Anything else is a `failure` naming the method. The caller commits.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlmodel import select

from wms.adapters.db.tables import Carrier, PlatformOrder, PlatformRow, SkuBarcode, SkuRow
from wms.adapters.db.types import utcnow
from wms.adapters.db.uow import UnitOfWork
from wms.adapters.qimen import protocol
from wms.adapters.qimen.protocol import QimenFailure
from wms.domain.errors import DomainError, Invalid
from wms.services import catalog, orders

KIND = "qimen"
STALE_AFTER = timedelta(minutes=10)  # a timestamp further than this from our clock is refused
REQUIRED_PARAMS = ("method", "app_key", "customerId", "timestamp", "sign")


# ---------------------------------------------------------------- the ERPs we answer


def add_erp(uow: UnitOfWork, name: str, app_key: str, secret: str, customer_id: str, callback_url: str) -> PlatformRow:
    """Register (or change) an ERP; its secret may be `env:NAME`, read at each call."""
    name, app_key, customer_id = name.strip(), app_key.strip(), customer_id.strip()
    for label, value in (("name", name), ("app key", app_key), ("secret", secret), ("customer id", customer_id)):
        if not value.strip():
            raise Invalid(f"an ERP needs its {label}", "missing_field")
    if callback_url and not callback_url.startswith(("http://", "https://")):
        raise Invalid(f"callback URL {callback_url!r} is not http(s)", "invalid_url")
    clash = uow.session.exec(select(PlatformRow).where(
        PlatformRow.kind == KIND, PlatformRow.app_key == app_key, PlatformRow.shop == customer_id,
        PlatformRow.name != name)).first()
    if clash is not None:
        raise Invalid(f"ERP {clash.name} has app key {app_key} and customer {customer_id} already", "duplicate_erp")
    row = uow.session.get(PlatformRow, name) or PlatformRow(name=name, kind=KIND)
    if row.kind != KIND:
        raise Invalid(f"{name} is a {row.kind} platform, not an ERP", "name_taken")
    row.app_key, row.app_secret, row.shop, row.url = app_key, secret.strip(), customer_id, callback_url.strip()
    row.upload_on, row.pull_interval_s = "handover", 0  # an ERP is never pulled; it calls us
    uow.session.add(row)
    uow.session.flush()
    return row


def erps(uow: UnitOfWork) -> list[PlatformRow]:
    return list(uow.session.exec(select(PlatformRow).where(PlatformRow.kind == KIND).order_by(PlatformRow.name)).all())


def erp_view(row: PlatformRow) -> dict[str, Any]:
    return {"name": row.name, "app_key": row.app_key, "customer_id": row.shop, "callback_url": row.url,
            "secret": "from env " + row.app_secret[4:] if (row.app_secret or "").startswith("env:") else "set",
            "last_error": row.last_error}


def secret_of(row: PlatformRow) -> str:
    value = row.app_secret or ""
    if value.startswith("env:"):
        found = os.environ.get(value[4:], "")
        if not found:
            raise QimenFailure("not_configured", f"ERP {row.name}: the secret is to come from the environment "
                               f"variable {value[4:]}, which is not set on the warehouse's side")
        return found
    return value


# ---------------------------------------------------------------- checking a call


def authenticate(uow: UnitOfWork, params: dict[str, str], body: bytes, now: datetime | None = None) -> PlatformRow:
    """The ERP this call comes from, after every check; QimenFailure naming the first that fails."""
    missing = [p for p in REQUIRED_PARAMS if not (params.get(p) or "").strip()]
    if missing:
        raise QimenFailure("missing_parameter", f"the query lacks {', '.join(missing)}")
    row = uow.session.exec(select(PlatformRow).where(
        PlatformRow.kind == KIND, PlatformRow.app_key == params["app_key"],
        PlatformRow.shop == params["customerId"])).first()
    if row is None:
        raise QimenFailure("unknown_customer", f"no ERP is registered here with app_key {params['app_key']} "
                           f"and customerId {params['customerId']}")
    sent = protocol.parse_timestamp(params["timestamp"])
    drift = abs((now or utcnow()) - sent)
    if drift > STALE_AFTER:
        raise QimenFailure("stale_timestamp", f"timestamp {params['timestamp']} is {int(drift.total_seconds())} s "
                           f"from the warehouse's clock; calls are taken within {int(STALE_AFTER.total_seconds() / 60)} "
                           "minutes (Beijing time)")
    if protocol.sign(secret_of(row), params, body) != params["sign"].strip().upper():
        raise QimenFailure("invalid_signature", "the signature does not match: MD5 of secret + sorted query "
                           "parameters (without sign) + body + secret, upper-case hex")
    return row


# ---------------------------------------------------------------- the methods


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


def _lines(request: dict[str, Any]) -> list[dict[str, Any]]:
    holder = request.get("orderLines")
    lines = holder.get("orderLine") if isinstance(holder, dict) else None
    if not lines:
        raise QimenFailure("missing_field", "orderLines.orderLine is required")
    out = []
    for n, line in enumerate(lines if isinstance(lines, list) else [lines], start=1):
        if not isinstance(line, dict):
            raise QimenFailure("invalid_field", f"orderLine {n} is not an element")
        sku = _text(line, "itemCode", f"orderLine {n}: ")
        qty_text = _text(line, "planQty", f"orderLine {n}: ")
        if not qty_text.isdigit() or not 0 < int(qty_text) <= 100_000:
            raise QimenFailure("invalid_field", f"orderLine {n}: planQty {qty_text!r} is not a whole number of units")
        out.append({"sku": sku, "qty": int(qty_text)})
    return out


def _deliveryorder_create(uow: UnitOfWork, erp: PlatformRow, request: dict[str, Any]) -> dict[str, Any]:
    shipment = _section(request, "deliveryOrder")
    code = _text(shipment, "deliveryOrderCode", "deliveryOrder.")
    receiver = shipment.get("receiverInfo")
    if not isinstance(receiver, dict):
        raise QimenFailure("missing_field", "deliveryOrder.receiverInfo is required")
    lines = _lines(request)
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
    order, created = orders.create_order(uow, data, f"erp:{erp.name}")
    seen = uow.session.exec(select(PlatformOrder).where(PlatformOrder.platform == erp.name,
                                                        PlatformOrder.platform_order_no == code)).first()
    if seen is None:
        uow.session.add(PlatformOrder(platform=erp.name, platform_order_no=code, order_no=order.order_no,
                                      platform_status="WMS_ACCEPT", modified=utcnow()))
    if created and asked and not known:
        orders.add_note(uow, order, f"erp:{erp.name}", f"the ERP asked for logistics {asked}, which is not set up "
                        "here; the warehouse's carrier rules choose")
    uow.session.flush()
    return {"deliveryOrderId": order.order_no, "createTime": protocol.timestamp(),
            "warehouseCode": _text(shipment, "warehouseCode", "", required=False) or None,
            **({} if created else {"message": f"delivery order {code} exists already; nothing changed"})}


METHODS = {
    "singleitem.synchronize": _singleitem,
    "deliveryorder.create": _deliveryorder_create,
}
