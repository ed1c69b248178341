"""After-sales cases, returned parcels and what became of each returned item."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlmodel import Field, SQLModel

from wms.adapters.db.tables._fields import created_at, money, optional_time


class AfterSalesCase(SQLModel, table=True):
    __tablename__ = "after_sales_case"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, max_length=20)
    order_id: int = Field(foreign_key="orders.id", index=True)
    case_type: str = Field(max_length=20)  # refund_only return_refund exchange reship lost_claim
    reason: str = Field(max_length=30)  # quality wrong_item short_shipment transit_damage no_reason_7d changed_mind
    status: str = Field(default="open", max_length=20)
    responsibility: str | None = Field(default=None, max_length=20)  # shop buyer carrier
    return_shipping_payer: str | None = Field(default=None, max_length=20)
    refund_amount: Decimal = money()
    compensation_amount: Decimal = money()
    tracking_no: str | None = Field(default=None, max_length=40, index=True)
    claimed_sku: str | None = Field(default=None, max_length=64)
    claimed_qty: int = 0
    notes: str | None = Field(default=None, max_length=2000)
    outcome: str | None = Field(default=None, max_length=500)
    decision: str | None = Field(default=None, max_length=20)  # upheld declined
    decided_by: str | None = Field(default=None, max_length=80)
    decided_at: datetime | None = optional_time()
    replacement_order_id: int | None = Field(default=None, foreign_key="orders.id")
    created_by: str = Field(max_length=80)
    created_at: datetime = created_at()
    closed_at: datetime | None = optional_time()


class CaseLine(SQLModel, table=True):
    __tablename__ = "case_line"
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="after_sales_case.id", index=True)
    sku: str = Field(max_length=64)
    qty: int
    condition: str | None = Field(default=None, max_length=100)


class ReturnReceipt(SQLModel, table=True):
    __tablename__ = "return_receipt"
    id: int | None = Field(default=None, primary_key=True)
    case_id: int | None = Field(default=None, foreign_key="after_sales_case.id", index=True)
    scanned_code: str = Field(max_length=80)
    tracking_no: str | None = Field(default=None, max_length=40, index=True)
    unidentified: bool = False
    notes: str | None = Field(default=None, max_length=1000)
    weight_g: int | None = None
    received_by: str = Field(max_length=80)
    received_at: datetime = created_at()


class ReturnItem(SQLModel, table=True):
    __tablename__ = "return_item"
    id: int | None = Field(default=None, primary_key=True)
    receipt_id: int = Field(foreign_key="return_receipt.id", index=True)
    sku: str = Field(max_length=64)
    qty: int
    disposition: str = Field(max_length=20)  # restock quarantine scrap supplier
    bin_id: int | None = Field(default=None, foreign_key="bin.id")
    condition: str | None = Field(default=None, max_length=200)
    at: datetime = created_at()
