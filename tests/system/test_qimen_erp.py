"""An ERP drives a real `wms serve` over 奇门, as shared/specs/qimen.md describes and an outside
check would: items and a shipment in through `POST /qimen`, the parcel packed at a station over
the JSON API, handed over, and exactly one signed `deliveryorder.confirm` back at the ERP's
callback URL, sent by the service's own outbox worker."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import httpx
from typer.testing import CliRunner

from emulators.qimen_erp import QimenErpEmulator, reference_sign
from tests.integration.test_qimen import ITEM, now_text, shipment
from tests.system.warehouse import client, ok


def qimen_post(url: str, method: str, body: str) -> ET.Element:
    raw = body.encode("utf-8")
    params = {"method": method, "app_key": "erp-key", "customerId": "C100", "timestamp": now_text(),
              "format": "xml", "v": "2.0", "sign_method": "md5"}
    params["sign"] = reference_sign("erp-secret", params, raw)
    r = httpx.post(f"{url}/qimen?{urlencode(params)}", content=raw,
                   headers={"Content-Type": "text/xml; charset=utf-8"}, timeout=30)
    assert r.status_code == 200, r.text
    return ET.fromstring(r.content)


def test_an_erp_shipment_is_packed_handed_over_and_confirmed_once(services, tokens, database_url, monkeypatch):
    from wms.cli import _register_all, app

    _register_all()
    with QimenErpEmulator("erp-key", "erp-secret") as erp:
        monkeypatch.setenv("JST_SECRET", "erp-secret")
        added = CliRunner().invoke(app, ["erp", "add", "JST", "--app-key", "erp-key", "--secret", "env:JST_SECRET",
                                         "--customer-id", "C100", "--callback-url", erp.url,
                                         "--database", database_url])
        assert added.exit_code == 0, added.output
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
    assert set(methods) <= {"taobao.qimen.deliveryorder.confirm", "taobao.qimen.orderprocess.report",
                            "taobao.qimen.itemlack.report"}, methods
