"""Waves of released orders, split into cart trips of pick tasks."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from wms.adapters.db.tables._fields import created_at


class Wave(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, max_length=40)
    status: str = Field(default="open", max_length=20)
    method: str | None = Field(default=None, max_length=20)  # routing method the wave was planned with
    created_by: str = Field(max_length=80)
    created_at: datetime = created_at()


class PickTask(SQLModel, table=True):
    __tablename__ = "pick_task"
    id: int | None = Field(default=None, primary_key=True)
    wave_id: int = Field(foreign_key="wave.id", index=True)
    trip: int
    seq: int
    tote: int
    order_id: int = Field(foreign_key="orders.id", index=True)
    reservation_id: int | None = Field(default=None, foreign_key="reservation.id")
    bin_code: str = Field(max_length=40)
    sku: str = Field(max_length=64)
    qty: int
    picked: int = 0
    status: str = Field(default="open", max_length=20)
