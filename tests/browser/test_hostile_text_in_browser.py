"""Markup that buyers, sellers and staff type reaches the pages' scripts as text: the station
and the returns desk show it literally, no script runs and no element is made from it."""

from __future__ import annotations

import pytest

from tests.browser.conftest import at_station, login
from tests.browser.test_station_page import wedge_scan

pytestmark = pytest.mark.browser

SCRIPT = "<script>window.__owned=1</script>"
IMG = '"><img src=x onerror="window.__owned=2">'
BOLD = "<b>急</b> & more"


def _watch(page) -> list[str]:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    return dialogs


def _not_owned(page, dialogs: list[str]) -> None:
    assert page.evaluate("window.__owned") is None, "a script from the data ran"
    assert page.locator("img[src='x']").count() == 0 and page.locator("main b:text('急')").count() == 0
    assert not dialogs


def test_the_station_shows_markup_in_names_and_notes_as_text(browser, warehouse):
    api = warehouse["api"]
    r = api.post("/api/orders", json={
        "order_no": "TBX9", "buyer_message": SCRIPT, "seller_memo": IMG, "seller_flag": "red",
        "recipient": {"name": BOLD, "phone": "13812345679", "province": "广东省", "city": "深圳市",
                      "district": IMG, "address": SCRIPT},
        "lines": [{"sku": "CUP", "qty": 1}]})
    assert r.status_code == 201, r.text
    page = login(browser, warehouse["url"], "packer")
    dialogs = _watch(page)
    at_station(page)
    wedge_scan(page, "TBX9")
    page.wait_for_selector("#order-notes.unacked")
    notes = page.inner_text("#notes-list")
    assert SCRIPT in notes and IMG in notes
    recipient = page.inner_text("#recipient")
    assert BOLD in recipient and IMG in recipient
    _not_owned(page, dialogs)


def test_the_returns_desk_shows_a_scanned_code_with_markup_as_text(browser, warehouse):
    page = login(browser, warehouse["url"], "aftersales")
    dialogs = _watch(page)
    page.goto("/returns")
    page.fill("#return-code", IMG)
    page.press("#return-code", "Enter")
    page.wait_for_function("document.getElementById('receipt-tracking').textContent.length > 0")
    assert page.inner_text("#receipt-tracking") == IMG
    _not_owned(page, dialogs)
