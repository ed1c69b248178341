"""SKUs and their barcodes: creating them and resolving a scanned code to a SKU."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlmodel import col, select

from wms.adapters.db.tables import ComboComponent, SkuBarcode, SkuRow
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
    """A SKU with its barcodes, weight and tolerance; with `components` ([{"sku", "qty"}]) a
    combo (组合装), whose weight is its parts'."""
    sku = str(data["sku"]).strip()
    if not sku:
        raise Invalid("sku: must not be empty", "invalid_sku")
    if uow.session.get(SkuRow, sku) is not None:
        raise Conflict(f"SKU {sku} exists already", "duplicate_sku")
    if data.get("components"):
        parts: dict[str, int] = {}
        for c in data["components"]:
            parts[str(c["sku"]).strip()] = parts.get(str(c["sku"]).strip(), 0) + int(c["qty"])
        combo = save_combo(uow, sku, parts, data.get("name"))
        add_barcodes(uow, sku, data.get("barcodes"))  # its own: scanning one counts all its parts
        return combo
    if data.get("unit_weight_g") is None:
        raise Invalid("unit_weight_g: required for a SKU that is not a combo", "missing_field")
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
        owner=data.get("owner"),
        image_url=picture_url(data.get("image_url")),
    )
    uow.session.add(row)
    add_barcodes(uow, sku, data.get("barcodes"))
    return row


def picture_url(value: Any) -> str | None:
    """A product picture the station's browser loads: an http(s) address or a path on this
    service, nothing a browser would run (javascript:, data:)."""
    if value is None or not str(value).strip():
        return None
    url = str(value).strip()
    if not (url.lower().startswith(("https://", "http://")) or (url.startswith("/") and not url.startswith("//"))) \
            or any(c in url for c in " \"'<>\\") or len(url) > 500:
        raise Invalid("image_url: give an http(s) address or a path on this service (/...)", "invalid_image_url")
    return url


def set_picture(uow: UnitOfWork, sku: str, image_url: str | None) -> SkuRow:
    """Give a SKU its product picture (None takes it away)."""
    row = get_sku(uow, sku)
    row.image_url = picture_url(image_url)
    uow.session.add(row)
    return row


def first_barcodes(uow: UnitOfWork, skus: set[str]) -> dict[str, str]:
    """One printed code per SKU (the lowest of its codes, so it stays the same), as the station
    shows it beside the line."""
    found: dict[str, str] = {}
    if skus:
        for sku, raw in uow.session.exec(select(SkuBarcode.sku, SkuBarcode.raw)
                                         .where(col(SkuBarcode.sku).in_(skus)).order_by(SkuBarcode.raw)):
            found.setdefault(sku, raw)
    return found


def add_barcodes(uow: UnitOfWork, sku: str, barcodes: Any) -> None:
    """A SKU's scannable codes: GTINs checked, each code owned by one SKU only."""
    seen: set[str] = set()
    for raw in barcodes or []:
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


def combo_parts(uow: UnitOfWork, codes: set[str]) -> dict[str, list[tuple[str, int]]]:
    """The combos among `codes` with their parts (sku, qty), in one read."""
    if not codes:
        return {}
    parts: dict[str, list[tuple[str, int]]] = {}
    for row in uow.session.exec(select(ComboComponent).where(ComboComponent.combo.in_(sorted(codes)))  # type: ignore[attr-defined]
                                .order_by(ComboComponent.combo, ComboComponent.sku)).all():
        parts.setdefault(row.combo, []).append((row.sku, row.qty))
    return parts


def save_combo(uow: UnitOfWork, combo: str, parts: dict[str, int], name: str | None = None) -> SkuRow:
    """A combo (组合装) is a SKU made of other SKUs: its parts replace it in every order, so its
    weight is theirs. Saving it again replaces its parts. A plain SKU cannot become a combo."""
    combo = combo.strip()
    if not combo or not parts:
        raise Invalid("components: a combo needs at least one part", "missing_field")
    rows = skus_by_code(uow, set(parts))
    for sku, qty in parts.items():
        if sku == combo:
            raise Invalid(f"combo {combo} cannot contain itself", "invalid_combo")
        if sku not in rows:
            raise NotFound(f"component {sku} is not a SKU here", "unknown_sku")
        if sku in combo_parts(uow, {sku}):
            raise Invalid(f"component {sku} is a combo itself; list its parts instead", "invalid_combo")
        if not 0 < qty <= 10_000:
            raise Invalid(f"component {sku}: qty {qty} is not 1..10000", "invalid_qty")
    existing = uow.session.get(SkuRow, combo)
    if existing is not None and not combo_parts(uow, {combo}):
        raise Conflict(f"{combo} is a single SKU here; a combo needs a code of its own", "not_a_combo")
    weight = sum(rows[s].unit_weight_g * q for s, q in parts.items())
    tolerance = sum(rows[s].weight_tolerance_g * q for s, q in parts.items())
    if existing is None:
        existing = SkuRow(sku=combo, name=(name or combo)[:200], unit_weight_g=weight, weight_tolerance_g=tolerance)
    else:
        existing.unit_weight_g, existing.weight_tolerance_g = weight, tolerance
        existing.name = (name or existing.name)[:200]
    uow.session.add(existing)
    for old in uow.session.exec(select(ComboComponent).where(ComboComponent.combo == combo)).all():
        uow.session.delete(old)
    uow.session.flush()
    for sku, qty in parts.items():
        uow.session.add(ComboComponent(combo=combo, sku=sku, qty=qty))
    uow.session.flush()
    return existing
