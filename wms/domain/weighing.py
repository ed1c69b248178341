"""Check-weighing: what a parcel should weigh, how far off is still fine, and what explains the rest.

The tolerance model
-------------------
Each SKU's `tolerance_g` is the largest deviation one unit is expected to show,
read as three standard deviations (sigma_i = tolerance_i / 3). Units vary independently,
so variances add (root sum of squares), not tolerances:

    var = sum(qty_i * sigma_i^2) + sigma_packaging^2 + sigma_filler^2 + resolution^2 / 12
    tolerance = ceil(K * sqrt(var) + resolution / 2), at least `floor_g`

resolution^2/12 is the variance of the scale's rounding to its division; the extra half
division covers the reading itself being rounded. K = 3 keeps false alarms near 0.3 % of
good parcels if weights are roughly normal, while a missing unit heavier than the band is
always caught. The floor stops a band of 1-2 g on light parcels, where scale drift and
tape or a packing slip would raise false alarms.

Suspects: for a mismatch, a small exact search over "n units of these SKUs are missing /
extra / swapped" (order items, plus items the station recently scanned wrongly) finds the
hypotheses whose weight explains the difference within the band, smallest story first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import combinations, product

K_SIGMA = 3.0
DEFAULT_FLOOR_G = 5
MAX_UNITS_PER_SKU = 3
MAX_SKUS_PER_HYPOTHESIS = 3


@dataclass(frozen=True)
class ItemWeight:
    sku: str
    name: str
    unit_weight_g: int
    tolerance_g: int  # one unit's largest expected deviation (~3 sigma)

    @property
    def sigma(self) -> float:
        return max(self.tolerance_g, 0) / K_SIGMA


@dataclass(frozen=True)
class Packaging:
    code: str
    name: str
    weight_g: int
    tolerance_g: int
    inner_l_mm: int = 0
    inner_w_mm: int = 0
    inner_h_mm: int = 0
    max_load_g: int = 0


@dataclass(frozen=True)
class Expectation:
    expected_g: int
    tolerance_g: int
    items_g: int
    packaging_g: int
    filler_g: int
    variance: float  # grams^2, before K and rounding
    resolution_g: int = 1
    floor_g: int = DEFAULT_FLOOR_G


@dataclass(frozen=True)
class Suspect:
    sku: str
    name: str
    qty: int
    direction: str  # missing | extra
    weight_g: int  # qty * unit weight


@dataclass(frozen=True)
class Judgement:
    verdict: str  # pass | underweight | overweight | unstable
    delta_g: int
    suspects: list[Suspect] = field(default_factory=list)
    explanation: str = ""


def band(variance: float, resolution_g: int, floor_g: int) -> int:
    return max(floor_g, math.ceil(K_SIGMA * math.sqrt(max(variance, 0.0)) + resolution_g / 2))


def expect(
    lines: list[tuple[ItemWeight, int]],
    packaging: Packaging | None = None,
    filler_g: int = 0,
    filler_tolerance_g: int = 0,
    scale_resolution_g: int = 1,
    floor_g: int = DEFAULT_FLOOR_G,
) -> Expectation:
    """What the parcel should weigh and how far off it may be; see the module docstring."""
    items_g = sum(item.unit_weight_g * qty for item, qty in lines)
    pack_g = packaging.weight_g if packaging else 0
    variance = sum(qty * item.sigma ** 2 for item, qty in lines)
    variance += ((packaging.tolerance_g if packaging else 0) / K_SIGMA) ** 2
    variance += (filler_tolerance_g / K_SIGMA) ** 2
    variance += scale_resolution_g ** 2 / 12
    return Expectation(
        expected_g=items_g + pack_g + filler_g,
        tolerance_g=band(variance, scale_resolution_g, floor_g),
        items_g=items_g, packaging_g=pack_g, filler_g=filler_g, variance=variance,
        resolution_g=scale_resolution_g, floor_g=floor_g,
    )


def verdict_for_delta(delta_g: int, tolerance_g: int) -> str:
    if abs(delta_g) <= tolerance_g:
        return "pass"
    return "underweight" if delta_g < 0 else "overweight"


def judge(
    expectation: Expectation,
    measured_g: int,
    stable: bool,
    order_lines: list[tuple[ItemWeight, int]],
    extra_candidates: list[ItemWeight] | None = None,
) -> Judgement:
    """Pass, or under/overweight with the likeliest explanation. Unstable readings are not judged."""
    delta = measured_g - expectation.expected_g
    if not stable:
        return Judgement("unstable", delta, [], "the scale was still moving")
    verdict = verdict_for_delta(delta, expectation.tolerance_g)
    if verdict == "pass":
        return Judgement("pass", delta)
    suspects = find_suspects(delta, expectation, order_lines, extra_candidates or [])
    text = "; ".join(f"{s.direction} {s.qty} × {s.name} (≈{s.weight_g} g)" for s in suspects)
    return Judgement(verdict, delta, suspects, text or f"{abs(delta)} g {'light' if delta < 0 else 'heavy'}; no item explains it")


def find_suspects(
    delta_g: int,
    expectation: Expectation,
    order_lines: list[tuple[ItemWeight, int]],
    extra_candidates: list[ItemWeight],
) -> list[Suspect]:
    """The smallest set of missing/extra units whose weight explains `delta_g` within the band."""
    best: tuple[float, list[Suspect]] | None = None
    ordered = {item.sku: (item, qty) for item, qty in order_lines}
    extras = dict.fromkeys(list(ordered) + [c.sku for c in extra_candidates])
    extra_items = {c.sku: c for c in extra_candidates} | {s: v[0] for s, v in ordered.items()}
    for hypothesis in _hypotheses(delta_g, ordered, [extra_items[s] for s in extras]):
        change = sum(-s.weight_g if s.direction == "missing" else s.weight_g for s in hypothesis)
        variance = expectation.variance + sum(
            (1 if s.direction == "extra" else -1) * s.qty * extra_items[s.sku].sigma ** 2 for s in hypothesis)
        tolerance = band(variance, expectation.resolution_g, expectation.floor_g)
        residual = abs(delta_g - change)
        if residual > tolerance:
            continue
        units = sum(s.qty for s in hypothesis)
        score = residual / tolerance + 0.5 * (units - 1) + 0.25 * (len(hypothesis) - 1)
        if best is None or score < best[0]:
            best = (score, hypothesis)
    return best[1] if best else []


def _hypotheses(delta_g: int, ordered: dict[str, tuple[ItemWeight, int]],
                extra_items: list[ItemWeight]) -> list[list[Suspect]]:
    out: list[list[Suspect]] = []
    missing = [(item, min(qty, MAX_UNITS_PER_SKU)) for item, qty in ordered.values()]
    if delta_g < 0:
        out += _combos(missing, "missing")
    else:
        out += _combos([(item, MAX_UNITS_PER_SKU) for item in extra_items], "extra")
    # A swap: one unit of an ordered item is missing and one unit of something else is in its place.
    for (gone, _), came in product(missing, extra_items):
        if gone.sku != came.sku:
            out.append([_suspect(gone, 1, "missing"), _suspect(came, 1, "extra")])
    return out


def _combos(pool: list[tuple[ItemWeight, int]], direction: str) -> list[list[Suspect]]:
    out: list[list[Suspect]] = []
    for size in range(1, min(MAX_SKUS_PER_HYPOTHESIS, len(pool)) + 1):
        for chosen in combinations(pool, size):
            for counts in product(*[range(1, cap + 1) for _, cap in chosen]):
                out.append([_suspect(item, n, direction) for (item, _), n in zip(chosen, counts)])
    return out


def _suspect(item: ItemWeight, qty: int, direction: str) -> Suspect:
    return Suspect(item.sku, item.name, qty, direction, item.unit_weight_g * qty)
