"""Request bodies of the HTTP API; validation errors name the field."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Annotated, Any

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field, model_validator

# No number in a body may pass 64 bits (SQLite cannot bind it); each column's own range is the
# database guard's (wms.adapters.db.guard). Row ids are 32-bit columns on PostgreSQL, so a
# larger id in a path is refused here, as a 422, and the OpenAPI document says so.
MAX_ID = 2**63 - 1
MAX_ROW_ID = 2**31 - 1
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="a row id (1 .. 2^31-1)")]


class ErrorOut(BaseModel):
    """Every error answer of the API (wms.api.errors): a stable machine code and a message for a
    person; a few codes add details (a validation error's `fields`, a refusal's `retry_after_s`...)."""

    model_config = ConfigDict(extra="allow")
    error: str = Field(description="stable machine code, e.g. unknown_order, validation_error, body_too_large")
    message: str = Field(description="for a person")


ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    "4XX": {"model": ErrorOut, "description": "refused: {error, message}"},
    503: {"model": ErrorOut, "description": "the database is busy or out of reach; nothing was saved: send it again"},
}


def _refusal_in(value: Any, where: str) -> str | None:
    """What no column can hold, found anywhere in a body: a NUL byte (PostgreSQL refuses it in
    text, SQLite keeps it and every reader then trips on it), an integer beyond 64 bits (SQLite
    cannot bind it) or NaN / Infinity (Python's JSON reads them). Named by field for the 422."""
    if isinstance(value, str):
        return f"{where}: contains a NUL byte" if "\x00" in value else None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return f"{where}: number out of range (beyond 2^63-1)" if abs(value) > MAX_ID else None
    if isinstance(value, float):
        return None if math.isfinite(value) else f"{where}: not a finite number"
    if isinstance(value, dict):
        for key, item in value.items():
            found = _refusal_in(key, where) or _refusal_in(item, f"{where}.{key}" if where else str(key))
            if found:
                return found
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found = _refusal_in(item, f"{where}[{i}]")
            if found:
                return found
    return None


class Body(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _refuse_unstorable(cls, data: Any) -> Any:
        found = _refusal_in(data, "")
        if found:
            raise ValueError(found)
        return data


class ComponentIn(Body):
    sku: str = Field(min_length=1, max_length=64)
    qty: int = Field(gt=0, le=10_000, strict=True)


class SkuIn(Body):
    sku: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    name_en: str | None = None
    barcodes: list[str] = Field(default_factory=list)
    unit_weight_g: int | None = Field(default=None, gt=0, le=1_000_000, description="required unless components are given")
    components: list[ComponentIn] | None = Field(default=None, max_length=100,
                                                 description="a combo (组合装): its parts; its weight is theirs")
    weight_tolerance_g: int | None = Field(default=None, ge=0, le=100_000)
    length_mm: int | None = Field(default=None, gt=0)
    width_mm: int | None = Field(default=None, gt=0)
    height_mm: int | None = Field(default=None, gt=0)
    category: str | None = None
    returnable: bool = True
    special_price: bool = False
    price: Decimal | None = Field(default=None, ge=0)
    image_url: str | None = Field(default=None, max_length=500, description="product picture: http(s) address or /path")



class SkuPatchIn(Body):
    image_url: str | None = Field(max_length=500, description="product picture: http(s) address or /path; null removes it")

class ReceiptIn(Body):
    sku: str = Field(min_length=1)
    bin: str | None = Field(default=None, min_length=1, max_length=40, description="default: the suggested bin")
    qty: int = Field(gt=0, le=1_000_000, strict=True)


class RecipientIn(Body):
    name: str = ""
    phone: str = ""
    province: str = ""
    city: str = ""
    district: str = ""
    address: str = ""
    oaid: str | None = Field(default=None, max_length=128)  # a platform's buyer, masked: shipped by this


class LineIn(Body):
    sku: str
    qty: int = Field(ge=0, le=100_000, strict=True)


class OrderIn(Body):
    order_no: str = Field(min_length=1, max_length=64)
    recipient: RecipientIn
    lines: list[LineIn]
    carrier: str | None = None
    cod_amount: Decimal | None = Field(default=None, ge=0, max_digits=12, decimal_places=2)
    paid_amount: Decimal | None = Field(default=None, ge=0, max_digits=12, decimal_places=2,
                                        description="what the buyer paid (实付): gift rules by order amount read it")
    order_type: str | None = None
    channel: str | None = None
    remark: str | None = None
    merge_consent: bool = False
    paid_at: str | None = None
    shop: str | None = Field(default=None, max_length=64)
    buyer_message: str | None = Field(default=None, max_length=1000)
    seller_memo: str | None = Field(default=None, max_length=1000)
    seller_flag: str | int | None = None
    ship_by: str | None = None


class GiftRuleIn(Body):
    name: str = Field(min_length=1, max_length=80)
    gift_sku: str = Field(min_length=1, max_length=64)
    gift_qty: int = Field(default=1, ge=1, le=1000, strict=True)
    sku: str | None = Field(default=None, max_length=64, description="the SKU bought that earns the gift")
    min_qty: int = Field(default=1, ge=1, le=100_000, strict=True)
    min_amount: Decimal | None = Field(default=None, ge=0, max_digits=12, decimal_places=2)
    shop: str | None = Field(default=None, max_length=64)
    starts_at: str | None = Field(default=None, max_length=40)
    ends_at: str | None = Field(default=None, max_length=40)
    repeat: bool = False


class NoteIn(Body):
    text: str = Field(min_length=1, max_length=2000)
    for_warehouse: bool = Field(default=False, description="the packer must read it at the station before the parcel closes")


class ChangeLinesIn(Body):
    lines: list[LineIn] = Field(min_length=1)
    reason: str = Field(min_length=1, max_length=500)


class CancelIn(Body):
    reason: str = Field(min_length=1, max_length=500)


class PackSessionIn(Body):
    order_no: str = Field(min_length=1, max_length=200)
    station: str = Field(min_length=1, max_length=40)
    packaging: str | None = None


class ScanIn(Body):
    code: str = Field(min_length=1, max_length=200)
    event_id: str | None = Field(default=None, max_length=80)
    scanned_at: str | None = None  # the device's own time of the read (ISO 8601)
    source: str | None = Field(default=None, max_length=40)  # "scanner": a scanner read, timed by scanned_at
    confirm_repeat: bool = False  # "yes, a second unit": count it even if it looks like a double read


class WeighingIn(Body):
    grams: int = Field(ge=0, le=1_000_000, strict=True)  # `true` is not 1 g, nor "850" 850 g
    scale_id: str | None = Field(default=None, max_length=60)
    stable: bool = True
    event_id: str | None = Field(default=None, max_length=80)


class OverrideIn(Body):
    reason: str = Field(min_length=3, max_length=500)


class BadgeOverrideIn(OverrideIn):
    badge: str = Field(min_length=1, max_length=80)  # a supervisor's, scanned at a packer's station


class VoidIn(Body):
    reason: str = Field(min_length=3, max_length=500)


class ReweighIn(Body):
    grams: int = Field(ge=0, le=1_000_000, strict=True)
    station: str | None = None
    scale_id: str | None = None
    stable: bool = True


class DeliveryIn(Body):
    delivered_at: str | None = None  # ISO time; now when left out
    source: str = "manual"  # platform | manual


class RecipientPatch(Body):
    name: str | None = Field(default=None, max_length=100)
    phone: str | None = Field(default=None, max_length=40)
    province: str | None = Field(default=None, max_length=40)
    city: str | None = Field(default=None, max_length=40)
    district: str | None = Field(default=None, max_length=40)
    address: str | None = Field(default=None, max_length=300)


class OrderEditIn(Body):
    """Fix an order before packing: recipient fields given are changed, the rest kept."""

    recipient: RecipientPatch | None = None
    carrier: str | None = Field(default=None, max_length=20)
    clear_carrier: bool = False
    reason: str = Field(min_length=1, max_length=400)


class HoldIn(Body):
    reason: str = Field(min_length=1, max_length=400)


class RevealIn(Body):
    scene: str = Field(min_length=1, max_length=8)  # wms.domain.buyer_privacy.SCENES
    reason: str = Field(min_length=1, max_length=300)
