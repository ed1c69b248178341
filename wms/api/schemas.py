"""Request bodies of the HTTP API; validation errors name the field."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field

# The largest id a row can have: both databases keep ids as 64-bit integers, and a larger number
# in a path (or a body) is refused here, as a 422, before it reaches the database (where SQLite
# cannot bind it and PostgreSQL answers "out of range").
MAX_ID = 2**63 - 1
RowId = Annotated[int, Path(ge=1, le=MAX_ID, description="a row id (1 .. 2^63-1)")]


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


class Body(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class SkuIn(Body):
    sku: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    name_en: str | None = None
    barcodes: list[str] = Field(default_factory=list)
    unit_weight_g: int = Field(gt=0, le=1_000_000)
    weight_tolerance_g: int | None = Field(default=None, ge=0, le=100_000)
    length_mm: int | None = Field(default=None, gt=0)
    width_mm: int | None = Field(default=None, gt=0)
    height_mm: int | None = Field(default=None, gt=0)
    category: str | None = None
    returnable: bool = True
    special_price: bool = False
    price: Decimal | None = Field(default=None, ge=0)


class ReceiptIn(Body):
    sku: str = Field(min_length=1)
    bin: str = Field(min_length=1, max_length=40)
    qty: int = Field(gt=0, le=1_000_000)


class RecipientIn(Body):
    name: str = ""
    phone: str = ""
    province: str = ""
    city: str = ""
    district: str = ""
    address: str = ""


class LineIn(Body):
    sku: str
    qty: int = Field(ge=0, le=100_000)


class OrderIn(Body):
    order_no: str = Field(min_length=1, max_length=64)
    recipient: RecipientIn
    lines: list[LineIn]
    carrier: str | None = None
    cod_amount: Decimal | None = Field(default=None, ge=0, max_digits=12, decimal_places=2)
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


class NoteIn(Body):
    text: str = Field(min_length=1, max_length=2000)


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
    grams: int = Field(ge=0, le=1_000_000)
    scale_id: str | None = Field(default=None, max_length=60)
    stable: bool = True
    event_id: str | None = Field(default=None, max_length=80)


class OverrideIn(Body):
    reason: str = Field(min_length=3, max_length=500)


class VoidIn(Body):
    reason: str = Field(min_length=3, max_length=500)


class ReweighIn(Body):
    grams: int = Field(ge=0, le=1_000_000)
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
