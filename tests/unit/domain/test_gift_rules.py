"""Gift rules in plain values: what an order earns, and how gifts join its lines."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from wms.domain.errors import Invalid
from wms.domain.gifts import GiftRule, OrderFacts, add_gifts, gifts_for, sold
from wms.domain.incoming import explode_combos
from wms.domain.orders import DraftLine

PAID = datetime(2026, 12, 7, 12, tzinfo=UTC)


def facts(lines, amount=None, shop=None, paid_at=PAID):
    return OrderFacts([DraftLine(s, q) for s, q in lines], Decimal(amount) if amount else None, shop, paid_at)


def test_a_sku_rule_gives_once_or_per_full_quantity():
    once = GiftRule("buy3", "CARD", 1, sku="TEE", min_qty=3)
    each = GiftRule("every2", "SOCK", 1, sku="TEE", min_qty=2, repeat=True)
    assert gifts_for([once, each], facts([("TEE", 2)])) == [(each, 1)]
    assert gifts_for([once, each], facts([("TEE", 7)])) == [(once, 1), (each, 3)]


def test_amount_shop_and_window_must_all_hold():
    rule = GiftRule("618", "MUG", 1, min_amount=Decimal("100"), shop="旗舰店",
                    starts_at=datetime(2026, 12, 1, tzinfo=UTC), ends_at=datetime(2026, 12, 8, tzinfo=UTC))
    assert gifts_for([rule], facts([("TEE", 1)], "100.00", "旗舰店"))
    assert not gifts_for([rule], facts([("TEE", 1)], "99.99", "旗舰店"))
    assert not gifts_for([rule], facts([("TEE", 1)], None, "旗舰店"))  # the channel did not say what was paid
    assert not gifts_for([rule], facts([("TEE", 1)], "500", "别的店"))
    assert not gifts_for([rule], facts([("TEE", 1)], "500", "旗舰店", datetime(2026, 12, 8, tzinfo=UTC)))
    per_100 = GiftRule("每满100", "CARD", 2, min_amount=Decimal("100"), repeat=True)
    assert gifts_for([per_100], facts([("TEE", 1)], "350")) == [(per_100, 6)]


def test_gifts_join_a_line_of_the_same_sku_and_sold_leaves_them_out():
    lines = add_gifts([DraftLine("TEE", 2)], [("TEE", 1), ("MUG", 2)])
    assert lines == [DraftLine("TEE", 3, 1), DraftLine("MUG", 2, 2)]
    assert sold(lines) == [DraftLine("TEE", 2)]
    again = GiftRule("buy2", "CARD", 1, sku="TEE", min_qty=3)
    assert not gifts_for([again], OrderFacts(lines, None, None, PAID))  # a gifted TEE was not bought


def test_a_gift_combo_explodes_into_gift_parts():
    lines, _ = explode_combos(add_gifts([DraftLine("TEE", 1)], [("SET", 1)]), {"SET": [("MUG", 2), ("TEE", 1)]})
    assert lines == [DraftLine("TEE", 2, 1), DraftLine("MUG", 2, 2)]


@pytest.mark.parametrize("rule, words", [
    (GiftRule("", "MUG", 1, sku="TEE"), "name"),
    (GiftRule("x", "MUG", 0, sku="TEE"), "gift_qty"),
    (GiftRule("x", "MUG", 1), "needs a condition"),
    (GiftRule("x", "MUG", 1, shop="s", repeat=True), "repeat"),
    (GiftRule("x", "MUG", 1, sku="TEE", starts_at=PAID, ends_at=PAID), "ends_at"),
])
def test_rules_that_make_no_sense_are_named(rule, words):
    with pytest.raises(Invalid, match=words):
        rule.check()
