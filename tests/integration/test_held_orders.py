"""A held order can be fixed: edit, hold and release by hand, a filtered list; every change in
the order's history with who and when, and review runs again. COD and carrier are checked at review."""

import json

import pytest
from typer.testing import CliRunner

from tests.integration.conftest import make_sku
from tests.integration.test_carriers_pools import EMS, SF

ADDRESS = {"name": "李四", "phone": "13912345678", "province": "浙江省", "city": "杭州市",
           "district": "西湖区", "address": "文三路 90 号"}


@pytest.fixture
def desk(api):
    make_sku(api, "MUG", 350, 5)
    api.post("/api/stock/receipts", {"sku": "MUG", "bin": "A01-01-1", "qty": 10})
    return api.as_("supervisor")


def order(api, order_no, **extra):
    body = {"order_no": order_no, "recipient": {**ADDRESS, **extra.pop("recipient", {})},
            "lines": [{"sku": "MUG", "qty": 1}], **extra}
    r = api.post("/api/orders", body)
    assert r.status_code == 201, r.text
    return r.json()


def test_an_order_held_for_a_missing_district_is_fixed_and_goes_on(api, desk):
    held = order(api, "H1", recipient={"district": "", "phone": "12345"}, shop="杭州旗舰店")
    assert held["status"] == "on_hold" and "district is missing" in held["hold_reason"]
    listed = desk.get("/api/orders", params={"status": "on_hold", "hold_reason": "district"}).json()
    assert [o["order_no"] for o in listed] == ["H1"]
    assert desk.get("/api/orders", params={"status": "on_hold", "shop": "别的店"}).json() == []

    half = desk.patch("/api/orders/H1", {"recipient": {"district": "西湖区"}, "reason": "buyer called"}).json()
    assert half["status"] == "on_hold" and "not a mainland mobile" in half["hold_reason"]
    assert "district is missing" not in half["hold_reason"]
    fixed = desk.patch("/api/orders/H1", {"recipient": {"phone": "139 1234 5678"}, "reason": "buyer called back"})
    assert fixed.status_code == 200, fixed.text
    fixed = fixed.json()
    assert fixed["status"] == "reserved" and fixed["recipient"]["phone"] == "13912345678"
    edits = [e for e in fixed["history"] if (e["reason"] or "").startswith("edited")]
    assert len(edits) == 2 and all(e["actor"] == "test-supervisor" and e["at"] for e in edits)
    assert "phone → 139****5678" in edits[1]["reason"], "the history does not spell out the phone"
    assert desk.get("/api/orders", params={"status": "on_hold"}).json() == []


def test_hold_and_release_by_hand(api, desk):
    order(api, "H2")
    held = desk.post("/api/orders/H2/hold", {"reason": "buyer asked to wait until Friday"}).json()
    assert held["status"] == "on_hold" and held["hold_reason"] == "held by hand: buyer asked to wait until Friday"
    mugs = next(r for r in api.get("/api/stock").json() if r["sku"] == "MUG")
    assert mugs["reserved"] == 1, "a hold keeps the order's stock booked"
    r = api.as_("packer").post("/api/pack/sessions", {"order_no": "H2", "station": "PK-01"})
    assert r.status_code == 409, "a held order cannot be packed"
    r = desk.post("/api/orders/H2/hold", {"reason": "again"})
    assert r.status_code == 409 and r.json()["error"] == "already_on_hold"
    # a fix to the address does not lift a hold a person put on
    still = desk.patch("/api/orders/H2", {"recipient": {"address": "文三路 91 号"}, "reason": "typo"}).json()
    assert still["status"] == "on_hold" and still["hold_reason"].startswith("held by hand")
    released = desk.post("/api/orders/H2/release", {"reason": "Friday"}).json()
    assert released["released"] is True and released["status"] == "reserved"
    assert next(r for r in api.get("/api/stock").json() if r["sku"] == "MUG")["reserved"] == 1, "nothing doubled"
    r = desk.post("/api/orders/H2/release", {"reason": "again"})
    assert r.status_code == 409 and r.json()["error"] == "not_on_hold"
    hist = [(e["from"], e["to"], e["actor"]) for e in released["history"]]
    assert ("reserved", "on_hold", "test-supervisor") in hist and ("on_hold", "reviewed", "test-supervisor") in hist
    assert hist[-1][1] == "reserved"


def test_release_is_refused_while_review_still_finds_a_problem(api, desk):
    order(api, "H3", recipient={"phone": ""})
    r = desk.post("/api/orders/H3/release", {"reason": "try"}).json()
    assert r["released"] is False and r["status"] == "on_hold" and "phone is missing" in r["problems"]


def test_who_may_change_orders_and_what_bad_edits_get(api, desk):
    order(api, "H4")
    packer = api.as_("packer")
    assert packer.patch("/api/orders/H4", {"recipient": {"city": "x"}, "reason": "r"}).status_code == 403
    assert packer.post("/api/orders/H4/hold", {"reason": "r"}).status_code == 403
    r = desk.patch("/api/orders/H4", {"reason": "nothing"})
    assert r.status_code == 422 and r.json()["error"] == "nothing_changed"
    r = desk.patch("/api/orders/H4", {"recipient": {"city": "宁波市"}})
    assert r.status_code == 422 and r.json()["error"] == "validation_error"
    r = desk.post("/api/orders/H4/hold", {"reason": ""})
    assert r.status_code == 422
    assert desk.patch("/api/orders/NOPE", {"recipient": {"city": "x"}, "reason": "r"}).status_code == 404
    r = desk.get("/api/orders", params={"status": "lost"})
    assert r.status_code == 422 and r.json()["error"] == "invalid_status"
    r = desk.get("/api/orders", params={"ship_by_before": "soon"})
    assert r.status_code == 422 and r.json()["error"] == "invalid_time"
    desk.post("/api/orders/H4/cancel", {"reason": "buyer refunded"})
    r = desk.patch("/api/orders/H4", {"recipient": {"city": "宁波市"}, "reason": "late"})
    assert r.status_code == 409 and r.json()["error"] == "too_late"


def test_the_list_sorts_by_ship_by_and_masks_phones_for_packers(api, desk):
    order(api, "H5", ship_by="2026-12-06T10:00:00+08:00", shop="A")
    order(api, "H6", ship_by="2026-12-05T10:00:00+08:00", shop="A")
    order(api, "H7", shop="B")
    rows = desk.get("/api/orders", params={"status": "reserved"}).json()
    assert [r["order_no"] for r in rows] == ["H6", "H5", "H7"]
    assert rows[0]["ship_by"] == "2026-12-05T02:00:00+00:00"
    assert [r["order_no"] for r in desk.get("/api/orders", params={"ship_by_before": "2026-12-05T12:00:00+08:00"}).json()] == ["H6"]
    assert [r["order_no"] for r in desk.get("/api/orders", params={"shop": "B"}).json()] == ["H7"]
    assert api.as_("packer").get("/api/orders").json()[0]["phone"] == "139****5678"


def test_cod_and_carrier_are_checked_at_review_not_switched_at_packing(api, desk):
    for c in (SF, EMS):
        assert api.post("/api/carriers", c).status_code == 201
    held = order(api, "H8", carrier="SF", cod_amount="88.00")
    assert held["status"] == "on_hold" and "carrier SF does not carry cash on delivery" in held["hold_reason"]
    unknown = order(api, "H9", carrier="DHL")
    assert unknown["status"] == "on_hold" and "carrier DHL is not one of ours" in unknown["hold_reason"]
    fixed = desk.patch("/api/orders/H8", {"carrier": "EMS", "reason": "SF has no COD contract"}).json()
    assert fixed["status"] == "reserved" and fixed["carrier"] == "EMS"
    anyone = desk.patch("/api/orders/H9", {"clear_carrier": True, "reason": "any carrier will do"}).json()
    assert anyone["status"] == "reserved" and anyone["carrier"] is None
    api.post("/api/carriers", {**SF, "excluded_regions": ["浙江省"]})
    far = order(api, "H10", carrier="SF")
    assert far["status"] == "on_hold" and "carrier SF does not reach 浙江省" in far["hold_reason"]


def test_the_shell_lists_edits_holds_and_releases(api, desk, database_url):
    from wms.cli import _register_all, app

    _register_all()
    run = CliRunner().invoke
    order(api, "H11", recipient={"phone": ""})
    out = run(app, ["orders", "list", "--status", "on_hold", "--json", "--database", database_url])
    assert out.exit_code == 0, out.output
    assert [o["order_no"] for o in json.loads(out.output)] == ["H11"]
    out = run(app, ["orders", "edit", "H11", "--phone", "13812345678", "--reason", "buyer called", "--as", "王主管",
                    "--database", database_url])
    assert out.exit_code == 0 and "H11: reserved" in out.output, out.output
    out = run(app, ["orders", "hold", "H11", "--reason", "address check", "--database", database_url])
    assert out.exit_code == 0 and "held by hand: address check" in out.output
    out = run(app, ["orders", "hold", "H11", "--reason", "twice", "--database", database_url])
    assert out.exit_code == 2 and "already_on_hold" in out.output and "Traceback" not in out.output
    out = run(app, ["orders", "release", "H11", "--reason", "checked", "--database", database_url])
    assert out.exit_code == 0 and "H11: reserved" in out.output
    history = api.get("/api/orders/H11").json()["history"]
    assert any(e["actor"] == "王主管" and e["reason"].startswith("edited") for e in history)


def test_the_overview_lists_held_orders_with_filters(client, api, desk, tokens):
    order(api, "H12", recipient={"district": ""}, shop="杭州旗舰店")
    order(api, "H13", shop="别的店")
    cookies = {"wms_token": tokens["supervisor"]}
    page = client.get("/", cookies=cookies)
    assert page.status_code == 200
    assert 'data-order="H12"' in page.text and "district is missing" in page.text
    assert 'data-order="H13"' not in page.text, "held orders by default"
    page = client.get("/", params={"status": "reserved", "shop": "别的店"}, cookies=cookies)
    assert 'data-order="H13"' in page.text and 'data-order="H12"' not in page.text
    page = client.get("/", params={"ship_by_before": "tomorrow"}, cookies=cookies)
    assert page.status_code == 200 and "is not an ISO date-time" in page.text


def test_changing_the_lines_of_a_held_order_keeps_the_hold_and_books_the_new_lines(api, desk):
    make_sku(api, "BOWL", 420, 5)
    api.post("/api/stock/receipts", {"sku": "BOWL", "bin": "A02-01-1", "qty": 3})
    order(api, "H14")
    desk.post("/api/orders/H14/hold", {"reason": "buyer is changing the order"})
    r = api.as_("supervisor").client.put("/api/orders/H14/lines", json={
        "lines": [{"sku": "BOWL", "qty": 2}], "reason": "buyer swapped the mug for two bowls"},
        headers={"Authorization": f"Bearer {api.tokens['supervisor']}"})
    assert r.status_code == 200, r.text
    view = r.json()
    assert view["status"] == "on_hold" and view["hold_reason"].startswith("held by hand")
    assert any((e["reason"] or "").startswith("lines changed") and e["actor"] == "test-supervisor" for e in view["history"])
    levels = {row["sku"]: row for row in api.get("/api/stock").json()}
    assert levels["BOWL"]["reserved"] == 2 and levels["MUG"]["reserved"] == 0
    assert desk.post("/api/orders/H14/release", {"reason": "confirmed"}).json()["status"] == "reserved"
    assert {row["sku"]: row for row in api.get("/api/stock").json()}["BOWL"]["reserved"] == 2, "nothing booked twice"
