"""The after-sales policy, without a database."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from wms.domain.return_policy import CaseItem, assess_short_shipment, evaluate_case, quality_alerts, refund_amount

NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)
TEE = CaseItem("TEE", 1, "apparel", unit_price=Decimal("59.90"))


def test_a_no_reason_return_inside_seven_days_is_allowed_and_the_buyer_pays_postage():
    d = evaluate_case("return_refund", "no_reason_7d", [TEE], NOW - timedelta(days=6), NOW)
    assert d.allowed and d.shipping_payer == "buyer"


def test_the_window_ends_seven_days_after_delivery():
    d = evaluate_case("return_refund", "no_reason_7d", [TEE], NOW - timedelta(days=8), NOW)
    assert not d.allowed and "ended on 2026-11-21" in d.reason


def test_special_price_and_worn_items_need_a_quality_problem():
    cheap = CaseItem("TEE", 1, "apparel", special_price=True)
    worn = CaseItem("TEE", 1, "apparel", condition="worn")
    assert not evaluate_case("return_refund", "changed_mind", [cheap], NOW, NOW).allowed
    assert not evaluate_case("return_refund", "changed_mind", [worn], NOW, NOW).allowed
    assert evaluate_case("return_refund", "quality", [worn], NOW, NOW).allowed


def test_the_shop_pays_for_its_own_mistakes_and_refunds_the_postage():
    d = evaluate_case("return_refund", "wrong_item", [TEE], NOW, NOW)
    assert d.shipping_payer == "shop"
    assert refund_amount([TEE], "return_refund", "shop") == Decimal("69.90")
    assert refund_amount([TEE], "return_refund", "buyer") == Decimal("59.90")


def test_transit_damage_is_the_carriers_responsibility():
    assert evaluate_case("return_refund", "transit_damage", [TEE], NOW, NOW).responsibility == "carrier"


def test_short_shipment_assessments():
    shipped_full = [{"grams": 501, "expected_g": 500, "tolerance_g": 8, "verdict": "pass"}]
    shipped_light = [{"grams": 452, "expected_g": 500, "tolerance_g": 8, "verdict": "underweight"}]
    assert assess_short_shipment(shipped_full, 48).verdict == "full_weight"
    assert assess_short_shipment(shipped_light, 48).verdict == "light_by_item"
    assert assess_short_shipment(shipped_full, 5).verdict == "inconclusive"
    assert assess_short_shipment([], 48).verdict == "no_record"


def test_three_quality_cases_in_a_week_raise_an_alert():
    cases = [("CUP", "quality", NOW - timedelta(days=d)) for d in (1, 2, 3)] + [("TEE", "quality", NOW - timedelta(days=20))]
    assert quality_alerts(cases, NOW) == [{"sku": "CUP", "cases": 3, "since": "2026-11-15"}]
