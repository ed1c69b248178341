"""Platform buyers kept as the platform gives them: masked text and an OAID, never the plaintext;
merged by OAID; shown in the clear only for a documented scene, to the roles whose work it is,
logged with who and why (against the Taobao emulator, which masks as the platform does)."""

from __future__ import annotations

import time

from sqlalchemy import text
from sqlmodel import select

from tests.integration.conftest import stored_anywhere
from tests.integration.test_handover import MUG, close, pack_existing, shop  # noqa: F401  (fixture)
from tests.integration.test_platforms import add_shop, an_hour_ago, order, taobao  # noqa: F401  (fixture)
from wms.adapters.db.tables import BuyerReveal
from wms.adapters.db.uow import UnitOfWork
from wms.services.platforms import sync, upload_worker
from wms.services.platforms.changes import fingerprint


def pulled(engine, taobao, n=1, **fields):  # noqa: F811
    t = an_hour_ago()
    tids = [taobao.add_trade([("MUG", 1)], modified=t, paid=t, **fields) for _ in range(n)]
    add_shop(engine, taobao)
    assert sync.pull(engine, "TB1").imported == n
    return tids


def test_a_platform_order_keeps_the_masked_buyer_and_its_oaid_and_is_reviewed_as_valid(engine, shop, taobao):  # noqa: F811
    [tid] = pulled(engine, taobao, receiver_name="欧阳娜娜", receiver_mobile="13912345678",
                   receiver_address="文一西路969号5幢1203室")
    o = order(engine, tid)
    trade = taobao.trades[tid]
    assert (o.recipient_name, o.recipient_phone, o.address, o.oaid) == \
        ("欧***", "*******5678", trade["receiver_address"], trade["oaid"])
    assert "969号5幢1203室" not in o.address
    assert o.status == "reserved", o.hold_reason  # a masked number is what a platform order has
    for role in ("packer", "admin"):  # the API shows what is stored: masked, to everyone
        view = shop.as_(role).get(f"/api/orders/{tid}").json()["recipient"]
        assert (view["name"], view["phone"], view["oaid"]) == ("欧***", "*******5678", trade["oaid"])


def test_orders_merge_by_oaid_not_by_masked_text_that_two_buyers_share(shop):  # noqa: F811
    masked = {"name": "王**", "phone": "*******1234", "province": "浙江省", "city": "杭州市",
              "district": "余杭区", "address": "文一西路***"}

    def place(no, oaid):
        r = shop.post("/api/orders", {"order_no": no, "channel": "taobao", "merge_consent": True,
                                      "recipient": {**masked, "oaid": oaid}, "lines": [{"sku": "MUG", "qty": 1}]})
        assert r.status_code == 201, r.text
        return r.json()

    place("M1", "1OAIDBUYERA")
    place("M2", "1OAIDBUYERB")  # the same masked text, another buyer
    third = place("M3", "1OAIDBUYERA")
    groups = {no: shop.get(f"/api/orders/{no}").json()["merge_group"] for no in ("M1", "M2", "M3")}
    assert groups["M1"] == groups["M3"] == third["merge_group"] and groups["M1"]
    assert groups["M2"] is None, "another OAID is another buyer, however alike the masked text"


def test_the_bulk_intake_merges_by_oaid_too(shop):  # noqa: F811
    masked = {"name": "王**", "phone": "*******1234", "province": "浙江省", "city": "杭州市",
              "district": "余杭区", "address": "文一西路***"}
    batch = [{"order_no": f"B{i}", "channel": "taobao", "merge_consent": True,
              "recipient": {**masked, "oaid": oaid}, "lines": [{"sku": "MUG", "qty": 1}]}
             for i, oaid in enumerate(("1OAIDX", "1OAIDY", "1OAIDX"))]
    r = shop.post("/api/orders/import", json=batch)
    assert r.status_code in (200, 201), r.text
    groups = {o["order_no"]: shop.get(f"/api/orders/{o['order_no']}").json()["merge_group"] for o in batch}
    assert groups["B0"] == groups["B2"] and groups["B0"] and groups["B1"] is None


def test_after_sales_sees_the_number_for_its_scene_and_every_request_is_logged(engine, shop, taobao):  # noqa: F811
    [tid] = pulled(engine, taobao, receiver_name="欧阳娜娜", receiver_mobile="13912345678",
                   receiver_address="文一西路969号5幢1203室")
    clerk = shop.as_("after_sales")
    r = clerk.post(f"/api/orders/{tid}/recipient/reveal", {"scene": "2001", "reason": "买家说少了一个杯子，回电核实"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["recipient"]["mobile"] == "13912345678"
    assert "name" not in body["recipient"] and "address" not in body["recipient"], "2001 shows the number only"
    assert taobao.decrypted == [{"tid": tid, "oaid": taobao.trades[tid]["oaid"], "scene": "2001"}]

    refused = {
        "packer": (403, "forbidden"),  # not a role that may ask at all
    }
    for role, (status, code) in refused.items():
        r = shop.as_(role).post(f"/api/orders/{tid}/recipient/reveal", {"scene": "2001", "reason": "想看看"})
        assert (r.status_code, r.json()["error"]) == (status, code), r.text
    r = clerk.post(f"/api/orders/{tid}/recipient/reveal", {"scene": "1006", "reason": "手写面单"})
    assert (r.status_code, r.json()["error"]) == (403, "scene_not_allowed") and "supervisor" in r.json()["message"]
    r = clerk.post(f"/api/orders/{tid}/recipient/reveal", {"scene": "1001", "reason": "顺丰电子面单"})
    assert (r.status_code, r.json()["error"]) == (422, "invalid_scene"), "e-waybills are taken with the OAID"
    r = clerk.post(f"/api/orders/{tid}/recipient/reveal", {"scene": "2001", "reason": " "})
    assert r.status_code == 422
    taobao.decrypt_quota = 0
    r = clerk.post(f"/api/orders/{tid}/recipient/reveal", {"scene": "2001", "reason": "再次回电"})
    assert (r.status_code, r.json()["error"]) == (409, "reveal_refused") and "额度" in r.json()["message"]
    boss = shop.as_("supervisor")
    taobao.decrypt_quota = 5
    r = boss.post(f"/api/orders/{tid}/recipient/reveal", {"scene": "1006", "reason": "快递员手写面单"})
    assert r.status_code == 200 and r.json()["recipient"]["address"] == "文一西路969号5幢1203室"

    log = boss.get("/api/recipient-reveals", params={"order_no": tid}).json()["reveals"]
    assert [(e["actor"], e["scene"], e["outcome"], e["fields"]) for e in log] == [
        ("test-supervisor", "1006", "shown", ["name", "mobile", "address"]),
        ("test-after_sales", "2001", "refused", []),
        ("test-after_sales", "2001", "shown", ["mobile"]),
    ]
    assert log[1]["reason"] == "再次回电" and "额度" in log[1]["error"]
    assert clerk.get("/api/recipient-reveals").status_code == 403
    r = shop.post("/api/orders", {"order_no": "PLAIN1", "recipient": {
        "name": "张三", "phone": "13800001111", "province": "浙江省", "city": "杭州市", "district": "西湖区",
        "address": "文三路 1 号"}, "lines": [{"sku": "MUG", "qty": 1}]})
    r = boss.post("/api/orders/PLAIN1/recipient/reveal", {"scene": "2001", "reason": "回电"})
    assert (r.status_code, r.json()["error"]) == (409, "not_masked")


def test_no_plaintext_buyer_is_anywhere_in_the_database_after_a_full_run(engine, shop, taobao):  # noqa: F811
    tids = pulled(engine, taobao, n=4)
    taobao.change_address(tids[0], "西湖区文三路 90 号 8 幢 501 室")
    for tid in tids[1:]:
        pack_existing(shop, tid, [MUG], 352)
    close(shop, "SF")
    upload_worker.run_once(engine, "w1")
    r = shop.as_("after_sales").post(f"/api/orders/{tids[1]}/recipient/reveal",
                                     {"scene": "2001", "reason": "买家来电"})
    assert r.status_code == 200
    time.sleep(1.1)  # the pull leaves the second still being written for the next one
    sync.pull(engine, "TB1")
    secrets = taobao.plaintext()
    assert len(secrets) >= 10 and any("文三路 90 号" in s for s in secrets)  # 5 addresses, 4 numbers, names
    found = stored_anywhere(engine, secrets)
    assert found == [], f"plaintext buyers stored: {found}"
    with UnitOfWork(engine, read_only=True) as uow:
        logged = uow.session.exec(select(BuyerReveal)).all()
    assert [(r.outcome, r.fields) for r in logged] == [("shown", "mobile")]


def test_an_order_taken_in_before_its_oaid_was_read_gets_it_on_the_next_change(engine, shop, taobao):  # noqa: F811
    [tid] = pulled(engine, taobao)
    with UnitOfWork(engine) as uow:  # as stored by the connector before it asked for the OAID
        uow.session.execute(text("UPDATE orders SET oaid = NULL WHERE order_no = :no"), {"no": tid})
        uow.session.execute(text("UPDATE platform_order SET fingerprint = :fp WHERE order_no = :no"),
                            {"no": tid, "fp": fingerprint({**order_recipient(taobao, tid), "oaid": None})})
        uow.commit()
    assert order(engine, tid).oaid is None
    taobao.set_memo(tid, "加急", 1)
    time.sleep(1.1)
    report = sync.pull(engine, "TB1")
    o = order(engine, tid)
    assert report.changed == 0 and o.status == "reserved", "the same buyer: no hold"
    assert o.oaid == taobao.trades[tid]["oaid"]


def order_recipient(taobao, tid):  # noqa: F811
    from wms.adapters.platforms.taobao import to_remote

    return to_remote(taobao.trades[tid]).order["recipient"]


def test_the_database_search_finds_a_plaintext_wherever_it_was_written(engine, shop):  # noqa: F811
    from tests.integration.conftest import make_order

    make_order(shop, "LEAK1", [("MUG", 1)])
    shop.post("/api/orders/LEAK1/notes", {"text": "买家欧阳娜娜说打13912345678"})
    found = stored_anywhere(engine, ["欧阳娜娜", "13912345678", "欧阳", "不在库里"])
    assert ("order_note", "欧阳娜娜") in found and ("order_note", "13912345678") in found
    assert ("order_note", "欧阳") in found, "a shorter text inside a longer one counts too"
    assert not [f for f in found if f[1] == "不在库里"]
