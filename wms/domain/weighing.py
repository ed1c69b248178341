"""Check-weighing: what a parcel should weigh, how far off is still fine, and what explains the rest.

The tolerance model
-------------------
Master data gives each SKU a unit weight w_i and a `tolerance_g` t_i: the largest
deviation one unit is expected to show (fill level, print, moisture, batch). We read it as
three standard deviations, sigma_i = t_i / 3, and likewise for the packaging and the
filler. Units vary independently, so *variances* add, not tolerances:

    expected = sum(qty_i * w_i) + packaging + filler
    var      = sum(qty_i * sigma_i^2) + sigma_packaging^2 + sigma_filler^2 + d^2 / 12
    band     = ceil(K * sqrt(var) + d / 2), at least max(floor_g, 2 * d)

where d is the scale division (its resolution). d^2/12 is the variance of rounding a
reading to the nearest division (a uniform error of +-d/2). The extra d/2 added to the
band keeps a parcel sitting just inside the band from being pushed out by that last
rounding step; it is deliberately conservative and costs at most half a division.

K sets the false-alarm rate on correct parcels: under normal errors P(|Z| > K) is 0.27 %
for K = 3 (0.5 % would be K = 2.81). Summing many independent units makes the total close
to normal even when single units are not (central limit), and the ceil and d/2 push the
real rate a little lower still: bench/packing_model.py measures 0.15-0.20 % for K = 3
(0.31 % for K = 2.8, 0.8 % for K = 2.5). K = 3 keeps a margin for master data whose
stated spreads are too tight (25 % too tight already makes it about 1 %).

Adding linearly (sum of t_i) would make the band grow with the number of units and let a
missing light item hide in a big parcel; root-sum-of-squares grows with sqrt(n).

The floor exists because the model does not know everything: scale drift between
calibrations, a packing slip, tape, a label. A band of 1-2 g on a light parcel would
raise false alarms on those.

What a weighing can and cannot catch: a missing unit is caught when its weight clearly
exceeds the band, roughly w > band + 2.6 sigma_parcel for 99.5 %. A 20 g item in a parcel
whose other items spread by +-60 g cannot be seen by any scale; scanning each unit is what
catches it.

Suspects
--------
For a mismatch, a small exact search over stories: "q units of these SKUs are missing"
(the order's items), "q units of these are extra" (the order's items, and the items the
station recently refused as wrong scans: the likeliest strays in a box), and "q units of A
were swapped for q units of B". At most MAX_UNITS_PER_SKU units per SKU and
MAX_SKUS_PER_HYPOTHESIS distinct SKUs per story; weights are positive, so the search
stops as soon as a partial story outweighs the difference by more than any band.

A story H changes the expected weight by c_H and the variance to var_H (extra units add
their spread, missing ones remove theirs). It is plausible only if the residual
r = delta - c_H lies within band(var_H). Plausible stories are ranked by

    score = r^2 / (2 var_H) + ln(sqrt(var_H / var)) + cost(H)

the negative log-likelihood of the residual plus a prior cost in nats: the first unit
of a story costs ln(100) (a slip happens in about one parcel in a hundred), each further
unit of the same SKU ln(10) (the same slip repeated: two socks instead of three), each
further SKU ln(100) again. An extra item the station itself refused as a wrong scan is
likelier than any other extra. Swapping such a seen stray in for an ordered unit is one
slip with a small surcharge; "swapping in" an ordered item is two slips (a missing unit
and an over-packed one) and costs as much. The best story is returned, and a second one
when it is nearly as likely (within AMBIGUOUS_NATS).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

TOLERANCE_SIGMAS = 3.0  # how many standard deviations a stated tolerance_g stands for
K_SIGMA = 3.0  # the decision threshold in standard deviations of the parcel's weight
DEFAULT_FLOOR_G = 5
MAX_UNITS_PER_SKU = 3
MAX_SKUS_PER_HYPOTHESIS = 3
MAX_HYPOTHESES = 200_000  # a safety valve for huge orders; real ones stay far below

COST_SLIP = math.log(100)  # the first unit of any story
COST_SAME_SKU_UNIT = math.log(10)  # each further unit of a SKU already in the story
COST_SWAP = 1.0  # a swap needs a wrong item at hand as well as a missing one
BONUS_SEEN_STRAY = 1.0  # the station refused this item as a wrong scan minutes ago
AMBIGUOUS_NATS = 2.0  # a second story within this of the best is shown too (less than ~7x less likely)


@dataclass(frozen=True)
class ItemWeight:
    sku: str
    name: str
    unit_weight_g: int
    tolerance_g: int  # one unit's largest expected deviation, read as 3 sigma

    @property
    def sigma(self) -> float:
        return max(self.tolerance_g, 0) / TOLERANCE_SIGMAS


@dataclass(frozen=True)
class Packaging:
    code: str
    name: str
    weight_g: int
    tolerance_g: int  # like an item's: 3 sigma
    inner_l_mm: int = 0
    inner_w_mm: int = 0
    inner_h_mm: int = 0
    max_load_g: int = 0  # 0: no stated limit

    @property
    def sigma(self) -> float:
        return max(self.tolerance_g, 0) / TOLERANCE_SIGMAS


@dataclass(frozen=True)
class Part:
    """One term of the expectation, for showing a person where the grams and the band come from."""

    kind: str  # item | packaging | filler | scale
    ref: str  # sku, packaging code, "filler" or "scale"
    qty: int
    grams: int
    sigma_g: float


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
    k: float = K_SIGMA
    parts: tuple[Part, ...] = ()

    @property
    def sigma_g(self) -> float:
        return math.sqrt(max(self.variance, 0.0))


@dataclass(frozen=True)
class Suspect:
    sku: str
    name: str
    qty: int
    direction: str  # missing | extra
    weight_g: int  # qty * unit weight


@dataclass(frozen=True)
class Hypothesis:
    """One story for a weight difference, with how well it fits."""

    suspects: tuple[Suspect, ...]
    change_g: int  # what the story does to the expected weight (missing negative, extra positive)
    residual_g: int  # delta - change_g
    tolerance_g: int  # the band under this story
    score: float  # lower is likelier; see the module docstring

    def describe(self) -> str:
        return "; ".join(f"{s.direction} {s.qty} × {s.name} (≈{s.weight_g} g)" for s in self.suspects)


@dataclass(frozen=True)
class Judgement:
    verdict: str  # pass | underweight | overweight | unstable
    delta_g: int  # measured - expected
    suspects: list[Suspect] = field(default_factory=list)  # the likeliest story, empty if none fits


def band(variance: float, resolution_g: int, floor_g: int, k: float = K_SIGMA) -> int:
    """The +- grams a parcel of this variance may be off; see the module docstring."""
    floor = max(floor_g, 2 * resolution_g)
    return max(floor, math.ceil(k * math.sqrt(max(variance, 0.0)) + resolution_g / 2))


def expect(
    lines: list[tuple[ItemWeight, int]],
    packaging: Packaging | None = None,
    filler_g: int = 0,
    filler_tolerance_g: int = 0,
    scale_resolution_g: int = 1,
    floor_g: int = DEFAULT_FLOOR_G,
    k: float = K_SIGMA,
) -> Expectation:
    """What the parcel should weigh and how far off it may be; see the module docstring."""
    if scale_resolution_g < 1:
        raise ValueError("scale_resolution_g is at least 1 g")
    parts: list[Part] = []
    for item, qty in lines:
        if qty < 0:
            raise ValueError(f"{item.sku}: negative quantity {qty}")
        if qty:
            parts.append(Part("item", item.sku, qty, item.unit_weight_g * qty, math.sqrt(qty) * item.sigma))
    if packaging is not None:
        parts.append(Part("packaging", packaging.code, 1, packaging.weight_g, packaging.sigma))
    if filler_g or filler_tolerance_g:
        parts.append(Part("filler", "filler", 1, filler_g, max(filler_tolerance_g, 0) / TOLERANCE_SIGMAS))
    parts.append(Part("scale", "scale", 1, 0, scale_resolution_g / math.sqrt(12)))
    variance = sum(p.sigma_g ** 2 for p in parts)
    items_g = sum(p.grams for p in parts if p.kind == "item")
    pack_g = packaging.weight_g if packaging is not None else 0
    return Expectation(
        expected_g=items_g + pack_g + filler_g,
        tolerance_g=band(variance, scale_resolution_g, floor_g, k),
        items_g=items_g, packaging_g=pack_g, filler_g=filler_g, variance=variance,
        resolution_g=scale_resolution_g, floor_g=floor_g, k=k, parts=tuple(parts),
    )


def verdict_for_delta(delta_g: int, tolerance_g: int) -> str:
    """The band's edges still pass."""
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
    """Pass, or under/overweight with the likeliest story (`explain` gives a second one nearly as
    likely). An unstable reading is never judged."""
    delta = measured_g - expectation.expected_g
    if not stable:
        return Judgement("unstable", delta, [])
    verdict = verdict_for_delta(delta, expectation.tolerance_g)
    if verdict == "pass":
        return Judgement("pass", delta, [])
    stories = explain(delta, expectation, order_lines, extra_candidates or [])
    return Judgement(verdict, delta, list(stories[0].suspects) if stories else [])


def explain(
    delta_g: int,
    expectation: Expectation,
    order_lines: list[tuple[ItemWeight, int]],
    extra_candidates: list[ItemWeight],
    ambiguous_nats: float = AMBIGUOUS_NATS,
) -> list[Hypothesis]:
    """The best plausible story, and a second one if it is nearly as likely; [] if none fits."""
    ranked = _Search(delta_g, expectation, order_lines, extra_candidates).run()
    if not ranked:
        return []
    best = ranked[0]
    return [best] + [h for h in ranked[1:2] if h.score - best.score < ambiguous_nats]


# ------------------------------------------------------------------ the search


@dataclass(frozen=True)
class _Pick:
    item: ItemWeight
    cap: int  # most units this story may name
    cost: float  # prior cost of the first unit (nats)


class _Search:
    """Bounded enumeration of missing / extra / swap stories; keeps the best three."""

    def __init__(self, delta_g: int, expectation: Expectation, order_lines: list[tuple[ItemWeight, int]],
                 extra_candidates: list[ItemWeight]) -> None:
        self.delta, self.e = delta_g, expectation
        self.var0 = max(expectation.variance, 1e-9)
        ordered: dict[str, tuple[ItemWeight, int]] = {}
        for item, qty in order_lines:
            if qty > 0 and item.unit_weight_g > 0:
                prev = ordered.get(item.sku)
                ordered[item.sku] = (item, qty + (prev[1] if prev else 0))
        seen = {c.sku: c for c in extra_candidates if c.unit_weight_g > 0 and c.sku not in ordered}
        self.missing_pool = sorted(
            (_Pick(item, min(qty, MAX_UNITS_PER_SKU), COST_SLIP) for item, qty in ordered.values()),
            key=lambda p: p.item.unit_weight_g)
        self.stray_pool = sorted(
            [_Pick(item, MAX_UNITS_PER_SKU, COST_SLIP) for item, _ in ordered.values()]
            + [_Pick(item, MAX_UNITS_PER_SKU, COST_SLIP - BONUS_SEEN_STRAY) for item in seen.values()],
            key=lambda p: p.item.unit_weight_g)
        self.seen = set(seen)
        self.best: list[Hypothesis] = []
        self.evaluated = 0

    def run(self) -> list[Hypothesis]:
        if self.delta < 0 and self.missing_pool:
            self._same_direction(self.missing_pool, -self.delta, "missing", -1)
        if self.delta > 0 and self.stray_pool:
            self._same_direction(self.stray_pool, self.delta, "extra", +1)
        self._swaps()
        return self.best

    # Stories that only remove or only add units: weights are positive, so a partial story
    # heavier than |delta| plus the widest band it could have can only get worse.
    def _same_direction(self, pool: list[_Pick], target: int, direction: str, sign: int) -> None:
        widest = self.var0 + (MAX_SKUS_PER_HYPOTHESIS * MAX_UNITS_PER_SKU
                              * max(p.item.sigma for p in pool) ** 2 if sign > 0 else 0.0)
        limit = target + band(widest, self.e.resolution_g, self.e.floor_g, self.e.k)
        chosen: list[tuple[_Pick, int]] = []

        def grow(start: int, grams: int) -> None:
            for i in range(start, len(pool)):
                pick = pool[i]
                w = pick.item.unit_weight_g
                if grams + w > limit or self.evaluated >= MAX_HYPOTHESES:
                    return  # pool is sorted by weight: every later pick is heavier still
                for q in range(1, pick.cap + 1):
                    total = grams + q * w
                    if total > limit:
                        break
                    chosen.append((pick, q))
                    self._consider([(p.item, n, direction, p.cost) for p, n in chosen])
                    if len(chosen) < MAX_SKUS_PER_HYPOTHESIS:
                        grow(i + 1, total)
                    chosen.pop()

        grow(0, 0)

    def _swaps(self) -> None:
        for gone in self.missing_pool:
            for came in self.stray_pool:
                if came.item.sku == gone.item.sku:
                    continue
                # A seen stray swapped in is one slip; an ordered item "swapped in" is two (an over-pack too).
                surcharge = COST_SWAP + came.cost - COST_SLIP if came.item.sku in self.seen else came.cost
                for q in range(1, gone.cap + 1):
                    self._consider([(gone.item, q, "missing", gone.cost + surcharge),
                                    (came.item, q, "extra", 0.0)])

    def _consider(self, story: list[tuple[ItemWeight, int, str, float]]) -> None:
        self.evaluated += 1
        change, variance, cost = 0, self.var0, 0.0
        for item, qty, direction, first_cost in story:
            sign = 1 if direction == "extra" else -1
            change += sign * qty * item.unit_weight_g
            variance += sign * qty * item.sigma ** 2
            cost += first_cost + (qty - 1) * COST_SAME_SKU_UNIT
        variance = max(variance, self.e.resolution_g ** 2 / 12, 1e-9)
        residual = self.delta - change
        tolerance = band(variance, self.e.resolution_g, self.e.floor_g, self.e.k)
        if abs(residual) > tolerance:
            return
        score = residual ** 2 / (2 * variance) + 0.5 * math.log(variance / self.var0) + cost
        if len(self.best) == 3 and score >= self.best[-1].score:
            return
        suspects = tuple(Suspect(item.sku, item.name, qty, direction, qty * item.unit_weight_g)
                         for item, qty, direction, _ in story)
        self.best.append(Hypothesis(suspects, change, residual, tolerance, score))
        self.best.sort(key=lambda h: h.score)
        del self.best[3:]
