"""Tracking numbers back to the platform (发货回传) through the durable outbox, against the TOP emulator."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select
from typer.testing import CliRunner

from tests.integration.test_handover import MUG, pack_existing, shop  # noqa: F401  (fixture)
from tests.integration.test_platforms import add_shop, an_hour_ago, taobao  # noqa: F401  (fixture)
from wms.adapters.db.tables import PlatformRow, TrackingUpload
from wms.adapters.db.types import utcnow
from wms.adapters.db.uow import UnitOfWork
from wms.services.platforms import shops, sync
from wms.services.platforms import upload_worker as tracking_upload


def shipped_trade(engine, shop, taobao, **platform):  # noqa: F811
    t = an_hour_ago()
    tid = taobao.add_trade([("MUG", 1)], modified=t, paid=t)
    add_shop(engine, taobao, **platform)
    assert sync.pull(engine, "TB1").imported == 1
    tracking_no = pack_existing(shop, tid, [MUG], 352)
    return tid, tracking_no


def close(api, carrier, role="supervisor"):  # noqa: F811
    """Hand over whatever carrier the parcels went to (the carrier rules chose it)."""
    r = api.as_(role).post("/api/handovers", {"carrier": "SF"})
    if r.status_code == 409:
        r = api.as_(role).post("/api/handovers", {"carrier": "EMS"})
    return r


def uploads(engine):
    with UnitOfWork(engine) as uow:
        return list(uow.session.exec(select(TrackingUpload).order_by(TrackingUpload.id)).all())


def due_now(engine):
    with UnitOfWork(engine) as uow:
        for row in uow.session.exec(select(TrackingUpload).where(TrackingUpload.status == "queued")).all():
            row.next_attempt_at = utcnow() - timedelta(seconds=1)
            uow.session.add(row)
        uow.commit()


def test_a_handed_over_parcel_sends_its_number_to_the_platform_once(engine, shop, taobao):  # noqa: F811
    tid, tracking_no = shipped_trade(engine, shop, taobao)
    assert uploads(engine) == []  # packed: this shop sends on handover
    r = close(shop, "SF")
    assert r.status_code == 201, r.text
    [row] = uploads(engine)
    assert (row.status, row.platform_order_no, row.tracking_no, row.carrier) == ("queued", tid, tracking_no, row.carrier)
    assert tracking_upload.run_once(engine, "w1") == 1
    assert tracking_upload.run_once(engine, "w1") == 0
    assert [(c["tid"], c["out_sid"], c["company_code"]) for c in taobao.consignments] == [(tid, tracking_no, row.carrier)]
    assert uploads(engine)[0].status == "sent"
    assert taobao.trades[tid]["status"] == "WAIT_BUYER_CONFIRM_GOODS"
    body = shop.get("/api/platforms/outbox").json()
    assert body["counts"]["sent"] == 1 and body["uploads"][0]["tracking_no"] == tracking_no


def test_failures_back_off_and_are_visible_then_the_number_goes_once(engine, database_url, shop, taobao):  # noqa: F811
    tid, tracking_no = shipped_trade(engine, shop, taobao)
    close(shop, "SF")
    taobao.fail_next("rate_limit", method="taobao.logistics.offline.send")
    tracking_upload.run_once(engine, "w1")
    [row] = uploads(engine)
    assert (row.status, row.attempts, row.last_error_code) == ("queued", 1, "rate_limited")
    assert row.next_attempt_at > utcnow()
    assert tracking_upload.run_once(engine, "w1") == 0  # not due yet
    from wms.cli import _register_all, app

    _register_all()
    out = CliRunner().invoke(app, ["platforms", "outbox", "--database", database_url]).output
    assert "queued 1" in out and "rate_limited" in out and "Traceback" not in out
    due_now(engine)
    taobao.fail_next("server_error")
    tracking_upload.run_once(engine, "w1")
    assert uploads(engine)[0].last_error_code == "platform_down"
    due_now(engine)
    tracking_upload.run_once(engine, "w1")
    assert [c["out_sid"] for c in taobao.consignments] == [tracking_no]
    assert uploads(engine)[0].status == "sent"


def test_an_answer_lost_after_the_platform_took_the_number_is_not_sent_twice(engine, shop, taobao):  # noqa: F811
    tid, tracking_no = shipped_trade(engine, shop, taobao)
    close(shop, "SF")
    taobao.fail_next("drop_after_apply", method="taobao.logistics.offline.send")
    tracking_upload.run_once(engine, "w1")
    assert uploads(engine)[0].status == "queued"
    due_now(engine)
    tracking_upload.run_once(engine, "w1")
    row = uploads(engine)[0]
    assert row.status == "sent" and row.last_error == "the platform had it already"
    assert len(taobao.consignments) == 1


def test_a_sender_killed_mid_upload_leaves_nothing_lost_or_doubled(engine, shop, taobao):  # noqa: F811
    tid, tracking_no = shipped_trade(engine, shop, taobao)
    close(shop, "SF")
    with UnitOfWork(engine) as uow:  # a worker claims the row, sends, and dies before writing 'sent'
        job = tracking_upload.claim_next(uow, "dead")
        from wms.adapters.platforms import tracking_sink_for

        conn = tracking_sink_for(uow.session.get(PlatformRow, "TB1"))
        conn.upload_tracking(job.platform_order_no, job.carrier, job.tracking_no, [], {})
        conn.close()
    assert tracking_upload.run_once(engine, "w2") == 0  # still within its lease
    tracking_upload.run_once(engine, "w2", lease=timedelta(0))
    row = uploads(engine)[0]
    assert row.status == "sent" and len(taobao.consignments) == 1


def test_an_expired_token_waits_on_the_overview_until_the_shop_is_authorised_again(engine, shop, taobao):  # noqa: F811
    tid, tracking_no = shipped_trade(engine, shop, taobao)
    close(shop, "SF")
    taobao.expire_session()
    tracking_upload.run_once(engine, "w1")
    row = uploads(engine)[0]
    assert row.status == "queued" and row.last_error_code == "token_expired"
    platform = shop.get("/api/platforms").json()["platforms"][0]
    assert platform["last_error_code"] == "upload:token_expired" and "authorise the shop again" in platform["last_error"]
    with UnitOfWork(engine) as uow:
        shops.add_platform(uow, "TB1", "taobao", access_token=taobao.session)
        uow.commit()
    due_now(engine)
    tracking_upload.run_once(engine, "w1")
    assert uploads(engine)[0].status == "sent" and len(taobao.consignments) == 1
    assert shop.get("/api/platforms").json()["platforms"][0]["last_error"] is None


def test_a_refusal_no_retry_can_change_fails_and_waits_for_a_person(engine, shop, taobao):  # noqa: F811
    tid, tracking_no = shipped_trade(engine, shop, taobao)
    close(shop, "SF")
    taobao.close_trade(tid)  # closed on the platform after handover
    tracking_upload.run_once(engine, "w1")
    row = uploads(engine)[0]
    assert (row.status, row.last_error_code) == ("failed", "trade_closed") and "拦截" in row.last_error
    r = shop.post(f"/api/platforms/outbox/{row.id}/retry")
    assert r.status_code == 200 and uploads(engine)[0].status == "queued"


def test_a_cash_on_delivery_trade_is_consigned_through_online_send(engine, shop, taobao):  # noqa: F811
    t = an_hour_ago()
    tid = taobao.add_trade([("MUG", 1)], modified=t, paid=t, type="cod", payment="58.00")
    add_shop(engine, taobao)
    assert sync.pull(engine, "TB1").imported == 1
    tracking_no = pack_existing(shop, tid, [MUG], 352)
    close(shop, "EMS")
    assert tracking_upload.run_once(engine, "w1") == 1
    assert uploads(engine)[0].status == "sent", uploads(engine)[0].last_error
    assert [(c["tid"], c["out_sid"], c["via"]) for c in taobao.consignments] == [(tid, tracking_no, "online")]


def test_b150_busy_is_tried_again_later_and_then_goes_once(engine, shop, taobao):  # noqa: F811
    tid, tracking_no = shipped_trade(engine, shop, taobao)
    close(shop, "SF")
    taobao.busy_next = 1
    tracking_upload.run_once(engine, "w1")
    row = uploads(engine)[0]
    assert (row.status, row.last_error_code) == ("queued", "platform_busy") and "B150" in row.last_error
    due_now(engine)
    tracking_upload.run_once(engine, "w1")
    assert uploads(engine)[0].status == "sent" and len(taobao.consignments) == 1


def test_a_trade_consigned_with_another_number_waits_for_a_person(engine, shop, taobao):  # noqa: F811
    tid, tracking_no = shipped_trade(engine, shop, taobao)
    close(shop, "SF")
    for line in taobao.trades[tid]["orders"]["order"]:  # the seller shipped it by hand in 千牛
        line["out_sid"], line["company_code"] = "YT0000000001", "YTO"
    tracking_upload.run_once(engine, "w1")
    row = uploads(engine)[0]
    assert (row.status, row.last_error_code) == ("failed", "shipped_elsewhere")
    assert "YT0000000001" in row.last_error and tracking_no in row.last_error
    assert taobao.consignments == []


def test_a_shop_that_sends_on_packing_needs_no_handover(engine, shop, taobao):  # noqa: F811
    tid, tracking_no = shipped_trade(engine, shop, taobao, upload_on="packed")
    assert tracking_upload.run_once(engine, "w1") == 1
    assert [c["out_sid"] for c in taobao.consignments] == [tracking_no]
    close(shop, "SF")  # the handover queues nothing more
    assert len(uploads(engine)) == 1


def test_orders_not_from_a_platform_queue_nothing(engine, shop):  # noqa: F811
    from tests.integration.test_handover import pack

    pack(shop, "OWN-1", [("MUG", 1)], 352)
    close(shop, "SF")
    assert uploads(engine) == []
