"""Shipping what is there (拆单 / 缺货先发): an order held for stock is split into what ships now and a
back-order that waits; a shop that allows it has this done by itself, and the platform hears of
each parcel as a split shipment of its one order."""

from __future__ import annotations

from typer.testing import CliRunner

from tests.integration.conftest import make_order, make_sku
from tests.integration.test_handover import MUG, shop  # noqa: F401  (fixture)
from tests.integration.test_platforms import add_shop, an_hour_ago, taobao  # noqa: F401  (fixture)
from tests.integration.test_platforms_upload import close
from tests.integration.test_split_uploads import WEIGHT, pack_in_parcels, uploads
from wms.cli import _register_all, app
from wms.services.platforms import sync, upload_worker

CUP = "6930000009014"


def cups(api, in_stock):
    make_sku(api, "CUP", 272, 5, CUP, "保温杯")
    WEIGHT[CUP] = 272
    if in_stock:
        assert api.post("/api/stock/receipts", {"sku": "CUP", "bin": "A01-02-1", "qty": in_stock}).status_code == 201


def test_a_held_order_ships_what_is_there_and_the_rest_waits_as_a_back_order(shop):  # noqa: F811
    api = shop
    cups(api, 1)
    make_order(api, "S1", [("MUG", 2), ("CUP", 3)])
    held = api.get("/api/orders/S1").json()
    assert held["status"] == "on_hold" and "CUP short by 2" in held["hold_reason"]
    assert api.as_("packer").post("/api/orders/S1/ship-available").status_code == 403
    r = api.as_("supervisor").post("/api/orders/S1/ship-available")
    assert r.status_code == 200, r.text
    now = r.json()
    assert (now["status"], now["back_order"]) == ("reserved", "S1-B1")
    assert sorted((l["sku"], l["qty"]) for l in now["lines"]) == [("CUP", 1), ("MUG", 2)]
    back = api.get("/api/orders/S1-B1").json()
    assert (back["status"], back["split_from"]) == ("on_hold", "S1")
    assert back["trade_no"] == "S1", "the platform trade it belongs to: its e-waybill is asked with it"
    assert "CUP short by 2" in back["hold_reason"]
    assert [(l["sku"], l["qty"]) for l in back["lines"]] == [("CUP", 2)]
    assert back["recipient"] == {**now["recipient"]}
    assert any("S1-B1" in n["text"] for n in now["notes"])
    assert api.get("/api/stock?sku=CUP").json()[0]["reserved"] == 1

    again = api.post("/api/orders/S1/ship-available")
    assert (again.status_code, again.json()["error"]) == (409, "not_stock_held")
    nothing = api.post("/api/orders/S1-B1/ship-available")
    assert (nothing.status_code, nothing.json()["error"]) == (409, "nothing_in_stock")
    assert api.post("/api/orders/NOPE/ship-available").status_code == 404

    api.post("/api/stock/receipts", {"sku": "CUP", "bin": "A01-02-1", "qty": 5})
    assert api.get("/api/orders/S1-B1").json()["status"] == "reserved"  # its stock came: it goes on


def test_the_cli_splits_an_order_and_says_what_waits(shop, database_url):  # noqa: F811
    cups(shop, 2)
    make_order(shop, "S2", [("CUP", 5)])
    _register_all()
    out = CliRunner().invoke(app, ["orders", "ship-available", "S2", "--database", database_url])
    assert out.exit_code == 0, out.output
    assert "S2: reserved" in out.output and "S2-B1: on_hold — stock short: CUP short by 3" in out.output
    out = CliRunner().invoke(app, ["orders", "ship-available", "S2", "--database", database_url])
    assert out.exit_code == 2 and "only an order held for stock" in out.output and "Traceback" not in out.output


def test_a_shop_that_ships_what_is_there_splits_by_itself_and_taobao_hears_each_part(engine, shop, taobao):  # noqa: F811
    api = shop
    cups(api, 0)
    t = an_hour_ago()
    tid = taobao.add_trade([("MUG", 1), ("CUP", 1)], modified=t, paid=t)
    oids = {l["outer_sku_id"]: str(l["oid"]) for l in taobao.trades[tid]["orders"]["order"]}
    add_shop(engine, taobao, ship_available=True)
    assert sync.pull(engine, "TB1").imported == 1
    first = api.get(f"/api/orders/{tid}").json()
    assert first["status"] == "reserved" and [(l["sku"], l["qty"]) for l in first["lines"] if l["qty"]] == [("MUG", 1)]
    assert api.get(f"/api/orders/{tid}-B1").json()["status"] == "on_hold"

    [one] = pack_in_parcels(api, tid, [[MUG]])
    close(api, "SF")
    upload_worker.run_once(engine, "w1")
    assert [(c["out_sid"], c["sub_tid"]) for c in taobao.consignments] == [(one, [oids["MUG"]])]
    assert taobao.trades[tid]["status"] == "SELLER_CONSIGNED_PART"

    api.post("/api/stock/receipts", {"sku": "CUP", "bin": "A01-02-1", "qty": 3})
    [two] = pack_in_parcels(api, f"{tid}-B1", [[CUP]])
    close(api, "SF")
    upload_worker.run_once(engine, "w1")
    assert [(c["out_sid"], c["sub_tid"]) for c in taobao.consignments][1:] == [(two, [oids["CUP"]])]
    assert taobao.trades[tid]["status"] == "WAIT_BUYER_CONFIRM_GOODS"
    assert [u.status for u in uploads(engine)] == ["sent", "sent"]
