"""Reading a 奇门 request: a field as text, a section, counted lines (a shipment's orderLines, a
combo's parts), and Qimen's own units (kilograms, centimetres) in grams and millimetres. Every
problem is a `QimenFailure` naming the field."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from wms.adapters.db.tables import SkuRow
from wms.adapters.db.uow import UnitOfWork
from wms.adapters.qimen.protocol import QimenFailure


def text(data: dict[str, Any], key: str, where: str, required: bool = True) -> str:
    """`data[key]` as stripped text ("" when absent and not `required`); `where` prefixes the
    field's name in the failure ("deliveryOrder.")."""
    value = data.get(key)
    if isinstance(value, (dict, list)):
        raise QimenFailure("invalid_field", f"{where}{key} must be text")
    found = str(value or "").strip()
    if required and not found:
        raise QimenFailure("missing_field", f"{where}{key} is required")
    return found


def section(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise QimenFailure("missing_field", f"{key} is required")
    return value


def grams_from_kg(value: str, where: str) -> int | None:
    if not value:
        return None
    try:
        grams = Decimal(value) * 1000
    except InvalidOperation:
        raise QimenFailure("invalid_field", f"{where} {value!r} is not a weight in kilograms") from None
    if not grams.is_finite() or grams <= 0 or grams > 1_000_000:
        raise QimenFailure("invalid_field", f"{where} {value!r} kg is not a parcel item's weight")
    return max(1, int(grams.to_integral_value()))


def mm_from_cm(value: str, where: str) -> int | None:
    """Qimen gives an item's length, width and height in centimetres (12.5 is 125 mm)."""
    if not value:
        return None
    try:
        mm = Decimal(value) * 10
    except InvalidOperation:
        raise QimenFailure("invalid_field", f"{where} {value!r} is not a length in centimetres") from None
    if not mm.is_finite() or mm <= 0 or mm > 10_000:
        raise QimenFailure("invalid_field", f"{where} {value!r} cm is not an item's size")
    return max(1, int(mm.to_integral_value()))


def counted(request: dict[str, Any], holder: str, element: str, qty_field: str, most: int,
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
        sku = text(entry, "itemCode", f"{element} {n}: ")
        qty = text(entry, qty_field, f"{element} {n}: ")
        if not qty.isdigit() or not 0 < int(qty) <= most:
            raise QimenFailure("invalid_field", f"{element} {n}: {qty_field} {qty!r} is not a whole number of units")
        out.append((n, sku, int(qty)))
    return out


def known_units(uow: UnitOfWork, request: dict[str, Any], holder: str, element: str, qty_field: str, most: int,
                missing: str) -> dict[str, int]:
    """`counted` lines summed per item, every item one synchronised here (else `unknown_item`)."""
    units: dict[str, int] = {}
    for n, sku, qty in counted(request, holder, element, qty_field, most, missing):
        if uow.session.get(SkuRow, sku) is None:
            raise QimenFailure("unknown_item", f"{element} {n}: {sku} is not an item here; synchronise it first "
                               "(singleitem.synchronize)")
        units[sku] = units.get(sku, 0) + qty
    return units
