"""No scan is dropped silently: a double read is refused as one, everything else counts.

Only the station scanner's own timestamps (`scanned_at` with `source: "scanner"`) can prove
a double read; a plain API client scanning two identical items back to back gets both counted.
"""

import pytest

from tests.integration.conftest import make_order, make_sku

SOCK = "6901234567892"


@pytest.fixture
def socks(api):
    make_sku(api, "SOCK", 48, 2, SOCK, "白色短袜")
    api.post("/api/stock/receipts", {"sku": "SOCK", "bin": "A03-05-2", "qty": 20})
    make_order(api, "TB200", [("SOCK", 3)])
    r = api.as_("packer").post("/api/pack/sessions", {"order_no": "TB200", "station": "PK-01"})
    assert r.status_code == 201, r.text
    return r.json()["session_id"]


def scan(api, sid, **body):
    return api.as_("packer").post(f"/api/pack/sessions/{sid}/scans", {"code": SOCK, **body})


def scanned(api, sid):
    return api.get(f"/api/pack/sessions/{sid}").json()["lines"][0]["scanned"]


def test_identical_items_scanned_back_to_back_through_the_api_all_count(api, socks):
    answers = [scan(api, socks) for _ in range(3)]
    assert [r.status_code for r in answers] == [200, 200, 200]
    assert [r.json()["scanned"] for r in answers] == [1, 2, 3]
    assert answers[-1].json()["complete"] is True
    over = scan(api, socks)
    assert over.status_code == 409 and over.json()["error"] == "over_scan", "an over-scan is seen"
    assert scanned(api, socks) == 3


def test_device_times_without_the_scanner_source_prove_nothing(api, socks):
    a = scan(api, socks, scanned_at="2026-11-22T10:00:00.000Z")
    b = scan(api, socks, scanned_at="2026-11-22T10:00:00.050Z")
    c = scan(api, socks, scanned_at="2026-11-22T10:00:00.060Z", source="manual")
    assert [r.status_code for r in (a, b, c)] == [200, 200, 200]
    assert scanned(api, socks) == 3


def test_a_scanner_source_without_its_timestamp_proves_nothing(api, socks):
    assert [scan(api, socks, source="scanner").status_code for _ in range(2)] == [200, 200]
    assert scanned(api, socks) == 2


def test_a_scanner_double_read_is_a_409_that_says_so_and_counts_nothing(api, socks):
    assert scan(api, socks, scanned_at="2026-11-22T10:00:00.000Z", source="scanner").status_code == 200
    echo = scan(api, socks, scanned_at="2026-11-22T10:00:00.140Z", source="scanner", event_id="PK-01-e2")
    assert echo.status_code == 409
    body = echo.json()
    assert body["error"] == "double_read"
    assert "twice" in body["message"] and "confirm_repeat" in body["message"]
    assert (body["counted"], body["scanned"], body["remaining"]) == (False, 1, 2)
    assert scanned(api, socks) == 1
    # resent (lost answer): the same refusal, still nothing counted
    again = scan(api, socks, scanned_at="2026-11-22T10:00:00.140Z", source="scanner", event_id="PK-01-e2")
    assert again.status_code == 409 and again.json()["error"] == "double_read"
    assert scanned(api, socks) == 1


def test_the_packer_confirms_a_second_unit_and_it_counts_once_however_often_sent(api, socks):
    scan(api, socks, scanned_at="2026-11-22T10:00:00.000Z", source="scanner")
    echo = dict(scanned_at="2026-11-22T10:00:00.140Z", source="scanner", event_id="PK-01-e2")
    assert scan(api, socks, **echo).status_code == 409
    for _ in range(2):
        ok = scan(api, socks, **echo, confirm_repeat=True)
        assert ok.status_code == 200, ok.text
        assert ok.json()["scanned"] == 2
    assert scanned(api, socks) == 2
    # a confirmation under an id of its own counts as well
    third = scan(api, socks, scanned_at="2026-11-22T10:00:00.200Z", source="scanner", confirm_repeat=True)
    assert third.status_code == 200 and third.json()["scanned"] == 3


def test_a_second_unit_after_the_window_counts_without_confirming(api, socks):
    assert scan(api, socks, scanned_at="2026-11-22T10:00:00.000Z", source="scanner").status_code == 200
    assert scan(api, socks, scanned_at="2026-11-22T10:00:00.700Z", source="scanner").status_code == 200
    assert scanned(api, socks) == 2


def test_the_double_read_is_kept_as_a_rejected_scan(api, socks, engine):
    from sqlalchemy import text

    scan(api, socks, scanned_at="2026-11-22T10:00:00.000Z", source="scanner")
    scan(api, socks, scanned_at="2026-11-22T10:00:00.100Z", source="scanner")
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT outcome, source FROM pack_scan ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [("accepted", "scanner"), ("double_read", "scanner")]


def test_the_station_events_route_refuses_a_double_read_too_and_counts_a_plain_repeat(api, socks):
    events = lambda **b: api.as_("packer").post("/api/stations/PK-01/events",  # noqa: E731
                                                {"kind": "scan", "code": SOCK, **b})
    assert events(event_id="a1", scanned_at="2026-11-22T10:00:00.000Z", source="scanner").json()["action"] == "scanned"
    dup = events(event_id="a2", scanned_at="2026-11-22T10:00:00.090Z", source="scanner")
    assert dup.status_code == 409 and dup.json()["error"] == "double_read"
    assert scanned(api, socks) == 1
    confirmed = events(event_id="a2", scanned_at="2026-11-22T10:00:00.090Z", source="scanner", confirm_repeat=True)
    assert confirmed.status_code == 200 and confirmed.json()["result"]["scanned"] == 2
    plain = events(event_id="a3")  # no device time: counts
    assert plain.status_code == 200 and plain.json()["result"]["scanned"] == 3


def test_a_double_read_on_a_full_line_offers_nothing_to_confirm(api, socks):
    for n in range(3):
        assert scan(api, socks, scanned_at=f"2026-11-22T10:00:0{2 * n}.000Z", source="scanner").status_code == 200
    echo = scan(api, socks, scanned_at="2026-11-22T10:00:04.100Z", source="scanner")
    body = echo.json()
    assert (echo.status_code, body["error"], body["offer_repeat"]) == (409, "double_read", False)
    assert "needs no more units" in body["message"] and "confirm_with" not in body
    assert "not counted (3 counted so far)" in body["message"]
    first = scan(api, socks, scanned_at="2026-11-22T10:01:00.000Z", source="scanner")
    assert first.json()["error"] == "over_scan"  # a read after the window is an extra unit, refused as one
