"""A Douyin order ships on Douyin's own e-waybill (抖音电子面单), taken with the order's cipher text,
and is printed by Douyin's print component, which fetches the shop's key itself with the signed
`logistics.getShopKey` call the label carries: all against the local emulators."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qsl

import pytest

from emulators.base import beijing_now
from emulators.print_component import PrintComponentEmulator
from scanners.agent.components import ComponentRelay
from tests.integration.test_handover import MUG, pack_existing, shop  # noqa: F401  (fixture)
from tests.integration.test_platforms_douyin import add_shop, douyin  # noqa: F401  (fixture)
from wms.adapters.platforms.base import DOUYIN_COMPANIES
from wms.services.platforms import sync


def pulled(engine, douyin, **fields):  # noqa: F811
    t = beijing_now() - timedelta(hours=1)
    oid = douyin.add_order([("MUG", 1)], modified=t, paid=t, **fields)
    add_shop(engine, douyin)
    assert sync.pull(engine, "DY1").imported == 1
    return oid


def test_a_douyin_order_gets_douyins_number_sort_code_and_a_label_its_component_prints(
        engine, shop, douyin):  # noqa: F811
    oid = pulled(engine, douyin)
    tracking_no = pack_existing(shop, oid, [MUG], 352)
    code = DOUYIN_COMPANIES[shop.get(f"/api/orders/{oid}").json()["carrier"]]
    (key, track), = douyin.ebills.items()
    assert track == tracking_no and key[:2] == (code, oid), "Douyin's number, for the order's carrier"
    assert "-" not in key[2] and key[2], "the pack id in the allowed alphabet"
    job = shop.as_("packer").post("/api/stations/PK-01/print-jobs/claim").json()["job"]
    waybill = job["waybill"]
    assert job["printer"] == "component:PK-01" and waybill["component"] == "douyin"
    data = waybill["print_data"]
    assert data["encryptedData"].startswith("DY:") and data["templateURL"].endswith(f"{code}_76_130.xml")
    params = dict(parse_qsl(data["params"]))
    assert (params["method"], params["param_json"], params["app_key"]) == ("logistics.getShopKey", "{}", "dk")
    with PrintComponentEmulator("douyin", unlock=douyin.component_check) as component:
        outcome = ComponentRelay({"douyin": component.url}, timeout_s=5).print_document(waybill)
    assert outcome.ok, outcome.error
    assert component.printed == [tracking_no]
    stored = shop.get(f"/api/print-jobs?tracking_no={tracking_no}").json()[0]["waybill"]["print_data"]
    assert "params" not in stored, "the signed key call is made when the station takes the job, never stored"
    r = shop.post(f"/api/parcels/{tracking_no}/void", {"reason": "面单打印模糊"})
    assert r.status_code == 200, r.text
    assert douyin.ebill_status[tracking_no] == "cancelled", "the number goes back to Douyin"


def test_the_douyin_component_refuses_an_old_or_forged_key_call_in_its_own_words(engine, shop, douyin):  # noqa: F811
    oid = pulled(engine, douyin)
    pack_existing(shop, oid, [MUG], 352)
    waybill = shop.as_("packer").post("/api/stations/PK-01/print-jobs/claim").json()["job"]["waybill"]
    data = waybill["print_data"]
    stale = dict(data, params=data["params"].replace(dict(parse_qsl(data["params"]))["timestamp"], "2020-01-01 10:00:00"))
    forged = dict(data, params=data["params"][:-40] + "0" * 40)
    wrong_sign = dict(data, signature="00")
    with PrintComponentEmulator("douyin", unlock=douyin.component_check) as component:
        relay = ComponentRelay({"douyin": component.url}, timeout_s=5)
        words = [relay.print_document(dict(waybill, print_data=d)) for d in (stale, forged, wrong_sign)]
    assert [o.ok for o in words] == [False, False, False] and component.printed == []
    assert "签名错误" in words[0].error or "timestamp" in words[0].error
    assert "签名" in words[1].error and "验签失败" in words[2].error


@pytest.mark.parametrize("spoil, words", [("no_service", "电子面单服务"), ("plain_receiver", "加密信息")])
def test_douyins_refusals_reach_the_packer_as_words_and_no_parcel_is_made(engine, shop, douyin, spoil, words):  # noqa: F811
    oid = pulled(engine, douyin)
    if spoil == "no_service":
        douyin.templates.clear()  # the shop has e-waybill service with no carrier
    else:
        douyin.receivers[oid]["name"] = "别人"  # the cipher no longer names this order's receiver
    packer = shop.as_("packer")
    sid = packer.post("/api/pack/sessions", {"order_no": oid, "station": "PK-01"}).json()["session_id"]
    assert packer.post(f"/api/pack/sessions/{sid}/scans", {"code": MUG}).status_code == 200
    r = packer.post(f"/api/pack/sessions/{sid}/weighings", {"grams": 352})
    assert r.status_code == 409 and r.json()["error"] == "waybill_unavailable", r.text
    assert words in r.json()["message"] and "抖店" in r.json()["message"]
    assert shop.get(f"/api/orders/{oid}").json()["status"] != "packed"
    assert douyin.ebills == {}
