"""What the buyer and the seller wrote reaches the packer (station and pick list), and a flagged
note must be confirmed before the weighing counts."""

from tests.integration import test_picking as picking_tests
from tests.integration.conftest import make_order, make_sku
from tests.integration.test_picking import release, wave

dc = picking_tests.dc  # the same fixture: the test layout with a helper that stocks SKUs

CUP = "6901234567892"


def setup(api, order_no, **extra):
    make_sku(api, "CUP", 272, 5, CUP, "保温杯 500ml")
    api.post("/api/stock/receipts", {"sku": "CUP", "bin": "A01-01-1", "qty": 10})
    make_order(api, order_no, [("CUP", 1)], **extra)
    packer = api.as_("packer")
    r = packer.post("/api/pack/sessions", {"order_no": order_no, "station": "PK-01"})
    assert r.status_code == 201, r.text
    sid = r.json()["session_id"]
    assert packer.post(f"/api/pack/sessions/{sid}/scans", {"code": CUP}).status_code == 200
    return packer, sid


def test_a_buyer_message_must_be_confirmed_before_the_weighing_counts(api):
    packer, sid = setup(api, "N1", buyer_message="送人的，不要放发票", seller_memo="赠品已加", seller_flag=1)
    notes = packer.get(f"/api/pack/sessions/{sid}").json()["notes"]
    assert notes["items"] == [{"order_no": "N1", "buyer_message": "送人的，不要放发票", "seller_memo": "赠品已加",
                               "seller_flag": "red", "warehouse_note": None}]
    assert notes["needs_ack"] is True and notes["acknowledged_at"] is None
    r = packer.post(f"/api/pack/sessions/{sid}/weighings", {"grams": 272})
    assert r.status_code == 409 and r.json()["error"] == "notes_unacknowledged"
    assert "送人的，不要放发票" in r.json()["message"]
    assert packer.get(f"/api/pack/sessions/{sid}").json()["status"] == "open"
    acked = packer.post(f"/api/pack/sessions/{sid}/notes/ack")
    assert acked.status_code == 200 and acked.json()["acknowledged_by"] == "test-packer"
    r = packer.post(f"/api/pack/sessions/{sid}/weighings", {"grams": 272})
    assert r.status_code == 200 and r.json()["verdict"] == "pass" and r.json()["tracking_no"]
    record = api.as_("after_sales").get(f"/api/parcels/{r.json()['tracking_no']}/weighings").json()
    assert len(record) == 1, "the refused reading was not put on record as a weighing"


def test_a_customer_service_note_for_the_warehouse_reaches_the_packer_and_must_be_read(api):
    packer, sid = setup(api, "N3")
    sales = api.as_("after_sales")
    office = sales.post("/api/orders/N3/notes", {"text": "买家来电：请用黑色袋子"})
    assert office.status_code == 201 and office.json()["for_warehouse"] is False
    assert packer.get(f"/api/pack/sessions/{sid}").json()["notes"]["items"] == [], "an office note stays in the office"
    told = sales.post("/api/orders/N3/notes", {"text": "换成顺丰，加气泡膜", "for_warehouse": True})
    assert told.status_code == 201 and told.json()["for_warehouse"] is True
    notes = packer.get(f"/api/pack/sessions/{sid}").json()["notes"]
    assert notes["needs_ack"] is True
    assert notes["items"][0]["warehouse_note"] == "换成顺丰，加气泡膜 (test-after_sales)"
    r = packer.post(f"/api/pack/sessions/{sid}/weighings", {"grams": 272})
    assert r.status_code == 409 and r.json()["error"] == "notes_unacknowledged" and "加气泡膜" in r.json()["message"]
    assert packer.post(f"/api/pack/sessions/{sid}/notes/ack").status_code == 200
    assert packer.post(f"/api/pack/sessions/{sid}/weighings", {"grams": 272}).json()["verdict"] == "pass"
    history = api.get("/api/orders/N3").json()["notes"]
    assert [n["text"] for n in history] == ["买家来电：请用黑色袋子", "换成顺丰，加气泡膜"], "both on the record"


def test_an_unflagged_seller_memo_is_shown_but_needs_no_confirmation(api):
    packer, sid = setup(api, "N2", seller_memo="老客户")
    notes = packer.get(f"/api/pack/sessions/{sid}").json()["notes"]
    assert notes["items"][0]["seller_memo"] == "老客户" and notes["needs_ack"] is False
    assert packer.post(f"/api/pack/sessions/{sid}/weighings", {"grams": 272}).json()["verdict"] == "pass"


def test_a_flag_with_no_memo_has_nothing_to_read_and_does_not_stop_the_parcel(api):
    packer, sid = setup(api, "N4", seller_flag=2)  # sellers flag orders by colour with no words
    notes = packer.get(f"/api/pack/sessions/{sid}").json()["notes"]
    assert (notes["items"], notes["needs_ack"]) == ([], False)
    r = packer.post(f"/api/pack/sessions/{sid}/weighings", {"grams": 272})
    assert r.status_code == 200 and r.json()["verdict"] == "pass", r.text


def test_bad_flags_and_acks_get_a_clear_answer(api):
    make_sku(api, "CUP", 272, 5, CUP, "保温杯 500ml")
    r = api.post("/api/orders", {"order_no": "N3", "recipient": {"name": "a"}, "lines": [{"sku": "CUP", "qty": 1}],
                                 "seller_flag": "orange"})
    assert r.status_code == 422 and r.json()["error"] == "invalid_flag"
    assert api.as_("packer").post("/api/pack/sessions/99999/notes/ack").status_code == 404
    assert api.as_("after_sales").post("/api/pack/sessions/1/notes/ack").status_code == 403


def test_the_pick_list_carries_the_notes(api, dc):
    code = dc("CUPX", {"A01-01-1": 5})
    make_order(api, "N4", [("CUPX", 1)], buyer_message="请用纸箱", seller_memo="加急", seller_flag="yellow")
    make_order(api, "N5", [("CUPX", 1)])
    release(api, "N4", "N5")
    made = wave(api, ["N4", "N5"])
    lists = api.as_("packer").get(f"/api/waves/{made['wave']}/picklists").json()
    notes = [n for pl in lists for n in pl["notes"]]
    assert [(n["order_no"], n["buyer_message"], n["seller_flag"]) for n in notes] == [("N4", "请用纸箱", "yellow")]
    pdf = api.as_("packer").get(f"/api/waves/{made['wave']}/trips/1/picklist.pdf")
    assert pdf.status_code == 200
    import pypdfium2

    text = "".join(page.get_textpage().get_text_range() for page in pypdfium2.PdfDocument(pdf.content))
    assert "请用纸箱" in text and "加急" in text, text[:500]
    assert code
