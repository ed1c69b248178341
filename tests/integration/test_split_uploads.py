"""A platform order shipped in several parcels (一单多包 / 拆单发货) tells its platform what each
parcel carries: Taobao's lines by `is_split` + `sub_tid`, Pinduoduo's further parcels by
`pdd.order.upload.extra.logistics` (分包发货)."""

from __future__ import annotations

from sqlmodel import select

from tests.integration.test_handover import BOWL, MUG, shop  # noqa: F401  (fixture)
from tests.integration.test_platforms import add_shop, an_hour_ago, taobao  # noqa: F401  (fixture)
from tests.integration.test_platforms_douyin import add_shop as add_douyin_shop
from tests.integration.test_platforms_douyin import douyin  # noqa: F401  (fixture)
from tests.integration.test_platforms_pinduoduo import add_shop as add_pdd_shop
from tests.integration.test_platforms_pinduoduo import pdd  # noqa: F401  (fixture)
from tests.integration.test_platforms_upload import close
from wms.adapters.db.tables import TrackingUpload
from wms.adapters.db.uow import UnitOfWork
from wms.services.platforms import sync, upload_worker

WEIGHT = {MUG: 350, BOWL: 420}


def pack_in_parcels(api, order_no, parcels):
    """Pack an order at PK-01 in the parcels given (lists of barcodes); their tracking numbers."""
    packer = api.as_("packer")
    sid = packer.post("/api/pack/sessions", {"order_no": order_no, "station": "PK-01"}).json()["session_id"]
    numbers, n = [], 0
    for i, codes in enumerate(parcels):
        for code in codes:
            r = packer.post(f"/api/pack/sessions/{sid}/scans", {"code": code, "scanned_at": f"2099-01-01T00:{n // 60:02d}:{n % 60:02d}Z"})
            assert r.status_code == 200, r.text
            n += 1
        if i < len(parcels) - 1:
            assert packer.post(f"/api/pack/sessions/{sid}/close-parcel").status_code == 200
        r = packer.post(f"/api/pack/sessions/{sid}/weighings", {"grams": sum(WEIGHT[c] for c in codes)}).json()
        assert r["verdict"] == "pass" and r["tracking_no"], r
        numbers.append(r["tracking_no"])
        sid = r.get("next_session_id")
    assert sid is None
    return numbers


def uploads(engine):
    with UnitOfWork(engine) as uow:
        return list(uow.session.exec(select(TrackingUpload).order_by(TrackingUpload.id)).all())


def test_a_taobao_trade_in_two_parcels_names_the_lines_each_one_carries(engine, shop, taobao):  # noqa: F811
    t = an_hour_ago()
    tid = taobao.add_trade([("MUG", 1), ("BOWL", 1)], modified=t, paid=t)
    oids = {l["outer_sku_id"]: str(l["oid"]) for l in taobao.trades[tid]["orders"]["order"]}
    add_shop(engine, taobao)
    assert sync.pull(engine, "TB1").imported == 1
    first, second = pack_in_parcels(shop, tid, [[MUG], [BOWL]])
    assert close(shop, "SF").status_code == 201
    assert [(u.tracking_no, u.sub_orders) for u in uploads(engine)] == [(first, [oids["MUG"]]), (second, [oids["BOWL"]])]
    upload_worker.run_once(engine, "w1")
    assert [(c["out_sid"], c["sub_tid"]) for c in taobao.consignments] == [(first, [oids["MUG"]]),
                                                                          (second, [oids["BOWL"]])]
    assert taobao.trades[tid]["status"] == "WAIT_BUYER_CONFIRM_GOODS"
    assert [u.status for u in uploads(engine)] == ["sent", "sent"]


def test_a_third_parcel_with_no_line_of_its_own_is_not_sent_to_taobao_twice(engine, shop, taobao):  # noqa: F811
    t = an_hour_ago()
    tid = taobao.add_trade([("MUG", 2)], modified=t, paid=t)
    add_shop(engine, taobao)
    assert sync.pull(engine, "TB1").imported == 1
    first, second = pack_in_parcels(shop, tid, [[MUG], [MUG]])  # one line (oid), two parcels
    close(shop, "SF")
    upload_worker.run_once(engine, "w1")
    assert [c["out_sid"] for c in taobao.consignments] == [first]
    rows = uploads(engine)
    assert [(u.tracking_no, u.status) for u in rows] == [(first, "sent"), (second, "skipped")]


def test_a_pinduoduo_order_in_two_parcels_uploads_the_second_as_an_extra_parcel(engine, shop, pdd):  # noqa: F811
    t = an_hour_ago()
    sn = pdd.add_order([("MUG", 1), ("BOWL", 1)], modified=t, paid=t)
    add_pdd_shop(engine, pdd)
    assert sync.pull(engine, "PDD1").imported == 1
    first, second = pack_in_parcels(shop, sn, [[BOWL], [MUG]])
    close(shop, "SF")
    upload_worker.run_once(engine, "w1")
    assert pdd.orders[sn]["tracking_number"] == first
    assert pdd.orders[sn]["extra_tracks"] == [{"shipping_id": pdd.orders[sn]["logistics_id"],
                                               "tracking_number": second, "extra_track_type": 1}]
    assert [u.status for u in uploads(engine)] == ["sent", "sent"]


def test_a_douyin_order_in_two_parcels_ships_each_parcels_lines_once(engine, shop, douyin):  # noqa: F811
    t = an_hour_ago()
    oid = douyin.add_order([("MUG", 2), ("BOWL", 1)], modified=t, paid=t)
    lines = {l["code"]: str(l["order_id"]) for l in douyin.orders[oid]["sku_order_list"]}
    add_douyin_shop(engine, douyin)
    assert sync.pull(engine, "DY1").imported == 1
    first, second = pack_in_parcels(shop, oid, [[MUG, MUG], [BOWL]])
    close(shop, "SF")
    douyin.fail_next("drop_after_apply", method="order.logisticsAddSinglePack")  # the answer to parcel 1 is lost
    upload_worker.run_once(engine, "w1")
    with UnitOfWork(engine) as uow:
        for row in uow.session.exec(select(TrackingUpload)).all():
            row.next_attempt_at = row.created_at
            uow.session.add(row)
        uow.commit()
    upload_worker.run_once(engine, "w1")
    packs = [(s["logistics_code"], s["shipped"]) for s in douyin.shipments if "pack_id" in s]
    assert packs == [(first, [(lines["MUG"], 2)]), (second, [(lines["BOWL"], 1)])], douyin.shipments
    assert douyin.orders[oid]["order_status"] == 3
    assert [u.status for u in uploads(engine)] == ["sent", "sent"]
