"""A Douyin (抖店) shop: signed JSON pulls and tracking uploads against the local emulator."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from emulators.base import beijing_now
from emulators.douyin import DouyinEmulator
from tests.integration.conftest import stored_anywhere
from tests.integration.test_handover import MUG, pack_existing, shop  # noqa: F401  (fixture)
from tests.integration.test_platforms_upload import close
from wms.adapters.db.tables import TrackingUpload
from wms.adapters.db.uow import UnitOfWork
from wms.services.orders import records
from wms.services.platforms import shops, sync, upload_worker


@pytest.fixture
def douyin():
    with DouyinEmulator(app_key="dk", secret="ds", token="dt") as emu:
        yield emu


def add_shop(engine, emu, **kw):
    with UnitOfWork(engine) as uow:
        shops.add_platform(uow, "DY1", "douyin", url=emu.url, shop="丝施抖音店", app_key=emu.app_key,
                                   app_secret=emu.secret, access_token=emu.token, **kw)
        uow.commit()


def get(engine, order_no):
    with UnitOfWork(engine) as uow:
        return records.get_order(uow, order_no)


def test_douyin_orders_import_once_with_their_fields_and_holds_follow_refunds(engine, shop, douyin):  # noqa: F811
    t = beijing_now() - timedelta(hours=1)
    promised = t + timedelta(hours=24)
    a = douyin.add_order([("MUG", 2)], modified=t, paid=t, buyer_words="别放发票", seller_words="加急",
                         seller_remark_stars=5, exp_ship_time=int(promised.timestamp()))
    cod = douyin.add_order([("MUG", 1)], modified=t, paid=t, pay_type=0, order_amount=5800)
    douyin.add_order([("MUG", 1)], modified=t, order_status=1)  # not paid yet
    add_shop(engine, douyin)
    report = sync.pull(engine, "DY1")
    assert report.error is None and (report.imported, report.skipped) == (2, 1)
    o = get(engine, a)
    assert (o.channel, o.shop, o.buyer_message, o.seller_memo, o.seller_flag) == ("douyin", "丝施抖音店", "别放发票",
                                                                                 "加急", "red")
    assert o.ship_by == promised.replace(microsecond=0) and o.status == "reserved"
    c = get(engine, cod)
    assert c.order_type == "cod" and str(c.cod_amount) == "58.00"
    douyin.request_refund(a)
    douyin.change_address(cod, "望京 SOHO T3 1201")
    time.sleep(1.1)
    report = sync.pull(engine, "DY1")
    assert report.imported == 0 and report.changed == 2
    assert get(engine, a).status == "on_hold" and "refund" in get(engine, a).hold_reason
    assert "望京 SOHO" in get(engine, cod).hold_reason


@pytest.mark.parametrize("spoil,code", [("secret", "bad_signature"), ("token", "token_expired"),
                                        ("app_key", "bad_app_key")])
def test_douyin_refusals_are_clear_messages(engine, database_url, douyin, spoil, code):
    douyin.add_order([("MUG", 1)], modified=beijing_now() - timedelta(hours=1))
    add_shop(engine, douyin)
    if spoil == "token":
        douyin.expire_token()
    else:
        setattr(douyin, spoil, "other")
    from wms.cli import _register_all, app

    _register_all()
    r = CliRunner().invoke(app, ["platforms", "pull", "DY1", "--database", database_url])
    assert r.exit_code == 1 and code in r.output and "抖店" in r.output and "Traceback" not in r.output


def test_douyin_rate_limits_and_half_pages_lose_nothing(engine, douyin):
    t = beijing_now() - timedelta(hours=1)
    ids = {douyin.add_order([("MUG", 1)], modified=t + timedelta(seconds=i)) for i in range(150)}
    add_shop(engine, douyin)
    douyin.fail_next("half_page")
    assert sync.pull(engine, "DY1").error["code"] == "unreachable"
    douyin.fail_next("rate_limit")  # waited out once within the pull
    assert sync.pull(engine, "DY1").error is None
    with UnitOfWork(engine) as uow:
        from wms.adapters.db.tables import OrderRow

        assert {o.order_no for o in uow.session.exec(select(OrderRow)).all()} == ids


def test_a_douyin_parcel_handed_over_is_shipped_on_douyin_once(engine, shop, douyin):  # noqa: F811
    t = beijing_now() - timedelta(hours=1)
    oid = douyin.add_order([("MUG", 1)], modified=t, paid=t)
    add_shop(engine, douyin)
    sync.pull(engine, "DY1")
    tracking_no = pack_existing(shop, oid, [MUG], 352)
    close(shop, "SF")
    douyin.fail_next("drop_after_apply", method="order.logisticsAdd")
    upload_worker.run_once(engine, "w1")
    with UnitOfWork(engine) as uow:
        row = uow.session.exec(select(TrackingUpload)).one()
        row.next_attempt_at = row.created_at
        uow.session.add(row)
        uow.commit()
    upload_worker.run_once(engine, "w1")
    assert [s["logistics_code"] for s in douyin.shipments] == [tracking_no]
    with UnitOfWork(engine) as uow:
        assert uow.session.exec(select(TrackingUpload)).one().status == "sent"


def test_a_douyin_buyer_is_kept_masked_with_its_cipher_and_shown_only_by_decryption(engine, shop, douyin):  # noqa: F811
    t = beijing_now() - timedelta(hours=1)
    oid = douyin.add_order([("MUG", 1)], modified=t, paid=t, post_receiver="上官婉儿", post_tel="13912345678",
                           post_addr={"province": {"name": "北京市"}, "city": {"name": "北京市"},
                                      "town": {"name": "朝阳区"}, "street": {"name": "望京街道"},
                                      "detail": "望京 SOHO T3 1201"})
    add_shop(engine, douyin)
    assert sync.pull(engine, "DY1").imported == 1
    o = get(engine, oid)
    sent = douyin.orders[oid]
    assert (o.recipient_name, o.recipient_phone, o.oaid) == ("上***", "139****5678", sent["open_address_id"])
    assert o.address.startswith("望京街道 望京 SOHO") and "1201" not in o.address
    assert o.buyer_cipher == {"name": sent["encrypt_post_receiver"], "phone": sent["encrypt_post_tel"],
                              "address": sent["post_addr"]["encrypt_detail"]}
    assert o.status == "reserved", o.hold_reason
    r = shop.as_("after_sales").post(f"/api/orders/{oid}/recipient/reveal", {"scene": "2001", "reason": "回电核实"})
    assert r.status_code == 200, r.text
    assert r.json()["recipient"] == {"mobile": "13912345678"}
    assert douyin.decrypted == [{"order_id": oid, "field": "tel"}], "only the scene's field is decrypted"
    douyin.decrypt_quota = 0
    r = shop.as_("supervisor").post(f"/api/orders/{oid}/recipient/reveal", {"scene": "1006", "reason": "手写面单"})
    assert (r.status_code, r.json()["error"]) == (409, "reveal_refused") and "额度" in r.json()["message"]
    assert stored_anywhere(engine, douyin.plaintext()) == []


def test_a_douyin_shop_authorised_by_code_renews_its_token_in_the_last_hour(engine, database_url, douyin):
    from emulators.douyin import ACCESS_S, OVERLAP_S
    from wms.adapters.db.tables import PlatformRow
    from wms.adapters.db.types import utcnow
    from wms.cli import _register_all, app

    t = beijing_now() - timedelta(hours=1)
    douyin.add_order([("MUG", 1)], modified=t, paid=t)
    with UnitOfWork(engine) as uow:
        shops.add_platform(uow, "DY1", "douyin", url=douyin.url, shop="丝施抖音店", app_key=douyin.app_key,
                           app_secret=douyin.secret)
        uow.commit()
    _register_all()
    r = CliRunner().invoke(app, ["platforms", "authorise", "DY1", "--code", "code-from-the-shop", "--database",
                                 database_url])
    assert r.exit_code == 0 and "authorised" in r.output, r.output

    def platform():
        with UnitOfWork(engine, read_only=True) as uow:
            return uow.session.get(PlatformRow, "DY1")

    first = platform()
    assert first.access_token.startswith("act.") and first.refresh_token.startswith("rft.")
    assert timedelta(days=6, hours=23) < first.token_expires_at - utcnow() <= timedelta(days=7)
    assert sync.pull(engine, "DY1").error is None and douyin.token_calls == ["token.create"]

    douyin.advance(ACCESS_S - OVERLAP_S / 2)  # the platform's clock: the token's last half hour
    with UnitOfWork(engine) as uow:  # ours agrees
        row = uow.session.get(PlatformRow, "DY1")
        row.token_expires_at = utcnow() + timedelta(minutes=30)
        uow.session.add(row)
        uow.commit()
    assert sync.pull(engine, "DY1").error is None
    renewed = platform()
    assert douyin.token_calls == ["token.create", "token.refresh"]
    assert renewed.access_token != first.access_token and renewed.refresh_token != first.refresh_token
    assert renewed.token_expires_at - utcnow() > timedelta(days=6)
    douyin.advance(OVERLAP_S)  # the old token is dead now; the new one works
    assert sync.pull(engine, "DY1").error is None
    assert upload_worker.run_once(engine, "w1") == 0
    assert douyin.token_calls == ["token.create", "token.refresh"], "not due again for a week"

    with UnitOfWork(engine) as uow:  # a refresh token the platform no longer knows: the shop must authorise again
        row = uow.session.get(PlatformRow, "DY1")
        row.refresh_token, row.token_expires_at = "rft.forgotten", utcnow() - timedelta(minutes=1)
        uow.session.add(row)
        uow.commit()
    upload_worker.run_once(engine, "w1")
    shown = platform()
    assert shown.last_error_code == "token:reauthorise" and "authorise" in shown.last_error
