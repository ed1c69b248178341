"""Carriers' rate tables held in memory for the freight estimate a passing weighing shows, so the
packer's slowest request reads no more rows than before (issue: a weighing in a handful of
statements).

Staleness, written down: a rate changed through this process (`bills.set_rate`) is seen at once;
one changed by another service instance is seen within `TTL_S` seconds. The estimate is only
shown; bills are always judged against the table as stored (`bills.import_bill`)."""

from __future__ import annotations

import threading
import time
import weakref
from decimal import Decimal

from sqlmodel import select

from wms.adapters.db.tables import CarrierRate
from wms.adapters.db.uow import UnitOfWork
from wms.domain import freight

TTL_S = 60.0

_lock = threading.Lock()
# Per engine (one per service process and database): carrier -> (read at, rates).
_tables: weakref.WeakKeyDictionary[object, dict[str, tuple[float, list[freight.Rate]]]] = weakref.WeakKeyDictionary()


def read_rates(uow: UnitOfWork, carrier: str) -> list[freight.Rate]:
    """The carrier's rate table as stored now."""
    return [freight.Rate(r.region, r.first_g, r.first_fee, r.step_g, r.step_fee) for r in uow.session.exec(
        select(CarrierRate).where(CarrierRate.carrier == carrier).order_by(CarrierRate.region)).all()]  # type: ignore[arg-type]


def estimate(uow: UnitOfWork, carrier: str, province: str, grams: int) -> Decimal | None:
    """What a parcel of `grams` to `province` should cost by the carrier's rate; None without one."""
    with _lock:
        held = _tables.setdefault(uow.engine, {}).get(carrier)
    if held is None or time.monotonic() - held[0] > TTL_S:
        held = (time.monotonic(), read_rates(uow, carrier))
        with _lock:
            _tables.setdefault(uow.engine, {})[carrier] = held
    rate = freight.rate_for(held[1], province)
    return rate.fee(grams) if rate is not None else None


def forget(carrier: str | None = None) -> None:
    """A rate changed here: read the carrier's table (every table, when None) again next time."""
    with _lock:
        for table in _tables.values():
            for code in [c for c in table if carrier is None or c == carrier]:
                del table[code]
