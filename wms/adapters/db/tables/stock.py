"""Stock per bin with reservations, and the append-only ledger it must always equal."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel, UniqueConstraint

from wms.adapters.db.tables._fields import created_at


class StockRow(SQLModel, table=True):
    """On hand and reserved per (bin, SKU); on_hand equals the ledger's sum for that pair."""

    __tablename__ = "stock"
    __table_args__ = (UniqueConstraint("bin_id", "sku"),)
    id: int | None = Field(default=None, primary_key=True)
    bin_id: int = Field(foreign_key="bin.id", index=True)
    sku: str = Field(foreign_key="sku.sku", index=True)
    on_hand: int = 0
    reserved: int = 0


class LedgerEntry(SQLModel, table=True):
    """One stock movement; rows are only ever inserted."""

    __tablename__ = "stock_ledger"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = created_at()
    bin_id: int = Field(foreign_key="bin.id", index=True)
    sku: str = Field(foreign_key="sku.sku", index=True)
    delta: int
    kind: str = Field(max_length=30)  # receipt pick return_restock adjustment quarantine scrap move ...
    ref: str | None = Field(default=None, max_length=80)
    operator: str | None = Field(default=None, max_length=80)
    reason: str | None = Field(default=None, max_length=300)


class Reservation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True)
    line_id: int = Field(foreign_key="order_line.id", index=True)
    stock_id: int = Field(foreign_key="stock.id", index=True)
    sku: str = Field(max_length=64)
    qty: int
    picked: int = 0
    status: str = Field(default="active", max_length=20)  # active | picked | released
    created_at: datetime = created_at()
