"""Pack sessions, their scans, parcels, weighings (never edited) and overrides."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index
from sqlmodel import Field, SQLModel

from wms.adapters.db.tables._fields import created_at, json_field, optional_time


class PackSessionRow(SQLModel, table=True):
    __tablename__ = "pack_session"
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True)
    station: str = Field(max_length=40, index=True)
    operator: str = Field(max_length=80)
    status: str = Field(default="open", max_length=20)  # open passed overridden abandoned
    packaging: str | None = Field(default=None, max_length=40)
    # A flagged buyer message or seller memo must be acknowledged before a weighing counts.
    notes_ack_by: str | None = Field(default=None, max_length=80)
    notes_ack_at: datetime | None = optional_time()
    # 一单多包: the packer closed this parcel with what was scanned; the rest goes in the next one.
    partial: bool = False
    opened_at: datetime = created_at()
    closed_at: datetime | None = optional_time()


class PackScan(SQLModel, table=True):
    """Every scan at a station, accepted or not: rejected ones are evidence too."""

    __tablename__ = "pack_scan"
    # A weighing looks up the station's recent wrong scans: without this the look-up reads
    # every scan the station ever made, and grows with the history.
    __table_args__ = (Index("ix_pack_scan_station_outcome_at", "station", "outcome", "at"),)
    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="pack_session.id", index=True)
    at: datetime = created_at()
    code: str = Field(max_length=200)
    sku: str | None = Field(default=None, max_length=64)
    outcome: str = Field(max_length=20)  # accepted wrong_item over_scan unknown_code double_read
    station: str = Field(max_length=40, index=True)
    operator: str = Field(max_length=80)
    event_id: str | None = Field(default=None, max_length=80, unique=True)
    # "scanner": a scanner's read timed by the device itself (the only kind a double read is
    # judged on); "manual", "api" (no source said) or what the client declared otherwise.
    source: str | None = Field(default=None, max_length=20)


class Parcel(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    tracking_no: str | None = Field(default=None, max_length=40, unique=True)
    order_id: int = Field(foreign_key="orders.id", index=True)
    session_id: int | None = Field(default=None, foreign_key="pack_session.id", index=True)
    carrier: str | None = Field(default=None, max_length=20)
    packaging: str | None = Field(default=None, max_length=40)
    weight_g: int | None = None
    pieces: int = 1
    items: dict[str, int] | None = Field(default=None, sa_type=JSON, nullable=True)  # sku -> units in this parcel
    status: str = Field(default="packed", max_length=20)  # packed shipped voided
    handover_id: int | None = Field(default=None, foreign_key="handover.id", index=True)
    shipped_at: datetime | None = optional_time()
    delivered_at: datetime | None = optional_time()
    delivered_source: str | None = Field(default=None, max_length=20)  # platform manual
    created_at: datetime = created_at()
    voided_at: datetime | None = optional_time()
    voided_by: str | None = Field(default=None, max_length=80)
    void_reason: str | None = Field(default=None, max_length=500)


class Weighing(SQLModel, table=True):
    """One reading put on record: outbound, reweigh or return. Inserted once, never updated."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)  # outbound reweigh return
    session_id: int | None = Field(default=None, foreign_key="pack_session.id", index=True)
    order_id: int | None = Field(default=None, foreign_key="orders.id", index=True)
    tracking_no: str | None = Field(default=None, max_length=40, index=True)
    grams: int
    expected_g: int | None = None
    tolerance_g: int | None = None
    delta_g: int | None = None
    verdict: str = Field(max_length=20)
    stable: bool = True
    suspects: list[dict[str, Any]] = json_field(list)
    station: str | None = Field(default=None, max_length=40)
    operator: str = Field(max_length=80)
    scale_id: str | None = Field(default=None, max_length=60)
    event_id: str | None = Field(default=None, max_length=80, unique=True)
    at: datetime = created_at()


class Override(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="pack_session.id", index=True)
    weighing_id: int | None = Field(default=None, foreign_key="weighing.id")
    by: str = Field(max_length=80)
    role: str = Field(max_length=20)
    reason: str = Field(max_length=500)
    at: datetime = created_at()
