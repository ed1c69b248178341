"""Expected receipts (入库单) over 奇门: an ERP announces one with `entryorder.create`, the
warehouse receives units into bins against it and closes it, and exactly one
`entryorder.confirm` with the units that came goes back through the ERP outbox."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime

from sqlalchemy import text
from typer.testing import CliRunner

from tests.integration.test_qimen import ITEM, call, erp, flag  # noqa: F401  (erp: the fixture)
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
