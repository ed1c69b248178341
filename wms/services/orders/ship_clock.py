"""Ship-by clocks (发货时效): each order's promised ship-by time, and what breaches soon.

An order's clock is the platform's promise when it gave one, else its shop's rule (the
platform row's `ship_by_hours` after payment), else 48 hours after payment. Orders are late
until they are handed over (shipped) or cancelled; packed parcels still waiting for the
courier count, since the platform's clock stops at consignment.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import select

from wms.adapters.db.tables import OrderRow, PlatformRow
from wms.adapters.db.types import utcnow
from wms.adapters.db.uow import UnitOfWork
from wms.domain import orders as rules

DEFAULT_HOURS = 48
OPEN = tuple(s for s in rules.STATUSES if s not in (rules.SHIPPED, rules.CANCELLED))


def shop_rules(uow: UnitOfWork) -> dict[str, int]:
    return {shop: hours for shop, hours in uow.session.exec(
        select(PlatformRow.shop, PlatformRow.ship_by_hours).where(PlatformRow.shop.is_not(None))).all()}  # type: ignore[union-attr]


def effective_ship_by(order: OrderRow, hours_by_shop: dict[str, int]) -> datetime | None:
    if order.ship_by is not None:
        return order.ship_by
    if order.paid_at is None:
        return None
    return order.paid_at + timedelta(hours=hours_by_shop.get(order.shop or "", DEFAULT_HOURS))


def due_within(uow: UnitOfWork, hours: float, now: datetime | None = None, shop: str | None = None,
               limit: int = 500) -> list[dict[str, Any]]:
    """Open orders whose ship-by falls before now + `hours` (overdue ones included), most urgent first."""
    now = now or utcnow()
    horizon = now + timedelta(hours=hours)
    by_shop = shop_rules(uow)
    stmt = select(OrderRow).where(
        OrderRow.status.in_(OPEN),  # type: ignore[attr-defined]
        (OrderRow.ship_by <= horizon)  # type: ignore[operator]
        | (OrderRow.ship_by.is_(None) & (OrderRow.paid_at <= horizon - timedelta(hours=1)))  # type: ignore[union-attr,operator]
    )
    if shop:
        stmt = stmt.where(OrderRow.shop == shop)
    out = []
    for order in uow.session.exec(stmt).all():
        due = effective_ship_by(order, by_shop)
        if due is None or due > horizon:
            continue
        left = (due - now).total_seconds() / 3600
        out.append({"order_no": order.order_no, "shop": order.shop, "channel": order.channel,
                    "status": order.status, "hold_reason": order.hold_reason, "ship_by": due.isoformat(),
                    "promised_by_platform": order.ship_by is not None, "hours_left": round(left, 1),
                    "overdue": left < 0})
    out.sort(key=lambda r: (r["ship_by"], r["order_no"]))
    return out[:limit]


def urgency_order(uow: UnitOfWork, order_nos: list[str]) -> list[str]:
    """`order_nos` most urgent first (for a wave that takes what breaches soonest)."""
    by_shop = shop_rules(uow)
    rows = uow.session.exec(select(OrderRow).where(OrderRow.order_no.in_(order_nos))).all()  # type: ignore[attr-defined]
    far = utcnow() + timedelta(days=3650)
    return [o.order_no for o in sorted(rows, key=lambda o: (effective_ship_by(o, by_shop) or far, o.id))]
