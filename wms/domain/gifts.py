"""Gift rules (赠品策略): which gifts an arriving order earns, by what it buys, what it paid,
its shop and when it was paid; and its lines with the gifts added, marked as gifts.

A gift is an order line like any other for the shelves, the packer and the scale (it is
reserved, picked, scanned and weighed), but it was never sold: a line says how many of its
units are gifts (`DraftLine.gift`), and nothing that tells a platform what was sold counts them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from wms.domain.errors import Invalid
from wms.domain.orders import DraftLine

MAX_GIFT_QTY = 1000


@dataclass(frozen=True)
class GiftRule:
    """Buy `min_qty` of `sku` (any SKU when None) and/or pay at least `min_amount`, in `shop`
    (any when None), paid within [starts_at, ends_at): get `gift_qty` of `gift_sku`. With
    `repeat` the gift is given once per full `min_qty` (每满 N 件送), or per full `min_amount`."""

    name: str
    gift_sku: str
    gift_qty: int
    sku: str | None = None
    min_qty: int = 1
    min_amount: Decimal | None = None
    shop: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    repeat: bool = False

    def check(self) -> GiftRule:
        """The rule as stored, or Invalid naming what makes no sense."""
        if not self.name.strip():
            raise Invalid("name: a gift rule needs a name", "missing_field")
        if not self.gift_sku.strip():
            raise Invalid("gift_sku: which SKU is given", "missing_field")
        if not 1 <= self.gift_qty <= MAX_GIFT_QTY:
            raise Invalid(f"gift_qty: between 1 and {MAX_GIFT_QTY}", "invalid_qty")
        if self.min_qty < 1 or self.min_qty > 100_000:
            raise Invalid("min_qty: at least 1", "invalid_qty")
        if self.sku is None and self.min_amount is None and self.shop is None:
            raise Invalid("a gift rule needs a condition: a SKU bought, an order amount or a shop "
                          "(a gift to every order is a shop-wide rule: give the shop)", "missing_field")
        if self.repeat and self.sku is None and not self.min_amount:
            raise Invalid("repeat: needs a SKU's quantity or an order amount to repeat by", "invalid_field")
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise Invalid("ends_at: must be after starts_at", "invalid_time")
        return self


@dataclass(frozen=True)
class OrderFacts:
    """What a rule looks at: the sold lines (combos already exploded or not: a rule names the
    SKU as sold), what the buyer paid (None when the channel did not say), shop, payment time."""

    lines: list[DraftLine]
    paid_amount: Decimal | None
    shop: str | None
    paid_at: datetime | None


def times_earned(rule: GiftRule, order: OrderFacts) -> int:
    """How many times the order earns the rule's gift (0: not at all)."""
    if rule.shop is not None and rule.shop != order.shop:
        return 0
    if order.paid_at is not None:
        if rule.starts_at is not None and order.paid_at < rule.starts_at:
            return 0
        if rule.ends_at is not None and order.paid_at >= rule.ends_at:
            return 0
    elif rule.starts_at is not None or rule.ends_at is not None:
        return 0
    times = 1
    if rule.sku is not None:
        bought = sum(line.qty - line.gift for line in order.lines if line.sku == rule.sku)
        if bought < rule.min_qty:
            return 0
        times = bought // rule.min_qty if rule.repeat else 1
    if rule.min_amount is not None:
        if order.paid_amount is None or order.paid_amount < rule.min_amount:
            return 0
        if rule.repeat and rule.sku is None and rule.min_amount > 0:
            times = int(order.paid_amount // rule.min_amount)
    return times


def gifts_for(rules: list[GiftRule], order: OrderFacts) -> list[tuple[GiftRule, int]]:
    """Each rule the order earns with the units it gives, in the rules' order."""
    earned = []
    for rule in rules:
        times = times_earned(rule, order)
        if times:
            earned.append((rule, min(times * rule.gift_qty, MAX_GIFT_QTY)))
    return earned


def add_gifts(lines: list[DraftLine], gifts: list[tuple[str, int]]) -> list[DraftLine]:
    """The order's lines with gift units added (sku, qty): a SKU the order holds already gets
    them on its line (one line per SKU, the gift count beside), another a new gift line."""
    out = list(lines)
    for sku, qty in gifts:
        at = next((i for i, line in enumerate(out) if line.sku == sku), None)
        if at is None:
            out.append(DraftLine(sku, qty, gift=qty))
        else:
            out[at] = replace(out[at], qty=out[at].qty + qty, gift=out[at].gift + qty)
    return out


def sold(lines: list[DraftLine]) -> list[DraftLine]:
    """What the buyer bought: the lines without their gift units (what a platform is told)."""
    return [DraftLine(line.sku, line.qty - line.gift) for line in lines if line.qty - line.gift > 0]
