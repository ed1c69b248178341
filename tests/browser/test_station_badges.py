"""Badges at the bench: a packer signs in by scanning their card, and at a weight mismatch a
supervisor scans theirs at the packer's screen to ship anyway; the packer stays signed in."""

from __future__ import annotations

import pytest

from tests.browser.conftest import CUP, SHIRT, SMALL, SOCK, at_station, screenshot
from tests.browser.test_station_page import wedge_scan
from wms.adapters.db.uow import UnitOfWork
from wms.services.people.auth import issue_badge

pytestmark = pytest.mark.browser


@pytest.fixture
def badges(engine, warehouse) -> dict[str, str]:
    with UnitOfWork(engine) as uow:
        codes = {name: issue_badge(uow, name) for name in ("packer", "supervisor")}
        uow.commit()
    return codes


def test_a_packer_signs_in_with_a_badge_and_a_supervisor_badge_overrides_a_mismatch_at_that_screen(
        browser, warehouse, badges):
    context = browser.new_context(base_url=warehouse["url"], viewport=SMALL, locale="zh-CN")
    page = context.new_page()
    page.goto("/login")
    assert page.evaluate("document.activeElement.name") == "badge", "the badge box waits for the scan"
    screenshot(page, "login-badge-1366x768")
    wedge_scan(page, badges["packer"])
    page.wait_for_url("**/station")
    at_station(page)

    wedge_scan(page, warehouse["order_no"])
    page.wait_for_function("document.querySelectorAll('#lines tbody tr').length === 3")
    for code in (SHIRT, CUP, SOCK):
        wedge_scan(page, code)
    page.wait_for_function("document.querySelectorAll('#lines tbody tr.done').length === 3")
    page.fill("#grams", "430")
    page.press("#grams", "Enter")
    page.wait_for_selector("#stop-overlay:visible")
    page.wait_for_selector("#badge-hint:visible")
    assert page.is_hidden("#override-form"), "a packer alone gets no override form"
    screenshot(page, "station-mismatch-scan-supervisor-badge-1366x768")

    # A packer's own badge opens the form (the page cannot tell), and the service refuses it.
    wedge_scan(page, badges["packer"])
    page.wait_for_selector("#stop-overlay", state="hidden")
    page.wait_for_selector("#override-form:visible")
    assert page.evaluate("document.activeElement.id") == "override-reason"
    page.keyboard.type("looks fine to me")
    page.keyboard.press("Enter")
    page.wait_for_function("document.getElementById('feedback').textContent.includes('主管工牌')")
    page.wait_for_selector("#badge-hint:visible")
    assert page.is_hidden("#override-form"), "one badge scan, one try"

    # The supervisor's badge: typed reason, Enter, and the label prints under the supervisor's name.
    page.click("#verdict")  # focus back with the scan box, as after any click on the bench
    wedge_scan(page, badges["supervisor"])
    page.wait_for_selector("#override-form:visible")
    assert "badge scanned" in page.inner_text("#override-who")
    page.keyboard.type("sock pack is lighter, checked by hand")
    screenshot(page, "station-supervisor-badge-reason-1366x768")
    page.keyboard.press("Enter")
    page.wait_for_selector("#verdict.overridden")
    assert "override of supervisor" in page.inner_text("#feedback")
    assert page.inner_text("#tracking-no").strip()
    me = page.evaluate("fetch('/api/auth/me').then(r => r.json())")
    assert (me["name"], me["role"]) == ("packer", "packer"), "the packer is still the one signed in"
    log = page.evaluate("window.wmsScanLog")
    assert not any(badges["supervisor"] in e["code"] or badges["packer"] in e["code"] for e in log), \
        "a badge is never logged or sent as an item scan"
    screenshot(page, "station-badge-override-done-1366x768")
    context.close()


def test_a_badge_scanned_with_nothing_to_override_is_refused_and_sends_nothing(browser, warehouse, badges):
    context = browser.new_context(base_url=warehouse["url"], viewport=SMALL, locale="zh-CN")
    page = context.new_page()
    page.goto("/login")
    page.wait_for_function("document.activeElement.name === 'badge'")
    wedge_scan(page, badges["packer"])
    page.wait_for_url("**/station")
    at_station(page)
    wedge_scan(page, badges["supervisor"])
    page.wait_for_function("document.getElementById('feedback').textContent.includes('工牌仅用于')")
    assert page.is_hidden("#override-form")
    assert "rejected" in page.evaluate("window.wmsSoundLog.slice()")
    context.close()
