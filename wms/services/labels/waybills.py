"""What goes on a parcel's electronic waybill, assembled from the order and the parcel."""

from __future__ import annotations

import zlib
from typing import Any

from wms.adapters.db.tables import OrderRow, Parcel
from wms.config import Settings
from wms.domain.waybill_numbers import WaybillNumber


def sort_code(order: OrderRow, station: str) -> str:
    """A stable sorting code per destination district (carriers issue the real 三段码)."""
    area = zlib.crc32(f"{order.province}{order.city}".encode()) % 900 + 100
    spot = zlib.crc32(order.district.encode()) % 40 + 1
    return f"{area}-{station or 'WH01'}-{chr(ord('A') + spot % 26)}{spot:02d}"


def build_waybill(order: OrderRow, parcel: Parcel, lines: list[Any], skus: dict[str, Any], station: str,
                  settings: Settings, number: WaybillNumber | None = None) -> dict[str, Any]:
    """The waybill from rows the caller has read already: the order's (merge group's) lines as
    (sku, qty) rows and the SKUs by code, for their names. A number from an e-waybill service
    brings the carrier's own sort code (三段码) and bag hub (集包地); a pool number has neither,
    and gets our stable per-district code."""
    waybill = {
        "tracking_no": parcel.tracking_no,
        "carrier": parcel.carrier,
        "service": "标准快递",
        "sort_code": (number.sort_code if number and number.sort_code else sort_code(order, station)),
        "order_no": order.order_no,
        "sender": {"name": settings.sender_name, "phone": settings.sender_phone,
                   "address": settings.sender_address},
        "recipient": {"name": order.recipient_name, "phone": order.recipient_phone,
                      "province": order.province, "city": order.city, "district": order.district,
                      "address": order.address},
        "cod_amount": str(order.cod_amount),
        "weight_g": parcel.weight_g,
        "pieces": parcel.pieces,
        "items": [{"sku": l.sku, "name": skus[l.sku].name if l.sku in skus else l.sku, "qty": l.qty}
                  for l in lines],
        "remark": order.remark or "",
    }
    if number is not None and number.bag_hub:
        waybill["bag_hub"] = number.bag_hub
    return waybill
