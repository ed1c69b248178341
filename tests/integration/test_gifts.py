"""Gift rules (赠品): the lead sets a rule once, and every arriving order that meets it gets the gift
as a line of its own, marked as a gift: reserved, shown to the packer, scanned and weighed, and
named in the order's history with the rule that gave it."""

from __future__ import annotations

from datetime import timedelta

from typer.testing import CliRunner

from emulators.base import beijing_now
from tests.integration.conftest import make_order
from tests.integration.test_handover import BOWL, MUG, shop  # noqa: F401  (fixture)
from tests.integration.test_platforms import add_shop, order, taobao  # noqa: F401  (fixture)
from wms.cli import _register_all, app
from wms.services.platforms import sync


def rule(api, **body):
    r = api.post("/api/gift-rules", body)
    assert r.status_code == 201, r.text
    return r.json()


def lines(api, order_no):
    return sorted((l["sku"], l["qty"], l["gift_qty"]) for l in api.get(f"/api/orders/{order_no}").json()["lines"])


def test_an_order_that_buys_enough_gets_its_gift_and_the_packer_must_put_it_in(shop):  # noqa: F811
    api = shop
    made = rule(api, name="买二送碗", sku="MUG", min_qty=2, gift_sku="BOWL", gift_qty=1)
    assert (made["active"], made["gift_sku"], made["sku"], made["min_qty"]) == (True, "BOWL", "MUG", 2)
    make_order(api, "G1", [("MUG", 2)])
    make_order(api, "G2", [("MUG", 1)])  # one mug: no bowl
    assert lines(api, "G1") == [("BOWL", 1, 1), ("MUG", 2, 0)]
    assert lines(api, "G2") == [("MUG", 1, 0)]
    g1 = api.get("/api/orders/G1").json()
    assert g1["status"] == "reserved", g1["hold_reason"]
    assert any("1 × BOWL (rule '买二送碗')" in n["text"] for n in g1["notes"]), g1["notes"]
    bowls = api.get("/api/stock?sku=BOWL").json()[0]
    assert bowls["reserved"] == 1, bowls  # the gift leaves the shelf like any unit

    packer = api.as_("packer")
    sid = packer.post("/api/pack/sessions", {"order_no": "G1", "station": "PK-01"}).json()["session_id"]
    view = packer.get(f"/api/pack/sessions/{sid}").json()
    assert {l["sku"]: l["gift_qty"] for l in view["lines"]} == {"MUG": 0, "BOWL": 1}
    for n, code in enumerate([MUG, MUG]):
        assert packer.post(f"/api/pack/sessions/{sid}/scans",
                           {"code": code, "scanned_at": f"2099-01-01T00:00:{n:02d}Z"}).status_code == 200
    short = packer.post(f"/api/pack/sessions/{sid}/weighings", {"grams": 2 * 350}).json()
    assert short["verdict"] != "pass" and not short.get("tracking_no"), short  # the bowl is not in yet
    assert packer.post(f"/api/pack/sessions/{sid}/scans",
                       {"code": BOWL, "scanned_at": "2099-01-01T00:00:05Z"}).status_code == 200
    weighed = packer.post(f"/api/pack/sessions/{sid}/weighings", {"grams": 2 * 350 + 420}).json()
    assert weighed["verdict"] == "pass" and weighed["tracking_no"], weighed


def test_amount_shop_time_window_and_repeat_decide_who_gets_what(shop):  # noqa: F811
    api = shop
    now = beijing_now()
    rule(api, name="满100送杯", min_amount="100", gift_sku="MUG", shop="旗舰店")
    rule(api, name="每满2碗送1碗", sku="BOWL", min_qty=2, gift_sku="BOWL", gift_qty=1, repeat=True)
    rule(api, name="过期活动", shop="旗舰店", gift_sku="BOWL",
         starts_at=(now - timedelta(days=3)).isoformat(), ends_at=(now - timedelta(days=1)).isoformat())
    make_order(api, "A1", [("BOWL", 1)], shop="旗舰店", paid_amount="128.00")
    make_order(api, "A2", [("BOWL", 1)], shop="旗舰店", paid_amount="99.99")
    make_order(api, "A3", [("BOWL", 1)], shop="别的店", paid_amount="500")
    make_order(api, "A4", [("BOWL", 5)])
    make_order(api, "A5", [("BOWL", 1)], shop="旗舰店", paid_amount="150",
               paid_at=(now - timedelta(days=2)).isoformat())  # paid during the old campaign
    assert lines(api, "A1") == [("BOWL", 1, 0), ("MUG", 1, 1)]
    assert lines(api, "A2") == [("BOWL", 1, 0)]
    assert lines(api, "A3") == [("BOWL", 1, 0)]
    assert lines(api, "A4") == [("BOWL", 7, 2)]  # 5 bought, 2 full pairs: 2 more as gifts (one line)
    assert lines(api, "A5") == [("BOWL", 2, 1), ("MUG", 1, 1)]
    assert api.get("/api/orders/A1").json()["paid_amount"] == "128.00"

    first = api.get("/api/gift-rules").json()[0]
    stopped = api.delete(f"/api/gift-rules/{first['id']}")
    assert stopped.status_code == 200 and stopped.json()["active"] is False
    make_order(api, "A6", [("BOWL", 1)], shop="旗舰店", paid_amount="300")
    assert lines(api, "A6") == [("BOWL", 1, 0)]
    assert lines(api, "A1") == [("BOWL", 1, 0), ("MUG", 1, 1)]  # kept what it got
    assert [r["name"] for r in api.get("/api/gift-rules").json()] == ["每满2碗送1碗", "过期活动"]
    assert len(api.get("/api/gift-rules?stopped=true").json()) == 3


def test_bad_rules_get_a_clear_answer_and_packers_cannot_set_them(shop):  # noqa: F811
    api = shop
    cases = [
        ({"name": "x", "gift_sku": "NOPE", "sku": "MUG"}, 404, "unknown_sku"),
        ({"name": "x", "gift_sku": "BOWL", "sku": "NOPE"}, 404, "unknown_sku"),
        ({"name": "x", "gift_sku": "BOWL"}, 422, "missing_field"),  # no condition: every order?
        ({"name": "x", "gift_sku": "BOWL", "sku": "MUG", "gift_qty": 0}, 422, "validation_error"),
        ({"name": "x", "gift_sku": "BOWL", "shop": "s", "repeat": True}, 422, "invalid_field"),
        ({"name": "x", "gift_sku": "BOWL", "sku": "MUG", "starts_at": "2026-12-10T00:00:00",
          "ends_at": "2026-12-01T00:00:00"}, 422, "invalid_time"),
        ({"name": "x", "gift_sku": "BOWL", "sku": "MUG", "starts_at": "下周一"}, 422, "invalid_time"),
        ({"name": "x", "gift_sku": "BOWL", "min_amount": "-5"}, 422, "validation_error"),
    ]
    for body, status, error in cases:
        r = api.post("/api/gift-rules", body)
        assert (r.status_code, r.json().get("error")) == (status, error), (body, r.text)
        assert r.json().get("message"), r.text
    assert api.get("/api/gift-rules").json() == []
    packer = api.as_("packer")
    assert packer.post("/api/gift-rules", {"name": "x", "gift_sku": "BOWL", "sku": "MUG"}).status_code == 403
    assert api.delete("/api/gift-rules/999").json()["error"] == "unknown_gift_rule"


def test_an_order_file_with_amounts_gets_gifts_and_the_cli_sets_the_rules(shop, database_url):  # noqa: F811
    api = shop
    _register_all()
    runner = CliRunner()
    added = runner.invoke(app, ["gifts", "add", "满200送碗", "--gift", "BOWL:1", "--min-amount", "200",
                                "--database", database_url])
    assert added.exit_code == 0 and "1 × BOWL when pays ≥ 200.00" in added.output, added.output
    bad = runner.invoke(app, ["gifts", "add", "坏", "--gift", "BOWL:x", "--database", database_url])
    assert bad.exit_code != 0 and "SKU:QTY" in bad.output
    header = "order_no,recipient_name,phone,province,city,district,address,sku,qty,paid_amount"
    rows = ["F1,王小明,13812345678,浙江省,杭州市,余杭区,良睦路1399号,MUG,1,258.00",
            "F2,李娜,13912345678,浙江省,杭州市,西湖区,文三路90号,MUG,1,58.00"]
    raw = ("\r\n".join([header, *rows]) + "\r\n").encode("gbk")
    r = api.post("/api/orders/import?filename=orders.csv", content=raw, headers={"Content-Type": "text/csv"})
    assert r.status_code == 200 and r.json()["imported"] == 2, r.text
    assert lines(api, "F1") == [("BOWL", 1, 1), ("MUG", 1, 0)]
    assert lines(api, "F2") == [("MUG", 1, 0)]
    assert any("rule '满200送碗'" in n["text"] for n in api.get("/api/orders/F1").json()["notes"])
    listed = runner.invoke(app, ["gifts", "list", "--database", database_url])
    rule_id = listed.output.split(":")[0]
    assert "满200送碗" in listed.output, listed.output
    stopped = runner.invoke(app, ["gifts", "stop", rule_id, "--database", database_url])
    assert stopped.exit_code == 0 and "[stopped]" in stopped.output, stopped.output
    assert "no gift rules" in runner.invoke(app, ["gifts", "list", "--database", database_url]).output


def test_a_platform_trade_paid_enough_gets_the_gift_and_the_shop_is_told_only_what_was_sold(
        engine, shop, taobao):  # noqa: F811
    api = shop
    rule(api, name="满100送碗", min_amount="100", gift_sku="BOWL")
    paid = beijing_now() - timedelta(hours=1)
    big = taobao.add_trade([("MUG", 2)], modified=paid, paid=paid, payment="198.00")
    small = taobao.add_trade([("MUG", 1)], modified=paid, paid=paid, payment="59.00")
    add_shop(engine, taobao)
    assert sync.pull(engine, "TB1").error is None
    assert lines(api, big) == [("BOWL", 1, 1), ("MUG", 2, 0)]
    assert lines(api, small) == [("MUG", 1, 0)]
    assert str(order(engine, big).paid_amount) == "198.00"
