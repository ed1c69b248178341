"""An ERP drives a real `wms serve` over 奇门, as shared/specs/qimen.md describes and an outside
check would: items and a shipment in through `POST /qimen`, the parcel packed at a station over
the JSON API, handed over, and exactly one signed `deliveryorder.confirm` back at the ERP's
callback URL, sent by the service's own outbox worker."""

from __future__ import annotations

import threading
import time
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import httpx
from typer.testing import CliRunner

from emulators.qimen_erp import QimenErpEmulator, reference_sign
from tests.integration.test_qimen import ITEM, now_text, shipment
from tests.system.warehouse import anomalies, client, count, ok, wait_for


def qimen_post(url: str, method: str, body: str) -> ET.Element:
    raw = body.encode("utf-8")
    params = {"method": method, "app_key": "erp-key", "customerId": "C100", "timestamp": now_text(),
              "format": "xml", "v": "2.0", "sign_method": "md5"}
    params["sign"] = reference_sign("erp-secret", params, raw)
    r = httpx.post(f"{url}/qimen?{urlencode(params)}", content=raw,
                   headers={"Content-Type": "text/xml; charset=utf-8"}, timeout=30)
    assert r.status_code == 200, r.text
    return ET.fromstring(r.content)


def register_erp(erp: QimenErpEmulator, database_url: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """`wms erp add JST ...` as a warehouse's admin types it, its secret from the environment."""
    from wms.cli import _register_all, app

    _register_all()
    monkeypatch.setenv("JST_SECRET", "erp-secret")
    added = CliRunner().invoke(app, ["erp", "add", "JST", "--app-key", "erp-key", "--secret", "env:JST_SECRET",
                                     "--customer-id", "C100", "--callback-url", erp.url, "--database", database_url])
    assert added.exit_code == 0, added.output


def test_an_erp_shipment_is_packed_handed_over_and_confirmed_once(services, tokens, database_url, monkeypatch):
    with QimenErpEmulator("erp-key", "erp-secret") as erp:
        register_erp(erp, database_url, monkeypatch)
        service = services(env={"WMS_PLATFORM_SYNC": "true", "JST_SECRET": "erp-secret"})
        assert qimen_post(service.url, "taobao.qimen.singleitem.synchronize", ITEM).findtext("flag") == "success"
        created = qimen_post(service.url, "taobao.qimen.deliveryorder.create", shipment("DO2001", qty=2))
        assert created.findtext("flag") == "success", ET.tostring(created)
        with client(service.url, tokens["admin"]) as admin, client(service.url, tokens["packer"]) as packer:
            ok(admin.post("/api/stock/receipts", json={"sku": "CUP", "bin": "A01-01-1", "qty": 10}))
            sid = ok(packer.post("/api/pack/sessions", json={"order_no": "DO2001", "station": "PK-01"}))["session_id"]
            for _ in range(2):
                ok(packer.post(f"/api/pack/sessions/{sid}/scans", json={"code": "6930000000011",
                                                                         "confirm_repeat": True}))
            weighed = ok(packer.post(f"/api/pack/sessions/{sid}/weighings", json={"grams": 553}))
            assert weighed["verdict"] == "pass", weighed
            carrier = ok(admin.get("/api/orders/DO2001"))["carrier"]
            ok(admin.post("/api/handovers", json={"carrier": carrier}))
        deadline = time.monotonic() + 30
        while not erp.confirmations() and time.monotonic() < deadline:
            time.sleep(0.3)
        time.sleep(3)  # another pass of the worker: nothing more may come
        service.stop()
    [confirm] = erp.confirmations()
    assert confirm.findtext("deliveryOrder/deliveryOrderCode") == "DO2001"
    assert confirm.findtext("packages/package/expressCode") == weighed["tracking_no"]
    assert confirm.findtext("packages/package/weight") == "0.553"
    methods = [c["query"]["method"] for c in erp.calls]
    assert methods.count("taobao.qimen.deliveryorder.confirm") == 1, methods
    steps = [c["xml"].findtext("process/processStatus") for c in erp.calls if "orderprocess" in c["query"]["method"]]
    assert len(steps) == len(set(steps)) and set(steps) <= {"WEIGH", "PACKAGE", "DELIVERED"}, steps
    assert methods.count("taobao.qimen.itemlack.report") == 1, "the shipment came before its stock: told once"
    assert methods.count("taobao.qimen.stockchange.report") == 1, "the 10 units received: told once"
    assert set(methods) <= {"taobao.qimen.deliveryorder.confirm", "taobao.qimen.orderprocess.report",
                            "taobao.qimen.itemlack.report", "taobao.qimen.stockchange.report"}, methods


SHIPMENTS, CLIENTS = 48, 4


def test_killed_mid_way_an_erps_shipments_and_confirmations_are_neither_lost_nor_doubled(
        engine, services, tokens, database_url, monkeypatch):
    """`wms serve` is killed (SIGKILL) while an ERP is sending shipments, and again while its
    entry-order confirmations go out; the ERP resends what was not answered. Each shipment is one
    order holding its units once; each confirmation reaches the ERP, and only one that was in
    flight at the kill may reach it twice (an ERP takes a confirmation of one document once)."""
    with QimenErpEmulator("erp-key", "erp-secret") as erp:
        register_erp(erp, database_url, monkeypatch)
        env = {"WMS_PLATFORM_SYNC": "true", "JST_SECRET": "erp-secret", "WMS_UPLOAD_LEASE_S": "2"}
        service = services(env=env)
        assert qimen_post(service.url, "taobao.qimen.singleitem.synchronize", ITEM).findtext("flag") == "success"
        with client(service.url, tokens["admin"]) as admin:
            ok(admin.post("/api/stock/receipts", json={"sku": "CUP", "bin": "A01-01-1", "qty": SHIPMENTS}))
        answered: set[str] = set()
        lock = threading.Lock()
        enough = threading.Event()

        def erp_sender(n: int) -> None:
            for i in range(n, SHIPMENTS, CLIENTS):
                try:
                    flag = qimen_post(service.url, "deliveryorder.create", shipment(f"DK{i:03d}")).findtext("flag")
                except (httpx.HTTPError, AssertionError):
                    return  # the service is gone: the ERP will send it again
                with lock:
                    if flag == "success":
                        answered.add(f"DK{i:03d}")
                    if len(answered) >= SHIPMENTS // 3:
                        enough.set()

        senders = [threading.Thread(target=erp_sender, args=(n,), daemon=True) for n in range(CLIENTS)]
        for t in senders:
            t.start()
        assert enough.wait(60), "the ERP's shipments did not get through"
        service.kill()
        for t in senders:
            t.join(30)
        assert anomalies(engine) == [], "the database is consistent right after the kill"
        assert count(engine, "SELECT COUNT(*) FROM orders") >= len(answered), "an answered shipment was lost"
        service.start()
        for i in range(SHIPMENTS):  # the ERP sends again every shipment, answered or not
            assert qimen_post(service.url, "deliveryorder.create", shipment(f"DK{i:03d}")).findtext("flag") == "success"
        assert count(engine, "SELECT COUNT(*) FROM orders") == SHIPMENTS
        assert count(engine, "SELECT COUNT(DISTINCT order_no) FROM platform_order WHERE platform = 'JST'") == SHIPMENTS
        assert count(engine, "SELECT COUNT(*) FROM orders WHERE status = 'reserved'") == SHIPMENTS
        assert count(engine, "SELECT SUM(reserved) FROM stock WHERE sku = 'CUP'") == SHIPMENTS, "units held once"

        erp.during_call = lambda: time.sleep(0.15)  # a slow ERP: confirmations are in flight at the kill
        with client(service.url, tokens["supervisor"]) as lead:
            for i in range(SHIPMENTS // 2):
                body = entry_order(f"RK{i:03d}")
                assert qimen_post(service.url, "entryorder.create", body).findtext("flag") == "success"
                ok(lead.post(f"/api/entry-orders/RK{i:03d}/receipts", json={"sku": "CUP", "bin": "A01-01-2", "qty": 1}))
                ok(lead.post(f"/api/entry-orders/RK{i:03d}/close"))
        wait_for(lambda: len(entry_confirms(erp)) >= 5, timeout=30, what="confirmations going out")
        service.kill()
        service.start()
        wait_for(lambda: len(set(entry_confirms(erp))) == SHIPMENTS // 2, timeout=60, what="every confirmation")
        time.sleep(3)  # more passes of the worker: nothing more may come
        service.stop()
    sent = entry_confirms(erp)
    assert set(sent) == {f"RK{i:03d}" for i in range(SHIPMENTS // 2)}, "a confirmation was lost"
    assert len(sent) - len(set(sent)) <= 1, f"only the one in flight may go twice: {sorted(sent)}"
    assert count(engine, "SELECT COUNT(*) FROM erp_message WHERE method LIKE '%entryorder.confirm' AND status = 'sent'") \
        == SHIPMENTS // 2
    assert anomalies(engine) == []


def entry_order(code: str) -> str:
    return (f"<request><entryOrder><entryOrderCode>{code}</entryOrderCode><orderType>CGRK</orderType>"
            "<warehouseCode>WH01</warehouseCode></entryOrder><orderLines><orderLine><itemCode>CUP</itemCode>"
            "<planQty>1</planQty></orderLine></orderLines></request>")


def entry_confirms(erp: QimenErpEmulator) -> list[str]:
    return [c["xml"].findtext("entryOrder/entryOrderCode") for c in list(erp.accepted)
            if "entryorder.confirm" in c["query"].get("method", "")]
