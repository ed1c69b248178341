"""The pages' server side over HTTP (no browser): sign-in, who may open what, and what each
page says about the warehouse."""

from __future__ import annotations

import io
import re

import pytest
import zxingcpp
from PIL import Image

from tests.integration.conftest import make_order, make_sku, page_form
from wms.adapters.db.tables import Printer, Station, Wave
from wms.adapters.db.uow import UnitOfWork
from wms.services.people.auth import create_user

SHIRT, CUP, SOCK = "6920000000012", "6930000000011", "6901234567892"


def as_role(client, tokens, role):
    """The browser's view: the token travels in the wms_token cookie."""
    client.cookies.clear()
    client.cookies.set("wms_token", tokens[role])
    return client


@pytest.fixture
def order(api, engine):
    make_sku(api, "SHIRT", 180, 4, SHIRT, "纯棉T恤 蓝色 L")
    make_sku(api, "CUP", 272, 5, CUP, "保温杯 500ml")
    make_sku(api, "SOCK", 48, 2, SOCK, "白色短袜")
    for sku, qty in (("SHIRT", 10), ("CUP", 10), ("SOCK", 2)):
        api.post("/api/stock/receipts", {"sku": sku, "bin": "A01-01-1", "qty": qty})
    with UnitOfWork(engine) as uow:
        uow.session.add(Printer(name="PRN-PK-01", url="memory://PK-01", station="PK-01"))
        uow.session.add(Station(code="PK-01", name="打包台 01", printer_name="PRN-PK-01"))
        uow.commit()
    make_order(api, "TB100", [("SHIRT", 1), ("CUP", 1), ("SOCK", 1)])
    return "TB100"


def pack(api, order_no, weights=(452, 501)):
    """Scan all three items at PK-01 and weigh; returns the last weighing's answer."""
    packer = api.as_("packer")
    sid = packer.post("/api/pack/sessions", {"order_no": order_no, "station": "PK-01"}).json()["session_id"]
    for code in (SHIRT, CUP, SOCK):
        assert packer.post(f"/api/pack/sessions/{sid}/scans", {"code": code}).status_code == 200
    answer = None
    for grams in weights:
        answer = packer.post(f"/api/pack/sessions/{sid}/weighings", {"grams": grams}).json()
    return answer


# ---------------------------------------------------------------- signing in


@pytest.mark.parametrize("path", ["/", "/station", "/after-sales", "/returns"])
def test_a_visitor_without_a_cookie_is_sent_to_sign_in(client, path):
    r = client.get(path, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == f"/login?next={path}"


def test_signing_in_with_a_password_sets_an_httponly_strict_cookie_and_lands_on_the_role_page(client, engine):
    with UnitOfWork(engine) as uow:
        create_user(uow, "wang", "bench-pass-1", "packer")
        uow.commit()
    r = client.post("/login", data=page_form(client, username="wang", password="bench-pass-1"),
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/station"
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("wms_token=wms_")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    assert client.get("/api/stations").status_code == 200, "the cookie works for the API too"


def test_a_wrong_password_is_refused_with_a_message_and_no_cookie(client, engine):
    with UnitOfWork(engine) as uow:
        create_user(uow, "wang", "bench-pass-1", "packer")
        uow.commit()
    r = client.post("/login", data=page_form(client, username="wang", password="nope"), follow_redirects=False)
    assert r.status_code == 401
    assert "Wrong user name or password" in r.text
    assert "set-cookie" not in r.headers


def test_a_pasted_token_signs_in_and_an_unknown_one_is_refused(client, tokens):
    r = client.post("/login", data=page_form(client, token=tokens["after_sales"], next="/after-sales?q=SF1"),
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/after-sales?q=SF1"
    r = client.post("/login", data=page_form(client, token="wms_made_up"), follow_redirects=False)
    assert r.status_code == 401 and "not known or was revoked" in r.text


@pytest.mark.parametrize("target", ["//evil.example/", "/\t/evil.example", "https://evil.example/", "/\\evil.example"])
def test_after_sign_in_the_next_page_must_be_on_this_site(client, tokens, target):
    r = client.post("/login", data=page_form(client, token=tokens["admin"], next=target), follow_redirects=False)
    assert r.headers["location"] == "/"


def test_signing_out_clears_the_cookie(client, tokens):
    as_role(client, tokens, "admin")
    r = client.post("/logout", data=page_form(client, "/"), follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert 'wms_token=""' in r.headers["set-cookie"] and "Max-Age=0" in r.headers["set-cookie"]


# ---------------------------------------------------------------- roles


@pytest.mark.parametrize("role, page, title", [
    ("packer", "/after-sales", "After-sales"), ("packer", "/returns", "Returns"),
    ("after_sales", "/station", "Pack station"),
])
def test_a_role_that_may_not_use_a_page_is_told_so(client, tokens, role, page, title):
    r = as_role(client, tokens, role).get(page)
    assert r.status_code == 403
    assert f"Your role cannot use {title}" in r.text


@pytest.mark.parametrize("role, links", [
    ("packer", ["/", "/station"]),
    ("supervisor", ["/", "/station", "/after-sales", "/returns"]),
    ("after_sales", ["/", "/after-sales", "/returns"]),
    ("admin", ["/", "/station", "/after-sales", "/returns"]),
])
def test_the_menu_shows_each_role_only_its_pages(client, tokens, role, links):
    html = as_role(client, tokens, role).get("/").text
    assert re.findall(r'<a href="([^"]+)" data-page=', html) == links


# ---------------------------------------------------------------- overview


def test_the_overview_counts_orders_today_mismatches_queued_labels_waves_and_low_stock(client, api, tokens,
                                                                                       order, engine):
    assert pack(api, order)["verdict"] == "pass"
    with UnitOfWork(engine) as uow:
        uow.session.add(Wave(code="W-OPEN", status="picking", created_by="lead"))
        uow.session.add(Wave(code="W-DONE", status="done", created_by="lead"))
        uow.commit()
    html = as_role(client, tokens, "packer").get("/").text
    assert '<div class="n" id="count-orders">1</div>' in html
    assert '<div class="n" id="mismatch-today">50.0%</div>' in html
    assert re.search(r'<tr data-status="packed"><td>packed</td><td class="num">1</td>', html)
    assert re.search(r'data-printer="PRN-PK-01">\s*<td>PRN-PK-01</td><td>escpos</td><td>PK-01</td><td>unknown</td>\s*'
                     r'<td class="num">1</td>', html), "one label waits in the queue"
    assert "W-OPEN" in html and "W-DONE" not in html
    low = html.split('id="low-stock"', 1)[1].split("</table>", 1)[0]
    assert "SOCK" in low and "SHIRT" not in low, "1 sock left is low; 9 shirts are not"


def test_the_board_counts_down_to_ship_by_charts_parcels_per_hour_and_names_sync_and_print_failures(
        client, api, tokens, order, engine):
    from datetime import timedelta

    from wms.adapters.db.tables import PlatformRow, PrintJob
    from wms.adapters.db.types import utcnow
    from wms.domain.incoming import BEIJING

    soon = (utcnow() + timedelta(minutes=95)).astimezone(BEIJING).isoformat()
    late = (utcnow() - timedelta(minutes=40)).astimezone(BEIJING).isoformat()
    make_order(api, "DUE1", [("SHIRT", 1)], ship_by=soon)
    make_order(api, "DUE0", [("SHIRT", 1)], ship_by=late)
    assert pack(api, order)["verdict"] == "pass"
    with UnitOfWork(engine) as uow:
        uow.session.add(PlatformRow(name="TB1", kind="taobao", url="http://127.0.0.1:9/router/rest",
                                    last_error="Taobao TOP refused the session (27: Invalid session)",
                                    last_error_code="auth_failed", last_error_at=utcnow()))
        job = uow.session.exec(__import__("sqlmodel").select(PrintJob)).first()
        job.status, job.last_error, job.attempts = "failed", "printer out of paper 缺纸", 5
        uow.session.add(job)
        uow.commit()
    html = as_role(client, tokens, "supervisor").get("/").text
    due = html.split('id="due-to-ship"', 1)[1].split("</table>", 1)[0]
    assert due.index("DUE0") < due.index("DUE1"), "overdue first"
    assert re.search(r'data-order="DUE0" class="bad">.*?overdue 超时 (39|40|41) m', due, re.S)
    assert re.search(r'data-order="DUE1" class="warn">.*?1 h (33|34|35) m left', due, re.S)
    assert re.search(r'<rect class="hour-bar" data-hour="\d+" data-parcels="1"', html), "the parcel packed this hour"
    assert "同步失败 TB1" in html and "Invalid session" in html
    assert "打印失败" in html and "out of paper" in html
    assert 'id="order-desk"' in html and "Asia/Shanghai" in html
    wall = as_role(client, tokens, "supervisor").get("/?wall=1").text
    assert 'id="order-desk"' not in wall and 'content="15"' in wall and 'id="due-to-ship"' in wall


# ---------------------------------------------------------------- pack station


def test_the_station_page_offers_the_benches_and_refuses_an_unknown_one(client, tokens, order):
    c = as_role(client, tokens, "packer")
    assert 'data-station="PK-01"' in c.get("/station").text
    r = c.get("/station?station=PK-99")
    assert "There is no station PK-99" in r.text
    r = c.get("/station?station=PK-01")
    assert 'id="station-app"' in r.text and 'data-supervisor="0"' in r.text
    assert 'id="reprint-form"' not in r.text
    # a packer's screen has the override form only for a supervisor's badge (the service checks it)
    assert 'id="badge-hint"' in r.text
    r = as_role(client, tokens, "supervisor").get("/station?station=PK-01")
    assert 'data-supervisor="1"' in r.text and 'id="override-form"' in r.text and 'id="reprint-form"' in r.text


def test_the_station_state_follows_the_bench_from_mismatch_to_label(client, api, tokens, order):
    c = as_role(client, tokens, "packer")
    assert c.get("/station/state?station=PK-01").json()["session"] is None
    pack(api, order, weights=(452,))
    state = c.get("/station/state?station=PK-01").json()
    assert state["session"]["order_no"] == "TB100"
    assert [(l["sku"], l["scanned"], l["qty"]) for l in state["session"]["lines"]] == [
        ("SHIRT", 1, 1), ("CUP", 1, 1), ("SOCK", 1, 1)]
    assert state["weighing"]["verdict"] == "underweight"
    assert [s["name"] for s in state["weighing"]["suspects"]] == ["白色短袜"]
    assert state["label"] is None
    sid = state["session"]["session_id"]
    assert api.as_("packer").post(f"/api/pack/sessions/{sid}/weighings", {"grams": 500}).json()["verdict"] == "pass"
    state = c.get("/station/state?station=PK-01").json()
    assert state["weighings"] == 2 and state["weighing"]["verdict"] == "pass"
    assert state["label"]["tracking_no"] == state["session"]["tracking_no"]
    assert state["label"]["status"] == "queued" and state["label"]["printer"] == "PRN-PK-01"


def test_the_station_state_needs_a_signed_in_packer(client, tokens):
    client.cookies.clear()
    assert client.get("/station/state?station=PK-01").status_code == 401
    assert as_role(client, tokens, "after_sales").get("/station/state?station=PK-01").status_code == 403


def test_the_label_preview_is_the_printer_bitmap_with_the_tracking_barcode(client, api, tokens, order):
    tracking_no = pack(api, order)["tracking_no"]
    r = as_role(client, tokens, "packer").get(f"/station/label/{tracking_no}.png")
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(r.content))
    assert image.mode == "1" and image.size == (799, 1199)  # 100 x 150 mm at 203 dpi
    found = {b.text for b in zxingcpp.read_barcodes(image.convert("L"), formats=zxingcpp.BarcodeFormat.Code128)}
    assert tracking_no in found
    assert as_role(client, tokens, "packer").get("/station/label/NOPE1.png").status_code == 404


# ---------------------------------------------------------------- after-sales


def test_after_sales_finds_a_parcel_by_phone_suffix_and_shows_its_weighings_and_chart(client, api, tokens, order):
    tracking_no = pack(api, order)["tracking_no"]
    html = as_role(client, tokens, "after_sales").get("/after-sales?q=5678").text
    assert f'data-tracking-no="{tracking_no}"' in html
    rows = re.findall(r'<tr class="weighing-row" data-kind="outbound" data-verdict="(\w+)">', html)
    assert rows == ["underweight", "pass"]
    assert html.count('<circle class="weighing') == 2 and html.count('<rect class="band"') == 2
    assert f'href="/api/parcels/{tracking_no}/evidence.pdf"' in html
    assert "missing 1 × 白色短袜" in html


def test_the_parcel_page_lists_the_orders_cases_with_the_weight_evidence(client, api, tokens, order):
    tracking_no = pack(api, order)["tracking_no"]
    case = api.as_("after_sales").post("/api/cases", {"order_no": order, "case_type": "refund_only",
                                                      "reason": "short_shipment", "lines": [{"sku": "SOCK", "qty": 1}]})
    assert case.status_code == 201, case.text
    html = as_role(client, tokens, "after_sales").get(f"/after-sales/parcels/{tracking_no}").text
    panel = html.split('<section id="cases">', 1)[1].split("</section>", 1)[0]
    assert f'data-case="{case.json()["code"]}" data-status="open"' in panel
    assert "Weight evidence 称重证据: full_weight" in panel
    assert 'class="case-close' in panel, "an open case can be closed from here"
    assert re.findall(r'<tr data-sku="(\w+)">', panel) == ["SHIRT", "CUP", "SOCK"], "a new case may name any item"


def test_after_sales_says_when_nothing_matches(client, tokens):
    r = as_role(client, tokens, "supervisor").get("/after-sales?q=SF000")
    assert r.status_code == 200 and 'id="no-results"' in r.text
    r = as_role(client, tokens, "supervisor").get("/after-sales/parcels/SF000")
    assert r.status_code == 404 and "no parcel with tracking number SF000" in r.text


def test_the_returns_page_offers_the_four_steps_to_after_sales_and_supervisors(client, tokens):
    for role in ("after_sales", "supervisor"):
        r = as_role(client, tokens, role).get("/returns?bench=RT-2")
        assert r.status_code == 200
        for part in ('id="receive-form"', 'id="weigh-form"', 'id="inspect-form"', 'id="put-away-slip"',
                     'data-bench="RT-2"', 'src="/static/returns.js"'):
            assert part in r.text
