"""What goes on a parcel's electronic waybill, assembled from the order and the parcel."""

from __future__ import annotations

import zlib
from decimal import Decimal
from typing import Any

from printing.components import component_of
from printing.waybill import Item, Sender, Waybill
from wms.adapters.db.tables import OrderRow, Parcel
from wms.config import Settings
from wms.domain.orders import Recipient
from wms.domain.waybill_numbers import WaybillNumber


def sort_code(order: OrderRow, station: str) -> str:
    """A stable sorting code per destination district (carriers issue the real 三段码)."""
    area = zlib.crc32(f"{order.province}{order.city}".encode()) % 900 + 100
    spot = zlib.crc32(order.district.encode()) % 40 + 1
    return f"{area}-{station or 'WH01'}-{chr(ord('A') + spot % 26)}{spot:02d}"


def platform_label(order: OrderRow, parcel: Parcel, lines: list[Any], skus: dict[str, Any], settings: Settings,
                   number: WaybillNumber | None) -> dict[str, Any] | None:
    """A platform e-waybill whose print data came encrypted: the document the station relays to
    the platform's print component (printing.components), with our custom area where the
    seller has a template for it; None when the print data is plain and we render the label."""
    component = component_of(number.print_data) if number is not None else None
    if component is None or number is None:
        return None
    document: dict[str, Any] = {"tracking_no": parcel.tracking_no, "carrier": parcel.carrier, "order_no": order.order_no,
                                "component": component, "print_data": number.print_data}
    if settings.custom_area_template_url:
        items = " ".join(f"{skus[l.sku].name if l.sku in skus else l.sku}×{l.qty}" for l in lines)
        document["custom"] = {"templateURL": settings.custom_area_template_url,
                              "data": {"order_no": order.order_no, "items": items[:200], "weight_g": parcel.weight_g,
                                       "remark": (order.remark or "")[:100]}}
    return document


def build_waybill(order: OrderRow, parcel: Parcel, lines: list[Any], skus: dict[str, Any], station: str,
                  settings: Settings, number: WaybillNumber | None = None, part: int | None = None) -> Waybill:
    """The waybill from rows the caller has read already: the order's (merge group's) lines as
    (sku, qty) rows and the SKUs by code, for their names. A number from an e-waybill service
    brings the carrier's own sort code (三段码) and bag hub (集包地); a pool number has neither,
    and gets our stable per-district code. Built as it is, not checked: the print worker reads
    it through `Waybill.from_dict` and a label that cannot print fails its job, not the parcel.

    `part`: the parcel's place among its order's parcels (一单多包): its label says 第 n 箱, and
    only the first collects the cash on delivery (a courier must not collect it twice)."""
    return Waybill(
        tracking_no=parcel.tracking_no,
        carrier=parcel.carrier,
        service="标准快递",
        sort_code=(number.sort_code if number and number.sort_code else sort_code(order, station)),
        order_no=order.order_no,
        sender=Sender(settings.sender_name, settings.sender_phone, settings.sender_address),
        recipient=Recipient(order.recipient_name, order.recipient_phone, order.province, order.city,
                            order.district, order.address),
        cod_amount=Decimal(order.cod_amount) if not part or part == 1 else Decimal("0"),
        weight_g=parcel.weight_g,
        pieces=parcel.pieces,
        items=tuple(Item(skus[l.sku].name if l.sku in skus else l.sku, l.qty, l.sku) for l in lines),
        remark=(f"一单多包 第{part}箱 " if part else "") + (order.remark or ""),
        bag_hub=(number.bag_hub or "") if number is not None else "",
    )
