"""Several parcels per order (一单多包): the packer closes a parcel with what is scanned, it is
weighed against its own items and gets its own number and label, and the rest of the order
opens as the next parcel at the same station."""

from __future__ import annotations

from tests.integration.conftest import make_order
from tests.integration.test_handover import BOWL, MUG, shop  # noqa: F401  (fixture)
from wms.adapters.db.uow import UnitOfWork
from wms.services.stock import ledger


def scan_all(packer, sid, codes, start=0):
    for n, code in enumerate(codes, start):
        r = packer.post(f"/api/pack/sessions/{sid}/scans", {"code": code, "scanned_at": f"2099-01-01T00:{n // 60:02d}:{n % 60:02d}Z"})
        assert r.status_code == 200, r.text


def stock(api, sku):
    return api.get(f"/api/stock?sku={sku}").json()[0]


def test_an_order_goes_out_in_two_parcels_each_weighed_numbered_and_labelled(shop, engine):  # noqa: F811
    api = shop
    make_order(api, "M1", [("MUG", 3), ("BOWL", 2)])
    mugs_before = stock(api, "MUG")
    packer = api.as_("packer")
    first = packer.post("/api/pack/sessions", {"order_no": "M1", "station": "PK-01"}).json()
    sid = first["session_id"]
    assert (first["partial"], first["parcel_no"]) == (False, 1)
    assert packer.post(f"/api/pack/sessions/{sid}/close-parcel").json()["error"] == "nothing_scanned"
    scan_all(packer, sid, [MUG, MUG])
    closed = packer.post(f"/api/pack/sessions/{sid}/close-parcel").json()
    assert (closed["partial"], closed["complete"]) == (True, True), closed

    wrong = packer.post(f"/api/pack/sessions/{sid}/weighings", {"grams": 3 * 350}).json()
    assert wrong["verdict"] != "pass" and not wrong["tracking_no"], wrong  # judged against its own 2 mugs
    one = packer.post(f"/api/pack/sessions/{sid}/weighings", {"grams": 2 * 350}).json()
    assert one["verdict"] == "pass" and one["tracking_no"], one
    assert one["expected_g"] == 700 and one["parcel_items"] == {"MUG": 2}
    nxt = one["next_session_id"]
    order = api.get("/api/orders/M1").json()
    assert order["status"] in ("reserved", "released", "picked"), order["status"]  # not packed: half is left
    assert {l["sku"]: l["packed"] for l in order["lines"]} == {"MUG": 2, "BOWL": 0}
    assert any("一单多包" in n["text"] for n in order["notes"])
    mugs = stock(api, "MUG")
    assert (mugs_before["on_hand"] - mugs["on_hand"], mugs_before["reserved"] - mugs["reserved"]) == (2, 2)

    second = packer.get(f"/api/pack/sessions/{nxt}").json()
    assert (second["status"], second["station"], second["parcel_no"]) == ("open", "PK-01", 2)
    assert {l["sku"]: l["qty"] for l in second["lines"]} == {"MUG": 1, "BOWL": 2}
    extra = packer.post(f"/api/pack/sessions/{nxt}/scans", {"code": MUG, "scanned_at": "2099-01-01T00:01:00Z"})
    assert extra.status_code == 200
    over = packer.post(f"/api/pack/sessions/{nxt}/scans", {"code": MUG, "scanned_at": "2099-01-01T00:01:05Z"})
    assert over.json()["error"] == "over_scan", over.text  # the two in parcel 1 do not count twice
    scan_all(packer, nxt, [BOWL, BOWL], 70)
    two = packer.post(f"/api/pack/sessions/{nxt}/weighings", {"grams": 350 + 2 * 420}).json()
    assert two["verdict"] == "pass" and two["tracking_no"] and two["tracking_no"] != one["tracking_no"], two
    assert "next_session_id" not in two
    order = api.get("/api/orders/M1").json()
    assert order["status"] == "packed"
    assert {l["sku"]: l["packed"] for l in order["lines"]} == {"MUG": 3, "BOWL": 2}

    parcels = {p["tracking_no"]: p for p in api.get("/api/parcels?q=M1").json()}
    assert set(parcels) == {one["tracking_no"], two["tracking_no"]}, parcels
    assert parcels[one["tracking_no"]]["items"] == {"MUG": 2}
    assert parcels[two["tracking_no"]]["items"] == {"MUG": 1, "BOWL": 2}
    for tracking_no, grams in ((one["tracking_no"], 700), (two["tracking_no"], 1190)):
        weighings = api.get(f"/api/parcels/{tracking_no}/weighings").json()
        assert [w["grams"] for w in weighings if w["verdict"] == "pass"] == [grams], weighings
    assert {l["sku"]: l["qty"] for l in packer.get(f"/api/pack/sessions/{sid}").json()["lines"]} == {"MUG": 2}
    assert stock(api, "MUG")["on_hand"] == mugs_before["on_hand"] - 3
    assert stock(api, "MUG")["reserved"] == mugs_before["reserved"] - 3
    with UnitOfWork(engine) as uow:
        assert ledger.ledger_mismatches(uow) == []


def test_voiding_one_parcel_of_two_repacks_only_what_it_held(shop, engine):  # noqa: F811
    api = shop
    make_order(api, "M2", [("MUG", 1), ("BOWL", 1)])
    packer = api.as_("packer")
    sid = packer.post("/api/pack/sessions", {"order_no": "M2", "station": "PK-01"}).json()["session_id"]
    scan_all(packer, sid, [BOWL])
    packer.post(f"/api/pack/sessions/{sid}/close-parcel")
    one = packer.post(f"/api/pack/sessions/{sid}/weighings", {"grams": 420}).json()
    scan_all(packer, one["next_session_id"], [MUG], 10)
    two = packer.post(f"/api/pack/sessions/{one['next_session_id']}/weighings", {"grams": 350}).json()
    assert two["verdict"] == "pass"
    bowls = stock(api, "BOWL")
    r = api.post(f"/api/parcels/{one['tracking_no']}/void", {"reason": "标签打坏了 label spoilt"})
    assert r.status_code == 200, r.text
    order = api.get("/api/orders/M2").json()
    assert order["status"] == "picked"
    assert {l["sku"]: l["packed"] for l in order["lines"]} == {"MUG": 1, "BOWL": 0}
    again = packer.post("/api/pack/sessions", {"order_no": "M2", "station": "PK-02"}).json()
    assert {l["sku"]: l["qty"] for l in again["lines"]} == {"BOWL": 1}
    scan_all(packer, again["session_id"], [BOWL], 20)
    three = packer.post(f"/api/pack/sessions/{again['session_id']}/weighings", {"grams": 420}).json()
    assert three["verdict"] == "pass" and three["tracking_no"] not in (one["tracking_no"], two["tracking_no"])
    assert api.get("/api/orders/M2").json()["status"] == "packed"
    assert stock(api, "BOWL")["on_hand"] == bowls["on_hand"]  # the bowl left its bin once
    with UnitOfWork(engine) as uow:
        assert ledger.ledger_mismatches(uow) == []


def test_closing_a_parcel_is_refused_clearly_where_it_makes_no_sense(shop):  # noqa: F811
    api = shop
    make_order(api, "M3", [("MUG", 2)])
    packer = api.as_("packer")
    sid = packer.post("/api/pack/sessions", {"order_no": "M3", "station": "PK-01"}).json()["session_id"]
    scan_all(packer, sid, [MUG, MUG])
    done = packer.post(f"/api/pack/sessions/{sid}/weighings", {"grams": 700}).json()
    assert done["verdict"] == "pass" and "next_session_id" not in done
    r = packer.post(f"/api/pack/sessions/{sid}/close-parcel")
    assert (r.status_code, r.json()["error"]) == (409, "session_closed")
    r = packer.post("/api/pack/sessions/999999/close-parcel")
    assert r.status_code == 404 and r.json()["message"]
    assert api.as_("after_sales").post(f"/api/pack/sessions/{sid}/close-parcel").status_code == 403


def test_each_parcels_label_says_which_box_it_is_and_only_the_first_collects_the_cod(shop):  # noqa: F811
    api = shop
    make_order(api, "M4", [("MUG", 1), ("BOWL", 1)], cod_amount="88.00")
    packer = api.as_("packer")
    sid = packer.post("/api/pack/sessions", {"order_no": "M4", "station": "PK-01"}).json()["session_id"]
    scan_all(packer, sid, [MUG])
    packer.post(f"/api/pack/sessions/{sid}/close-parcel")
    one = packer.post(f"/api/pack/sessions/{sid}/weighings", {"grams": 350}).json()
    scan_all(packer, one["next_session_id"], [BOWL], 10)
    two = packer.post(f"/api/pack/sessions/{one['next_session_id']}/weighings", {"grams": 420}).json()
    labels = {}
    for parcel in (one, two):
        [job] = api.get(f"/api/print-jobs?tracking_no={parcel['tracking_no']}").json()
        labels[parcel["tracking_no"]] = job["waybill"]
    first, second = labels[one["tracking_no"]], labels[two["tracking_no"]]
    assert first["remark"].startswith("一单多包 第1箱") and second["remark"].startswith("一单多包 第2箱")
    assert (first["cod_amount"], second["cod_amount"]) == ("88.00", "0.00"), (first["cod_amount"], second["cod_amount"])
    assert [i["sku"] for i in first["items"]] == ["MUG"] and [i["sku"] for i in second["items"]] == ["BOWL"]
