"""Tracking-number pools and the numbers handed out, and carrier handovers (交接)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, UniqueConstraint
from sqlmodel import Field, SQLModel

from wms.adapters.db.tables._fields import created_at, money, optional_time


class TrackingPool(SQLModel, table=True):
    """A pre-purchased range; `next_value` only ever grows, so a number is never reused."""

    id: int | None = Field(default=None, primary_key=True)
    carrier: str = Field(foreign_key="carrier.code", index=True)
    prefix: str = Field(default="", max_length=10)
    suffix: str = Field(default="", max_length=10)
    scheme: str = Field(default="plain", max_length=10)  # plain | s10
    digits: int = 12
    start: int = Field(sa_type=BigInteger)
    end: int = Field(sa_type=BigInteger)
    next_value: int = Field(sa_type=BigInteger)
    loaded_at: datetime = created_at()


class TrackingNumber(SQLModel, table=True):
    tracking_no: str = Field(primary_key=True, max_length=40)
    carrier: str = Field(max_length=20, index=True)
    pool_id: int = Field(foreign_key="trackingpool.id")
    order_id: int | None = Field(default=None, foreign_key="orders.id", index=True)
    assigned_at: datetime = created_at()


class Handover(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    carrier: str = Field(max_length=20, index=True)
    closed_at: datetime | None = optional_time()
    closed_by: str | None = Field(default=None, max_length=80)
    parcels: int = 0
    total_weight_g: int = 0
    created_at: datetime = created_at()


class CarrierRate(SQLModel, table=True):
    """A carrier's rate (首重 + 续重) for one region: a province, or "*" for the rest."""

    __tablename__ = "carrier_rate"
    __table_args__ = (UniqueConstraint("carrier", "region", name="uq_carrier_rate"),)
    id: int | None = Field(default=None, primary_key=True)
    carrier: str = Field(foreign_key="carrier.code", max_length=20)
    region: str = Field(max_length=40)
    first_g: int = 1000
    first_fee: Decimal = money()
    step_g: int = 1000
    step_fee: Decimal = money()


class CourierBill(SQLModel, table=True):
    """A courier's bill as imported (对账单): its lines are judged against our weighings."""

    __tablename__ = "courier_bill"
    id: int | None = Field(default=None, primary_key=True)
    carrier: str = Field(max_length=20, index=True)
    filename: str = Field(default="", max_length=200)
    imported_by: str = Field(max_length=80)
    lines: int = 0
    billed_total: Decimal = money()
    claim_total: Decimal = money()
    imported_at: datetime = created_at()


class CourierBillLine(SQLModel, table=True):
    """One billed parcel and what we make of it (wms.domain.freight)."""

    __tablename__ = "courier_bill_line"
    id: int | None = Field(default=None, primary_key=True)
    bill_id: int = Field(foreign_key="courier_bill.id", index=True)
    row: int  # its line in the file
    tracking_no: str = Field(max_length=40, index=True)
    billed_g: int
    billed_fee: Decimal = money()
    our_g: int | None = None  # the parcel's outbound weighing
    weighing_id: int | None = None  # the evidence: which weighing, when, where
    expected_fee: Decimal | None = Field(default=None, max_digits=12, decimal_places=2)
    verdict: str = Field(max_length=20)
    claim: Decimal = money()
