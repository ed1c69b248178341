"""Learning SKUs' real weights from parcels that passed; reports, never edits the master."""

from __future__ import annotations

from sqlmodel import select

from wms.adapters.db import prepared
from wms.adapters.db.tables import SkuRow, SkuWeightEstimate
from wms.adapters.db.types import utcnow
from wms.adapters.db.uow import UnitOfWork
from wms.domain import weighing as weight_rules
from wms.domain import weight_learning


def learn_from_parcel(uow: UnitOfWork, lines: list[tuple[weight_rules.ItemWeight, int]],
                      expectation: weight_rules.Expectation, measured_g: int) -> None:
    """Fold a passed parcel into its SKUs' running estimates, in the parcel's own transaction.

    Prepared statements, not ORM objects: this runs on every passing weighing while the
    packer waits, and flushing the estimates through the ORM cost more than judging the parcel.
    """
    rows = prepared.weight_estimates(uow, {item.sku for item, _ in lines})
    estimates = {s: weight_learning.WeightEstimate(s, n, mean, m2) for s, (n, mean, m2) in rows.items()}
    non_item_g = expectation.expected_g - sum(item.unit_weight_g * qty for item, qty in lines)
    updated = weight_learning.update_from_parcel(estimates, lines, non_item_g, measured_g)
    at = utcnow()
    values = [{"sku": sku, "n": est.n, "mean_g": est.mean_g, "m2": est.m2, "at": at} for sku, est in updated.items()]
    prepared.save_weight_estimates(uow, [v for v in values if v["sku"] in rows],
                                   [v for v in values if v["sku"] not in rows])


def off_master_report(uow: UnitOfWork, min_samples: int = 20) -> list[dict[str, object]]:
    rows = uow.session.exec(select(SkuWeightEstimate)).all()
    estimates = {r.sku: weight_learning.WeightEstimate(r.sku, r.n, r.mean_g, r.m2) for r in rows}
    items = {s.sku: weight_rules.ItemWeight(s.sku, s.name, s.unit_weight_g, s.weight_tolerance_g)
             for s in uow.session.exec(select(SkuRow).where(SkuRow.sku.in_(set(estimates)))).all()}  # type: ignore[attr-defined]
    return [flag.__dict__ for flag in weight_learning.flag_off_master(estimates, items, min_samples)]
