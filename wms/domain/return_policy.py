"""After-sales policy from the sellers' manuals: what may come back, who pays, what to decide.

Configurable in one dataclass: the no-reason window (7 days from delivery), categories
that need a quality problem to come back (underwear, gifts, special-price items), item
conditions that are refused (worn, washed, tag missing), and the return shipping fee.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

CASE_TYPES = ("refund_only", "return_refund", "exchange", "reship", "lost_claim")
REASONS = ("quality", "wrong_item", "short_shipment", "transit_damage", "no_reason_7d", "changed_mind")
# The shop pays return shipping when the fault is on the shipping side of the counter.
SHOP_PAYS = frozenset({"quality", "wrong_item", "short_shipment", "transit_damage"})
BUYER_REASONS = frozenset({"no_reason_7d", "changed_mind"})
RETURNING_TYPES = frozenset({"return_refund", "exchange"})


@dataclass(frozen=True)
class ReturnPolicy:
    window_days: int = 7
    non_returnable_categories: frozenset[str] = frozenset({"underwear", "gift"})
    special_price_needs_quality: bool = True
    refused_conditions: frozenset[str] = frozenset({"worn", "washed", "tag_missing"})
    shipping_fee: Decimal = Decimal("10.00")


@dataclass(frozen=True)
class CaseItem:
    sku: str
    qty: int
    category: str | None = None
    special_price: bool = False
    returnable: bool = True
    condition: str | None = None
    unit_price: Decimal = Decimal("0")


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str
    responsibility: str  # shop | buyer | carrier
    shipping_payer: str | None  # shop | buyer | None when nothing travels back


@dataclass
class Assessment:
    verdict: str  # full_weight | light_by_item | inconclusive | no_record
    recommendation: str
    details: dict = field(default_factory=dict)


def responsibility(reason: str) -> str:
    if reason == "transit_damage":
        return "carrier"
    return "shop" if reason in SHOP_PAYS else "buyer"


def evaluate_case(case_type: str, reason: str, items: list[CaseItem], delivered_at: datetime | None,
                  now: datetime, policy: ReturnPolicy = ReturnPolicy()) -> Decision:
    """May this case go ahead under the policy? The refusal says exactly why."""
    payer = ("shop" if reason in SHOP_PAYS else "buyer") if case_type in RETURNING_TYPES else None
    who = responsibility(reason)
    if reason in BUYER_REASONS and case_type in RETURNING_TYPES | {"refund_only"}:
        if delivered_at is not None and now > delivered_at + timedelta(days=policy.window_days):
            ended = (delivered_at + timedelta(days=policy.window_days)).date().isoformat()
            return Decision(False, f"the {policy.window_days}-day no-reason return window ended on {ended}", who, payer)
        for item in items:
            if item.category in policy.non_returnable_categories or not item.returnable:
                return Decision(False, f"{item.sku} ({item.category or 'this category'}) cannot be returned "
                                       "without a quality problem", who, payer)
            if item.special_price and policy.special_price_needs_quality:
                return Decision(False, f"{item.sku} was sold at a special price: returns only for quality problems",
                                who, payer)
            if item.condition in policy.refused_conditions:
                return Decision(False, f"{item.sku} is {item.condition.replace('_', ' ')}: refused", who, payer)
    return Decision(True, "within policy", who, payer)


DECISIONS = ("upheld", "declined")
WAIT_DECISION, WAIT_RETURN, RELEASE, CANCEL = "wait_decision", "wait_return", "release", "cancel"


def replacement_gate(case_type: str, responsibility: str | None, decision: str | None, inspected: bool) -> str:
    """When a reship or exchange order may leave: never before the case is decided (a declined
    short-shipment claim must not ship free goods), and a buyer-fault exchange only once the
    return is in and inspected (seed SOP: exchanges wait for the return unless the shop is at fault)."""
    if decision == "declined":
        return CANCEL
    if decision != "upheld":
        return WAIT_DECISION
    if case_type == "exchange" and responsibility == "buyer" and not inspected:
        return WAIT_RETURN
    return RELEASE


def refund_amount(items: list[CaseItem], case_type: str, shipping_payer: str | None,
                  policy: ReturnPolicy = ReturnPolicy()) -> Decimal:
    """Goods refunded, plus the return postage the buyer advanced when the shop is at fault."""
    if case_type in ("exchange", "reship", "lost_claim"):
        return Decimal("0.00")
    goods = sum((i.unit_price * i.qty for i in items), Decimal("0"))
    postage = policy.shipping_fee if case_type == "return_refund" and shipping_payer == "shop" else Decimal("0")
    return (goods + postage).quantize(Decimal("0.01"))


def assess_short_shipment(outbound: list[dict], claimed_weight_g: int) -> Assessment:
    """Compare the claim ('an item was missing') with the parcel's outbound weight record (底单称重)."""
    shipped = [w for w in outbound if w.get("verdict") == "pass" or w is outbound[-1]] if outbound else []
    if not shipped:
        return Assessment("no_record", "no outbound weighing on record: decide on other evidence")
    last = shipped[-1]
    delta, tol = last["grams"] - last["expected_g"], last["tolerance_g"]
    details = {"shipped_g": last["grams"], "expected_g": last["expected_g"], "tolerance_g": tol,
               "delta_g": delta, "claimed_item_g": claimed_weight_g}
    if claimed_weight_g <= tol:
        return Assessment("inconclusive", f"the claimed item (≈{claimed_weight_g} g) is lighter than the "
                          f"weighing tolerance (±{tol} g): the weight cannot tell; decide on other evidence", details)
    if abs(delta + claimed_weight_g) <= tol:
        return Assessment("light_by_item", f"the parcel left {-delta} g light, about the claimed item's "
                          f"{claimed_weight_g} g: likely short-shipped; reship", details)
    if abs(delta) <= tol:
        return Assessment("full_weight", f"the parcel left at full weight ({last['grams']} g, expected "
                          f"{last['expected_g']} ± {tol} g); without the item it would have been ≈{claimed_weight_g} g "
                          "light: decline with the weight evidence, or claim from the carrier if the parcel was opened",
                          details)
    return Assessment("inconclusive", f"the parcel left {delta:+d} g off, which the claimed item does not explain",
                      details)


def quality_alerts(cases: list[tuple[str, str, datetime]], now: datetime, days: int = 7,
                   threshold: int = 3) -> list[dict]:
    """SKUs hit by `threshold` or more quality cases within `days`: stop and inspect the batch."""
    since = now - timedelta(days=days)
    counts: dict[str, int] = {}
    for sku, reason, at in cases:
        if reason == "quality" and at >= since:
            counts[sku] = counts.get(sku, 0) + 1
    return [{"sku": s, "cases": n, "since": since.date().isoformat()}
            for s, n in sorted(counts.items(), key=lambda kv: -kv[1]) if n >= threshold]
