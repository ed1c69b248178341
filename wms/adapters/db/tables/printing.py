"""The durable print queue: queued -> sending -> printed | failed, reprints recorded."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from wms.adapters.db.tables._fields import created_at, json_field, optional_time


class PrintJob(SQLModel, table=True):
    __tablename__ = "print_job"
    id: int | None = Field(default=None, primary_key=True)
    printer: str = Field(max_length=60, index=True)
    tracking_no: str | None = Field(default=None, max_length=40, index=True)
    parcel_id: int | None = Field(default=None, foreign_key="parcel.id")
    waybill: dict[str, Any] = json_field()
    status: str = Field(default="queued", max_length=20, index=True)
    attempts: int = 0
    next_attempt_at: datetime | None = optional_time()
    last_error: str | None = Field(default=None, max_length=500)
    claimed_by: str | None = Field(default=None, max_length=80)
    claimed_at: datetime | None = optional_time()
    printed_at: datetime | None = optional_time()
    reprint_of: int | None = Field(default=None, foreign_key="print_job.id")
    requested_by: str | None = Field(default=None, max_length=80)
    reason: str | None = Field(default=None, max_length=300)
    warning: str | None = Field(default=None, max_length=500)  # characters no font draws, printed as 〓
    created_at: datetime = created_at()
