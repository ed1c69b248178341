"""Order intake, review, reservation and cancellation through the HTTP API."""

from tests.integration.conftest import make_order, make_sku
from wms.adapters.db.uow import UnitOfWork
from wms.services.stock.ledger import ledger_mismatches


def stock_of(api, sku):
    return next(r for r in api.get("/api/stock").json() if r["sku"] == sku)


def test_a_good_order_is_reviewed_and_reserved(api):
    make_sku(api, "SOCK", 48)
    api.post("/api/stock/receipts", {"sku": "SOCK", "bin": "A01-01-1", "qty": 5})
    order = make_order(api, "TB1", [("SOCK", 2)])
    assert order["status"] == "reserved"
    assert [h["to"] for h in order["history"]] == ["received", "reviewed", "reserved"]
    assert stock_of(api, "SOCK")["available"] == 3


def test_an_order_with_a_bad_phone_goes_on_hold_with_the_reason(api):
    make_sku(api, "SOCK", 48)
    r = api.post("/api/orders", {"order_no": "TB2", "recipient": {
        "name": "李四", "phone": "1381234567", "province": "广东省", "city": "深圳市",
        "district": "南山区", "address": "科技园"}, "lines": [{"sku": "SOCK", "qty": 1}]})
    assert r.status_code == 201
    assert r.json()["status"] == "on_hold"
    assert "mainland mobile" in r.json()["hold_reason"]


def test_an_unknown_sku_puts_the_order_on_hold_and_nothing_is_dropped(api):
    order = make_order(api, "TB3", [("NOPE", 1)])
    assert order["status"] == "on_hold"
    assert "unknown SKU NOPE" in order["hold_reason"]
    assert api.get("/api/orders/TB3").json()["lines"] == [{"sku": "NOPE", "qty": 1, "picked": 0, "packed": 0, "gift_qty": 0}]


def test_posting_the_same_order_twice_creates_nothing_new(api):
    make_sku(api, "SOCK", 48)
    api.post("/api/stock/receipts", {"sku": "SOCK", "bin": "A01-01-1", "qty": 5})
    make_order(api, "TB4", [("SOCK", 2)])
    again = make_order(api, "TB4", [("SOCK", 2)])
    assert again["status"] == "reserved"
    assert stock_of(api, "SOCK")["reserved"] == 2


def test_an_order_short_of_stock_is_held_and_reserves_nothing(api):
    make_sku(api, "A", 10)
    make_sku(api, "B", 10)
    api.post("/api/stock/receipts", {"sku": "A", "bin": "A01-01-1", "qty": 5})
    api.post("/api/stock/receipts", {"sku": "B", "bin": "A01-02-1", "qty": 1})
    order = make_order(api, "TB5", [("A", 2), ("B", 2)])
    assert order["status"] == "on_hold"
    assert "B short by 1" in order["hold_reason"]
    assert stock_of(api, "A")["reserved"] == 0


def test_cancelling_an_order_releases_its_stock(api, engine):
    make_sku(api, "SOCK", 48)
    api.post("/api/stock/receipts", {"sku": "SOCK", "bin": "A01-01-1", "qty": 3})
    make_order(api, "TB6", [("SOCK", 3)])
    assert stock_of(api, "SOCK")["available"] == 0
    r = api.as_("supervisor").post("/api/orders/TB6/cancel", {"reason": "buyer asked"})
    assert r.status_code == 200
    assert r.json()["status"] == "cancelled"
    assert stock_of(api, "SOCK")["available"] == 3
    with UnitOfWork(engine) as uow:
        assert ledger_mismatches(uow) == []


def test_notes_are_appended_with_author_and_time(api):
    make_order(api, "TB7", [("X", 1)])
    api.as_("packer").post("/api/orders/TB7/notes", {"text": "客户要求周末送达"})
    api.post("/api/orders/TB7/notes", {"text": "已电话确认"})
    notes = api.get("/api/orders/TB7").json()["notes"]
    assert [(n["author"], n["text"]) for n in notes] == [("test-packer", "客户要求周末送达"), ("test-admin", "已电话确认")]


def test_receipt_to_an_unknown_sku_is_a_404(api):
    r = api.post("/api/stock/receipts", {"sku": "NOPE", "bin": "A01-01-1", "qty": 1})
    assert r.status_code == 404
    assert r.json()["error"] == "unknown_sku"


def test_a_presale_order_is_reserved_when_its_stock_arrives_oldest_first(api):
    make_sku(api, "NEW", 200)
    make_order(api, "PS1", [("NEW", 2)], order_type="presale", paid_at="2026-11-20T08:00:00Z")
    make_order(api, "PS2", [("NEW", 2)], order_type="presale", paid_at="2026-11-20T09:00:00Z")
    held = api.get("/api/orders/PS1").json()
    assert held["status"] == "on_hold" and held["hold_reason"].startswith("presale: waiting for stock")
    r = api.post("/api/stock/receipts", {"sku": "NEW", "bin": "A01-01-1", "qty": 3})
    assert r.json()["orders_released"] == ["PS1"]
    assert api.get("/api/orders/PS1").json()["status"] == "reserved"
    assert api.get("/api/orders/PS2").json()["status"] == "on_hold"
    api.post("/api/stock/receipts", {"sku": "NEW", "bin": "A01-01-1", "qty": 1})
    assert api.get("/api/orders/PS2").json()["status"] == "reserved"


def test_changing_an_order_redoes_its_reservation(api, engine):
    make_sku(api, "A", 10)
    make_sku(api, "B", 10)
    api.post("/api/stock/receipts", {"sku": "A", "bin": "A01-01-1", "qty": 5})
    api.post("/api/stock/receipts", {"sku": "B", "bin": "A01-02-1", "qty": 5})
    make_order(api, "CH1", [("A", 3)])
    r = api.as_("supervisor").client.put("/api/orders/CH1/lines", json={
        "lines": [{"sku": "A", "qty": 1}, {"sku": "B", "qty": 2}], "reason": "buyer changed"},
        headers={"Authorization": f"Bearer {api.tokens['supervisor']}"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "reserved"
    assert stock_of(api, "A")["reserved"] == 1 and stock_of(api, "B")["reserved"] == 2
    assert "lines changed" in r.json()["notes"][-1]["text"]
    with UnitOfWork(engine) as uow:
        assert ledger_mismatches(uow) == []


def test_two_orders_of_one_buyer_with_consent_are_packed_as_one_parcel(api):
    from tests.integration.test_pack_station import SOCK
    make_sku(api, "SOCK", 48, 2, SOCK)
    api.post("/api/stock/receipts", {"sku": "SOCK", "bin": "A01-01-1", "qty": 10})
    make_order(api, "M1", [("SOCK", 1)])
    second = make_order(api, "M2", [("SOCK", 2)], merge_consent=True)
    assert second["merge_group"] == "M1"
    packer = api.as_("packer")
    sid = packer.post("/api/pack/sessions", {"order_no": "M1", "station": "PK-01"}).json()["session_id"]
    for i in range(3):
        assert packer.post(f"/api/pack/sessions/{sid}/scans", {"code": SOCK, "scanned_at": f"2026-11-22T10:00:0{i}Z"}).status_code == 200
    result = packer.post(f"/api/pack/sessions/{sid}/weighings", {"grams": 144}).json()
    assert result["verdict"] == "pass" and result["tracking_no"]
    assert api.get("/api/orders/M2").json()["status"] == "packed"


def test_an_order_file_imports_good_rows_reports_bad_ones_and_a_second_import_adds_nothing(api):
    make_sku(api, "SOCK", 48)
    api.post("/api/stock/receipts", {"sku": "SOCK", "bin": "A01-01-1", "qty": 50})
    csv_text = (
        "order_no,channel,order_type,cod_amount,recipient_name,phone,province,city,district,address,sku,qty,remark\n"
        "F1,taobao,normal,,张三,13812345678,广东省,深圳市,南山区,科技园 1 号,SOCK,2,\n"
        "F2,taobao,normal,,李四,13912345678,浙江省,杭州市,余杭区,良睦路 2 号,SOCK,two,\n"
        "F3,taobao,normal,,王五,13712345678,北京市,北京市,朝阳区,建国路 3 号,SOCK,1,\n"
    )
    headers = {**api._headers(), "Content-Type": "text/csv"}
    first = api.client.post("/api/orders/import?filename=o.csv", content=csv_text.encode(), headers=headers).json()
    assert first["imported"] == 2 and first["already_present"] == 0
    assert first["errors"] == [{"row": 3, "order_no": "F2", "code": "invalid_qty",
                                "reason": "qty 'two' is not a whole number"}]
    again = api.client.post("/api/orders/import?filename=o.csv", content=csv_text.encode(), headers=headers).json()
    assert again["imported"] == 0 and again["already_present"] == 2
    assert stock_of(api, "SOCK")["reserved"] == 3
