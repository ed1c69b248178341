"""Packing with a carrier whose numbers come from Cainiao (电子面单取号), over HTTP, against the
local Cainiao emulator: number, sort code and bag hub on the label, retries that never take a
second number, refusals that keep the weighing, voiding (回收), and the pool left as it was."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from emulators.cainiao import CainiaoEmulator
from printing.layout import build_layout
from printing.render import render
from printing.waybill import Waybill
from tests.integration.conftest import make_order, make_sku
from wms.adapters.db.tables import Weighing
from wms.adapters.db.uow import UnitOfWork
from wms.config import Settings

SOCK, SHIRT, CUP = "6901234567892", "6920000000012", "6930000000011"


@pytest.fixture
def settings() -> Settings:
    return Settings(_env_file=None, waybill_timeout_s=0.5)  # type: ignore[call-arg]


@pytest.fixture
def emu():
    with CainiaoEmulator(balance=10) as server:
        server.timeout_sleep = 1.2
        yield server


def _cainiao(api, emu, code="ZTO", secret="emu-secret"):
    r = api.post("/api/carriers", {"code": code, "name": "中通快递", "default": True})
    assert r.status_code in (200, 201), r.text
    r = api.post(f"/api/carriers/{code}/provider", {
        "provider": "cainiao", "url": emu.url + "/router/rest", "app_key": "12345678", "secret": secret,
        "token": "emu-session"})
    assert r.status_code == 200, r.text
    return r.json()


@pytest.fixture
def order(api):
    make_sku(api, "SHIRT", 180, 4, SHIRT, "纯棉T恤 蓝色 L")
    make_sku(api, "CUP", 272, 5, CUP, "保温杯 500ml")
    make_sku(api, "SOCK", 48, 2, SOCK, "白色短袜")
    for sku, bin_ in (("SHIRT", "A01-01-1"), ("CUP", "A02-03-1"), ("SOCK", "A03-05-2")):
        api.post("/api/stock/receipts", {"sku": sku, "bin": bin_, "qty": 10})
    make_order(api, "TB100", [("SHIRT", 1), ("CUP", 1), ("SOCK", 1)])
    return "TB100"


def _packed_up(api, order_no, station="PK-01"):
    r = api.as_("packer").post("/api/pack/sessions", {"order_no": order_no, "station": station})
    assert r.status_code == 201, r.text
    sid = r.json()["session_id"]
    for code in (SHIRT, CUP, SOCK):
        assert api.as_("packer").post(f"/api/pack/sessions/{sid}/scans", {"code": code}).status_code == 200
    return sid


def _weigh(api, sid, grams=501, **kw):
    return api.as_("packer").post(f"/api/pack/sessions/{sid}/weighings", {"grams": grams, **kw})


def _on_hand(api):
    return {r["sku"]: (r["on_hand"], r["reserved"]) for r in api.get("/api/stock").json()}


def _weighings(engine, sid):
    with UnitOfWork(engine) as uow:
        return [(w.verdict, w.tracking_no) for w in uow.session.exec(
            select(Weighing).where(Weighing.session_id == sid).order_by(Weighing.id)).all()]


def test_a_pass_takes_the_number_from_cainiao_and_the_label_prints_its_sort_code_and_bag_hub(api, emu, order):
    view = _cainiao(api, emu)
    assert view["provider"] == "cainiao" and view["secret_set"] and "emu-secret" not in str(view)
    sid = _packed_up(api, order)
    r = _weigh(api, sid)
    body = r.json()
    assert r.status_code == 200, body
    tn = body["tracking_no"]
    assert body["verdict"] == "pass" and tn in emu.issued
    assert emu.issued[tn]["object_id"] == f"{order}-S{sid}"
    assert re.fullmatch(r"[A-Za-z0-9_]+", emu.issued[tn]["package_id"]), "Cainiao's package id alphabet"
    assert body["sort_code"] == emu.issued[tn]["route"] and body["bag_hub"] == "深圳市转运中心"
    assert api.get(f"/api/orders/{order}").json()["status"] == "packed"
    job = api.get("/api/print-jobs", params={"tracking_no": tn}).json()[0]
    assert job["waybill"]["sort_code"] == emu.issued[tn]["route"]
    assert job["waybill"]["bag_hub"] == "深圳市转运中心"
    waybill = Waybill.from_dict(job["waybill"])
    for size in ("100x150", "100x180", "76x130"):
        layout = build_layout(waybill, size)
        assert layout.find("sort_code").lines == (emu.issued[tn]["route"],)
        assert "".join(layout.find("bag_hub").lines).replace(" ", "") == "集包地深圳市转运中心"
    zpl = render(waybill, "zpl")
    assert zpl.startswith(b"^XA") and zpl.rstrip().endswith(b"^XZ")
    assert [p for p, _ in emu.calls] == ["/router/rest"]  # one call for one parcel


def test_a_timeout_keeps_the_weighing_and_weighing_again_gets_the_number_once(api, emu, order, engine):
    _cainiao(api, emu)
    sid = _packed_up(api, order)
    emu.fail_next("timeout")
    r = _weigh(api, sid)
    body = r.json()
    assert r.status_code == 409, body
    assert body["error"] == "waybill_unavailable" and body["provider_code"] == "timeout"
    assert body["verdict"] == "pass" and body["tracking_no"] is None and body["expected_g"] == 500
    assert _weighings(engine, sid) == [("pass", None)]
    assert api.get(f"/api/orders/{order}").json()["status"] != "packed"
    r = _weigh(api, sid)
    assert r.status_code == 200, r.text
    assert list(emu.issued) == [r.json()["tracking_no"]]
    assert _weighings(engine, sid) == [("pass", None), ("pass", r.json()["tracking_no"])]


def test_an_answer_lost_after_cainiao_gave_the_number_gets_the_same_number_on_the_retry(api, emu, order):
    _cainiao(api, emu)
    sid = _packed_up(api, order)
    emu.fail_next("drop_after_apply")  # the number is taken, its answer never arrives
    r = _weigh(api, sid)
    assert r.status_code == 409 and r.json()["error"] == "waybill_unavailable", r.text
    [taken] = list(emu.issued)
    r = _weigh(api, sid)
    assert r.status_code == 200, r.text
    assert r.json()["tracking_no"] == taken
    assert list(emu.issued) == [taken] and emu.balance["ZTO"] == 9


def test_no_balance_is_a_409_with_the_reason_the_weighing_kept_and_the_resend_finishes_after_top_up(
        api, emu, order, engine):
    _cainiao(api, emu)
    before = _on_hand(api)
    emu.balance["ZTO"] = 0
    sid = _packed_up(api, order)
    r = _weigh(api, sid, event_id="w-1")
    body = r.json()
    assert r.status_code == 409, body
    assert body["error"] == "waybill_unavailable" and body["provider_code"] == "no_balance"
    assert "余额不足" in body["message"] and body["retryable"] is False
    assert _weighings(engine, sid) == [("pass", None)]
    assert _on_hand(api) == before  # no stock taken, no parcel
    assert api.get(f"/api/pack/sessions/{sid}").json()["status"] == "open"
    emu.balance["ZTO"] = 3
    r = _weigh(api, sid, event_id="w-1")  # the station sends the same weighing again
    assert r.status_code == 200, r.text
    tn = r.json()["tracking_no"]
    assert tn in emu.issued and r.json()["replayed"] is True
    assert _weighings(engine, sid) == [("pass", None)]  # the same weighing, not a second one
    assert api.get(f"/api/orders/{order}").json()["status"] == "packed"
    assert r.json()["sort_code"] == emu.issued[tn]["route"]
    again = _weigh(api, sid, event_id="w-1")
    assert again.status_code == 200 and again.json()["tracking_no"] == tn
    assert len(emu.issued) == 1


@pytest.mark.parametrize("trouble", ["bad_signature", "rate_limited"])
def test_a_bad_signature_or_rate_limit_is_a_waybill_unavailable_409(api, emu, order, trouble):
    _cainiao(api, emu, secret="wrong" if trouble == "bad_signature" else "emu-secret")
    if trouble == "rate_limited":
        emu.fail_next("rate_limit")
    sid = _packed_up(api, order)
    r = _weigh(api, sid)
    assert r.status_code == 409, r.text
    assert r.json()["error"] == "waybill_unavailable" and r.json()["provider_code"] == trouble
    assert emu.issued == {}


def test_voiding_returns_the_number_to_cainiao_and_a_repack_takes_no_stock_twice(api, emu, order):
    _cainiao(api, emu)
    sid = _packed_up(api, order)
    tn = _weigh(api, sid).json()["tracking_no"]
    after_pack = _on_hand(api)
    assert api.as_("packer").post(f"/api/parcels/{tn}/void", {"reason": "label torn"}).status_code == 403
    assert api.as_("supervisor").post(f"/api/parcels/{tn}/void", {"reason": ""}).status_code == 422
    r = api.as_("supervisor").post(f"/api/parcels/{tn}/void", {"reason": "label torn"})
    assert r.status_code == 200, r.text
    assert r.json()["number"] == "cancelled" and emu.issued[tn]["status"] == "cancelled"
    assert emu.balance["ZTO"] == 10
    assert api.get(f"/api/orders/{order}").json()["status"] == "picked"
    assert _on_hand(api) == after_pack  # the units are in the parcel, not back in the bins
    again = api.as_("supervisor").post(f"/api/parcels/{tn}/void", {"reason": "label torn"})
    assert again.status_code == 200 and again.json()["already_voided"] is True
    assert api.as_("supervisor").post(f"/api/parcels/{tn}/reprint", {"reason": "again"}).json()["error"] \
        == "parcel_voided"
    sid2 = _packed_up(api, order)
    r = _weigh(api, sid2)
    assert r.status_code == 200, r.text
    assert r.json()["tracking_no"] != tn and emu.issued[r.json()["tracking_no"]]["status"] == "issued"
    assert _on_hand(api) == after_pack  # packed again: nothing taken from the bins a second time
    assert api.get(f"/api/orders/{order}").json()["status"] == "packed"


def test_a_void_after_handover_is_refused_and_unknown_parcels_are_404(api, emu, order):
    _cainiao(api, emu)
    sid = _packed_up(api, order)
    tn = _weigh(api, sid).json()["tracking_no"]
    assert api.as_("supervisor").post("/api/handovers", {"carrier": "ZTO"}).status_code == 201
    r = api.as_("supervisor").post(f"/api/parcels/{tn}/void", {"reason": "too late"})
    assert r.status_code == 409 and r.json()["error"] == "already_handed_over", r.text
    assert emu.issued[tn]["status"] == "issued"
    r = api.as_("supervisor").post("/api/parcels/ZT0000/void", {"reason": "who is it"})
    assert r.status_code == 404 and r.json()["error"] == "unknown_parcel"


def test_a_cancel_cainiao_refuses_is_kept_and_voiding_again_retries_it(api, emu, order):
    _cainiao(api, emu)
    sid = _packed_up(api, order)
    tn = _weigh(api, sid).json()["tracking_no"]
    emu.fail_next("server_error", method="cainiao.waybill.ii.cancel")
    r = api.as_("supervisor").post(f"/api/parcels/{tn}/void", {"reason": "buyer cancelled"})
    assert r.status_code == 200 and r.json()["number"] == "cancel_pending", r.text
    assert emu.issued[tn]["status"] == "issued"
    assert api.get(f"/api/orders/{order}").json()["status"] == "picked"
    r = api.as_("supervisor").post(f"/api/parcels/{tn}/void", {"reason": "buyer cancelled"})
    assert r.json()["number"] == "cancelled" and emu.issued[tn]["status"] == "cancelled"


def test_a_pool_carrier_is_unchanged_and_its_voided_number_is_retired(api, emu, order):
    assert api.post("/api/carriers", {"code": "SF", "name": "顺丰", "default": True}).status_code == 201
    assert api.post("/api/carriers/SF/pools", {"prefix": "SF", "digits": 10, "start": 1, "end": 100}).status_code == 201
    sid = _packed_up(api, order)
    body = _weigh(api, sid).json()
    assert body["tracking_no"] == "SF0000000001" and body["bag_hub"] is None and body["sort_code"] is None
    job = api.get("/api/print-jobs", params={"tracking_no": "SF0000000001"}).json()[0]
    assert "bag_hub" not in job["waybill"] and job["waybill"]["sort_code"]
    r = api.as_("supervisor").post("/api/parcels/SF0000000001/void", {"reason": "wrong box"})
    assert r.status_code == 200 and r.json()["number"] == "retired", r.text
    sid2 = _packed_up(api, order)
    assert _weigh(api, sid2).json()["tracking_no"] == "SF0000000002"
    assert emu.calls == []
    assert api.get("/api/carriers").json()[0]["provider"] == "pool"


def test_the_cli_sets_a_carrier_to_cainiao_lists_it_without_the_secret_and_voids(api, emu, order, database_url,
                                                                                 monkeypatch):
    from wms.cli import _register_all, app

    _register_all()
    runner = CliRunner()
    assert api.post("/api/carriers", {"code": "YD", "name": "韵达", "default": True}).status_code == 201
    bad = runner.invoke(app, ["carriers", "set", "YD", "--provider", "cainiao", "--url", "ftp://x",
                              "--database", database_url])
    assert bad.exit_code != 0 and "http(s)" in bad.output
    missing = runner.invoke(app, ["carriers", "set", "YD", "--provider", "cainiao", "--url", emu.url + "/router/rest",
                                  "--database", database_url])
    assert missing.exit_code != 0 and "--app-key" in missing.output
    monkeypatch.setenv("CAINIAO_SECRET", "emu-secret")
    done = runner.invoke(app, ["carriers", "set", "YD", "--provider", "cainiao", "--url", emu.url + "/router/rest",
                               "--app-key", "12345678", "--secret", "env:CAINIAO_SECRET", "--token", "emu-session",
                               "--database", database_url])
    assert done.exit_code == 0, done.output
    assert "cp_code YUNDA" in done.output and "emu-secret" not in done.output
    listed = runner.invoke(app, ["carriers", "list", "--database", database_url])
    assert "numbers from cainiao" in listed.output and "emu-secret" not in listed.output, listed.output
    sid = _packed_up(api, order)
    tn = _weigh(api, sid).json()["tracking_no"]
    assert emu.issued[tn]["cp_code"] == "YUNDA"
    voided = runner.invoke(app, ["parcels", "void", tn, "--reason", "wrong address", "--database", database_url])
    assert voided.exit_code == 0, voided.output
    assert emu.issued[tn]["status"] == "cancelled"
    unknown = runner.invoke(app, ["carriers", "set", "NOPE", "--provider", "cainiao", "--database", database_url])
    assert unknown.exit_code != 0 and "unknown carrier" in unknown.output
    wrong = runner.invoke(app, ["carriers", "set", "YD", "--provider", "fedex", "--database", database_url])
    assert wrong.exit_code != 0 and "pool, cainiao" in wrong.output


def test_a_voided_parcel_whose_order_is_then_cancelled_puts_the_units_back_in_their_bins(api, emu, order):
    _cainiao(api, emu)
    before = _on_hand(api)
    tn = _weigh(api, _packed_up(api, order)).json()["tracking_no"]
    assert _on_hand(api)["SOCK"] == (before["SOCK"][0] - 1, before["SOCK"][1] - 1)
    assert api.as_("supervisor").post(f"/api/parcels/{tn}/void", {"reason": "buyer cancelled"}).status_code == 200
    r = api.post(f"/api/orders/{order}/cancel", {"reason": "buyer cancelled after packing"})
    assert r.status_code == 200, r.text
    after = _on_hand(api)
    assert {s: after[s][0] for s in after} == {s: before[s][0] for s in before}  # back on hand, once
    assert all(after[s][1] == 0 for s in after)


def test_a_station_agent_weight_event_refused_then_resent_finishes_with_one_number(api, emu, order):
    _cainiao(api, emu)
    emu.balance["ZTO"] = 0
    packer = api.as_("packer")
    for i, code in enumerate((order, SHIRT, CUP, SOCK)):
        r = packer.post("/api/stations/PK-02/events", {"event_id": f"e{i}", "kind": "scan", "code": code})
        assert r.status_code == 200, r.text
    r = packer.post("/api/stations/PK-02/events", {"event_id": "e-w", "kind": "weight", "grams": 500})
    assert r.status_code == 409 and r.json()["provider_code"] == "no_balance", r.text
    assert r.json()["verdict"] == "pass"
    emu.balance["ZTO"] = 1
    r = packer.post("/api/stations/PK-02/events", {"event_id": "e-w", "kind": "weight", "grams": 500})
    assert r.status_code == 200, r.text
    assert r.json()["action"] == "replayed" and r.json()["result"]["tracking_no"] in emu.issued
    assert len(emu.issued) == 1
