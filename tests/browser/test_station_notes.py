"""The buyer's message and the seller's flagged memo show on the station when the parcel is
opened, and the weighing does not count until the packer confirms them with one key (F2)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import CUP, at_station, login, screenshot
from tests.browser.test_station_page import wedge_scan

pytestmark = pytest.mark.browser


def test_a_flagged_note_is_shown_and_must_be_confirmed_before_the_label_prints(browser, warehouse):
    api = warehouse["api"]
    r = api.post("/api/orders", json={
        "order_no": "TB200", "buyer_message": "送人的，不要放发票", "seller_memo": "<b>加急</b>", "seller_flag": "red",
        "recipient": {"name": "王五", "phone": "13812345679", "province": "广东省", "city": "深圳市",
                      "district": "南山区", "address": "科技园 1 号"},
        "lines": [{"sku": "CUP", "qty": 1}]})
    assert r.status_code == 201, r.text
    page = login(browser, warehouse["url"], "packer")
    at_station(page)
    wedge_scan(page, "TB200")
    page.wait_for_selector("#order-notes.unacked")
    notes = page.inner_text("#notes-list")
    assert "送人的，不要放发票" in notes and "红旗" in notes
    assert "<b>加急</b>" in notes, "what the seller typed is shown as text, not as markup"
    assert page.is_visible("#ack-notes")
    screenshot(page, "station-flagged-note-1366x768")

    wedge_scan(page, CUP)
    page.wait_for_function("document.querySelectorAll('#lines tbody tr.done').length === 1")
    page.fill("#grams", "275")
    page.press("#grams", "Enter")
    page.wait_for_selector("#feedback.bad")
    assert "Read the note first" in page.inner_text("#feedback")
    page.wait_for_selector("#stop-overlay:visible")  # a refused weighing is never silent
    assert "Read the note first" in page.inner_text("#stop-text") and "F2" in page.inner_text("#stop-todo")
    screenshot(page, "station-refused-note-unread-1366x768")
    assert page.inner_text("#tracking-no").strip() == ""

    page.keyboard.press("F2")  # one key, hands stay on the parcel; it clears the stop screen too
    page.wait_for_selector("#order-notes:not(.unacked)")
    page.wait_for_selector("#stop-overlay", state="hidden")
    assert "read by" in page.inner_text("#notes-acked") and not page.is_visible("#ack-notes")
    page.fill("#grams", "275")
    page.press("#grams", "Enter")
    page.wait_for_selector("#verdict.pass")
    assert page.inner_text("#tracking-no").strip()


def test_a_customer_service_note_for_the_warehouse_shows_on_the_station(browser, warehouse):
    api = warehouse["api"]
    r = api.post("/api/orders", json={
        "order_no": "TB201", "recipient": {"name": "赵六", "phone": "13812345670", "province": "广东省",
                                           "city": "深圳市", "district": "南山区", "address": "科技园 2 号"},
        "lines": [{"sku": "CUP", "qty": 1}]})
    assert r.status_code == 201, r.text
    told = api.post("/api/orders/TB201/notes", json={"text": "买家改要黑色袋子", "for_warehouse": True})
    assert told.status_code == 201, told.text
    page = login(browser, warehouse["url"], "packer")
    at_station(page)
    wedge_scan(page, "TB201")
    page.wait_for_selector("#order-notes.unacked")
    assert "客服备注" in page.inner_text("#notes-list") and "买家改要黑色袋子" in page.inner_text("#notes-list")
    assert page.is_visible("#ack-notes")
