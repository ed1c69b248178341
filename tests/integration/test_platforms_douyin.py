"""A Douyin (抖店) shop: signed JSON pulls and tracking uploads against the local emulator."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from emulators.base import beijing_now
from emulators.douyin import DouyinEmulator
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
