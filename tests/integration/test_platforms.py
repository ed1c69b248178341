"""Orders in from a Taobao-style platform (订单同步), driven against the local TOP emulator."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from emulators.base import beijing_now
from emulators.taobao import TaobaoEmulator
from tests.integration.test_handover import BOWL, MUG, pack_existing, shop  # noqa: F401  (fixture)
from wms.adapters.db.tables import OrderRow, PlatformOrder, PlatformRow
from wms.adapters.db.uow import UnitOfWork
from wms.adapters.platforms import order_source_for
from wms.services.orders import records
from wms.services.platforms import shops, sync


@pytest.fixture
def taobao():
    with TaobaoEmulator(app_key="k1", secret="s1", session="tok1") as emu:
        yield emu


def add_shop(engine, emu, name="TB1", **kw):
    with UnitOfWork(engine) as uow:
        shops.add_platform(uow, name, "taobao", url=emu.url + "/router/rest", shop="丝施旗舰店",
                                   app_key=emu.app_key, app_secret=emu.secret, access_token=emu.session, **kw)
        uow.commit()


def an_hour_ago():
    return beijing_now() - timedelta(hours=1)


def order(engine, order_no):
    with UnitOfWork(engine) as uow:
        return records.get_order(uow, order_no)


def test_a_pull_imports_each_trade_once_with_the_platform_fields(engine, shop, taobao):  # noqa: F811
    paid = an_hour_ago()
    plain = taobao.add_trade([("MUG", 2)], modified=paid, paid=paid, buyer_message="请周五前发货",
                             seller_memo="送小样", seller_flag=1)
    presale = taobao.add_trade([("BOWL", 1)], modified=paid, paid=paid, type="step",
                               step_trade_status="FRONT_PAID_FINAL_PAID", est_con_time="付款后5天内")
    cod = taobao.add_trade([("MUG", 1)], modified=paid, paid=paid, type="cod", payment="58.00")
    unpaid = taobao.add_trade([("MUG", 1)], modified=paid, status="WAIT_BUYER_PAY")
    add_shop(engine, taobao)

    report = sync.pull(engine, "TB1")
    assert report.error is None
    assert (report.imported, report.skipped) == (3, 1)
    again = sync.pull(engine, "TB1", since=paid - timedelta(minutes=1))
    assert (again.imported, again.unchanged) == (0, 3)

    o = order(engine, plain)
    assert (o.shop, o.channel, o.buyer_message, o.seller_memo, o.seller_flag) == \
        ("丝施旗舰店", "taobao", "请周五前发货", "送小样", "red")
    assert o.status == "reserved"
    assert o.ship_by == o.paid_at + timedelta(hours=48)  # the shop's rule: no promise from the platform
    p = order(engine, presale)
    assert p.order_type == "presale" and p.ship_by == p.paid_at + timedelta(days=5)
    c = order(engine, cod)
    assert c.order_type == "cod" and str(c.cod_amount) == "58.00"
    with UnitOfWork(engine) as uow:
        assert uow.session.exec(select(OrderRow).where(OrderRow.order_no == unpaid)).first() is None
        assert len(uow.session.exec(select(OrderRow)).all()) == 3


def test_buyer_changes_before_packing_hold_the_order_with_the_reason(engine, shop, taobao):  # noqa: F811
    t = an_hour_ago()
    moved, refunding, closed, memo, calm = (taobao.add_trade([("MUG", 1)], modified=t, paid=t) for _ in range(5))
    add_shop(engine, taobao)
    assert sync.pull(engine, "TB1").imported == 5
    taobao.change_address(moved, "西湖区文三路 90 号 8 幢 501 室")
    taobao.request_refund(refunding)
    taobao.close_trade(closed)
    taobao.set_memo(memo, "改发顺丰", 4)
    time.sleep(1.1)  # the pull leaves the second still being written for the next one

    report = sync.pull(engine, "TB1")
    assert report.error is None and report.imported == 0
    assert report.changed == 3
    m = order(engine, moved)
    assert m.status == "on_hold" and "changed the address" in m.hold_reason and "文三路 90" in m.hold_reason
    new = taobao.trades[moved]
    assert (m.address, m.oaid) == (new["receiver_address"], new["oaid"]), "the masked address and the new OAID"
    assert "8 幢 501 室" not in m.address + m.hold_reason, "the house number stays with the platform"
    r = order(engine, refunding)
    assert r.status == "on_hold" and "cancel or refund" in r.hold_reason
    c = order(engine, closed)
    assert c.status == "on_hold" and "closed" in c.hold_reason
    n = order(engine, memo)
    assert n.status == "reserved" and (n.seller_memo, n.seller_flag) == ("改发顺丰", "blue")
    assert order(engine, calm).status == "reserved"
    with UnitOfWork(engine) as uow:
        history = [e.reason for e in records.history(uow, m)]
    assert any("changed the address" in (h or "") for h in history)
    # the same changes seen again change nothing more
    again = sync.pull(engine, "TB1", since=t - timedelta(minutes=1))
    assert again.changed == 0 and again.held == []


def test_a_change_after_packing_is_an_alert_not_a_hold(engine, shop, taobao):  # noqa: F811
    t = an_hour_ago()
    tid = taobao.add_trade([("MUG", 1)], modified=t, paid=t)
    add_shop(engine, taobao)
    sync.pull(engine, "TB1")
    pack_existing(shop, tid, [MUG], 352)
    taobao.request_refund(tid)
    time.sleep(1.1)
    report = sync.pull(engine, "TB1")
    assert order(engine, tid).status == "packed"
    assert len(report.alerts) == 1 and "拦截" in report.alerts[0]
    with UnitOfWork(engine) as uow:
        alerts = shops.list_alerts(uow)
    assert [(a.order_no, a.kind) for a in alerts] == [(tid, "refund_requested")]
    body = shop.get("/api/platforms/alerts").json()
    assert body["alerts"][0]["order_no"] == tid


FAILURES = [
    ("rate_limit", "rate_limited", "call limit"),
    ("remote_error", "platform_error", "Remote service error"),
    ("half_page", "unreachable", "broke off"),
    ("server_error", "platform_down", "HTTP 502"),
    ("timeout", "timeout", "did not answer"),
]


@pytest.mark.parametrize("failure,code,words", FAILURES)
def test_a_bad_answer_stops_the_pull_with_a_clear_message_and_loses_nothing(engine, taobao, failure, code, words):
    t = an_hour_ago()
    tids = [taobao.add_trade([("MUG", 1)], modified=t + timedelta(seconds=i), paid=t) for i in range(250)]
    add_shop(engine, taobao)
    taobao.timeout_sleep = 1.5
    taobao.fail_next(failure, times=3 if failure == "rate_limit" else 1)  # a call limit is waited out twice
    with UnitOfWork(engine) as uow:
        conn = order_source_for(shops.get_platform(uow, "TB1"), timeout=1.0)
    report = sync.pull(engine, "TB1", connector=conn, page_size=100)
    assert report.error and report.error["code"] == code and words in report.error["message"], report.error
    with UnitOfWork(engine) as uow:
        row = uow.session.get(PlatformRow, "TB1")
        assert row.cursor is None and row.last_error_code == code
    report = sync.pull(engine, "TB1", connector=conn, page_size=100)
    assert report.error is None
    with UnitOfWork(engine) as uow:
        assert len(uow.session.exec(select(OrderRow)).all()) == 250
        assert len(uow.session.exec(select(PlatformOrder)).all()) == 250
        assert uow.session.get(PlatformRow, "TB1").last_error is None
    assert {o for o in tids} == {o.order_no for o in _all_orders(engine)}


def _all_orders(engine):
    with UnitOfWork(engine) as uow:
        return list(uow.session.exec(select(OrderRow)).all())


@pytest.mark.parametrize("spoil,code,words", [
    ("secret", "bad_signature", "app key and secret"),
    ("session", "token_expired", "authorise the shop again"),
    ("app_key", "bad_app_key", "app key is not known"),
])
def test_wrong_credentials_are_named_in_the_cli_and_on_the_overview(engine, database_url, api, taobao, spoil,
                                                                      code, words):
    taobao.add_trade([("MUG", 1)], modified=an_hour_ago())
    add_shop(engine, taobao)
    with UnitOfWork(engine) as uow:
        row = uow.session.get(PlatformRow, "TB1")
        setattr(row, {"secret": "app_secret", "session": "access_token", "app_key": "app_key"}[spoil], "wrong")
        uow.session.add(row)
        uow.commit()
    from wms.cli import _register_all, app

    _register_all()
    result = CliRunner().invoke(app, ["platforms", "pull", "TB1", "--database", database_url])
    assert result.exit_code == 1
    assert code in result.output and words in result.output and "Traceback" not in result.output
    overview = api.get("/api/platforms").json()["platforms"][0]
    assert overview["last_error_code"] == code and words in overview["last_error"]


def test_the_cli_adds_lists_and_pulls_a_shop(engine, database_url, taobao):
    taobao.add_trade([("MUG", 1)], modified=an_hour_ago())
    from wms.cli import _register_all, app

    _register_all()
    run = CliRunner()
    r = run.invoke(app, ["platforms", "add", "TB1", "--kind", "taobao", "--shop", "丝施旗舰店", "--url",
                         taobao.url + "/router/rest", "--app-key", "k1", "--secret", "s1", "--token", "tok1",
                         "--database", database_url])
    assert r.exit_code == 0, r.output
    r = run.invoke(app, ["platforms", "pull", "TB1", "--database", database_url])
    assert r.exit_code == 0 and "imported 1" in r.output, r.output
    r = run.invoke(app, ["platforms", "pull", "TB1", "--database", database_url])
    assert r.exit_code == 0 and "imported 0" in r.output, r.output
    r = run.invoke(app, ["platforms", "list", "--database", database_url])
    assert "TB1" in r.output and "ok" in r.output
    r = run.invoke(app, ["platforms", "add", "X", "--kind", "amazon", "--database", database_url])
    assert r.exit_code == 2 and "kind" in r.output and "Traceback" not in r.output
    r = run.invoke(app, ["platforms", "pull", "NOPE", "--database", database_url])
    assert r.exit_code == 2 and "no platform NOPE" in r.output


def test_trades_changing_while_pages_are_read_are_not_skipped(engine, taobao):
    """Reading the last page first: a trade leaving the window mid-pull moves others into pages yet to come."""
    t = an_hour_ago()
    tids = [taobao.add_trade([("MUG", 1)], modified=t + timedelta(seconds=i)) for i in range(300)]
    add_shop(engine, taobao)
    original = taobao.handle
    calls = []

    def meddling(path, params):
        calls.append(params.get("page_no"))
        if len(calls) == 3:  # between pages, the buyers of the ten oldest trades write messages
            for tid in tids[:10]:
                taobao.trades[tid]["buyer_message"] = "改一下"
                taobao.trades[tid]["modified"] = "2099-01-01 00:00:00"
        return original(path, params)

    taobao.handle = meddling
    report = sync.pull(engine, "TB1", page_size=100)
    assert report.error is None
    assert len(_all_orders(engine)) == 290  # the ten moved past the window; the next pull has them
    taobao.handle = original
    for tid in tids[:10]:
        taobao.trades[tid]["modified"] = beijing_now().strftime("%Y-%m-%d %H:%M:%S")
    time.sleep(1.1)
    sync.pull(engine, "TB1")
    assert {o.order_no for o in _all_orders(engine)} == set(tids)


def test_late_orders_are_listed_most_urgent_first_in_the_cli_and_the_api(engine, database_url, shop, taobao):  # noqa: F811
    now = beijing_now()
    overdue = taobao.add_trade([("MUG", 1)], modified=now - timedelta(hours=1), paid=now - timedelta(hours=50))
    soon = taobao.add_trade([("MUG", 1)], modified=now - timedelta(hours=1), paid=now - timedelta(hours=30),
                            est_con_time=(now + timedelta(hours=2)).strftime("%Y-%m-%d %H:%M:%S"))
    later = taobao.add_trade([("MUG", 1)], modified=now - timedelta(hours=1), paid=now - timedelta(hours=1))
    add_shop(engine, taobao)
    sync.pull(engine, "TB1")
    body = shop.get("/api/orders/late?hours=4").json()
    assert [r["order_no"] for r in body["orders"]] == [overdue, soon]
    assert body["overdue"] == 1 and body["orders"][0]["overdue"] and not body["orders"][1]["overdue"]
    assert body["orders"][1]["promised_by_platform"] is True
    from wms.cli import _register_all, app

    _register_all()
    out = CliRunner().invoke(app, ["orders", "late", "--hours", "4", "--database", database_url]).output
    assert "2 order(s) due within 4 h, 1 overdue" in out
    assert out.index(overdue) < out.index(soon) and later not in out
    out = CliRunner().invoke(app, ["orders", "late", "--hours", "72", "--database", database_url]).output
    assert later in out
