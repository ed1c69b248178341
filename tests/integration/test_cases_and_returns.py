"""After-sales cases and returns receiving, each rule the manuals ask for."""

from datetime import timedelta

import pytest
from sqlmodel import select

from tests.integration.conftest import make_order, make_sku
from tests.integration.test_pack_station import CUP, SHIRT, SOCK
from wms.adapters.db.tables import Parcel
from wms.adapters.db.types import utcnow
from wms.adapters.db.uow import UnitOfWork
from wms.services.stock.ledger import ledger_mismatches

UW = "6960000000018"  # underwear


def ship(api, order_no, lines, grams):
    make_order(api, order_no, lines)
    packer = api.as_("packer")
    sid = packer.post("/api/pack/sessions", {"order_no": order_no, "station": "PK-03"}).json()["session_id"]
    codes = {"SHIRT": SHIRT, "CUP": CUP, "SOCK": SOCK, "BRIEF": UW}
    i = 0
    for sku, qty in lines:
        for _ in range(qty):
            i += 1
            assert packer.post(f"/api/pack/sessions/{sid}/scans", {"code": codes[sku], "scanned_at": f"2026-11-22T10:00:{i:02d}Z"}).status_code == 200
    result = packer.post(f"/api/pack/sessions/{sid}/weighings", {"grams": grams}).json()
    assert result["tracking_no"], result
    return result["tracking_no"]


def delivered(engine, tracking, days_ago):
    with UnitOfWork(engine) as uow:
        parcel = uow.session.exec(select(Parcel).where(Parcel.tracking_no == tracking)).one()
        parcel.delivered_at = utcnow() - timedelta(days=days_ago)
        uow.session.add(parcel)
        uow.commit()


@pytest.fixture
def shop(api):
    make_sku(api, "SHIRT", 180, 4, SHIRT, "纯棉T恤 蓝色 L")
    make_sku(api, "CUP", 272, 5, CUP, "保温杯 500ml")
    make_sku(api, "SOCK", 48, 2, SOCK, "白色短袜")
    r = api.post("/api/skus", {"sku": "BRIEF", "name": "男士内裤", "barcodes": [UW], "unit_weight_g": 60,
                                "weight_tolerance_g": 2, "category": "underwear", "returnable": False})
    assert r.status_code == 201, r.text
    for sku, b in (("SHIRT", "A01-01-1"), ("CUP", "A02-03-1"), ("SOCK", "A03-05-2"), ("BRIEF", "A04-01-1")):
        api.post("/api/stock/receipts", {"sku": sku, "bin": b, "qty": 10})
    return api.as_("after_sales")


def test_a_quality_return_goes_to_quarantine_and_the_ledger_matches(api, shop, engine):
    tracking = ship(api, "R1", [("CUP", 1)], 272)
    case = shop.post("/api/cases", {"order_no": "R1", "case_type": "return_refund", "reason": "quality",
                                    "lines": [{"sku": "CUP", "qty": 1}]}).json()
    assert (case["status"], case["return_shipping_payer"], case["responsibility"]) == ("awaiting_return", "shop", "shop")
    receipt = shop.post("/api/returns/receipts", {"code": tracking}).json()
    assert receipt["case"] == case["code"] and not receipt["unidentified"]
    shop.post(f"/api/returns/receipts/{receipt['receipt_id']}/weigh", {"grams": 330, "station": "RT-1"})
    r = shop.post(f"/api/returns/receipts/{receipt['receipt_id']}/inspect",
                  {"items": [{"sku": "CUP", "qty": 1, "disposition": "quarantine", "condition": "lid cracked"}]})
    assert r.status_code == 200, r.text
    assert r.json()["put_away"][0]["bin"] == "QUARANTINE"
    history = shop.get(f"/api/parcels/{tracking}/weighings").json()
    assert [h["kind"] for h in history] == ["outbound", "return"]
    cup = next(s for s in api.get("/api/stock").json() if s["sku"] == "CUP")
    assert cup["available"] == 9  # quarantined units are not for sale
    with UnitOfWork(engine) as uow:
        assert ledger_mismatches(uow) == []


def test_a_restocked_return_is_available_at_once_in_its_old_bin(api, shop, engine):
    tracking = ship(api, "R2", [("SHIRT", 1)], 180)
    shop.post("/api/cases", {"order_no": "R2", "case_type": "return_refund", "reason": "wrong_item",
                             "lines": [{"sku": "SHIRT", "qty": 1}]})
    receipt = shop.post("/api/returns/receipts", {"code": tracking}).json()
    unjudged = shop.post(f"/api/returns/receipts/{receipt['receipt_id']}/inspect",
                         {"items": [{"sku": "SHIRT", "qty": 1, "disposition": "restock"}]})
    assert (unjudged.status_code, unjudged.json()["error"]) == (422, "condition_required")
    assert "完好" in unjudged.json()["message"]
    slips = shop.post(f"/api/returns/receipts/{receipt['receipt_id']}/inspect",
                      {"items": [{"sku": "SHIRT", "qty": 1, "disposition": "restock", "condition": "intact"}]}
                      ).json()["put_away"]
    assert slips == [{"sku": "SHIRT", "qty": 1, "disposition": "restock", "bin": "A01-01-1",
                      "instruction": "put 1 × SHIRT into A01-01-1", "condition": "intact",
                      "condition_label": "intact 完好", "disposition_label": "restock 上架可售"}]
    shirt = next(s for s in api.get("/api/stock").json() if s["sku"] == "SHIRT")
    assert shirt["available"] == 10
    over = shop.post(f"/api/returns/receipts/{receipt['receipt_id']}/inspect",
                     {"items": [{"sku": "SHIRT", "qty": 1, "disposition": "restock", "condition": "intact"}]})
    assert over.status_code == 409 and over.json()["error"] == "over_inspect"
    with UnitOfWork(engine) as uow:
        assert ledger_mismatches(uow) == []


def test_a_no_reason_return_outside_the_window_is_refused_with_the_reason(api, shop, engine):
    tracking = ship(api, "R3", [("SHIRT", 1)], 180)
    delivered(engine, tracking, 9)
    case = shop.post("/api/cases", {"order_no": "R3", "case_type": "return_refund", "reason": "no_reason_7d",
                                    "lines": [{"sku": "SHIRT", "qty": 1}]}).json()
    assert case["status"] == "refused"
    assert "7-day no-reason return window ended on" in case["outcome"]


def test_underwear_needs_a_quality_problem_to_come_back(api, shop, engine):
    tracking = ship(api, "R4", [("BRIEF", 1)], 60)
    delivered(engine, tracking, 1)
    refused = shop.post("/api/cases", {"order_no": "R4", "case_type": "return_refund", "reason": "changed_mind",
                                       "lines": [{"sku": "BRIEF", "qty": 1}]}).json()
    assert refused["status"] == "refused" and "without a quality problem" in refused["outcome"]
    ok = shop.post("/api/cases", {"order_no": "R4", "case_type": "return_refund", "reason": "quality",
                                  "lines": [{"sku": "BRIEF", "qty": 1}]}).json()
    assert ok["status"] == "awaiting_return"


def test_a_short_shipment_claim_shows_the_weight_evidence(api, shop):
    ship(api, "R5", [("SHIRT", 1), ("CUP", 1), ("SOCK", 1)], 501)
    case = shop.post("/api/cases", {"order_no": "R5", "case_type": "reship", "reason": "short_shipment",
                                    "lines": [{"sku": "SOCK", "qty": 1}]}).json()
    evidence = case["weight_evidence"]
    assert evidence["verdict"] == "full_weight"
    assert evidence["claimed_item_g"] == 48 and evidence["shipped_g"] == 501
    assert "full weight" in evidence["recommendation"]
    assert [w["grams"] for w in case["weighings"]] == [501]
    assert case["replacement_order_no"] == "R5-RS1"


def test_a_parcel_that_left_light_by_the_item_is_flagged_for_reship(api, shop):
    make_order(api, "R6", [("SHIRT", 1), ("SOCK", 1)])
    packer = api.as_("packer")
    sid = packer.post("/api/pack/sessions", {"order_no": "R6", "station": "PK-03"}).json()["session_id"]
    packer.post(f"/api/pack/sessions/{sid}/scans", {"code": SHIRT})
    packer.post(f"/api/pack/sessions/{sid}/scans", {"code": SOCK})
    packer.post(f"/api/pack/sessions/{sid}/weighings", {"grams": 180})
    tracking = api.as_("supervisor").post(f"/api/pack/sessions/{sid}/override", {"reason": "rushed"}).json()["tracking_no"]
    case = shop.post("/api/cases", {"order_no": "R6", "case_type": "reship", "reason": "short_shipment",
                                    "lines": [{"sku": "SOCK", "qty": 1}]}).json()
    assert case["tracking_no"] == tracking
    assert case["weight_evidence"]["verdict"] == "light_by_item"


def test_an_exchange_produces_its_outbound_order(api, shop):
    ship(api, "R7", [("SHIRT", 1)], 180)
    case = shop.post("/api/cases", {"order_no": "R7", "case_type": "exchange", "reason": "changed_mind",
                                    "lines": [{"sku": "SHIRT", "qty": 1}],
                                    "replacement_lines": [{"sku": "CUP", "qty": 1}]}).json()
    assert case["replacement_order_no"] == "R7-EX1"
    new = api.get("/api/orders/R7-EX1").json()
    assert new["status"] == "on_hold" and "waits for the case decision" in new["hold_reason"]
    assert new["lines"][0]["sku"] == "CUP" and new["recipient"]["name"] == "张三"


def test_an_unknown_parcel_is_received_as_unidentified_and_matched_later(api, shop):
    ship(api, "R8", [("CUP", 1)], 272)
    case = shop.post("/api/cases", {"order_no": "R8", "case_type": "return_refund", "reason": "quality",
                                    "lines": [{"sku": "CUP", "qty": 1}]}).json()
    receipt = shop.post("/api/returns/receipts", {"code": "YT9999999999", "notes": "no slip inside"}).json()
    assert receipt["unidentified"] and receipt["case"] is None
    matched = shop.post(f"/api/returns/receipts/{receipt['receipt_id']}/match", {"case": case["code"]}).json()
    assert matched["case"] == case["code"] and not matched["unidentified"]


def test_refunds_include_postage_when_the_shop_is_at_fault(api, shop, engine):
    api.post("/api/skus", {"sku": "MUG", "name": "马克杯", "unit_weight_g": 300, "price": "39.90"})
    api.post("/api/stock/receipts", {"sku": "MUG", "bin": "A05-01-1", "qty": 5})
    make_order(api, "R9", [("MUG", 1)])
    case = shop.post("/api/cases", {"order_no": "R9", "case_type": "return_refund", "reason": "quality",
                                    "lines": [{"sku": "MUG", "qty": 1}]}).json()
    assert case["refund_amount"] == "49.90"


def test_bad_case_input_gets_a_clear_4xx(shop, api):
    make_order(api, "R10", [("SOCK", 1)])
    r = shop.post("/api/cases", {"order_no": "R10", "case_type": "swap", "reason": "quality", "lines": []})
    assert r.status_code == 422 and r.json()["error"] == "invalid_case_type"
    r = shop.post("/api/cases", {"order_no": "R10", "case_type": "return_refund", "reason": "quality",
                                 "lines": [{"sku": "CUP", "qty": 1}]})
    assert r.status_code == 409 and r.json()["error"] == "not_on_order"
    assert api.as_("packer").post("/api/cases", {"order_no": "R10"}).status_code == 403


def test_the_misshipment_register_names_station_and_packer(api, shop):
    ship(api, "R11", [("SHIRT", 1)], 180)
    shop.post("/api/cases", {"order_no": "R11", "case_type": "return_refund", "reason": "wrong_item",
                             "lines": [{"sku": "SHIRT", "qty": 1}]})
    rows = shop.get("/api/reports/misshipments").json()
    assert rows[0]["station"] == "PK-03" and rows[0]["packer"] == "test-packer"
    csv = shop.get("/api/reports/misshipments", params={"format": "csv"}).text
    assert "PK-03" in csv and csv.lstrip("\ufeff").startswith("case,")


def test_the_cli_inspects_with_a_condition_and_prints_the_slip_in_both_languages(api, shop, database_url):
    from typer.testing import CliRunner

    from wms.cli import _register_all, app

    tracking = ship(api, "R9", [("SHIRT", 1)], 180)
    shop.post("/api/cases", {"order_no": "R9", "case_type": "return_refund", "reason": "wrong_item",
                             "lines": [{"sku": "SHIRT", "qty": 1}]})
    receipt = shop.post("/api/returns/receipts", {"code": tracking}).json()["receipt_id"]
    _register_all()
    runner = CliRunner()
    bare = runner.invoke(app, ["returns", "inspect", str(receipt), "--item", "SHIRT:1:restock", "--database", database_url])
    assert bare.exit_code != 0 and "--condition" in bare.output, bare.output
    done = runner.invoke(app, ["returns", "inspect", str(receipt), "--item", "SHIRT:1:restock", "--condition", "intact",
                               "--database", database_url])
    assert done.exit_code == 0, done.output
    assert "put 1 × SHIRT into A01-01-1 (restock 上架可售; intact 完好)" in done.output
