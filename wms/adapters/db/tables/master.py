"""Master data: warehouse layout and bins, SKUs and barcodes, packaging, carriers, stations."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Field, SQLModel, UniqueConstraint

from wms.adapters.db.tables._fields import created_at, json_field, money, optional_time


class Warehouse(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, max_length=40)
    name: str = Field(max_length=200)
    layout: dict[str, Any] = json_field()
    created_at: datetime = created_at()


class BinRow(SQLModel, table=True):
    __tablename__ = "bin"
    __table_args__ = (UniqueConstraint("warehouse_id", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    warehouse_id: int = Field(foreign_key="warehouse.id", index=True)
    code: str = Field(max_length=40, index=True)
    aisle: str = Field(max_length=20)
    y: float
    side: str = Field(default="L", max_length=1)
    level: int = 1
    zone: str | None = Field(default=None, max_length=20)
    kind: str = Field(default="storage", max_length=20)  # storage | quarantine | returns | scrap


class SkuRow(SQLModel, table=True):
    __tablename__ = "sku"
    sku: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)
    name_en: str | None = Field(default=None, max_length=200)
    unit_weight_g: int
    weight_tolerance_g: int
    length_mm: int | None = None
    width_mm: int | None = None
    height_mm: int | None = None
    category: str | None = Field(default=None, max_length=40, index=True)
    returnable: bool = True
    special_price: bool = False
    price: Decimal = money()
    owner: str | None = Field(default=None, max_length=40)  # the ERP that synchronised it: told of stock changes
    image_url: str | None = Field(default=None, max_length=500)  # product picture shown at the pack station
    created_at: datetime = created_at()


class SkuBarcode(SQLModel, table=True):
    """A scannable code of a SKU; `gtin` is the normalised GTIN-14 used for look-up."""

    gtin: str = Field(primary_key=True, max_length=64)
    raw: str = Field(max_length=64)
    sku: str = Field(foreign_key="sku.sku", index=True)


class SkuWeightEstimate(SQLModel, table=True):
    """Running estimate of a SKU's real unit weight from verified parcels (never edits the SKU)."""

    sku: str = Field(primary_key=True, foreign_key="sku.sku")
    n: int = 0
    mean_g: float = 0.0
    m2: float = 0.0
    updated_at: datetime | None = optional_time()


class PackagingRow(SQLModel, table=True):
    __tablename__ = "packaging"
    code: str = Field(primary_key=True, max_length=40)
    name: str = Field(max_length=100)
    kind: str = Field(default="box", max_length=20)  # box | bag | filler
    weight_g: int
    tolerance_g: int
    inner_l_mm: int = 0
    inner_w_mm: int = 0
    inner_h_mm: int = 0
    max_load_g: int = 0


class Carrier(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=20)
    name: str = Field(max_length=100)
    regions: list[str] = json_field(list)
    excluded_regions: list[str] = json_field(list)
    cod: bool = False
    max_weight_g: int = 0
    is_default: bool = False
    is_fallback: bool = False
    provider: str = Field(default="pool", max_length=20)  # pool | cainiao: where its numbers come from
    provider_account: str | None = Field(default=None, max_length=40)  # the e-waybill account (a platform row)
    provider_cp_code: str | None = Field(default=None, max_length=20)  # the provider's code for it (ZTO, YUNDA...)
    provider_customer_code: str | None = Field(default=None, max_length=60)  # customer code / 月结账号, if any


class Station(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=40)
    name: str = Field(default="", max_length=100)
    printer_name: str | None = Field(default=None, max_length=60)
    scale_id: str | None = Field(default=None, max_length=60)
    typed_weights: bool = True  # False: a weight must come from the scale (a typed one is refused)
    last_heartbeat_at: datetime | None = optional_time()
    devices: dict[str, Any] = json_field()
    last_weight_g: int | None = None
    last_weight_stable: bool | None = None
    last_weight_at: datetime | None = optional_time()


class Printer(SQLModel, table=True):
    name: str = Field(primary_key=True, max_length=60)
    url: str = Field(max_length=300)
    protocol: str = Field(default="escpos", max_length=20)
    dpi: int = 203
    label_size: str = Field(default="100x150", max_length=20)
    station: str | None = Field(default=None, max_length=40)
    status: str = Field(default="unknown", max_length=40)
    status_at: datetime | None = optional_time()


class ComboComponent(SQLModel, table=True):
    """One part of a combo (组合商品): an ERP sells `combo` as one item made of `qty` of `sku`.
    A combo has no stock of its own: an order line for it is exploded into its parts at intake."""

    __tablename__ = "combo_component"
    combo: str = Field(primary_key=True, max_length=64)
    sku: str = Field(primary_key=True, foreign_key="sku.sku", max_length=64)
    qty: int

