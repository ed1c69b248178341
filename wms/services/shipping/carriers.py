"""Carriers and tracking numbers: choosing a carrier, handing out numbers exactly once."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from wms.adapters.db import prepared
from wms.adapters.db.tables import Carrier, OrderRow, TrackingNumber, TrackingPool
from wms.adapters.db.uow import UnitOfWork
from wms.domain.carriers import CarrierRule, PoolFormat, choose_carrier, format_tracking, validate_pool
from wms.domain.errors import Conflict, NotFound

# Used when a warehouse has no carrier set up yet: numbers of our own, never reused.
HOUSE_CARRIER = "WMS"


def carrier_rules(uow: UnitOfWork) -> list[CarrierRule]:
    return [CarrierRule(code, tuple(regions or ()), tuple(excluded or ()), bool(cod), max_g, bool(default),
                        bool(fallback))
            for code, regions, excluded, cod, max_g, default, fallback, _ in prepared.carriers(uow)]


def ensure_house_carrier(uow: UnitOfWork) -> None:
    """Create the house carrier once, even when several stations need it at the same moment."""
    prepared.forget_carriers(uow)
    if uow.session.get(Carrier, HOUSE_CARRIER) is not None:
        return
    try:
        with uow.session.begin_nested():
            uow.session.add(Carrier(code=HOUSE_CARRIER, name="仓内单号 (no carrier configured)",
                                    regions=["*"], cod=True, is_fallback=True))
            uow.session.flush()
            add_pool(uow, HOUSE_CARRIER, "WMS", "", 10, 1, 9_999_999_999)
    except IntegrityError:
        pass  # another request created it first; its row is visible now


def add_pool(uow: UnitOfWork, carrier: str, prefix: str, suffix: str, digits: int, start: int, end: int,
             scheme: str = "plain") -> TrackingPool:
    if uow.session.get(Carrier, carrier) is None:
        raise NotFound(f"unknown carrier {carrier}", "unknown_carrier")
    validate_pool(PoolFormat(prefix, suffix, digits, scheme), start, end)
    pool = TrackingPool(carrier=carrier, prefix=prefix, suffix=suffix, digits=digits, start=start,
                        end=end, next_value=start, scheme=scheme)
    uow.session.add(pool)
    uow.session.flush()
    return pool


def pick_carrier(uow: UnitOfWork, order: OrderRow, weight_g: int) -> str:
    rules = carrier_rules(uow)
    if not rules:
        ensure_house_carrier(uow)
        rules = carrier_rules(uow)
    return choose_carrier(rules, order.province, order.cod_amount > 0, weight_g, order.carrier)


def allocate_tracking_number(uow: UnitOfWork, carrier: str, order: OrderRow) -> str:
    """`allocate_number` for an order row."""
    return allocate_number(uow, carrier, order.id)  # type: ignore[arg-type]


def allocate_number(uow: UnitOfWork, carrier: str, order_id: int) -> str:
    """Atomically bump a pool's counter; a number once taken is never handed out again.

    The counter moves in the same transaction that records the number against the
    order, so a crash either keeps both or neither; a rolled-back number is simply
    skipped, never reissued to someone else.
    """
    for pool_id, prefix, suffix, digits, scheme in prepared.open_pools(uow, carrier):
        value = prepared.take_number(uow, pool_id)
        if value is None:
            continue
        number = format_tracking(PoolFormat(prefix, suffix, digits, scheme), value)
        uow.insert(TrackingNumber(tracking_no=number, carrier=carrier, pool_id=pool_id, order_id=order_id))
        return number
    raise Conflict(f"carrier {carrier} has no tracking numbers left; load a new range", "pool_exhausted")


def pool_levels(uow: UnitOfWork) -> list[dict[str, object]]:
    rows = uow.session.exec(
        select(TrackingPool.carrier, func.sum(TrackingPool.end - TrackingPool.next_value + 1))
        .group_by(TrackingPool.carrier)
    ).all()
    return [{"carrier": c, "remaining": max(0, int(r or 0))} for c, r in rows]
