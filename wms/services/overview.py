"""The warehouse at a glance: counts a lead checks first thing in the morning."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import select

from wms.adapters.db.tables import BinRow, OrderRow, SkuRow, StockRow, Weighing
from wms.adapters.db.uow import UnitOfWork
from wms.domain.orders import STATUSES


def warehouse_counts(uow: UnitOfWork) -> dict[str, object]:
    s = uow.session
    by_status = dict(s.exec(select(OrderRow.status, func.count()).group_by(OrderRow.status)).all())
    verdicts = dict(
        s.exec(select(Weighing.verdict, func.count()).where(Weighing.kind == "outbound")
               .group_by(Weighing.verdict)).all()
    )
    judged = sum(v for k, v in verdicts.items() if k != "unstable")
    mismatches = sum(v for k, v in verdicts.items() if k in ("underweight", "overweight"))
    return {
        "bins": s.exec(select(func.count()).select_from(BinRow).where(BinRow.kind == "storage")).one(),
        "skus": s.exec(select(func.count()).select_from(SkuRow)).one(),
        "units_on_hand": int(s.exec(select(func.coalesce(func.sum(StockRow.on_hand), 0))).one()),
        "units_reserved": int(s.exec(select(func.coalesce(func.sum(StockRow.reserved), 0))).one()),
        "orders": sum(by_status.values()),
        "orders_by_status": {st: int(by_status.get(st, 0)) for st in STATUSES},
        "weighings": judged,
        "mismatch_rate": round(mismatches / judged, 4) if judged else 0.0,
    }
