"""Expected receipts (入库单) over 奇门: an ERP announces one with `entryorder.create`, the
warehouse receives units into bins against it and closes it, and exactly one
`entryorder.confirm` with the units that came goes back through the ERP outbox."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime

from sqlalchemy import text
from typer.testing import CliRunner

from tests.integration.test_qimen import CUP, ITEM, call, erp, flag, shipment, timed_write  # noqa: F401  (erp: the fixture)
from wms.cli import _register_all, app
from wms.services.platforms import erp_outbox

SOCK = ITEM.replace("<itemCode>CUP</itemCode>", "<itemCode>SOCK</itemCode>").replace(
    "6930000000011", "6930000000028").replace("保温杯 500ml", "白色短袜")


def entry(code: str = "RK2001", lines: str = "<orderLine><itemCode>CUP</itemCode><planQty>10</planQty></orderLine>",
          kind: str = "CGRK") -> str:
    return (f"<request><entryOrder><entryOrderCode>{code}</entryOrderCode><orderType>{kind}</orderType>"
            "<warehouseCode>WH01</warehouseCode><supplierName>义乌保温杯厂</supplierName></entryOrder>"
            f"<orderLines>{lines}</orderLines></request>")


def confirmations(emulator) -> list[ET.Element]:
    return [c["xml"] for c in emulator.accepted if "entryorder.confirm" in c["query"].get("method", "")]


def make_due(engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("UPDATE erp_message SET next_attempt_at = :t"), {"t": datetime(2000, 1, 1)})


def test_an_entry_order_is_received_closed_and_confirmed_once(api, engine, erp):  # noqa: F811
    call(api.client, "singleitem.synchronize", ITEM)
    call(api.client, "singleitem.synchronize", SOCK)
    assert flag(call(api.client, "taobao.qimen.entryorder.create", entry()))[0] == "success"
    again = flag(call(api.client, "entryorder.create", entry()))
    assert again[0] == "success" and "exists already" in again[2]
    more = entry(lines="<orderLine><itemCode>CUP</itemCode><planQty>12</planQty></orderLine>")
    assert "updated" in flag(call(api.client, "entryorder.create", more))[2]
    lead = api.as_("supervisor")
    got = lead.post("/api/entry-orders/RK2001/receipts", {"sku": "CUP", "bin": "A01-01-1", "qty": 7})
    assert got.status_code == 201, got.text
    assert got.json()["lines"] == [{"sku": "CUP", "planned": 12, "received": 7}] and got.json()["status"] == "PARTFULFILLED"
    with engine.connect() as conn:
        assert conn.execute(text("SELECT SUM(on_hand) FROM stock WHERE sku = 'CUP'")).scalar_one() == 7
    stray = lead.post("/api/entry-orders/RK2001/receipts", {"sku": "SOCK", "bin": "A01-01-1", "qty": 1})
    assert stray.status_code == 409 and stray.json()["error"] == "not_on_entry_order"
    assert lead.post("/api/entry-orders/RK9/receipts", {"sku": "CUP", "bin": "A01-01-1", "qty": 1}).status_code == 404
    late = flag(call(api.client, "entryorder.create", entry()))
    assert late[:2] == ("failure", "order_in_progress"), "receiving has begun: the plan stays"
    assert api.as_("packer").post("/api/entry-orders/RK2001/close").status_code == 403

    erp.fail_next(1)  # the ERP is busy the first time
    writes: list[float] = []
    erp.during_call = timed_write(engine, writes)
    closed = lead.post("/api/entry-orders/RK2001/close")
    assert closed.status_code == 200 and closed.json()["status"] == "FULFILLED"
    erp_outbox.run_once(engine, "test-worker")
    assert confirmations(erp) == []
    waiting = lead.get("/api/erps/outbox").json()
    assert waiting["counts"]["queued"] == 1 and waiting["messages"][0]["last_error_code"] == "refused"
    api.client.cookies.set("wms_token", api.tokens["supervisor"])  # the lead's overview page
    board = api.client.get("/").text
    api.client.cookies.clear()
    assert 'id="outbox-problems"' in board and "SYSTEM_BUSY" in board and "wms erp outbox" in board
    make_due(engine)
    erp_outbox.run_once(engine, "test-worker")
    make_due(engine)
    erp_outbox.run_once(engine, "test-worker")  # nothing left: a success is never sent twice
    [confirm] = confirmations(erp)
    # a transaction left open across the call would keep these writes waiting until the call timed out (10 s)
    assert len(writes) == 2 and max(writes) < 5, f"the writes waited {writes} s: a transaction was open during a call"
    assert confirm.findtext("entryOrder/entryOrderCode") == "RK2001"
    assert confirm.findtext("entryOrder/status") == "FULFILLED"
    [line] = confirm.findall("orderLines/orderLine")
    assert (line.findtext("itemCode"), line.findtext("planQty"), line.findtext("actualQty")) == ("CUP", "12", "7")
    assert lead.post("/api/entry-orders/RK2001/close").status_code == 200, "closing twice is harmless"
    make_due(engine)
    erp_outbox.run_once(engine, "test-worker")
    assert len(confirmations(erp)) == 1
    after = lead.post("/api/entry-orders/RK2001/receipts", {"sku": "CUP", "bin": "A01-01-1", "qty": 1})
    assert after.status_code == 409 and after.json()["error"] == "entry_closed"


def test_bad_entry_orders_are_refused_and_nothing_is_kept(api, engine, erp):  # noqa: F811
    call(api.client, "singleitem.synchronize", ITEM)
    cases = {
        "unknown_item": entry(lines="<orderLine><itemCode>NOPE</itemCode><planQty>1</planQty></orderLine>"),
        "invalid_field": entry(lines="<orderLine><itemCode>CUP</itemCode><planQty>-2</planQty></orderLine>"),
        "missing_field": entry().replace("<entryOrderCode>RK2001</entryOrderCode>", ""),
    }
    for code, body in cases.items():
        answer = flag(call(api.client, "entryorder.create", body))
        assert answer[:2] == ("failure", code) and answer[2], answer
    wrong_type = flag(call(api.client, "entryorder.create", entry(kind="ZZZZ")))
    assert wrong_type[:2] == ("failure", "invalid_field") and "orderType" in wrong_type[2]
    no_lines = flag(call(api.client, "entryorder.create", entry(lines="")))
    assert no_lines[:2] == ("failure", "missing_field")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM entry_order")).scalar_one() == 0


def test_the_receiving_desk_works_an_entry_order_from_the_command_line(api, engine, erp, database_url):  # noqa: F811
    call(api.client, "singleitem.synchronize", ITEM)
    call(api.client, "entryorder.create", entry(code="RK3001"))
    _register_all()
    runner = CliRunner()
    listed = runner.invoke(app, ["erp", "entries", "--database", database_url])
    assert listed.exit_code == 0 and "RK3001" in listed.output and "CUP 0/10" in listed.output
    got = runner.invoke(app, ["erp", "receive", "RK3001", "CUP", "A01-01-1", "10", "--by", "张三",
                              "--database", database_url])
    assert got.exit_code == 0 and "CUP 10/10" in got.output, got.output
    wrong = runner.invoke(app, ["erp", "receive", "RK3001", "SOCK", "A01-01-1", "1", "--database", database_url])
    assert wrong.exit_code != 0 and "not on entry order RK3001" in wrong.output
    assert runner.invoke(app, ["erp", "close", "RK3001", "--database", database_url]).exit_code == 0
    sent = runner.invoke(app, ["erp", "outbox", "--send", "--database", database_url])
    assert sent.exit_code == 0 and "entryorder.confirm" in sent.output and "sent 1" in sent.output, sent.output
    [confirm] = confirmations(erp)
    assert confirm.findtext("orderLines/orderLine/actualQty") == "10"
    assert confirm.findtext("entryOrder/operatorName") == "receiving"


def returned(code: str = "RT5001", shipment: str = "DO1001", qty: int = 1) -> str:
    return (f"<request><returnOrder><returnOrderCode>{code}</returnOrderCode><warehouseCode>WH01</warehouseCode>"
            f"<orderType>THRK</orderType><preDeliveryOrderCode>{shipment}</preDeliveryOrderCode>"
            "<logisticsCode>SF</logisticsCode><expressCode>SF1400012345678</expressCode>"
            "<senderInfo><name>李**</name><mobile>138****1234</mobile></senderInfo></returnOrder>"
            f"<orderLines><orderLine><itemCode>CUP</itemCode><planQty>{qty}</planQty></orderLine></orderLines></request>")


def test_a_buyers_return_announced_by_the_erp_is_received_and_confirmed(api, engine, erp):  # noqa: F811
    call(api.client, "singleitem.synchronize", ITEM)
    api.post("/api/stock/receipts", {"sku": "CUP", "bin": "A01-01-1", "qty": 5})
    assert flag(call(api.client, "deliveryorder.create", shipment()))[0] == "success"
    assert flag(call(api.client, "taobao.qimen.returnorder.create", returned()))[0] == "success"
    assert "exists already" in flag(call(api.client, "returnorder.create", returned()))[2]
    unknown = flag(call(api.client, "returnorder.create", returned(code="RT5002", shipment="DO404")))
    assert unknown[:2] == ("failure", "unknown_order") and "DO404" in unknown[2]
    clash = flag(call(api.client, "entryorder.create", entry(code="RT5001")))
    assert clash[:2] == ("failure", "duplicate_order"), "a return's code is not an entry order's"
    lead = api.as_("supervisor")
    view = lead.get("/api/entry-orders/RT5001").json()
    assert (view["type"], view["return_of"], view["return_tracking_no"]) == ("THRK", "DO1001", "SF1400012345678")
    assert lead.post("/api/entry-orders/RT5001/receipts", {"sku": "CUP", "bin": "A01-01-1", "qty": 1}).status_code == 201
    assert lead.post("/api/entry-orders/RT5001/close").json()["status"] == "FULFILLED"
    erp_outbox.run_once(engine, "test-worker")
    [confirm] = [c["xml"] for c in erp.accepted if "returnorder.confirm" in c["query"]["method"]]
    assert confirm.findtext("returnOrder/returnOrderCode") == "RT5001"
    assert confirm.findtext("returnOrder/preDeliveryOrderCode") == "DO1001"
    assert confirm.findtext("returnOrder/expressCode") == "SF1400012345678"
    assert confirm.findtext("orderLines/orderLine/actualQty") == "1"
    assert confirmations(erp) == [], "a return is confirmed as a return, not as an entry order"
    with engine.connect() as conn:
        assert conn.execute(text("SELECT SUM(on_hand) FROM stock WHERE sku = 'CUP'")).scalar_one() == 6


def test_a_shipment_the_stock_cannot_cover_is_reported_to_the_erp_as_item_lack_once(api, engine, erp):  # noqa: F811
    call(api.client, "singleitem.synchronize", ITEM)
    api.post("/api/stock/receipts", {"sku": "CUP", "bin": "A01-01-1", "qty": 2})
    assert flag(call(api.client, "deliveryorder.create", shipment(qty=5)))[0] == "success"
    order = api.get("/api/orders/DO1001").json()
    assert order["status"] == "on_hold" and "stock short" in order["hold_reason"]
    assert flag(call(api.client, "deliveryorder.create", shipment(qty=5)))[0] == "success"  # sent again: no second report
    assert flag(call(api.client, "deliveryorder.create", shipment(code="DO1002", qty=1)))[0] == "success"
    erp_outbox.run_once(engine, "test-worker")
    [lack] = [c["xml"] for c in erp.accepted if "itemlack.report" in c["query"]["method"]]
    assert lack.findtext("deliveryOrderCode") == "DO1001"
    [item] = lack.findall("items/item")
    assert (item.findtext("itemCode"), item.findtext("planQty"), item.findtext("lackQty")) == ("CUP", "5", "3")


def test_the_erp_hears_each_step_of_its_shipment_once(api, engine, erp):  # noqa: F811
    call(api.client, "singleitem.synchronize", ITEM)
    api.post("/api/stock/receipts", {"sku": "CUP", "bin": "A01-01-1", "qty": 5})
    assert flag(call(api.client, "deliveryorder.create", shipment()))[0] == "success"
    packer = api.as_("packer")
    sid = packer.post("/api/pack/sessions", {"order_no": "DO1001", "station": "PK-01"}).json()["session_id"]
    packer.post(f"/api/pack/sessions/{sid}/scans", {"code": CUP})
    tracking = packer.post(f"/api/pack/sessions/{sid}/weighings", {"grams": 281}).json()["tracking_no"]
    erp_outbox.run_once(engine, "process-worker")
    carrier = api.get("/api/orders/DO1001").json()["carrier"] or "WMS"
    assert api.as_("supervisor").post("/api/handovers", {"carrier": carrier}).status_code == 201
    erp_outbox.run_once(engine, "process-worker")
    erp_outbox.run_once(engine, "another-worker")  # a second instance looks a day back: nothing twice
    steps = [(c["xml"].findtext("order/orderCode"), c["xml"].findtext("process/processStatus"),
              c["xml"].findtext("process/expressCode"), c["xml"].findtext("process/remark"))
             for c in erp.accepted if "orderprocess.report" in c["query"]["method"]]
    assert steps == [("DO1001", "WEIGH", tracking, "281 g"), ("DO1001", "PACKAGE", tracking, None),
                     ("DO1001", "DELIVERED", tracking, None)], steps


def test_stock_changes_the_erp_did_not_ask_for_are_reported_once(api, engine, erp):  # noqa: F811
    call(api.client, "singleitem.synchronize", ITEM)  # CUP: the ERP's item
    api.post("/api/skus", {"sku": "OURS", "name": "仓库自用胶带", "unit_weight_g": 100})  # not the ERP's
    lead = api.as_("supervisor")
    assert lead.post("/api/stock/receipts", {"sku": "CUP", "bin": "A01-01-1", "qty": 5}).status_code == 201
    assert lead.post("/api/stock/receipts", {"sku": "OURS", "bin": "A01-01-1", "qty": 9}).status_code == 201
    counted = lead.post("/api/stock/adjustments", {"sku": "CUP", "bin": "A01-01-1", "counted_qty": 4,
                                                   "reason": "cycle count: one broken"})
    assert counted.status_code in (200, 201), counted.text
    call(api.client, "entryorder.create", entry(code="RK7001", lines="<orderLine><itemCode>CUP</itemCode>"
                                                                     "<planQty>2</planQty></orderLine>"))
    lead.post("/api/entry-orders/RK7001/receipts", {"sku": "CUP", "bin": "A01-01-1", "qty": 2})  # the ERP asked
    erp_outbox.run_once(engine, "stock-worker")
    erp_outbox.run_once(engine, "another-stock-worker")  # a second look queues nothing twice
    changes = [c["xml"].find("items/item") for c in erp.accepted if "stockchange.report" in c["query"]["method"]]
    assert [(i.findtext("itemCode"), i.findtext("quantity"), i.findtext("inventoryType"), i.findtext("orderType"))
            for i in changes] == [("CUP", "5", "ZP", "RECEIPT"), ("CUP", "-1", "ZP", "ADJUSTMENT")]
    assert changes[1].findtext("reason") == "cycle count: one broken"
