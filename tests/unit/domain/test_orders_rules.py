"""Order review and status rules, without a database."""

from decimal import Decimal

import pytest

from wms.domain.errors import Conflict, Invalid
from wms.domain.orders import (
    DraftLine,
    Recipient,
    check_transition,
    is_mainland_mobile,
    mask_phone,
    parse_money,
    review_order,
)

GOOD = Recipient("张三", "13812345678", "广东省", "深圳市", "南山区", "科技园南区 18 号")


@pytest.mark.parametrize("phone", ["13812345678", "+86 138 1234 5678", "0086-19912345678", "17612345678"])
def test_mainland_mobiles_are_accepted_in_the_forms_sellers_export(phone):
    assert is_mainland_mobile(phone)


@pytest.mark.parametrize("phone", ["1381234567", "12812345678", "0571-88886666", "abc", ""])
def test_landlines_short_numbers_and_junk_are_not_mobiles(phone):
    assert not is_mainland_mobile(phone)


def test_a_phone_is_masked_as_on_a_waybill():
    assert mask_phone("13812345678") == "138****5678"


def test_a_short_number_never_shows_whole_under_its_mask():
    assert mask_phone("1234567") == "****"
    assert mask_phone("88886666") == "****6666"
    assert "1234567" not in mask_phone("1234567")


def test_a_complete_order_passes_review():
    assert review_order(GOOD, [DraftLine("A", 1)], {"A"}).ok


def test_review_lists_every_problem_it_finds():
    bad = Recipient("", "123", "广东省", "深圳市", "", "x")
    review = review_order(bad, [DraftLine("A", 0), DraftLine("Z", 1)], {"A"})
    assert not review.ok
    text = review.reason()
    for expected in ("recipient name is missing", "district is missing", "not a mainland mobile",
                     "unknown SKU Z", "quantity of A must be at least 1"):
        assert expected in text


def test_a_cod_order_without_an_amount_is_a_problem():
    assert not review_order(GOOD, [DraftLine("A", 1)], {"A"}, "cod", Decimal("0")).ok


def test_a_shipped_order_cannot_be_cancelled():
    with pytest.raises(Conflict):
        check_transition("shipped", "cancelled")


def test_a_held_order_can_be_released_back_to_review():
    check_transition("on_hold", "reviewed")


def test_money_is_kept_exact_to_the_fen():
    assert parse_money("128.005") == Decimal("128.00") or parse_money("128.005") == Decimal("128.01")
    assert parse_money(None) == Decimal("0.00")
    with pytest.raises(Invalid):
        parse_money("-1")
    with pytest.raises(Invalid):
        parse_money("12元")
