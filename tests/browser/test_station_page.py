"""A packer packs an order at /station with a wedge scanner; after-sales then finds the parcel.

Scans are typed the way a keyboard-wedge scanner types them: the whole code a few
milliseconds per key, then Enter.
"""

from __future__ import annotations

import pytest

from printing.barcodes import mm_to_dots

from tests.browser.conftest import CUP, LARGE, MUG, SHIRT, SMALL, SOCK, login, screenshot

pytestmark = pytest.mark.browser


def wedge_scan(page, code: str) -> None:
    """What a keyboard-wedge scanner does: a fast burst of keys ending in Enter."""
    page.keyboard.type(code, delay=5)
    page.keyboard.press("Enter")


def sounds(page) -> list[str]:
    return page.evaluate("window.wmsSoundLog.slice()")


def test_a_packer_scans_fixes_a_weight_mismatch_and_gets_the_label_then_after_sales_sees_the_history(
        browser, warehouse):
    page = login(browser, warehouse["url"], "packer")
    assert page.url.endswith("/station"), "a packer lands on the pack station"
    page.click("[data-station='PK-01']")
    page.wait_for_selector("#station-app[data-station='PK-01']")
    assert page.evaluate("document.activeElement.id") == "scan"

    wedge_scan(page, warehouse["order_no"])
    page.wait_for_function("document.querySelectorAll('#lines tbody tr').length === 3")
    assert page.inner_text("#order-no") == "TB100"

    # A mug that is not on the order: rejected, nothing counted, the rejection sound.
    wedge_scan(page, MUG)
    page.wait_for_selector("#feedback.bad")
    assert "Wrong item" in page.inner_text("#feedback")
    for code in (SHIRT, CUP):
        wedge_scan(page, code)
    # A click somewhere else must not lose the next scan: it lands in the scan box.
    page.click("#verdict")
    wedge_scan(page, SOCK)
    page.wait_for_function("document.querySelectorAll('#lines tbody tr.done').length === 3")
    assert "all scanned" in page.inner_text("#feedback")
    # A person typing a code by hand is accepted too, but marked manual.
    page.click("#scan")
    page.keyboard.type(SOCK, delay=120)
    page.keyboard.press("Enter")
    page.wait_for_function("window.wmsScanLog.length === 6")
    log = page.evaluate("window.wmsScanLog")
    assert [e["outcome"] for e in log] == ["opened", "wrong_item", "accepted", "accepted", "accepted", "over_scan"]
    assert [e["source"] for e in log] == ["scanner"] * 5 + ["manual"], [e["gaps"] for e in log]

    # The socks were scanned but did not go in the box: 452 g instead of 500 g.
    page.fill("#grams", "452")
    page.press("#grams", "Enter")
    page.wait_for_selector("#verdict.fail")
    assert "UNDERWEIGHT" in page.inner_text("#verdict-word")
    verdict = page.inner_text("#verdict")
    assert "452 g" in verdict and "500 ± " in verdict and "−48 g" in verdict
    assert "白色短袜" in page.inner_text("#suspects"), "the missing item is named"
    assert "mismatch" in sounds(page)
    assert page.evaluate("document.activeElement.id") == "scan", "focus goes back to the scan box"
    screenshot(page, "station-mismatch-1366x768")

    # The packer puts the socks in and weighs again.
    page.fill("#grams", "501")
    page.press("#grams", "Enter")
    page.wait_for_selector("#verdict.pass")
    tracking_no = page.inner_text("#tracking-no").strip()
    assert tracking_no, "a passing parcel gets its tracking number"
    page.wait_for_function("document.getElementById('label-img').complete && "
                           "document.getElementById('label-img').naturalWidth > 0")
    width, height = page.evaluate("[document.getElementById('label-img').naturalWidth, "
                                  "document.getElementById('label-img').naturalHeight]")
    assert (width, height) == (mm_to_dots(100, 203), mm_to_dots(150, 203)), "the 100x150 mm label at 203 dpi"
    assert sounds(page)[:1] == ["accepted"] and {"rejected", "mismatch", "pass"} <= set(sounds(page))
    assert page.evaluate("document.documentElement.scrollHeight") <= SMALL["height"], \
        "the station fits a 1366x768 screen without scrolling"
    screenshot(page, "station-pass-1366x768")
    page.set_viewport_size(LARGE)
    screenshot(page, "station-pass-1920x1080")
    page.context.close()

    # After-sales finds the parcel by its tracking number and sees both weighings.
    desk = login(browser, warehouse["url"], "aftersales")
    assert desk.url.endswith("/after-sales")
    desk.fill("#q", tracking_no)
    desk.press("#q", "Enter")
    desk.wait_for_selector("#parcel")
    rows = desk.locator("#weighings tr.weighing-row")
    assert rows.count() == 2
    assert [rows.nth(i).get_attribute("data-verdict") for i in range(2)] == ["underweight", "pass"]
    assert "452 g" in rows.nth(0).inner_text() and "501 g" in rows.nth(1).inner_text()
    assert desk.locator("#weight-chart circle.weighing").count() == 2
    assert desk.locator("#weight-chart rect.band").count() == 2
    pdf = desk.request.get(desk.get_attribute("#evidence-link", "href"))
    assert pdf.status == 200 and pdf.body()[:5] == b"%PDF-"
    screenshot(desk, "after-sales-1366x768", full_page=True)
    desk.context.close()
