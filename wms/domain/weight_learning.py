"""Learning each SKU's real unit weight from parcels that passed, to flag wrong master data.

Every passed parcel gives a residual r = measured - expected. A single-SKU parcel of n
units says its unit weight is master + r/n. A mixed parcel's residual is shared out in
proportion to each line's share of the parcel's variance (qty * sigma^2): the items with
the most spread are the likeliest source, the same weighting a Kalman update would use.
Running means and variances use Welford's method. Nothing here changes a master weight:
`flag_off_master` only reports.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from wms.domain.weighing import ItemWeight


@dataclass(frozen=True)
class WeightEstimate:
    sku: str
    n: int = 0
    mean_g: float = 0.0
    m2: float = 0.0

    def add(self, value: float) -> "WeightEstimate":
        n = self.n + 1
        delta = value - self.mean_g
        mean = self.mean_g + delta / n
        return WeightEstimate(self.sku, n, mean, self.m2 + delta * (value - mean))

    @property
    def stddev(self) -> float:
        return math.sqrt(self.m2 / (self.n - 1)) if self.n > 1 else 0.0


@dataclass(frozen=True)
class WeightFlag:
    sku: str
    master_g: int
    estimated_g: float
    diff_g: float
    n: int
    message: str


def update_from_parcel(estimates: dict[str, WeightEstimate], lines: list[tuple[ItemWeight, int]],
                       non_item_g: int, measured_g: int) -> dict[str, WeightEstimate]:
    """New estimates for the parcel's SKUs (packaging and filler weigh `non_item_g`)."""
    expected = non_item_g + sum(i.unit_weight_g * q for i, q in lines)
    residual = measured_g - expected
    shares = [(i, q, q * max(i.sigma, 0.1) ** 2) for i, q in lines if q > 0]
    total = sum(s for _, _, s in shares) or 1.0
    out: dict[str, WeightEstimate] = {}
    for item, qty, share in shares:
        per_unit = item.unit_weight_g + residual * (share / total) / qty
        out[item.sku] = estimates.get(item.sku, WeightEstimate(item.sku)).add(per_unit)
    return out


def flag_off_master(estimates: dict[str, WeightEstimate], items: dict[str, ItemWeight],
                    min_samples: int = 20) -> list[WeightFlag]:
    """SKUs whose learned weight differs from the master by more than half its tolerance,
    and by more than three standard errors (so a handful of noisy parcels flag nothing)."""
    flags = []
    for sku, est in sorted(estimates.items()):
        item = items.get(sku)
        if item is None or est.n < min_samples:
            continue
        diff = est.mean_g - item.unit_weight_g
        stderr = est.stddev / math.sqrt(est.n)
        if abs(diff) > max(item.tolerance_g / 2, 3 * stderr, 0.5):
            flags.append(WeightFlag(sku, item.unit_weight_g, round(est.mean_g, 1), round(diff, 1), est.n,
                                    f"{item.name}: master {item.unit_weight_g} g, parcels say "
                                    f"{est.mean_g:.1f} g over {est.n} parcels; check the master data"))
    return flags
