"""Learning each SKU's real unit weight from parcels that passed, to flag wrong master data.

Every weighed parcel tells us something about its SKUs. With packaging (and filler)
weighing P and the parcel's lines (w_i, q_i), the residual against what we currently
believe the units weigh is

    r = measured - P - sum(q_i * b_i)

where b_i is the learned mean once a SKU has MIN_SAMPLES_TO_TRUST samples, else the
master weight. Each line takes the share of r that its variance q_i * sigma_i^2 has in the
items' total variance (the conditional expectation of that line's deviation given the sum,
for independent normal deviations), so the items with the most spread absorb the most.
Each SKU then gets one observation of its unit weight, b_i + r * share_i / q_i, added to
its running mean and variance with Welford's method (numerically stable, O(1) memory, so
three numbers per SKU in the database: n, mean, M2).

A single-SKU parcel gives a direct estimate: its observation is (measured - P) / q. Mixed
parcels are the reason b_i uses learned means: once CUP is known to weigh 290 g rather
than the master's 272 g, a CUP + SHIRT parcel no longer pushes SHIRT's estimate up by
part of CUP's 18 g. Repeated over parcels of varying mixes this converges on the joint
least-squares answer (a Gauss-Seidel sweep, one parcel at a time).

Limits, stated plainly: only parcels that passed are learned from, so residuals are cut
off at the band: an estimate leans towards the master, and a SKU whose master is off by
more than the band of its parcels fails them all and is learned from little or nothing
(learning from supervisor-checked overrides as well would fix that). Packaging is taken
at its master weight.

Nothing here changes a master weight: `flag_off_master` only reports, for a person to
check with a scale and correct the master data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from wms.domain.weighing import ItemWeight

MIN_SAMPLES_TO_TRUST = 5  # learned means below this many parcels are too noisy to lean on
MIN_FLAG_G = 1.0  # never flag a difference smaller than one scale division


@dataclass(frozen=True)
class WeightEstimate:
    """Welford's running mean and sum of squared deviations (M2) of one SKU's unit-weight observations."""

    sku: str
    n: int = 0
    mean_g: float = 0.0
    m2: float = 0.0

    def add(self, value: float) -> WeightEstimate:
        n = self.n + 1
        delta = value - self.mean_g
        mean = self.mean_g + delta / n
        return WeightEstimate(self.sku, n, mean, self.m2 + delta * (value - mean))

    @property
    def variance(self) -> float:
        """Sample variance of the observations (n - 1 in the denominator)."""
        return self.m2 / (self.n - 1) if self.n > 1 else 0.0

    @property
    def stddev(self) -> float:
        return math.sqrt(max(self.variance, 0.0))

    @property
    def stderr(self) -> float:
        """Standard error of the mean: how far the mean itself may be off."""
        return self.stddev / math.sqrt(self.n) if self.n > 0 else math.inf


@dataclass(frozen=True)
class WeightFlag:
    sku: str
    master_g: int
    estimated_g: float
    diff_g: float  # estimated - master
    n: int
    message: str


def believed_weight(estimate: WeightEstimate | None, item: ItemWeight) -> float:
    """The learned mean once it rests on enough parcels, else the master weight."""
    if estimate is not None and estimate.n >= MIN_SAMPLES_TO_TRUST:
        return estimate.mean_g
    return float(item.unit_weight_g)


def update_from_parcel(estimates: dict[str, WeightEstimate], lines: list[tuple[ItemWeight, int]],
                       packaging_weight_g: int, measured_g: int) -> dict[str, WeightEstimate]:
    """New estimates for the parcel's SKUs only (merge them into `estimates` yourself).

    `packaging_weight_g` is everything in the parcel that is not an item: box, filler.
    `estimates` is not modified.
    """
    merged: dict[str, tuple[ItemWeight, int]] = {}
    for item, qty in lines:
        if qty > 0:
            merged[item.sku] = (item, qty + merged.get(item.sku, (item, 0))[1])
    if not merged:
        return {}
    believed = {sku: believed_weight(estimates.get(sku), item) for sku, (item, _) in merged.items()}
    residual = measured_g - packaging_weight_g - sum(q * believed[s] for s, (_, q) in merged.items())
    # A SKU stated with no spread at all still takes a sliver, so all-zero tolerances split by quantity.
    shares = {s: q * max(item.sigma, 0.01) ** 2 for s, (item, q) in merged.items()}
    total = sum(shares.values())
    out: dict[str, WeightEstimate] = {}
    for sku, (_item, qty) in merged.items():
        observation = believed[sku] + residual * (shares[sku] / total) / qty
        out[sku] = estimates.get(sku, WeightEstimate(sku)).add(observation)
    return out


def flag_off_master(estimates: dict[str, WeightEstimate], items: dict[str, ItemWeight],
                    min_samples: int = 20) -> list[WeightFlag]:
    """SKUs whose learned weight is off the master by a difference that is both real and matters.

    With at least `min_samples` parcels, flag when |mean - master| exceeds
      - tolerance / 2: half of what one unit may deviate; an offset that big eats half of a
        single-unit parcel's band and shows up as false alarms or missed items, and
      - 3 standard errors of the mean: the difference is not noise (about 0.3 % of
        correct SKUs would be flagged by chance), and
      - MIN_FLAG_G: below one scale division nobody can act on it.
    Largest difference first.
    """
    flags = []
    for sku, est in estimates.items():
        item = items.get(sku)
        if item is None or est.n < max(min_samples, 2):
            continue
        diff = est.mean_g - item.unit_weight_g
        if abs(diff) <= max(item.tolerance_g / 2, 3 * est.stderr, MIN_FLAG_G):
            continue
        flags.append(WeightFlag(
            sku, item.unit_weight_g, round(est.mean_g, 1), round(diff, 1), est.n,
            f"{item.name}: master says {item.unit_weight_g} g, {est.n} passed parcels say "
            f"{est.mean_g:.1f} ± {est.stderr:.1f} g ({diff:+.1f} g); weigh a few units and correct the master data"))
    return sorted(flags, key=lambda f: (-abs(f.diff_g), f.sku))
