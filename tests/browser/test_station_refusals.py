"""Every refusal the service gives reaches the packer in words: a typed weight where the station
takes only its scale, a carrier's e-waybill service that cannot give a number, and a printer
that failed the label."""

from __future__ import annotations

import pytest

from tests.browser.conftest import CUP, at_station, login, screenshot
from tests.browser.test_station_page import open_at_pk02, wedge_scan

pytestmark = pytest.mark.browser


def test_a_typed_weight_where_only_the_scale_counts_stops_the_bench_in_words(browser, warehouse):
    api = warehouse["api"]
    assert api.patch("/api/stations/PK-02", json={"typed_weights": False}).status_code == 200
    page = open_at_pk02(browser, warehouse, "TB300", [("CUP", 1)], 1)
    wedge_scan(page, CUP)
    page.wait_for_function("document.querySelectorAll('#lines tbody tr.done').length === 1")
    page.fill("#grams", "272")
    page.press("#grams", "Enter")
    page.wait_for_selector("#stop-overlay:visible")
    assert "Use the scale" in page.inner_text("#stop-text")
    screenshot(page, "station-typed-weight-forbidden-1366x768")
    assert page.inner_text("#tracking-no").strip() == ""
    page.context.close()


def test_no_number_from_the_carriers_e_waybill_service_and_a_failed_label_are_said_in_words(browser, warehouse):
    api = warehouse["api"]
    assert api.post("/api/carriers", json={"code": "ZTO", "name": "中通快递", "regions": ["*"]}).status_code == 201
    r = api.post("/api/carriers/ZTO/provider", json={"provider": "cainiao", "url": "http://127.0.0.1:9/router/rest",
                                                      "app_key": "12345678", "secret": "s", "token": "t"})
    assert r.status_code == 200, r.text
    r = api.post("/api/orders", json={
        "order_no": "TB310", "carrier": "ZTO", "recipient": {"name": "李四", "phone": "13912345678", "province": "浙江省",
                                                            "city": "杭州市", "district": "余杭区", "address": "文一西路 969 号"},
        "lines": [{"sku": "CUP", "qty": 1}]})
    assert r.status_code == 201, r.text
    page = login(browser, warehouse["url"], "packer")
    at_station(page, "PK-02")
    wedge_scan(page, "TB310")
    page.wait_for_function("document.querySelectorAll('#lines tbody tr').length === 1")
    wedge_scan(page, CUP)
    page.wait_for_function("document.querySelectorAll('#lines tbody tr.done').length === 1")
    page.fill("#grams", "272")
    page.press("#grams", "Enter")
    page.wait_for_selector("#stop-overlay:visible")
    text = page.inner_text("#stop-text")
    assert "Cainiao" in text and "ZTO" in text, text
    screenshot(page, "station-waybill-unavailable-1366x768")
    page.keyboard.press("Escape")

    # The carrier's numbers come from its pool again: the weighing passes, then the printer
    # fails the label, and the bench says so in the printer's words.
    assert api.post("/api/carriers/ZTO/pools", json={"prefix": "ZT", "digits": 12, "start": 1,
                                                     "end": 999}).status_code == 201
    assert api.post("/api/carriers/ZTO/provider", json={"provider": "pool"}).status_code == 200
    page.fill("#grams", "272")
    page.press("#grams", "Enter")
    page.wait_for_selector("#verdict.pass")
    job = api.post("/api/stations/PK-02/print-jobs/claim").json()["job"]
    assert job is not None and job["tracking_no"] == page.inner_text("#tracking-no").strip()
    r = api.post(f"/api/print-jobs/{job['job_id']}/result", json={"ok": False, "error": "out of paper 缺纸",
                                                                 "give_up": True})
    assert r.status_code == 200, r.text
    page.wait_for_function("document.getElementById('print-status').textContent.includes('缺纸')")
    assert "failed" in page.inner_text("#print-status")
    page.wait_for_function("document.getElementById('feedback').textContent.includes('did not print')")
    assert "缺纸" in page.inner_text("#feedback") and "rejected" in page.evaluate("window.wmsSoundLog.slice()")
    screenshot(page, "station-label-failed-1366x768")
    page.context.close()
