"""A Taobao trade an ERP sends over 奇门 under its own delivery-order number ships on Cainiao's
e-waybill asked with the trade's OAID and its tid (`oaidOrderSourceCode`), not the ERP's code:
Cainiao takes an OAID only with the trade it belongs to."""

from __future__ import annotations

from tests.integration.test_platform_waybill import cainiao  # noqa: F401  (fixture)
from tests.integration.test_platforms import an_hour_ago, taobao  # noqa: F401  (fixture)
from tests.integration.test_qimen import CUP, ITEM, call, erp, flag, shipment  # noqa: F401  (fixture)

MASKED_OAID = "1WmcHtmSNicGAAAAAKPqL3qJxAbcd"  # what shipment() carries


def _cainiao_carrier(api, cainiao):  # noqa: F811
    assert api.post("/api/carriers", {"code": "ZTO", "name": "中通快递", "default": True}).status_code in (200, 201)
    r = api.post("/api/carriers/ZTO/provider", {"provider": "cainiao", "url": cainiao.url + "/router/rest",
                                                "app_key": "12345678", "secret": "emu-secret", "token": "emu-session"})
    assert r.status_code == 200, r.text


def _pack(api, order_no):
    packer = api.as_("packer")
    sid = packer.post("/api/pack/sessions", {"order_no": order_no, "station": "PK-01"}).json()["session_id"]
    assert packer.post(f"/api/pack/sessions/{sid}/scans", {"code": CUP}).status_code == 200
    return packer.post(f"/api/pack/sessions/{sid}/weighings", {"grams": 272})


def test_an_erp_shipment_is_numbered_with_the_trades_oaid_and_tid(api, erp, taobao, cainiao):  # noqa: F811
    _cainiao_carrier(api, cainiao)
    call(api.client, "singleitem.synchronize", ITEM)
    api.post("/api/stock/receipts", {"sku": "CUP", "bin": "A01-01-1", "qty": 5})
    t = an_hour_ago()
    tid = taobao.add_trade([("CUP", 1)], modified=t, paid=t)
    oaid = taobao.trades[tid]["oaid"]
    body = shipment("DO7001", extra=f"<oaidOrderSourceCode>{tid}</oaidOrderSourceCode>").replace(MASKED_OAID, oaid)
    assert flag(call(api.client, "deliveryorder.create", body))[0] == "success"
    assert api.get("/api/orders/DO7001").json()["trade_no"] == tid
    r = _pack(api, "DO7001")
    assert r.status_code == 200 and r.json()["tracking_no"], r.text
    issued = cainiao.issued[r.json()["tracking_no"]]
    assert issued["oaid"] == oaid, "asked by OAID, accepted by Cainiao as that trade's"


def test_an_erp_shipment_whose_oaid_is_not_the_trades_is_refused_in_cainiaos_words(api, erp, taobao, cainiao):  # noqa: F811
    _cainiao_carrier(api, cainiao)
    call(api.client, "singleitem.synchronize", ITEM)
    api.post("/api/stock/receipts", {"sku": "CUP", "bin": "A01-01-1", "qty": 5})
    t = an_hour_ago()
    tid = taobao.add_trade([("CUP", 1)], modified=t, paid=t)
    other = taobao.add_trade([("CUP", 1)], modified=t, paid=t)
    body = shipment("DO7002", extra=f"<oaidOrderSourceCode>{other}</oaidOrderSourceCode>").replace(
        MASKED_OAID, taobao.trades[tid]["oaid"])
    assert flag(call(api.client, "deliveryorder.create", body))[0] == "success"
    r = _pack(api, "DO7002")
    assert r.status_code == 409 and r.json()["error"] == "waybill_unavailable", r.text
    assert cainiao.issued == {}
