"""SKUs and their barcodes: creating them and resolving a scanned code to a SKU."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlmodel import select

from wms.adapters.db.tables import SkuBarcode, SkuRow
from wms.adapters.db.uow import UnitOfWork
from wms.domain.codes import is_valid_gtin, normalise_gtin
from wms.domain.errors import Conflict, Invalid, NotFound


def barcode_key(code: str) -> str:
    """GTINs match whatever length they were printed in (EAN-13 vs UPC-A vs GTIN-14)."""
    code = code.strip()
    if code.isdigit() and is_valid_gtin(code):
        return normalise_gtin(code)
    return code.upper()


def create_sku(uow: UnitOfWork, data: dict[str, Any]) -> SkuRow:
    sku = str(data["sku"]).strip()
    if not sku:
        raise Invalid("sku: must not be empty", "invalid_sku")
    if uow.session.get(SkuRow, sku) is not None:
        raise Conflict(f"SKU {sku} exists already", "duplicate_sku")
    weight = int(data["unit_weight_g"])
    if weight <= 0:
        raise Invalid("unit_weight_g: must be a positive number of grams", "invalid_weight")
    tolerance = data.get("weight_tolerance_g")
    tolerance = max(2, round(weight * 0.03)) if tolerance is None else int(tolerance)
    if tolerance < 0:
        raise Invalid("weight_tolerance_g: cannot be negative", "invalid_weight")
    row = SkuRow(
        sku=sku,
        name=str(data.get("name") or sku),
        name_en=data.get("name_en"),
        unit_weight_g=weight,
        weight_tolerance_g=tolerance,
        length_mm=data.get("length_mm"),
        width_mm=data.get("width_mm"),
        height_mm=data.get("height_mm"),
        category=data.get("category"),
        returnable=bool(data.get("returnable", True)),
        special_price=bool(data.get("special_price", False)),
        price=Decimal(str(data.get("price") or "0")),
    )
    uow.session.add(row)
    seen: set[str] = set()
    for raw in data.get("barcodes") or []:
        raw = str(raw).strip()
        if not raw:
            continue
        if raw.isdigit() and len(raw) in (8, 12, 13, 14) and not is_valid_gtin(raw):
            raise Invalid(f"barcodes: {raw} has a wrong check digit", "invalid_barcode")
        key = barcode_key(raw)
        if key in seen:
            continue
        seen.add(key)
        owner = uow.session.get(SkuBarcode, key)
        if owner is not None:
            raise Conflict(f"barcode {raw} belongs to SKU {owner.sku} already", "duplicate_barcode")
        uow.session.add(SkuBarcode(gtin=key, raw=raw, sku=sku))
    uow.session.flush()
    return row


def sku_for_barcode(uow: UnitOfWork, code: str) -> SkuRow | None:
    return uow.session.exec(
        select(SkuRow).join(SkuBarcode, SkuBarcode.sku == SkuRow.sku)  # type: ignore[arg-type]
        .where(SkuBarcode.gtin == barcode_key(code))
    ).first()


def get_sku(uow: UnitOfWork, sku: str) -> SkuRow:
    row = uow.session.get(SkuRow, sku)
    if row is None:
        raise NotFound(f"unknown SKU {sku}", "unknown_sku")
    return row


def skus_by_code(uow: UnitOfWork, codes: set[str]) -> dict[str, SkuRow]:
    if not codes:
        return {}
    rows = uow.session.exec(select(SkuRow).where(SkuRow.sku.in_(codes))).all()  # type: ignore[attr-defined]
    return {r.sku: r for r in rows}
