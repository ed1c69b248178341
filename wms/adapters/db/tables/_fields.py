"""Field shorthands so every table spells times, money and JSON the same way."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Numeric
from sqlmodel import Field

from wms.adapters.db.types import UTCDateTime, utcnow


def created_at() -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True)


def optional_time(**kw: Any) -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=True, **kw)


def money(default: Decimal = Decimal("0.00")) -> Any:
    return Field(default=default, sa_type=Numeric(12, 2), nullable=False)


def json_field(default_factory: Any = dict) -> Any:
    return Field(default_factory=default_factory, sa_type=JSON, nullable=False)
