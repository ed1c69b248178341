"""Freight: what a parcel should cost by the carrier's rate table (首重 + 续重), and how a line of
the courier's bill is judged against our own outbound weighing, the evidence a claim rests on.

A rate is per region (a province, or "*" for everywhere else): the first `first_g` grams cost
`first_fee`, each further `step_g` grams begun cost `step_fee`. A billed line is:
- `ok`: the fee is what our weight costs (or less);
- `overweight`: billed heavier than we weighed (beyond the rounding the rate allows) and charged
  for it: the claim is the difference between the fee and what our weight costs;
- `overcharged`: the weight agrees, the fee does not follow the rate table;
- `not_ours`: a number we never packed; `voided`: a parcel voided before it left;
  `duplicate`: billed twice (in this bill or an earlier one): each claims the whole fee.
Without a rate for the region, a weight over ours (rounded up to a whole step) is still
`overweight`, with no amount to claim.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
OK, OVERWEIGHT, OVERCHARGED, NOT_OURS, VOIDED, DUPLICATE = (
    "ok", "overweight", "overcharged", "not_ours", "voided", "duplicate")


@dataclass(frozen=True)
class Rate:
    region: str  # a province, or "*"
    first_g: int
    first_fee: Decimal
    step_g: int
    step_fee: Decimal

    def fee(self, grams: int) -> Decimal:
        """What a parcel of `grams` costs: the first weight, then each further step begun."""
        extra = max(0, grams - self.first_g)
        steps = -(-extra // self.step_g) if self.step_g > 0 else 0
        return (self.first_fee + self.step_fee * steps).quantize(CENT, ROUND_HALF_UP)

    def rounded(self, grams: int) -> int:
        """The weight the rate charges for: the first weight, or up to a whole further step."""
        if grams <= self.first_g or self.step_g <= 0:
            return self.first_g
        return self.first_g + -(-(grams - self.first_g) // self.step_g) * self.step_g


def rate_for(rates: list[Rate], province: str) -> Rate | None:
    """The province's own rate, else the carrier's "*" rate, else None."""
    return next((r for r in rates if r.region == province), None) or next((r for r in rates if r.region == "*"), None)


@dataclass(frozen=True)
class Judgement:
    verdict: str
    expected_fee: Decimal | None  # what our weight costs, by the rate
    claim: Decimal  # what to claim back (0 when nothing)


def judge_line(billed_g: int, billed_fee: Decimal, our_g: int, rate: Rate | None) -> Judgement:
    """A billed parcel we packed and shipped, against our outbound weighing."""
    if rate is None:
        heavier = billed_g > -(-our_g // 1000) * 1000
        return Judgement(OVERWEIGHT if heavier else OK, None, Decimal("0.00"))
    expected = rate.fee(our_g)
    if billed_fee <= expected:
        return Judgement(OK, expected, Decimal("0.00"))
    claim = (billed_fee - expected).quantize(CENT, ROUND_HALF_UP)
    heavier = billed_g > rate.rounded(our_g)
    return Judgement(OVERWEIGHT if heavier else OVERCHARGED, expected, claim)


def whole_fee(verdict: str, billed_fee: Decimal) -> Judgement:
    """A line with no parcel to weigh against (not ours, voided, billed twice): all of it is claimed."""
    return Judgement(verdict, None, billed_fee.quantize(CENT, ROUND_HALF_UP))
