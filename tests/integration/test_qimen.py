"""The 奇门 (Qimen) WMS endpoint as shared/specs/qimen.md fixes it: an ERP registered with
`wms erp add` calls `POST /qimen` with signed XML; every answer is HTTP 200 with a `<response>`;
a shipment's parcels leaving at handover go back as exactly one `deliveryorder.confirm`.

Requests here are signed with the emulated ERP's own implementation of TOP's rule
(emulators/qimen_erp.reference_sign), not with the service's, so the two are held against
each other."""

from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from urllib.parse import urlencode

import pytest
from sqlalchemy import text

from emulators.qimen_erp import QimenErpEmulator, reference_sign
from wms.adapters.db.uow import UnitOfWork
from wms.adapters.qimen import protocol
from wms.adapters.qimen.client import QimenClient
from wms.services.platforms import erps, upload_worker

APP_KEY, SECRET, CUSTOMER = "erp-key", "erp-secret", "C100"
CUP = "6930000000011"

ITEM = ("<request><actionType>add</actionType><warehouseCode>WH01</warehouseCode><ownerCode>OWNER1</ownerCode>"
        "<item><itemCode>CUP</itemCode><itemName>保温杯 500ml</itemName><barCode>6930000000011</barCode>"
        "<grossWeight>0.272</grossWeight><netWeight>0.250</netWeight><itemType>ZC</itemType></item></request>")


def shipment(code: str = "DO1001", *, qty: int = 1, extra: str = "") -> str:
    return ("<request><deliveryOrder><deliveryOrderCode>" + code + "</deliveryOrderCode><orderType>JYCK</orderType>"
            "<warehouseCode>WH01</warehouseCode><sourcePlatformCode>TB</sourcePlatformCode>"
            "<createTime>2026-12-07 09:00:00</createTime><placeOrderTime>2026-12-07 08:59:00</placeOrderTime>"
            "<shopNick>丝施旗舰店</shopNick><logisticsCode>ZTO</logisticsCode>"
            "<receiverInfo><name>李**</name><mobile>138****1234</mobile><province>浙江省</province>"
            "<city>杭州市</city><area>余杭区</area><detailAddress>良睦路****号</detailAddress>"
            "<oaid>1WmcHtmSNicGAAAAAKPqL3qJxAbcd</oaid></receiverInfo>" + extra + "</deliveryOrder>"
            "<orderLines><orderLine><orderLineNo>1</orderLineNo><ownerCode>OWNER1</ownerCode><itemCode>CUP</itemCode>"
            f"<planQty>{qty}</planQty></orderLine></orderLines></request>")


def now_text(shift: timedelta = timedelta()) -> str:
    return (datetime.now(protocol.BEIJING) + shift).strftime("%Y-%m-%d %H:%M:%S")


def call(client, method: str, body: str | bytes, *, app_key: str = APP_KEY, customer: str = CUSTOMER,
         secret: str = SECRET, timestamp: str | None = None, fmt: str = "xml", sign: str | None = None):
    raw = body.encode("utf-8") if isinstance(body, str) else body
    params = {"method": method, "app_key": app_key, "customerId": customer, "timestamp": timestamp or now_text(),
              "format": fmt, "v": "2.0", "sign_method": "md5"}
    params["sign"] = sign or reference_sign(secret, params, raw)
    kind = "application/json" if fmt == "json" else "text/xml; charset=utf-8"
    return client.post("/qimen?" + urlencode(params), content=raw, headers={"Content-Type": kind})


def flag(response) -> tuple[str, str, str]:
    assert response.status_code == 200, response.text
    root = ET.fromstring(response.content)
    return root.findtext("flag"), root.findtext("code"), root.findtext("message") or ""


def timed_write(engine, into: list[float]):
    """A write another station makes while the ERP is answering; how long it waited goes `into`."""
    def write() -> None:
        started = time.perf_counter()
        with engine.begin() as conn:
            conn.execute(text("UPDATE sku SET name = name WHERE sku = 'CUP'"))
        into.append(time.perf_counter() - started)
    return write


@pytest.fixture
def erp(engine):
    with QimenErpEmulator(APP_KEY, SECRET) as emulator:
        with UnitOfWork(engine) as uow:
            erps.add_erp(uow, "JST", APP_KEY, SECRET, CUSTOMER, emulator.url)
            uow.commit()
        yield emulator


def test_the_signature_rule_agrees_with_an_independent_implementation():
    body = shipment().encode("utf-8")
    params = {"method": "taobao.qimen.deliveryorder.create", "app_key": "k", "customerId": "c",
              "timestamp": "2026-12-07 10:00:00", "v": "2.0", "sign_method": "md5", "format": "xml"}
    assert protocol.sign("s", params, body) == reference_sign("s", params, body)
    assert protocol.sign("s", {**params, "sign": "ignored"}, body) == reference_sign("s", params, body)
    assert protocol.sign("s", params, body) != protocol.sign("s", params, body + b" ")
    client = QimenClient("http://127.0.0.1:1/qimen", "k", "s", "c")
    query = client.signed_query("deliveryorder.create", body)
    assert query["sign"] == reference_sign("s", query, body)
    client.close()


def test_an_items_kilograms_and_centimetres_become_grams_and_millimetres(api, engine, erp):
    sized = ITEM.replace("<itemType>", "<length>12.5</length><width>8</width><height>0.35</height><itemType>")
    assert flag(call(api.client, "singleitem.synchronize", sized))[0] == "success"
    with engine.connect() as conn:
        row = conn.execute(text("SELECT unit_weight_g, length_mm, width_mm, height_mm FROM sku WHERE sku = 'CUP'")).one()
    assert tuple(row) == (272, 125, 80, 4)  # 0.272 kg; 12.5 cm, 8 cm, 0.35 cm (3.5 mm rounds to 4)
    taller = sized.replace("<height>0.35</height>", "<height>20</height>").replace("actionType>add", "actionType>update")
    assert flag(call(api.client, "singleitem.synchronize", taller))[0] == "success"
    with engine.connect() as conn:
        assert conn.execute(text("SELECT height_mm FROM sku WHERE sku = 'CUP'")).scalar_one() == 200
    for bad in ("<length>-3</length>", "<length>12cm</length>", "<length>NaN</length>", "<length>1e9</length>"):
        answer = flag(call(api.client, "singleitem.synchronize", ITEM.replace("<itemType>", bad + "<itemType>")))
        assert answer[0] == "failure" and answer[1] == "invalid_field" and "item.length" in answer[2], answer


def test_an_item_synchronised_by_the_erp_is_packable_by_its_barcode_and_weight(api, engine, erp):
    assert flag(call(api.client, "taobao.qimen.singleitem.synchronize", ITEM))[0] == "success"
    sku = api.get("/api/skus/CUP").json()
    assert sku["unit_weight_g"] == 272 and sku["name"] == "保温杯 500ml"
    with engine.connect() as conn:
        assert conn.execute(text("SELECT sku FROM skubarcode WHERE raw = :c"), {"c": CUP}).scalar_one() == "CUP"
    changed = ITEM.replace("0.272", "0.300").replace("actionType>add", "actionType>update")
    assert flag(call(api.client, "singleitem.synchronize", changed))[0] == "success"  # without the prefix
    assert api.get("/api/skus/CUP").json()["unit_weight_g"] == 300


def test_a_shipment_with_a_masked_receiver_becomes_one_packable_order(api, engine, erp):
    call(api.client, "singleitem.synchronize", ITEM)
    assert api.post("/api/stock/receipts", {"sku": "CUP", "bin": "A01-01-1", "qty": 5}).status_code in (200, 201)
    first = call(api.client, "taobao.qimen.deliveryorder.create", shipment())
    assert flag(first)[0] == "success"
    assert ET.fromstring(first.content).findtext("deliveryOrderId") == "DO1001"
    again = call(api.client, "deliveryorder.create", shipment())
    assert flag(again)[0] == "success" and "exists already" in flag(again)[2]
    order = api.get("/api/orders/DO1001").json()
    assert order["status"] == "reserved", order.get("hold_reason")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM orders")).scalar_one() == 1
        oaid, phone = conn.execute(text("SELECT oaid, recipient_phone FROM orders")).one()
    assert (oaid, phone) == ("1WmcHtmSNicGAAAAAKPqL3qJxAbcd", "138****1234"), "kept as given: no plaintext"
    r = api.as_("packer").post("/api/pack/sessions", {"order_no": "DO1001", "station": "PK-01"})
    assert r.status_code == 201, r.text


def test_json_bodies_are_taken_when_format_is_json(api, erp):
    body = json.dumps({"request": {"item": {"itemCode": "MUG", "itemName": "马克杯", "grossWeight": "0.35"}}})
    r = call(api.client, "singleitem.synchronize", body, fmt="json")
    assert r.status_code == 200 and r.json()["response"]["flag"] == "success"
    assert api.get("/api/skus/MUG").json()["unit_weight_g"] == 350


BILLION_LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
                  "<request><item><itemCode>&lol2;</itemCode></item></request>")
EXTERNAL = ('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            "<request><item><itemCode>&x;</itemCode></item></request>")


@pytest.mark.parametrize("case,code", [
    ("bad signature", "invalid_signature"), ("unknown customer", "unknown_customer"),
    ("stale timestamp", "stale_timestamp"), ("unknown method", "unknown_method"),
    ("entity expansion", "hostile_xml"), ("external entity", "hostile_xml"), ("malformed", "malformed_xml"),
    ("missing field", "missing_field"), ("missing line", "missing_field"), ("bad quantity", "invalid_field"),
    ("no sign", "missing_parameter"), ("unknown item", "unknown_sku"),
])
def test_every_refusal_is_a_qimen_failure_answer_and_saves_nothing(api, engine, erp, case, code):
    call(api.client, "singleitem.synchronize", ITEM)
    method, body, kw = "deliveryorder.create", shipment(), {}
    if case == "bad signature":
        kw["sign"] = "0" * 32
    elif case == "unknown customer":
        kw["customer"] = "NOBODY"
    elif case == "stale timestamp":
        kw["timestamp"] = now_text(-timedelta(hours=1))
    elif case == "unknown method":
        method = "taobao.qimen.warehouse.explode"
    elif case == "entity expansion":
        method, body = "singleitem.synchronize", BILLION_LAUGHS
    elif case == "external entity":
        method, body = "singleitem.synchronize", EXTERNAL
    elif case == "malformed":
        body = "<request><deliveryOrder>"
    elif case == "missing field":
        body = shipment().replace("<deliveryOrderCode>DO1001</deliveryOrderCode>", "")
    elif case == "missing line":
        body = shipment().split("<orderLines>")[0] + "</request>"
    elif case == "bad quantity":
        body = shipment(qty=0)
    elif case == "no sign":
        kw["sign"] = " "
    elif case == "unknown item":
        body = shipment().replace("<itemCode>CUP</itemCode>", "<itemCode>NOPE</itemCode>")
    answer = flag(call(api.client, method, body, **kw))
    if case == "unknown item":  # the shipment is taken and held for the desk, as any order with an unknown SKU
        assert answer[0] == "success"
        assert api.get("/api/orders/DO1001").json()["status"] == "on_hold"
        return
    assert answer[0] == "failure" and answer[1] == code, answer
    assert answer[2], "a message for a person"
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM orders")).scalar_one() == 0
        assert conn.execute(text("SELECT COUNT(*) FROM sku")).scalar_one() == 1


def test_the_handover_sends_exactly_one_confirmation_retried_until_the_erp_takes_it(api, engine, erp):
    call(api.client, "singleitem.synchronize", ITEM)
    api.post("/api/stock/receipts", {"sku": "CUP", "bin": "A01-01-1", "qty": 5})
    assert flag(call(api.client, "deliveryorder.create", shipment()))[0] == "success"
    sid = api.as_("packer").post("/api/pack/sessions", {"order_no": "DO1001", "station": "PK-01"}).json()["session_id"]
    assert api.as_("packer").post(f"/api/pack/sessions/{sid}/scans", {"code": CUP}).status_code == 200
    weighed = api.as_("packer").post(f"/api/pack/sessions/{sid}/weighings", {"grams": 281}).json()
    assert weighed["verdict"] == "pass", weighed
    tracking = weighed["tracking_no"]
    carrier = api.get("/api/orders/DO1001").json()["carrier"] or "WMS"
    assert api.as_("supervisor").post("/api/handovers", {"carrier": carrier}).status_code == 201

    erp.fail_next(1)  # the ERP is busy the first time
    writes: list[float] = []
    erp.during_call = timed_write(engine, writes)
    upload_worker.run_once(engine, "test-worker")
    # a transaction left open across the call would keep this write waiting until the call timed out (10 s)
    assert len(writes) == 1 and writes[0] < 5, f"the write waited {writes} s: a transaction was open during the call"
    assert erp.confirmations() == []
    with engine.begin() as conn:  # the retry is due now rather than after its back-off
        status = conn.execute(text("SELECT status FROM tracking_upload")).scalar_one()
        conn.execute(text("UPDATE tracking_upload SET next_attempt_at = :t"), {"t": datetime(2000, 1, 1)})
    assert status == "queued"
    api.client.cookies.set("wms_token", api.tokens["supervisor"])  # the lead's overview page
    board = api.client.get("/").text
    api.client.cookies.clear()
    assert 'id="outbox-problems"' in board and "JST" in board and "SYSTEM_BUSY" in board
    upload_worker.run_once(engine, "test-worker")
    upload_worker.run_once(engine, "test-worker")  # nothing left: a success is never sent twice
    [confirm] = erp.confirmations()
    assert confirm.findtext("deliveryOrder/deliveryOrderCode") == "DO1001"
    package = confirm.find("packages/package")
    assert package.findtext("expressCode") == tracking
    assert package.findtext("logisticsCode") == carrier
    assert package.findtext("weight") == "0.281"
    assert [(i.findtext("itemCode"), i.findtext("quantity")) for i in package.findall("items/item")] == [("CUP", "1")]
    assert confirm.findtext("deliveryOrder/operatorName") == "test-packer"
    assert confirm.findtext("deliveryOrder/operateTime")
    methods = [c["query"]["method"] for c in erp.calls]
    assert methods == ["taobao.qimen.deliveryorder.confirm"] * 2, "one refused, one taken"
    with engine.connect() as conn:
        assert conn.execute(text("SELECT status FROM tracking_upload")).scalar_one() == "sent"


def test_wms_erp_add_and_list_keep_the_secret_out_of_sight(database_url, monkeypatch):
    from typer.testing import CliRunner

    from wms.cli import _register_all, app

    _register_all()
    runner = CliRunner()
    added = runner.invoke(app, ["erp", "add", "WDT", "--kind", "qimen", "--app-key", "k2", "--secret", "env:WDT_SECRET",
                                "--customer-id", "C200", "--callback-url", "https://erp.example/qimen",
                                "--database", database_url])
    assert added.exit_code == 0, added.output
    listed = runner.invoke(app, ["erp", "list", "--json", "--database", database_url])
    [row] = json.loads(listed.output)
    assert row["secret"] == "from env WDT_SECRET" and "k2" == row["app_key"] and row["customer_id"] == "C200"
    bad = runner.invoke(app, ["erp", "add", "X", "--app-key", "k", "--secret", "s", "--customer-id", "c",
                              "--callback-url", "ftp://nope", "--database", database_url])
    assert bad.exit_code == 2 and "not http" in bad.output
    other = runner.invoke(app, ["erp", "add", "X", "--kind", "edi", "--app-key", "k", "--secret", "s",
                                "--customer-id", "c", "--database", database_url])
    assert other.exit_code == 2 and "qimen" in other.output
    outbox = runner.invoke(app, ["erp", "outbox", "--database", database_url])
    assert outbox.exit_code == 0 and "nothing in the outbox for qimen" in outbox.output


COMBO = ("<request><itemCode>GIFTSET</itemCode><ownerCode>OWNER1</ownerCode><warehouseCode>WH01</warehouseCode>"
         "<items><item><itemCode>CUP</itemCode><quantity>2</quantity></item>"
         "<item><itemCode>LID</itemCode><quantity>1</quantity></item></items></request>")
LID = ITEM.replace("<itemCode>CUP</itemCode>", "<itemCode>LID</itemCode>").replace(
    "6930000000011", "6930000000028").replace("0.272", "0.030").replace("保温杯 500ml", "杯盖")


def test_a_combo_is_exploded_into_its_parts_for_stock_scanning_and_weight(api, engine, erp):
    for body in (ITEM, LID):
        assert flag(call(api.client, "singleitem.synchronize", body))[0] == "success"
    assert flag(call(api.client, "taobao.qimen.combineitem.synchronize", COMBO))[0] == "success"
    for sku in ("CUP", "LID"):
        api.post("/api/stock/receipts", {"sku": sku, "bin": "A01-01-1" if sku == "CUP" else "A01-02-1", "qty": 10})
    body = shipment("DO3001", qty=3).replace("<itemCode>CUP</itemCode>", "<itemCode>GIFTSET</itemCode>")
    assert flag(call(api.client, "deliveryorder.create", body))[0] == "success"
    order = api.get("/api/orders/DO3001").json()
    assert order["status"] == "reserved", order.get("hold_reason")
    assert sorted((l["sku"], l["qty"]) for l in order["lines"]) == [("CUP", 6), ("LID", 3)]
    assert any("combo GIFTSET" in n["text"] for n in order["notes"])
    sid = api.as_("packer").post("/api/pack/sessions", {"order_no": "DO3001", "station": "PK-01"}).json()["session_id"]
    weighed = api.as_("packer").post(f"/api/pack/sessions/{sid}/weighings", {"grams": 6 * 272 + 3 * 30}).json()
    assert weighed["expected_g"] >= 6 * 272 + 3 * 30, weighed  # the parts' weight (plus packaging)
    bad = COMBO.replace("<itemCode>LID</itemCode>", "<itemCode>NOPE</itemCode>")
    assert flag(call(api.client, "combineitem.synchronize", bad))[:2] == ("failure", "unknown_item")


def test_inventory_query_and_cancel_before_packing(api, engine, erp):
    call(api.client, "singleitem.synchronize", ITEM)
    api.post("/api/stock/receipts", {"sku": "CUP", "bin": "A01-01-1", "qty": 5})
    assert flag(call(api.client, "deliveryorder.create", shipment(qty=2)))[0] == "success"
    query = ("<request><criteriaList><criteria><warehouseCode>WH01</warehouseCode><itemCode>CUP</itemCode>"
             "</criteria></criteriaList></request>")
    answer = ET.fromstring(call(api.client, "taobao.qimen.inventory.query", query).content)
    [item] = answer.findall("items/item")
    assert (item.findtext("itemCode"), item.findtext("quantity"), item.findtext("lockQuantity")) == ("CUP", "5", "2")
    cancel = "<request><warehouseCode>WH01</warehouseCode><orderCode>DO1001</orderCode><orderType>JYCK</orderType>" \
             "<cancelReason>买家取消</cancelReason></request>"
    assert flag(call(api.client, "taobao.qimen.order.cancel", cancel))[0] == "success"
    assert api.get("/api/orders/DO1001").json()["status"] == "cancelled"
    answer = ET.fromstring(call(api.client, "inventory.query", query).content)
    assert answer.find("items/item").findtext("lockQuantity") == "0"
    assert flag(call(api.client, "order.cancel", cancel))[0] == "success"  # again: already cancelled
    unknown = cancel.replace("DO1001", "DO9999")
    assert flag(call(api.client, "order.cancel", unknown))[:2] == ("failure", "unknown_order")


def test_a_shipment_sent_again_with_changes_updates_the_order_until_it_is_packed(api, erp):
    call(api.client, "singleitem.synchronize", ITEM)
    api.post("/api/stock/receipts", {"sku": "CUP", "bin": "A01-01-1", "qty": 5})
    assert flag(call(api.client, "deliveryorder.create", shipment()))[0] == "success"
    moved = shipment(qty=2).replace("良睦路****号", "文一西路****号")
    answer = flag(call(api.client, "deliveryorder.create", moved))
    assert answer[0] == "success" and "updated" in answer[2], answer
    order = api.get("/api/orders/DO1001").json()
    assert [(l["sku"], l["qty"]) for l in order["lines"]] == [("CUP", 2)]
    assert order["status"] == "reserved"
    assert "文一西路" in str(api.as_("admin").get("/api/orders/DO1001").json())
    sid = api.as_("packer").post("/api/pack/sessions", {"order_no": "DO1001", "station": "PK-01"}).json()["session_id"]
    for _ in range(2):
        api.as_("packer").post(f"/api/pack/sessions/{sid}/scans", {"code": CUP, "confirm_repeat": True})
    assert api.as_("packer").post(f"/api/pack/sessions/{sid}/weighings", {"grams": 553}).json()["verdict"] == "pass"
    late = flag(call(api.client, "deliveryorder.create", moved.replace("<planQty>2</planQty>", "<planQty>3</planQty>")))
    assert late[:2] == ("failure", "order_in_progress"), late
    assert flag(call(api.client, "deliveryorder.create", moved))[0] == "success"  # a plain resend is still fine
    cancel = "<request><orderCode>DO1001</orderCode><orderType>JYCK</orderType></request>"
    assert flag(call(api.client, "order.cancel", cancel))[:2] == ("failure", "cancel_refused")


def test_a_cancel_after_packing_is_refused_and_holds_the_parcel_out_of_the_handover(api, engine, erp):
    call(api.client, "singleitem.synchronize", ITEM)
    api.post("/api/stock/receipts", {"sku": "CUP", "bin": "A01-01-1", "qty": 5})
    assert flag(call(api.client, "deliveryorder.create", shipment()))[0] == "success"
    sid = api.as_("packer").post("/api/pack/sessions", {"order_no": "DO1001", "station": "PK-01"}).json()["session_id"]
    api.as_("packer").post(f"/api/pack/sessions/{sid}/scans", {"code": CUP})
    tracking = api.as_("packer").post(f"/api/pack/sessions/{sid}/weighings", {"grams": 281}).json()["tracking_no"]
    assert tracking
    cancel = "<request><orderCode>DO1001</orderCode><orderType>JYCK</orderType><cancelReason>买家退款</cancelReason></request>"
    refused = flag(call(api.client, "taobao.qimen.order.cancel", cancel))
    assert refused[:2] == ("failure", "cancel_refused") and tracking in refused[2] and "拦截" in refused[2], refused
    with engine.connect() as conn:
        assert conn.execute(text("SELECT status FROM parcel")).scalar_one() == "intercepted"
        kind, message = conn.execute(text("SELECT kind, message FROM platform_alert")).one()
    assert kind == "intercept" and tracking in message and "买家退款" in message
    carrier = api.get("/api/orders/DO1001").json()["carrier"] or "WMS"
    held = api.as_("supervisor").post("/api/handovers", {"carrier": carrier})
    assert held.status_code == 409 and held.json()["error"] == "nothing_to_hand_over", "the parcel stays in"
    again = flag(call(api.client, "order.cancel", cancel))  # the ERP asks again: still refused, one alert
    assert again[:2] == ("failure", "cancel_refused") and "void" in again[2]
    voided = api.as_("supervisor").post(f"/api/parcels/{tracking}/void", {"reason": "ERP cancelled: intercepted"})
    assert voided.status_code == 200, voided.text
    assert flag(call(api.client, "order.cancel", cancel))[0] == "success"
    assert api.get("/api/orders/DO1001").json()["status"] == "cancelled"


def test_erps_are_registered_and_their_confirmations_listed_through_the_api(api, engine, erp):
    body = {"name": "WLN", "kind": "qimen", "app_key": "k3", "secret": "env:WLN_SECRET", "customer_id": "C300",
            "callback_url": "https://erp.example/qimen"}
    assert api.as_("supervisor").post("/api/erps", body).status_code == 403
    r = api.post("/api/erps", body)
    assert r.status_code == 200, r.text
    assert r.json()["secret"] == "from env WLN_SECRET" and "k3" in r.text and "env:" not in r.text
    assert {e["name"] for e in api.get("/api/erps").json()["erps"]} == {"JST", "WLN"}
    assert api.post("/api/erps", {**body, "kind": "edi"}).status_code == 422
    assert api.post("/api/erps", {**body, "name": "OTHER"}).json()["error"] == "duplicate_erp"
    empty = api.as_("supervisor").get("/api/erps/outbox").json()
    assert empty["confirmations"] == [] and empty["messages"] == [] and set(empty["counts"].values()) == {0}


def test_a_waybill_number_the_erp_took_already_is_the_parcels(api, engine, erp):
    call(api.client, "singleitem.synchronize", ITEM)
    api.post("/api/stock/receipts", {"sku": "CUP", "bin": "A01-01-1", "qty": 5})
    assert api.post("/api/carriers", {"code": "ZTO", "name": "中通快递", "regions": ["*"]}).status_code in (200, 201)
    assert api.post("/api/carriers/ZTO/pools", {"prefix": "ZT", "digits": 12, "start": 1, "end": 999}).status_code == 201
    numbered = shipment(extra="").replace("<logisticsCode>ZTO</logisticsCode>",
                                          "<logisticsCode>ZTO</logisticsCode><expressCode>ZT7730001234567</expressCode>")
    assert flag(call(api.client, "deliveryorder.create", numbered))[0] == "success"
    packer = api.as_("packer")
    sid = packer.post("/api/pack/sessions", {"order_no": "DO1001", "station": "PK-01"}).json()["session_id"]
    packer.post(f"/api/pack/sessions/{sid}/scans", {"code": CUP})
    weighed = packer.post(f"/api/pack/sessions/{sid}/weighings", {"grams": 281}).json()
    assert weighed["tracking_no"] == "ZT7730001234567", weighed
    voided = api.as_("supervisor").post("/api/parcels/ZT7730001234567/void", {"reason": "label torn"})
    assert voided.status_code == 200, voided.text
    sid = packer.post("/api/pack/sessions", {"order_no": "DO1001", "station": "PK-01"}).json()["session_id"]
    packer.post(f"/api/pack/sessions/{sid}/scans", {"code": CUP})
    again = packer.post(f"/api/pack/sessions/{sid}/weighings", {"grams": 281}).json()
    assert again["tracking_no"] and again["tracking_no"] != "ZT7730001234567", "a voided number is never reused"
    unknown = shipment("DO1002").replace("<logisticsCode>ZTO</logisticsCode>",
                                         "<logisticsCode>YTO</logisticsCode><expressCode>YT9</expressCode>")
    assert flag(call(api.client, "deliveryorder.create", unknown))[0] == "success"
    notes = api.get("/api/orders/DO1002").json()["notes"]
    assert any("YT9 is not used" in n["text"] for n in notes), notes
    bad = shipment("DO1003").replace("<logisticsCode>ZTO</logisticsCode>",
                                     "<logisticsCode>ZTO</logisticsCode><expressCode>中通 123</expressCode>")
    assert flag(call(api.client, "deliveryorder.create", bad))[:2] == ("failure", "invalid_field")


def test_the_erp_emulator_pushes_items_combos_and_shipments_in_bulk(engine, erp, live_url):
    from emulators.qimen_erp import ErpPush

    push = ErpPush(live_url, APP_KEY, SECRET, CUSTOMER)
    try:
        items = push.items(4)
        combos = push.combos(2, items)
        assert push.shipments(6, items + combos) == 6
    finally:
        push.close()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM sku WHERE length_mm = 200")).scalar_one() == 4, "20 cm each"
        assert conn.execute(text("SELECT COUNT(*) FROM combo_component")).scalar_one() == 4
        assert conn.execute(text("SELECT COUNT(*) FROM orders")).scalar_one() == 6
        assert conn.execute(text("SELECT COUNT(*) FROM order_line WHERE sku LIKE 'SET%'")).scalar_one() == 0, \
            "combo lines became their parts"


def test_cod_presale_ship_by_and_platform_order_codes_come_across(api, erp):
    call(api.client, "singleitem.synchronize", ITEM)
    api.post("/api/stock/receipts", {"sku": "CUP", "bin": "A01-01-1", "qty": 5})
    cod = shipment("DO4001", extra="<orderFlag>COD</orderFlag><arAmount>88.50</arAmount>"
                                   "<latestDeliveryTime>2026-12-08 18:00:00</latestDeliveryTime>"
                                   "<oaidOrderSourceCode>TB2026120712345</oaidOrderSourceCode>")
    assert flag(call(api.client, "deliveryorder.create", cod))[0] == "success"
    order = api.as_("admin").get("/api/orders/DO4001").json()
    assert (order["order_type"], order["cod_amount"]) == ("cod", "88.50"), order
    assert order["ship_by"].startswith("2026-12-08T10:00:00"), "18:00 Beijing time"
    assert any("TB2026120712345" in n["text"] for n in order["notes"])
    presale = shipment("DO4002", extra="<orderFlag>PRESELL</orderFlag>")
    assert flag(call(api.client, "deliveryorder.create", presale))[0] == "success"
    assert api.get("/api/orders/DO4002").json()["order_type"] == "presale"
    owed_nothing = shipment("DO4003", extra="<orderFlag>COD</orderFlag>")
    assert flag(call(api.client, "deliveryorder.create", owed_nothing))[:2] == ("failure", "missing_field")
