"""After-sales never gives goods away: a reship or exchange waits for the case's decision, a
declined case releases what it held, and the figures count only what came back or was upheld."""

from tests.integration import test_cases_and_returns as returns_tests
from tests.integration.test_cases_and_returns import delivered, ship

shop = returns_tests.shop  # the same fixture: a shop with stock and an after-sales client


def available(api, sku):
    return next(r for r in api.get("/api/stock").json() if r["sku"] == sku)["available"]


def test_a_short_shipment_claim_declined_on_full_weight_ships_nothing(api, shop):
    ship(api, "D1", [("SHIRT", 1), ("CUP", 1), ("SOCK", 1)], 501)
    socks = available(api, "SOCK")
    case = shop.post("/api/cases", {"order_no": "D1", "case_type": "reship", "reason": "short_shipment",
                                    "lines": [{"sku": "SOCK", "qty": 1}]}).json()
    assert case["weight_evidence"]["verdict"] == "full_weight"
    assert case["replacement"]["status"] == "on_hold" and "waits for the case decision" in case["replacement"]["hold_reason"]
    assert available(api, "SOCK") == socks, "nothing may be booked for a claim nobody has decided"
    assert api.as_("packer").post("/api/pack/sessions", {"order_no": "D1-RS1", "station": "PK-03"}).status_code == 409

    r = shop.post(f"/api/cases/{case['code']}/decision", {"decision": "declined", "reason": "left at full weight"})
    assert r.status_code == 200, r.text
    decided = r.json()
    assert (decided["decision"], decided["status"], decided["replacement"]["status"]) == ("declined", "closed", "cancelled")
    assert decided["decided_by"] == "test-after_sales"
    assert available(api, "SOCK") == socks
    row = next(r for r in shop.get("/api/reports/misshipments").json() if r["case"] == case["code"])
    assert row["decision"] == "declined" and row["counts_against_packing"] is False
    again = shop.post(f"/api/cases/{case['code']}/decision", {"decision": "upheld", "reason": "changed my mind"})
    assert again.status_code == 409 and again.json()["error"] == "case_closed"


def test_an_upheld_reship_is_reserved_and_the_register_counts_it(api, shop):
    ship(api, "D2", [("SHIRT", 1), ("SOCK", 1)], 228)
    case = shop.post("/api/cases", {"order_no": "D2", "case_type": "reship", "reason": "short_shipment",
                                    "lines": [{"sku": "SOCK", "qty": 1}]}).json()
    socks = available(api, "SOCK")
    decided = shop.post(f"/api/cases/{case['code']}/decision", {"decision": "upheld", "reason": "carrier photo shows one sock"}).json()
    assert decided["replacement"]["status"] == "reserved"
    assert available(api, "SOCK") == socks - 1
    row = next(r for r in shop.get("/api/reports/misshipments").json() if r["case"] == case["code"])
    assert row["decision"] == "upheld" and row["counts_against_packing"] is True and row["packer"] == "test-packer"
    history = api.get("/api/orders/D2-RS1").json()["history"]
    assert any(e["to"] == "reviewed" and "upheld" in (e["reason"] or "") for e in history)


def test_a_buyer_fault_exchange_ships_only_after_the_return_is_inspected(api, shop, engine):
    tracking = ship(api, "D3", [("SHIRT", 1)], 180)
    delivered(engine, tracking, 2)
    case = shop.post("/api/cases", {"order_no": "D3", "case_type": "exchange", "reason": "changed_mind",
                                    "lines": [{"sku": "SHIRT", "qty": 1}],
                                    "replacement_lines": [{"sku": "CUP", "qty": 1}]}).json()
    upheld = shop.post(f"/api/cases/{case['code']}/decision", {"decision": "upheld", "reason": "within 7 days"}).json()
    assert upheld["replacement"]["status"] == "on_hold"
    assert "once the return is received and inspected" in upheld["replacement"]["hold_reason"]
    replacement = upheld["replacement"]["order_no"]
    early = api.as_("supervisor").post(f"/api/orders/{replacement}/release", {"reason": "buyer keeps calling"})
    assert early.status_code == 409 and early.json()["error"] == "held_by_case", "only the case lifts its hold"
    assert api.get(f"/api/orders/{replacement}").json()["status"] == "on_hold"
    receipt = shop.post("/api/returns/receipts", {"code": tracking}).json()
    assert shop.get(f"/api/cases/{case['code']}").json()["replacement"]["status"] == "on_hold"
    r = shop.post(f"/api/returns/receipts/{receipt['receipt_id']}/inspect",
                  {"items": [{"sku": "SHIRT", "qty": 1, "disposition": "restock", "bin": "A01-01-1",
                             "condition": "intact"}]})
    assert r.status_code == 200, r.text
    assert shop.get(f"/api/cases/{case['code']}").json()["replacement"]["status"] == "reserved"


def test_a_shop_fault_exchange_leaves_on_the_decision_without_waiting_for_the_return(api, shop):
    ship(api, "D4", [("SHIRT", 1)], 180)
    case = shop.post("/api/cases", {"order_no": "D4", "case_type": "exchange", "reason": "wrong_item",
                                    "lines": [{"sku": "SHIRT", "qty": 1}]}).json()
    assert case["replacement"]["status"] == "on_hold"
    upheld = shop.post(f"/api/cases/{case['code']}/decision", {"decision": "upheld", "reason": "photo: wrong colour"}).json()
    assert upheld["replacement"]["status"] == "reserved"


def test_closing_an_undecided_case_cancels_its_waiting_replacement(api, shop):
    ship(api, "D5", [("CUP", 1)], 272)
    case = shop.post("/api/cases", {"order_no": "D5", "case_type": "reship", "reason": "short_shipment",
                                    "lines": [{"sku": "CUP", "qty": 1}]}).json()
    closed = shop.post(f"/api/cases/{case['code']}/close", {"outcome": "buyer withdrew the claim"}).json()
    assert closed["replacement"]["status"] == "cancelled"


def test_bad_decisions_get_a_clear_4xx(api, shop):
    ship(api, "D6", [("CUP", 1)], 272)
    case = shop.post("/api/cases", {"order_no": "D6", "case_type": "reship", "reason": "short_shipment",
                                    "lines": [{"sku": "CUP", "qty": 1}]}).json()
    r = shop.post(f"/api/cases/{case['code']}/decision", {"decision": "maybe", "reason": "hmm"})
    assert r.status_code == 422 and r.json()["error"] == "invalid_decision"
    r = shop.post(f"/api/cases/{case['code']}/decision", {"decision": "upheld"})
    assert r.status_code == 422 and "reason" in r.json()["message"]
    assert shop.post("/api/cases/AS999999/decision", {"decision": "upheld", "reason": "x y"}).status_code == 404
    assert api.as_("packer").post(f"/api/cases/{case['code']}/decision",
                                  {"decision": "upheld", "reason": "x y"}).status_code == 403
    shop.post(f"/api/cases/{case['code']}/decision", {"decision": "upheld", "reason": "ok then"})
    r = shop.post(f"/api/cases/{case['code']}/decision", {"decision": "declined", "reason": "no after all"})
    assert r.status_code == 409 and r.json()["error"] == "already_decided"


def test_return_rates_count_only_units_that_came_back(api, shop, engine):
    t1 = ship(api, "D7", [("CUP", 1)], 272)
    delivered(engine, t1, 30)
    refused = shop.post("/api/cases", {"order_no": "D7", "case_type": "return_refund", "reason": "changed_mind",
                                       "lines": [{"sku": "CUP", "qty": 1}]}).json()
    assert refused["status"] == "refused"
    t2 = ship(api, "D8", [("CUP", 1)], 272)
    shop.post("/api/cases", {"order_no": "D8", "case_type": "return_refund", "reason": "quality",
                             "lines": [{"sku": "CUP", "qty": 1}]})
    rates = shop.get("/api/reports/returns").json()
    assert rates["by_sku"] == [] and rates["by_reason"] == [], "nothing has come back yet"
    receipt = shop.post("/api/returns/receipts", {"code": t2}).json()
    shop.post(f"/api/returns/receipts/{receipt['receipt_id']}/inspect",
              {"items": [{"sku": "CUP", "qty": 1, "disposition": "quarantine", "condition": "damaged"}]})
    rates = shop.get("/api/reports/returns").json()
    assert rates["by_sku"] == [{"sku": "CUP", "returned": 1, "shipped": 2, "rate": 0.5}]
    assert rates["by_reason"][0]["reason"] == "quality" and rates["by_reason"][0]["returned"] == 1


def test_weight_history_marks_the_override_and_delivery_starts_the_window(api, shop, engine):
    from tests.integration.conftest import make_order
    from tests.integration.test_pack_station import SHIRT, SOCK

    make_order(api, "D9", [("SHIRT", 1), ("SOCK", 1)])
    packer = api.as_("packer")
    sid = packer.post("/api/pack/sessions", {"order_no": "D9", "station": "PK-03"}).json()["session_id"]
    packer.post(f"/api/pack/sessions/{sid}/scans", {"code": SHIRT})
    packer.post(f"/api/pack/sessions/{sid}/scans", {"code": SOCK})
    packer.post(f"/api/pack/sessions/{sid}/weighings", {"grams": 180})
    tracking = api.as_("supervisor").post(f"/api/pack/sessions/{sid}/override", {"reason": "sock sewn in"}).json()["tracking_no"]
    record = shop.get(f"/api/parcels/{tracking}/weighings").json()
    assert record[-1]["verdict"] == "underweight" and record[-1]["overridden"] is True
    assert record[-1]["override"]["by"] == "test-supervisor" and record[-1]["override"]["reason"] == "sock sewn in"

    r = shop.post(f"/api/parcels/{tracking}/delivery", {"source": "manual"})
    assert r.status_code == 409 and r.json()["error"] == "not_shipped"
    assert api.as_("supervisor").post("/api/handovers", {"carrier": tracking_carrier(api, tracking)}).status_code == 201
    r = shop.post(f"/api/parcels/{tracking}/delivery", {"delivered_at": "2999-01-01T00:00:00Z"})
    assert r.status_code == 422 and r.json()["error"] == "invalid_time"
    r = shop.post(f"/api/parcels/{tracking}/delivery", {"delivered_at": "yesterday"})
    assert r.status_code == 422 and r.json()["error"] == "invalid_time"
    r = shop.post(f"/api/parcels/{tracking}/delivery", {"source": "pigeon"})
    assert r.status_code == 422 and r.json()["error"] == "invalid_source"
    r = shop.post(f"/api/parcels/{tracking}/delivery", {"source": "platform"})
    assert r.status_code == 200 and r.json()["source"] == "platform"
    case = shop.post("/api/cases", {"order_no": "D9", "case_type": "return_refund", "reason": "no_reason_7d",
                                    "lines": [{"sku": "SHIRT", "qty": 1}]}).json()
    assert case["status"] == "awaiting_return", "delivered today: inside the 7-day window"


def tracking_carrier(api, tracking):
    return next(p for p in api.as_("after_sales").get("/api/parcels", params={"q": tracking}).json())["carrier"]
