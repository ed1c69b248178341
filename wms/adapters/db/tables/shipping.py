"""Tracking-number pools and the numbers handed out, and carrier handovers (交接)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel

from wms.adapters.db.tables._fields import created_at, optional_time


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
