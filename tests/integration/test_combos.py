"""Combos (组合装): a SKU made of other SKUs. An order line for one becomes its parts, whatever
door the order came in by (the API, an order file, an ERP), so reservation, picking, scanning
and the expected weight all work on the parts."""

from __future__ import annotations

from typer.testing import CliRunner

from tests.integration.conftest import make_order, make_sku
from tests.integration.test_hostile_input import HEADER
from wms.cli import _register_all, app

TEE, MUG = "6930000001018", "6930000002015"


def setup(api):
    make_sku(api, "TEE", 180, 4, TEE, "纯棉T恤")
    make_sku(api, "MUG", 350, 5, MUG, "陶瓷马克杯")
    for sku in ("TEE", "MUG"):
        api.post("/api/stock/receipts", {"sku": sku, "bin": "A01-01-1", "qty": 20})
    r = api.post("/api/skus", {"sku": "SET-TEE-MUG", "name": "T恤+马克杯套装",
                               "components": [{"sku": "TEE", "qty": 1}, {"sku": "MUG", "qty": 1}]})
    assert r.status_code == 201, r.text
    return r.json()


def test_a_combo_ordered_through_the_api_is_reserved_scanned_and_weighed_as_its_parts(api):
    combo = setup(api)
    assert (combo["unit_weight_g"], combo["components"]) == (530, [{"sku": "MUG", "qty": 1}, {"sku": "TEE", "qty": 1}])
    assert api.get("/api/skus/SET-TEE-MUG").json()["components"] == combo["components"]
    make_order(api, "C1", [("SET-TEE-MUG", 2), ("MUG", 1)])
    order = api.get("/api/orders/C1").json()
    assert order["status"] == "reserved", order.get("hold_reason")
    assert sorted((l["sku"], l["qty"]) for l in order["lines"]) == [("MUG", 3), ("TEE", 2)]
    assert any("2 × combo SET-TEE-MUG = 2 × MUG + 2 × TEE" in n["text"] for n in order["notes"]), order["notes"]
    packer = api.as_("packer")
    sid = packer.post("/api/pack/sessions", {"order_no": "C1", "station": "PK-01"}).json()["session_id"]
    for n, code in enumerate([TEE, TEE, MUG, MUG, MUG]):
        r = packer.post(f"/api/pack/sessions/{sid}/scans", {"code": code, "scanned_at": f"2099-01-01T00:00:{n:02d}Z"})
        assert r.status_code == 200, r.text
    weighed = packer.post(f"/api/pack/sessions/{sid}/weighings", {"grams": 2 * 180 + 3 * 350}).json()
    assert weighed["verdict"] == "pass" and weighed["tracking_no"], weighed


def test_a_combo_in_an_order_file_is_exploded_too(api):
    setup(api)
    raw = (HEADER + "\r\n" + ",".join(["F1", "王小明", "13812345678", "浙江省", "杭州市", "余杭区", "良睦路1399号",
                                       "SET-TEE-MUG", "3", "", ""]) + "\r\n").encode("gbk")
    r = api.post("/api/orders/import?filename=orders.csv", content=raw, headers={"Content-Type": "text/csv"})
    assert r.status_code == 200 and r.json()["imported"] == 1, r.text
    lines = api.get("/api/orders/F1").json()["lines"]
    assert sorted((l["sku"], l["qty"]) for l in lines) == [("MUG", 3), ("TEE", 3)]


def test_bad_combos_are_refused_with_a_clear_answer(api, database_url):
    setup(api)
    cases = [
        ({"sku": "SET-X", "name": "x", "components": [{"sku": "NOPE", "qty": 1}]}, 404, "unknown_sku"),
        ({"sku": "SET-Y", "name": "y", "components": [{"sku": "SET-TEE-MUG", "qty": 1}]}, 422, "invalid_combo"),
        ({"sku": "SET-Z", "name": "z", "components": [{"sku": "SET-Z", "qty": 1}]}, 422, "invalid_combo"),
        ({"sku": "SET-B", "name": "b", "barcodes": [TEE], "components": [{"sku": "TEE", "qty": 1}]}, 409,
         "duplicate_barcode"),  # a part's barcode is the part's
        ({"sku": "PLAIN", "name": "no weight"}, 422, "missing_field"),
        ({"sku": "SET-TEE-MUG", "name": "again", "components": [{"sku": "TEE", "qty": 1}]}, 409, "duplicate_sku"),
    ]
    for body, status, error in cases:
        r = api.post("/api/skus", body)
        assert (r.status_code, r.json().get("error")) == (status, error), (body, r.text)
    _register_all()
    runner = CliRunner()
    done = runner.invoke(app, ["skus", "combo", "GIFT-2MUG", "--component", "MUG:2", "--name", "双杯礼盒",
                               "--database", database_url])
    assert done.exit_code == 0 and "combo GIFT-2MUG = 2 × MUG; weighs 700 g" in done.output, done.output
    plain = runner.invoke(app, ["skus", "combo", "TEE", "--component", "MUG:1", "--database", database_url])
    assert plain.exit_code != 0 and "a combo needs a code of its own" in plain.output
    wrong = runner.invoke(app, ["skus", "combo", "G3", "--component", "MUG", "--database", database_url])
    assert wrong.exit_code != 0 and "SKU:QTY" in wrong.output


SET = "6930000003012"  # the combo's own barcode, on its gift box


def test_scanning_a_combos_own_barcode_counts_all_its_parts_or_none(api):
    r = api.post("/api/skus", {"sku": "BOX-TEE-MUG", "name": "礼盒", "barcodes": [SET],
                               "components": [{"sku": "TEE", "qty": 1}, {"sku": "MUG", "qty": 1}]})
    assert r.status_code == 404 and r.json()["error"] == "unknown_sku"  # its parts must exist first
    setup(api)
    r = api.post("/api/skus", {"sku": "BOX-TEE-MUG", "name": "礼盒", "barcodes": [SET],
                               "components": [{"sku": "TEE", "qty": 1}, {"sku": "MUG", "qty": 1}]})
    assert r.status_code == 201 and r.json()["barcodes"] == [SET], r.text
    make_order(api, "C2", [("BOX-TEE-MUG", 1), ("TEE", 1)])
    make_order(api, "C3", [("TEE", 1)])
    packer = api.as_("packer")
    sid = packer.post("/api/pack/sessions", {"order_no": "C2", "station": "PK-01"}).json()["session_id"]
    r = packer.post(f"/api/pack/sessions/{sid}/scans", {"code": SET, "scanned_at": "2099-01-01T00:00:01Z"})
    assert r.status_code == 200, r.text
    assert (r.json()["counted"], r.json()["remaining"], r.json()["complete"]) == ({"MUG": 1, "TEE": 1}, 1, False)
    r = packer.post(f"/api/pack/sessions/{sid}/scans", {"code": TEE, "scanned_at": "2099-01-01T00:00:02Z"})
    assert r.json()["complete"] is True
    weighed = packer.post(f"/api/pack/sessions/{sid}/weighings", {"grams": 2 * 180 + 350}).json()
    assert weighed["verdict"] == "pass", weighed
    other = packer.post("/api/pack/sessions", {"order_no": "C3", "station": "PK-01"}).json()["session_id"]
    r = packer.post(f"/api/pack/sessions/{other}/scans", {"code": SET, "scanned_at": "2099-01-01T00:00:03Z"})
    assert r.status_code == 409 and r.json()["error"] == "wrong_item", r.text
    assert "nothing of it was counted" in r.json()["message"]
    r = packer.post(f"/api/pack/sessions/{other}/scans", {"code": TEE, "scanned_at": "2099-01-01T00:00:04Z"})
    assert r.json()["complete"] is True, "the TEE inside the refused box was not counted"
