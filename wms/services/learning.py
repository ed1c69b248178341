"""Learning SKUs' real weights from parcels that passed; reports, never edits the master."""

from __future__ import annotations

from sqlmodel import select

from wms.adapters.db.tables import SkuRow, SkuWeightEstimate
from wms.adapters.db.types import utcnow
from wms.adapters.db.uow import UnitOfWork
from wms.domain import weight_learning
from wms.domain import weighing as weight_rules


def learn_from_parcel(uow: UnitOfWork, lines: list[tuple[weight_rules.ItemWeight, int]],
                      expectation: weight_rules.Expectation, measured_g: int) -> None:
    skus = {item.sku for item, _ in lines}
    rows = {r.sku: r for r in uow.session.exec(
        uow.locked(select(SkuWeightEstimate).where(SkuWeightEstimate.sku.in_(skus)))  # type: ignore[attr-defined]
    ).all()}
    estimates = {s: weight_learning.WeightEstimate(s, r.n, r.mean_g, r.m2) for s, r in rows.items()}
    non_item_g = expectation.expected_g - sum(item.unit_weight_g * qty for item, qty in lines)
    updated = weight_learning.update_from_parcel(estimates, lines, non_item_g, measured_g)
    for sku, est in updated.items():
        row = rows.get(sku) or SkuWeightEstimate(sku=sku)
        row.n, row.mean_g, row.m2, row.updated_at = est.n, est.mean_g, est.m2, utcnow()
        uow.session.add(row)


def off_master_report(uow: UnitOfWork, min_samples: int = 20) -> list[dict[str, object]]:
    rows = uow.session.exec(select(SkuWeightEstimate)).all()
    estimates = {r.sku: weight_learning.WeightEstimate(r.sku, r.n, r.mean_g, r.m2) for r in rows}
    items = {s.sku: weight_rules.ItemWeight(s.sku, s.name, s.unit_weight_g, s.weight_tolerance_g)
             for s in uow.session.exec(select(SkuRow).where(SkuRow.sku.in_(set(estimates)))).all()}  # type: ignore[attr-defined]
    return [flag.__dict__ for flag in weight_learning.flag_off_master(estimates, items, min_samples)]
