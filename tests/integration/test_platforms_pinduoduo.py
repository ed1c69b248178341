"""A Pinduoduo (拼多多) shop on the same connector interface as Taobao and Douyin, against the local
emulator: signed pulls in 30-minute windows, buyers kept masked with their cipher and
open_address_id, holds that follow refunds, tracking back once, a scene's reveal."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from emulators.base import beijing_now
from emulators.pinduoduo import PinduoduoEmulator
from tests.integration.conftest import stored_anywhere
from tests.integration.test_handover import MUG, pack_existing, shop  # noqa: F401  (fixture)
from tests.integration.test_platforms_upload import close
from wms.adapters.db.tables import TrackingUpload
from wms.adapters.db.uow import UnitOfWork
from wms.services.orders import records
from wms.services.platforms import shops, sync, upload_worker


@pytest.fixture
def pdd():
    with PinduoduoEmulator(client_id="pk", secret="ps", token="pt") as emu:
        yield emu


def add_shop(engine, emu, **kw):
    with UnitOfWork(engine) as uow:
        shops.add_platform(uow, "PDD1", "pinduoduo", url=emu.url + "/api/router", shop="丝施拼多多店",
                           app_key=emu.client_id, app_secret=emu.secret, access_token=emu.token, **kw)
        uow.commit()


def get(engine, order_no):
    with UnitOfWork(engine, read_only=True) as uow:
        return records.get_order(uow, order_no)


def test_pinduoduo_orders_come_in_once_masked_with_their_cipher_and_follow_refunds(engine, shop, pdd):  # noqa: F811
    t = beijing_now() - timedelta(hours=2)
    sns = [pdd.add_order([("MUG", 1)], modified=t + timedelta(minutes=10 * i), paid=t, buyer_memo="放门口",
                         remark="送杯垫", remark_tag=1) for i in range(8)]  # spread over more than one window
    add_shop(engine, pdd)
    report = sync.pull(engine, "PDD1")
    assert report.error is None and report.imported == 8, report
    assert sync.pull(engine, "PDD1", since=t - timedelta(minutes=1)).unchanged == 8, "each once"
    windows = {(c["start_updated_at"], c["end_updated_at"]) for p, c in pdd.calls
               if c.get("type") == "pdd.order.number.list.increment.get"}
    assert all(int(hi) - int(lo) <= 1800 for lo, hi in windows), "30-minute windows"
    o = get(engine, sns[0])
    sent = pdd.orders[sns[0]]
    assert (o.channel, o.shop, o.buyer_message, o.seller_memo, o.seller_flag) == (
        "pinduoduo", "丝施拼多多店", "放门口", "送杯垫", "red")
    assert (o.recipient_name, o.recipient_phone, o.address, o.oaid) == (
        sent["receiver_name_mask"], sent["receiver_phone_mask"], sent["address_mask"], sent["open_address_id"])
    assert o.buyer_cipher == {"name": sent["receiver_name"], "phone": sent["receiver_phone"],
                              "address": sent["address"]}
    assert o.status == "reserved", o.hold_reason
    pdd.request_refund(sns[1])
    pdd.change_address(sns[2], "人民路 8 号 2 单元 301")
    time.sleep(1.1)
    report = sync.pull(engine, "PDD1", since=t - timedelta(minutes=1), until=beijing_now())
    assert report.changed == 2
    assert get(engine, sns[1]).status == "on_hold" and "refund" in get(engine, sns[1]).hold_reason
    assert get(engine, sns[2]).status == "on_hold" and "changed the address" in get(engine, sns[2]).hold_reason
    r = shop.as_("after_sales").post(f"/api/orders/{sns[0]}/recipient/reveal", {"scene": "2001", "reason": "回电"})
    assert r.status_code == 200 and r.json()["recipient"] == {"mobile": pdd.receivers[sns[0]]["phone"]}
    assert stored_anywhere(engine, pdd.plaintext()) == []


def packed_order(engine, shop, pdd):  # noqa: F811
    """One Pinduoduo order pulled and packed at PK-01: (order_sn, tracking number)."""
    t = beijing_now() - timedelta(hours=1)
    sn = pdd.add_order([("MUG", 1)], modified=t, paid=t)
    add_shop(engine, pdd)
    assert sync.pull(engine, "PDD1").imported == 1
    return sn, pack_existing(shop, sn, [MUG], 352)


def test_a_pinduoduo_parcel_is_sent_back_once_even_when_the_answer_is_lost(engine, shop, pdd):  # noqa: F811
    sn, tracking_no = packed_order(engine, shop, pdd)
    close(shop, "SF")
    pdd.fail_next("drop_after_apply", method="pdd.logistics.online.send")
    upload_worker.run_once(engine, "w1")
    with UnitOfWork(engine) as uow:
        row = uow.session.exec(select(TrackingUpload)).one()
        assert row.status == "queued"
        row.next_attempt_at = row.created_at
        uow.session.add(row)
        uow.commit()
    upload_worker.run_once(engine, "w1")
    assert [(s["order_sn"], s["tracking_number"]) for s in pdd.shipments] == [(sn, tracking_no)]
    with UnitOfWork(engine, read_only=True) as uow:
        row = uow.session.exec(select(TrackingUpload)).one()
    assert row.status == "sent" and row.last_error == "the platform had it already"


@pytest.mark.parametrize("spoil,code", [("secret", "bad_signature"), ("token", "token_expired"),
                                        ("client_id", "bad_app_key")])
def test_pinduoduo_refusals_are_clear_messages(engine, database_url, pdd, spoil, code):
    pdd.add_order([("MUG", 1)], modified=beijing_now() - timedelta(hours=1))
    add_shop(engine, pdd)
    if spoil == "token":
        pdd.expire_token()
    else:
        setattr(pdd, spoil, "other")
    from wms.cli import _register_all, app

    _register_all()
    r = CliRunner().invoke(app, ["platforms", "pull", "PDD1", "--database", database_url])
    assert r.exit_code == 1 and code in r.output and "拼多多" in r.output and "Traceback" not in r.output


def test_a_pinduoduo_order_ships_on_pinduoduos_e_waybill_printed_by_its_component(engine, shop, pdd):  # noqa: F811
    from emulators.print_component import PrintComponentEmulator
    from scanners.agent.components import ComponentRelay

    sn, tracking_no = packed_order(engine, shop, pdd)
    issued = pdd.waybills[tracking_no]
    carrier = shop.get(f"/api/orders/{sn}").json()["carrier"]
    assert (issued["order_sn"], issued["wp_code"]) == (sn, carrier), "the shop's own e-waybill, for the carrier"
    assert "-" in sn and "-" not in issued["package_id"], "the package id in the allowed alphabet"
    job = shop.as_("packer").post("/api/stations/PK-01/print-jobs/claim").json()["job"]
    assert job["printer"] == "component:PK-01" and job["waybill"]["component"] == "pinduoduo"
    with PrintComponentEmulator("pinduoduo", knows=lambda sealed: sealed in pdd.sealed) as component:
        outcome = ComponentRelay({"pinduoduo": component.url}, timeout_s=5).print_document(job["waybill"])
    assert outcome.ok and component.printed == [tracking_no]
    r = shop.post(f"/api/parcels/{tracking_no}/void", {"reason": "面单打印模糊"})
    assert r.status_code == 200, r.text
    assert pdd.waybills[tracking_no]["status"] == "cancelled", "the number goes back to Pinduoduo"
