"""A courier's bill (对账单) checked against our outbound weighings: overweight and overcharged
parcels listed with the weighing that proves them, numbers that are not ours, billed twice or
voided claimed whole, a claim sheet for Excel; bad files refused with a clear answer."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from typer.testing import CliRunner

from tests.integration.test_handover import pack, shop  # noqa: F401  (fixture)
from wms.cli import _register_all, app


def rates(api):  # noqa: F811
    r = api.put("/api/carriers/SF/rates", {"region": "*", "first_g": 1000, "first_fee": "10.00", "step_g": 1000,
                                           "step_fee": "3.00"})
    assert r.status_code == 200, r.text
    r = api.put("/api/carriers/SF/rates", {"region": "广东省", "first_g": 1000, "first_fee": "8.00", "step_g": 1000,
                                           "step_fee": "2.00"})
    assert r.status_code == 200 and len(r.json()["rates"]) == 2, r.text


def gbk_bill(rows):
    text = "运单号,计费重量(kg),运费(元)\r\n" + "".join(f"{t},{w},{f}\r\n" for t, w, f in rows)
    return text.encode("gbk")


def test_a_bill_is_judged_against_our_weighings_and_the_rate_table(shop):  # noqa: F811
    rates(shop)
    light = pack(shop, "B1", [("MUG", 1)], 352, carrier="SF")  # 352 g: one first kilo, 8.00 in 广东省
    heavy = pack(shop, "B2", [("MUG", 1), ("BOWL", 1)], 770, carrier="SF")
    other = pack(shop, "B3", [("BOWL", 1)], 420, carrier="SF")
    voided = pack(shop, "B4", [("MUG", 1)], 351, carrier="SF")
    assert shop.post(f"/api/parcels/{voided}/void", {"reason": "面单撕坏"}).status_code == 200
    raw = gbk_bill([(light, "0.4", "8.00"),  # as it should be
                    (heavy, "2.3", "12.00"),  # billed 3 kg where we weighed 770 g: 4.00 too much
                    (other, "0.4", "9.50"),  # the weight agrees, the fee does not follow the table
                    (voided, "0.4", "8.00"),  # a parcel that never left
                    ("SF0000000000999", "1.0", "8.00"),  # not a number of ours
                    (light, "0.4", "8.00")])  # billed twice
    r = shop.as_("supervisor").post("/api/bills/import", content=raw, params={"carrier": "SF", "filename": "sf-11月.csv"},
                                    headers={"Content-Type": "text/csv"})
    assert r.status_code == 201, r.text
    bill = r.json()
    verdicts = {(row["row"], row["tracking_no"]): (row["verdict"], row["claim"]) for row in bill["rows"]}
    assert verdicts == {(2, light): ("ok", "0.00"), (3, heavy): ("overweight", "4.00"),
                        (4, other): ("overcharged", "1.50"), (5, voided): ("voided", "8.00"),
                        (6, "SF0000000000999"): ("not_ours", "8.00"), (7, light): ("duplicate", "8.00")}
    assert (bill["lines"], bill["billed_total"], bill["claim_total"]) == (6, "53.50", "29.50")
    row = next(r for r in bill["rows"] if r["tracking_no"] == heavy)
    assert (row["our_g"], row["expected_fee"], row["billed_g"]) == (770, "8.00", 2300)
    assert row["evidence"]["grams"] == 770 and row["evidence"]["station"] == "PK-01" and row["evidence"]["at"]
    sheet = shop.as_("supervisor").get(f"/api/bills/{bill['bill_id']}/claims.csv")
    assert sheet.status_code == 200 and sheet.text.startswith("\ufeff运单号")
    lines = list(csv.reader(io.StringIO(sheet.text.lstrip("\ufeff"))))
    assert [l[0] for l in lines[1:-1]] == [heavy, other, voided, "SF0000000000999", light]
    assert lines[-1][0] == "合计" and lines[-1][-1] == "29.50"
    assert shop.as_("packer").get(f"/api/bills/{bill['bill_id']}").status_code == 403


def test_an_excel_bill_through_the_cli_writes_the_claim_sheet(shop, database_url, tmp_path):  # noqa: F811
    rates(shop)
    heavy = pack(shop, "X1", [("MUG", 1), ("BOWL", 1)], 770, carrier="SF")
    book = Workbook()
    sheet = book.active
    sheet.append(["快递单号", "结算重量", "结算金额"])
    sheet.append([heavy, 2.3, 12])
    path = tmp_path / "顺丰对账单.xlsx"
    book.save(path)
    _register_all()
    out = tmp_path / "claims.csv"
    r = CliRunner().invoke(app, ["bills", "import", str(path), "--carrier", "SF", "--claims", str(out),
                                 "--database", database_url])
    assert r.exit_code == 0, r.output
    assert "1 parcels billed 12.00; overweight 1; to claim 4.00" in r.output
    assert f"{heavy}" in r.output and "weighed 770 g" in r.output
    assert heavy in out.read_text(encoding="utf-8-sig")
    r = CliRunner().invoke(app, ["carriers", "rate", "SF", "--first", "1000", "--step", "1000:2",
                                 "--database", database_url])
    assert r.exit_code != 0 and "GRAMS:FEE" in r.output


def test_bills_that_cannot_be_read_are_refused_whole(shop):  # noqa: F811
    boss = shop.as_("supervisor")
    cases = [
        (b"", "empty_file"),
        ("名字,地址\r\n张三,杭州\r\n".encode("gbk"), "missing_column"),
        ("运单号,重量,运费\r\nSF1,很重,8\r\n".encode("gbk"), "invalid_row"),
        ("运单号,重量,运费\r\nSF1,1e9,8\r\n".encode("gbk"), "invalid_row"),
        (b"PK\x03\x04 not really a workbook", "bad_workbook"),
    ]
    for raw, error in cases:
        r = boss.post("/api/bills/import", content=raw, params={"carrier": "SF"})
        assert r.status_code == 422 and r.json()["error"] == error, (raw[:30], r.text)
    r = boss.post("/api/bills/import", content=gbk_bill([]), params={"carrier": "NOPE"})
    assert r.status_code == 404 and r.json()["error"] == "unknown_carrier"
    assert boss.get("/api/bills/1").status_code == 404, "nothing was kept"


def test_a_passing_weighing_shows_what_the_parcel_should_cost_and_follows_a_rate_change(shop):  # noqa: F811
    from tests.integration.conftest import make_order
    from tests.integration.test_handover import MUG

    for region, first in (("*", "12.00"), ("广东省", "8.00")):
        r = shop.put("/api/carriers/EMS/rates", {"region": region, "first_g": 1000, "first_fee": first,
                                                 "step_g": 1000, "step_fee": "2.00"})
        assert r.status_code == 200, r.text
    packer = shop.as_("packer")

    def weigh(order_no, units):
        make_order(shop, order_no, [("MUG", units)])  # to 广东省
        sid = packer.post("/api/pack/sessions", {"order_no": order_no, "station": "PK-01"}).json()["session_id"]
        for n in range(units):
            packer.post(f"/api/pack/sessions/{sid}/scans", {"code": MUG, "scanned_at": f"2099-01-01T00:00:{n:02d}Z"})
        return packer.post(f"/api/pack/sessions/{sid}/weighings", {"grams": 350 * units}).json()

    four = weigh("FE1", 4)  # 1,400 g: first kilo 8.00, one more kilo begun 2.00
    assert (four["verdict"], four["carrier"], four["freight_estimate"]) == ("pass", "EMS", "10.00"), four
    r = shop.put("/api/carriers/EMS/rates", {"region": "广东省", "first_g": 1000, "first_fee": "9.00", "step_g": 500,
                                            "step_fee": "1.00"})
    assert r.status_code == 200
    assert weigh("FE2", 4)["freight_estimate"] == "10.00"  # 9.00 + one 500 g step begun
    make_order(shop, "FE3", [("MUG", 1)], recipient={"name": "李四", "phone": "13912345678", "province": "浙江省",
                                                     "city": "杭州市", "district": "余杭区", "address": "文一西路 969 号"})
    sid = packer.post("/api/pack/sessions", {"order_no": "FE3", "station": "PK-01"}).json()["session_id"]
    packer.post(f"/api/pack/sessions/{sid}/scans", {"code": MUG, "scanned_at": "2099-01-01T00:00:30Z"})
    assert packer.post(f"/api/pack/sessions/{sid}/weighings", {"grams": 350}).json()["freight_estimate"] == "12.00"
