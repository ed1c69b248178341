"""A Taobao order ships on Cainiao's e-waybill asked with its OAID and trade number; the encrypted
print data is not rendered by us but relayed by the station to Cainiao's print component, whose
answer (printed, printer not found, not running, cannot decrypt) goes back to the print queue.
Against the Taobao, Cainiao and print-component emulators."""

from __future__ import annotations

import pytest

from emulators.cainiao import CainiaoEmulator
from emulators.print_component import PrintComponentEmulator
from scanners.agent.components import ComponentRelay
from tests.integration.test_platforms import add_shop, an_hour_ago, taobao  # noqa: F401  (fixture)
from tests.integration.test_waybill_provider import CUP, SHIRT, SOCK, _packed_up, _weigh
from wms.config import Settings

CUSTOM_AREA = "http://cloudprint.cainiao.com/template/customArea/440439"


@pytest.fixture
def settings() -> Settings:
    return Settings(_env_file=None, waybill_timeout_s=0.5, custom_area_template_url=CUSTOM_AREA)  # type: ignore[call-arg]
from tests.integration.conftest import make_order, make_sku
from wms.services.platforms import sync


@pytest.fixture
def cainiao(taobao):  # noqa: F811
    with CainiaoEmulator(balance=10, shop=taobao) as server:
        yield server


@pytest.fixture
def component(cainiao):
    with PrintComponentEmulator("cainiao", knows=lambda sealed: sealed in cainiao.sealed) as server:
        yield server


@pytest.fixture
def shop_order(api, engine, taobao, cainiao):  # noqa: F811
    r = api.post("/api/carriers", {"code": "ZTO", "name": "中通快递", "default": True})
    assert r.status_code in (200, 201), r.text
    r = api.post("/api/carriers/ZTO/provider", {"provider": "cainiao", "url": cainiao.url + "/router/rest",
                                                "app_key": "12345678", "secret": "emu-secret", "token": "emu-session"})
    assert r.status_code == 200, r.text
    for sku, code, grams, name in (("SHIRT", SHIRT, 180, "纯棉T恤"), ("CUP", CUP, 272, "保温杯"),
                                   ("SOCK", SOCK, 48, "短袜")):
        make_sku(api, sku, grams, 4, code, name)
        api.post("/api/stock/receipts", {"sku": sku, "bin": "A01-01-1", "qty": 10})
    t = an_hour_ago()
    tid = taobao.add_trade([("SHIRT", 1), ("CUP", 1), ("SOCK", 1)], modified=t, paid=t,
                           receiver_name="欧阳娜娜", receiver_mobile="13912345678",
                           receiver_address="文一西路969号5幢1203室")
    add_shop(engine, taobao)
    assert sync.pull(engine, "TB1").imported == 1
    return tid


def claim(api, station="PK-01"):
    r = api.as_("packer").post(f"/api/stations/{station}/print-jobs/claim")
    assert r.status_code == 200, r.text
    return r.json()["job"]


def report(api, job, outcome):
    r = api.as_("packer").post(f"/api/print-jobs/{job['job_id']}/result", outcome.as_result())
    assert r.status_code == 200, r.text
    return r.json()


def test_a_taobao_order_is_numbered_by_oaid_and_printed_by_the_component_once(
        api, taobao, cainiao, component, shop_order):  # noqa: F811
    r = _weigh(api, _packed_up(api, shop_order), grams=501)
    assert r.status_code == 200, r.text
    tn = r.json()["tracking_no"]
    asked = cainiao.issued[tn]
    assert asked["oaid"] == taobao.trades[shop_order]["oaid"], "asked with the trade's OAID"
    [dto] = [c for p, c in cainiao.calls if c.get("method") == "cainiao.waybill.ii.get"][-1:]
    assert '"order_channels_type": "TB"' in dto["param_waybill_cloud_print_apply_new_request"]
    assert "13912345678" not in str(cainiao.calls), "no plaintext in the request"
    job = claim(api)
    assert job["printer"] == "component:PK-01" and job["waybill"]["component"] == "cainiao"
    assert job["waybill"]["print_data"]["encryptedData"].startswith("AES:")
    assert "recipient" not in job["waybill"], "the masked buyer is not rendered by us"
    custom = job["waybill"]["custom"]
    assert custom["templateURL"] == CUSTOM_AREA and custom["data"]["order_no"] == shop_order
    assert custom["data"]["items"] == "纯棉T恤×1 保温杯×1 短袜×1", "our part goes in the custom area"
    outcome = ComponentRelay({"cainiao": component.url}, timeout_s=5).print_document(job["waybill"])
    assert outcome.ok, outcome.error
    assert report(api, job, outcome)["status"] == "printed"
    assert component.printed == [tn]
    assert claim(api) is None, "printed once; nothing more to print"


def test_the_components_refusals_come_back_in_its_own_words_and_nothing_counts_as_printed(
        api, component, shop_order, cainiao):
    _weigh(api, _packed_up(api, shop_order), grams=501)
    job = claim(api)
    document = job["waybill"]
    missing = ComponentRelay({"cainiao": component.url}, printer="HP-LaserJet", timeout_s=5).print_document(document)
    assert not missing.ok and "printer not found" in missing.error and not missing.give_up
    answer = report(api, job, missing)
    assert answer["status"] == "queued" and "printer not found" in answer["last_error"]

    gone = ComponentRelay({"cainiao": "ws://127.0.0.1:9"}, timeout_s=5).print_document(document)
    assert not gone.ok and "component not reachable" in gone.error and not gone.give_up

    forged = {**document, "print_data": {**document["print_data"], "encryptedData": "AES:not-from-cainiao"}}
    for newer in (False, True):
        with PrintComponentEmulator("cainiao", knows=lambda s: s in cainiao.sealed, newer=newer) as other:
            bad = ComponentRelay({"cainiao": other.url}, timeout_s=5).print_document(forged)
            assert not bad.ok and "Unknown encryption type" in bad.error
            assert other.printed == []
    assert component.printed == []


def test_cainiao_refuses_a_masked_buyer_without_its_oaid_and_a_foreign_platforms_oaid(api, cainiao, shop_order):
    """What happens to an order whose masked buyer Cainiao cannot print: a clear 409, the weighing kept."""
    make_order(api, "DY-1", [("SHIRT", 1), ("CUP", 1), ("SOCK", 1)], channel="douyin", recipient={
        "name": "上*", "phone": "139****5678", "province": "北京市", "city": "北京市", "district": "朝阳区",
        "address": "望京 SOHO***", "oaid": "#DYOPENADDRESSID"})
    r = _weigh(api, _packed_up(api, "DY-1"), grams=501)
    # Douyin's buyer goes on Douyin's own e-waybill, taken through the shop: with no shop on record
    # (the order came in by hand) there is nobody to ask, and the packer is told why.
    assert r.status_code == 409 and r.json()["provider_code"] == "not_configured", r.text
    assert "douyin order from no douyin shop" in r.json()["message"] and r.json()["verdict"] == "pass"
