"""The overview board, the returns page, and what each role is shown, in a real browser."""

from __future__ import annotations

import pytest

from tests.browser.conftest import CUP, LARGE, SHIRT, SOCK, login, screenshot
from wms.adapters.db.tables import Wave
from wms.adapters.db.uow import UnitOfWork

pytestmark = pytest.mark.browser


def test_the_overview_shows_counts_stations_printers_waves_low_stock_and_todays_mismatch_rate(
        browser, warehouse, engine):
    api = warehouse["api"]
    sid = api.post("/api/pack/sessions", json={"order_no": "TB100", "station": "PK-01"}).json()["session_id"]
    for code in (SHIRT, CUP, SOCK):
        assert api.post(f"/api/pack/sessions/{sid}/scans", json={"code": code}).status_code == 200
    assert api.post(f"/api/pack/sessions/{sid}/weighings", json={"grams": 452}).json()["verdict"] == "underweight"
    assert api.post(f"/api/pack/sessions/{sid}/weighings", json={"grams": 500}).json()["verdict"] == "pass"
    api.post("/api/stations/PK-01/heartbeat", json={"devices": {"scanner": "ok", "scale": "ok"}, "weight_g": 0,
                                                    "stable": True})
    with UnitOfWork(engine) as uow:
        uow.session.add(Wave(code="W20261120-01", status="picking", created_by="lead"))
        uow.commit()

    page = login(browser, warehouse["url"], "admin")
    assert page.url.endswith("/")
    assert page.inner_text("#count-orders") == "1"
    assert page.inner_text("#mismatch-today") == "50.0%", "one of today's two weighings did not match"
    assert "1" in page.inner_text("#orders-by-status tr[data-status='packed']")
    assert "online" in page.inner_text("#stations tr[data-station='PK-01']")
    assert "offline" in page.inner_text("#stations tr[data-station='PK-02']")
    printer = page.locator("#printers tr[data-printer='PRN-PK-01'] td").all_inner_texts()
    assert printer[4] == "1", "the label waits in PRN-PK-01's queue"
    assert "W20261120-01" in page.inner_text("#waves")
    assert "MUG" in page.inner_text("#low-stock") and "SHIRT" not in page.inner_text("#low-stock")
    screenshot(page, "overview-1366x768", full_page=True)
    assert page.locator("#hourly-chart rect.hour-bar[data-parcels='1']").count() == 1, "today's parcel, charted"

    # The lead's board fits one 1920x1080 screen, its order desk included.
    page.set_viewport_size(LARGE)
    height = page.evaluate("document.documentElement.scrollHeight")
    screenshot(page, "overview-1920x1080", full_page=True)
    assert height <= LARGE["height"], f"the overview fits one 1920x1080 screen ({height} px tall)"
    # The wall display: the same board on one 1920x1080 screen, no order desk, refreshing itself.
    page.click("#wall-on")
    page.wait_for_selector("body.wall")
    assert page.locator("#order-desk").count() == 0
    assert page.get_attribute("meta[http-equiv=refresh]", "content") == "15"
    height = page.evaluate("document.documentElement.scrollHeight")
    screenshot(page, "overview-wall-1920x1080", full_page=True)
    assert height <= LARGE["height"], f"the wall display fits one 1920x1080 screen ({height} px tall)"
    page.context.close()


def test_each_role_is_shown_only_the_pages_it_may_use(browser, warehouse):
    packer = login(browser, warehouse["url"], "packer")
    assert packer.locator("header nav a").all_inner_texts() == ["Overview 总览", "Pack station 打包台"]
    packer.goto("/after-sales")
    assert "Your role cannot use After-sales" in packer.inner_text("#forbidden")
    screenshot(packer, "forbidden-packer-1366x768")
    packer.context.close()

    desk = login(browser, warehouse["url"], "aftersales")
    assert desk.locator("header nav a").all_inner_texts() == ["Overview 总览", "After-sales 售后", "Returns 退货"]
    desk.goto("/station")
    assert "Your role cannot use Pack station" in desk.inner_text("#forbidden")
    desk.context.close()

    anonymous = browser.new_context(base_url=warehouse["url"], viewport={"width": 1366, "height": 768})
    page = anonymous.new_page()
    page.goto("/station")
    assert "/login?next=/station" in page.url
    page.fill("#password-login input[name=username]", "packer")
    page.fill("#password-login input[name=password]", "wrong password")
    page.click("#password-login button[type=submit]")
    assert "Wrong user name or password" in page.inner_text("#login-error")
    screenshot(page, "login-1366x768")
    anonymous.close()


def test_a_returned_parcel_is_scanned_weighed_inspected_and_gets_a_put_away_slip(browser, warehouse):
    api = warehouse["api"]
    sid = api.post("/api/pack/sessions", json={"order_no": "TB100", "station": "PK-01"}).json()["session_id"]
    for code in (SHIRT, CUP, SOCK):
        api.post(f"/api/pack/sessions/{sid}/scans", json={"code": code})
    tracking_no = api.post(f"/api/pack/sessions/{sid}/weighings", json={"grams": 500}).json()["tracking_no"]
    case = api.post("/api/cases", json={"order_no": "TB100", "case_type": "return_refund", "reason": "quality",
                                        "lines": [{"sku": "CUP", "qty": 1}, {"sku": "SHIRT", "qty": 1}]}).json()
    assert case["status"] == "awaiting_return", case

    page = login(browser, warehouse["url"], "aftersales")
    page.goto("/returns")
    page.fill("#return-code", tracking_no)
    page.press("#return-code", "Enter")
    page.wait_for_selector("#inspect-items tr[data-sku='SHIRT']")
    assert page.inner_text("#receipt-case") == case["code"]
    page.fill("#return-grams", "520")
    page.press("#return-grams", "Enter")
    page.wait_for_selector("#weigh-result.ok")
    assert "520 g recorded" in page.inner_text("#weigh-result")
    # A quality return is quarantined by default; the shirt turns out fine and goes back on sale.
    assert page.input_value("#inspect-items tr[data-sku='CUP'] .disposition") == "quarantine"
    page.select_option("#inspect-items tr[data-sku='SHIRT'] .condition", "intact")
    page.select_option("#inspect-items tr[data-sku='SHIRT'] .disposition", "restock")
    page.click("#inspect-submit")  # the cup's condition is not chosen yet: nothing is put away
    page.wait_for_selector("#inspect-message.bad")
    assert "CUP" in page.inner_text("#inspect-message") and "状态" in page.inner_text("#inspect-message")
    assert page.is_hidden("#slip-section")
    screenshot(page, "returns-condition-required-1366x768")
    page.select_option("#inspect-items tr[data-sku='CUP'] .condition", "damaged")
    page.click("#inspect-submit")
    page.wait_for_selector("#slip-section:not([hidden])")
    assert "quarantine 隔离待检 · damaged 破损" in page.inner_text("#slip-items tr[data-sku='CUP']")
    bins = {row.get_attribute("data-sku"): row.locator("td.bin").inner_text()
            for row in page.locator("#slip-items tbody tr").all()}
    assert bins == {"CUP": "QUARANTINE", "SHIRT": "A01-01-1"}, "the shirt goes back to the bin it was picked from"
    screenshot(page, "returns-1366x768", full_page=True)
    history = api.get(f"/api/parcels/{tracking_no}/weighings").json()
    assert [h["kind"] for h in history] == ["outbound", "return"]
    page.context.close()


def test_a_lead_fixes_held_orders_on_the_overview(browser, warehouse):
    api = warehouse["api"]
    bad_phone = {"name": "王五", "phone": "12345", "province": "浙江省", "city": "杭州市", "district": "西湖区",
                 "address": "文三路 90 号"}
    r = api.post("/api/orders", json={"order_no": "H1", "recipient": bad_phone, "lines": [{"sku": "SHIRT", "qty": 1}]})
    assert r.json()["status"] == "on_hold", r.text
    r = api.post("/api/orders", json={"order_no": "H2", "recipient": {**bad_phone, "phone": "13912345678"},
                                      "lines": [{"sku": "MUG", "qty": 5}]})  # 3 mugs on the shelf
    assert "stock short" in r.json()["hold_reason"], r.text
    page = login(browser, warehouse["url"], "supervisor")
    row = "#order-list tr[data-order='H1']"
    page.wait_for_selector(row)
    page.fill(f"{row} input[name=phone]", "13812345678")
    page.fill(f"{row} input[name=reason]", "buyer called 买家来电")
    page.click(f"{row} button[value=fix]")
    page.wait_for_selector(f"{row} .fix-msg.ok")
    assert "reserved" in page.inner_text(f"{row} .fix-msg")
    assert api.get("/api/orders/H1").json()["recipient"]["phone"] == "13812345678"
    page.click("#order-list tr[data-order='H2'] button[value=ship-available]")
    page.wait_for_selector("#order-list tr[data-order='H2'] .fix-msg.ok")
    assert "H2-B1" in page.inner_text("#order-list tr[data-order='H2'] .fix-msg")
    screenshot(page, "overview-held-orders-fixed-1366x768", full_page=True)
    page.context.close()
