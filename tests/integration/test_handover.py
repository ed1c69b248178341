"""The daily handover (交接): closing a carrier's batch, listing it, and its manifests."""

import csv
import io
import threading
from datetime import datetime, timedelta, timezone

import pypdfium2
import pytest
from sqlmodel import select
from typer.testing import CliRunner

from tests.integration.conftest import make_order, make_sku
from wms.adapters.db.tables import Handover, Parcel
from wms.adapters.db.uow import UnitOfWork
from wms.cli import _register_all, app
from wms.domain.codes import gtin_check_digit
from wms.domain.errors import Conflict
from wms.services.shipping import handover

MUG = "690123400010" + str(gtin_check_digit("690123400010"))
BOWL = "690123400011" + str(gtin_check_digit("690123400011"))


@pytest.fixture
def shop(api):
    """SF (no COD) and EMS (COD, fallback) with pools, and two SKUs in stock."""
    api.post("/api/carriers", {"code": "SF", "name": "顺丰速运", "regions": ["*"], "max_weight_g": 30000})
    api.post("/api/carriers", {"code": "EMS", "name": "中国邮政 EMS", "regions": ["*"], "cod": True,
                               "fallback": True})
    api.post("/api/carriers/SF/pools", {"prefix": "SF", "digits": 13, "start": 1400012340000, "end": 1400012349999})
    api.post("/api/carriers/EMS/pools", {"prefix": "EA", "suffix": "CN", "scheme": "s10",
                                         "start": 12340000, "end": 12342999})
    make_sku(api, "MUG", 350, 5, MUG, "陶瓷马克杯")
    make_sku(api, "BOWL", 420, 5, BOWL, "汤碗")
    for sku in ("MUG", "BOWL"):
        api.post("/api/stock/receipts", {"sku": sku, "bin": "A01-01-1", "qty": 50})
    return api


def pack(api, order_no, lines, grams, **order):
    """Take an order through the pack station; returns its tracking number."""
    make_order(api, order_no, lines, **order)
    return pack_existing(api, order_no, [c for sku, qty in lines for c in [MUG if sku == "MUG" else BOWL] * qty],
                         grams)


def pack_existing(api, order_no, codes, grams):
    packer = api.as_("packer")
    r = packer.post("/api/pack/sessions", {"order_no": order_no, "station": "PK-01"})
    assert r.status_code == 201, r.text
    sid = r.json()["session_id"]
    for n, code in enumerate(codes):
        r = packer.post(f"/api/pack/sessions/{sid}/scans", {"code": code, "scanned_at": f"2099-01-01T00:00:{n:02d}Z"})
        assert r.status_code == 200, r.text
    r = packer.post(f"/api/pack/sessions/{sid}/weighings", {"grams": grams})
    assert r.status_code == 200 and r.json()["tracking_no"], r.text
    return r.json()["tracking_no"]


def close(api, carrier, role="supervisor"):
    return api.as_(role).post("/api/handovers", {"carrier": carrier})


def test_closing_a_batch_ships_that_carriers_packed_parcels_and_their_orders(shop):
    sf1 = pack(shop, "TB1", [("MUG", 1)], 351, carrier="SF")
    sf2 = pack(shop, "TB2", [("MUG", 1), ("BOWL", 1)], 770, carrier="SF")
    ems = pack(shop, "TB3", [("BOWL", 1)], 420, cod_amount="88.00")
    assert sf1.startswith("SF") and ems.startswith("EA")
    r = close(shop, "SF")
    assert r.status_code == 201, r.text
    batch = r.json()
    assert (batch["carrier"], batch["parcels"], batch["total_weight_g"], batch["closed_by"]) == (
        "SF", 2, 351 + 770, "test-supervisor")
    assert sorted(p["tracking_no"] for p in batch["parcel_list"]) == sorted([sf1, sf2])
    order = shop.get("/api/orders/TB1").json()
    assert order["status"] == "shipped"
    assert order["history"][-1]["reason"] == f"handed over to SF in batch {batch['id']}"
    assert shop.get("/api/orders/TB3").json()["status"] == "packed"
    parcels = {p["tracking_no"]: p["status"] for p in shop.as_("after_sales").get("/api/parcels", params={"q": "TB1"}).json()}
    assert parcels == {sf1: "shipped"}


def test_closing_again_with_nothing_new_is_refused(shop):
    pack(shop, "TB1", [("MUG", 1)], 350, carrier="SF")
    assert close(shop, "SF").status_code == 201
    r = close(shop, "SF")
    assert r.status_code == 409
    assert r.json()["error"] == "nothing_to_hand_over"
    assert close(shop, "NOPE").json()["error"] == "unknown_carrier"


def test_a_packer_may_not_close_a_batch(shop):
    pack(shop, "TB1", [("MUG", 1)], 350, carrier="SF")
    assert close(shop, "SF", role="packer").status_code == 403
    assert close(shop, "SF", role="admin").status_code == 201


def test_parcels_packed_after_a_close_wait_for_the_next_batch(shop):
    first = pack(shop, "TB1", [("MUG", 1)], 350, carrier="SF")
    one = close(shop, "SF").json()
    later = pack(shop, "TB2", [("MUG", 1)], 350, carrier="SF")
    two = close(shop, "SF").json()
    assert [p["tracking_no"] for p in one["parcel_list"]] == [first]
    assert [p["tracking_no"] for p in two["parcel_list"]] == [later]
    assert two["id"] != one["id"]


def test_two_closes_at_once_never_put_a_parcel_in_two_batches(shop, engine):
    for n in range(6):
        pack(shop, f"TB{n}", [("MUG", 1)], 350, carrier="SF")
    barrier, outcomes = threading.Barrier(4), []

    def close_now():
        barrier.wait()
        with UnitOfWork(engine) as uow:
            try:
                batch = handover.close_handover(uow, "SF", "sup")
                uow.commit()
                outcomes.append(batch.parcels)
            except Conflict as exc:
                outcomes.append(exc.code)

    threads = [threading.Thread(target=close_now) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes, key=str) == [6] + ["nothing_to_hand_over"] * 3
    with UnitOfWork(engine) as uow:
        assert {p.handover_id for p in uow.session.exec(select(Parcel)).all()} == {
            uow.session.exec(select(Handover.id)).one()}


def test_a_merged_parcel_ships_every_order_in_it(shop):
    make_order(shop, "M1", [("MUG", 1)], merge_consent=True)
    make_order(shop, "M2", [("BOWL", 1)], merge_consent=True)
    assert shop.get("/api/orders/M2").json()["merge_group"]
    pack_existing(shop, "M1", [MUG, BOWL], 770)
    carrier = shop.get("/api/orders/M1").json()["carrier"]
    batch = close(shop, carrier).json()
    assert batch["parcels"] == 1 and batch["parcel_list"][0]["order_no"] == "M1/M2"
    assert {shop.get(f"/api/orders/{o}").json()["status"] for o in ("M1", "M2")} == {"shipped"}


def test_batches_are_listed_by_carrier_and_warehouse_day(shop):
    pack(shop, "TB1", [("MUG", 1)], 350, carrier="SF")
    pack(shop, "TB2", [("MUG", 1)], 350, cod_amount="10.00")
    sf, ems = close(shop, "SF").json(), close(shop, "EMS").json()
    today = datetime.now(timezone(timedelta(hours=8))).date()
    assert [b["id"] for b in shop.get("/api/handovers").json()] == [ems["id"], sf["id"]]
    assert [b["id"] for b in shop.get("/api/handovers", params={"carrier": "SF"}).json()] == [sf["id"]]
    assert len(shop.get("/api/handovers", params={"date": today.isoformat()}).json()) == 2
    assert shop.get("/api/handovers", params={"date": (today - timedelta(days=1)).isoformat()}).json() == []
    assert shop.get(f"/api/handovers/{sf['id']}").json()["parcel_list"][0]["order_no"] == "TB1"
    assert shop.get("/api/handovers/999").status_code == 404


def test_the_csv_manifest_masks_phones_and_totals_weight_and_cod(shop):
    a = pack(shop, "TB1", [("BOWL", 1)], 421, cod_amount="88.00")
    b = pack(shop, "TB2", [("MUG", 2)], 700, cod_amount="12.50")
    batch = close(shop, "EMS").json()
    r = shop.get(f"/api/handovers/{batch['id']}/manifest.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0] == ["tracking_no", "order_no", "recipient_name", "phone", "province", "city", "weight_g",
                       "pieces", "cod_amount"]
    assert rows[1] == [a, "TB1", "张三", "138****5678", "广东省", "深圳市", "421", "1", "88.00"]
    assert rows[2][0] == b
    assert rows[-1] == ["TOTAL", "2 parcels", "", "", "", "", "1121", "2", "100.50"]
    assert "13812345678" not in r.text


def test_the_pdf_manifest_is_chinese_with_totals_and_signature_lines(shop):
    tn = pack(shop, "TB1", [("BOWL", 1)], 421, cod_amount="88.00")
    batch = close(shop, "EMS").json()
    r = shop.get(f"/api/handovers/{batch['id']}/manifest.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    pdf = pypdfium2.PdfDocument(r.content)
    width, height = pdf[0].get_size()
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    text = pdf[0].get_textpage().get_text_range()
    for expected in ("快递交接清单", "中国邮政 EMS", f"#{batch['id']}", tn, "138****5678", "421", "88.00",
                     "合计", "交接人", "收件人", "test-supervisor"):
        assert expected in text, expected


def test_the_cli_closes_a_batch_and_writes_its_manifests(shop, database_url, tmp_path):
    from wms.cli import _register_all, app

    _register_all()
    run = CliRunner().invoke
    tn = pack(shop, "TB1", [("MUG", 1)], 350, carrier="SF")
    closed = run(app, ["handover", "close", "--carrier", "SF", "--as", "王主管", "--database", database_url])
    assert closed.exit_code == 0, closed.output
    batch_id = closed.output.split()[2].rstrip(":")
    assert "1 parcels" in closed.output
    again = run(app, ["handover", "close", "--carrier", "SF", "--database", database_url])
    assert again.exit_code == 2 and "no packed parcels of SF" in again.output
    out_csv, out_pdf = tmp_path / "m.csv", tmp_path / "m.pdf"
    assert run(app, ["handover", "manifest", batch_id, "--format", "csv", "-o", str(out_csv),
                     "--database", database_url]).exit_code == 0
    assert tn in out_csv.read_text(encoding="utf-8-sig")
    assert run(app, ["handover", "manifest", batch_id, "--format", "pdf", "-o", str(out_pdf),
                     "--database", database_url]).exit_code == 0
    assert out_pdf.read_bytes().startswith(b"%PDF")
    listed = run(app, ["handover", "list", "--carrier", "SF", "--database", database_url])
    assert f"#{batch_id}" in listed.output and "王主管" in listed.output
    bad = run(app, ["handover", "manifest", batch_id, "--format", "xls", "--database", database_url])
    assert bad.exit_code == 2 and "csv or pdf" in bad.output


def test_scan_out_ships_only_what_was_scanned_and_refuses_an_intercepted_parcel_loudly(shop, engine, database_url):
    first, second, third = (pack(shop, f"SO{n}", [("MUG", 1)], 355) for n in (1, 2, 3))
    held = pack(shop, "SO4", [("BOWL", 1)], 425)
    with engine.begin() as conn:  # the ERP cancelled SO4 after packing: its parcel is held back (拦截)
        conn.execute(Parcel.__table__.update().where(Parcel.tracking_no == held).values(status="intercepted"))
    lead, loader = shop.as_("supervisor"), shop.as_("packer")
    carrier = shop.get("/api/orders/SO1").json()["carrier"]
    assert {shop.get(f"/api/orders/SO{n}").json()["carrier"] for n in (2, 3, 4)} == {carrier}
    opened = lead.post("/api/handovers/open", {"carrier": carrier})
    assert opened.status_code == 201, opened.text
    batch = opened.json()["id"]
    assert lead.post("/api/handovers/open", {"carrier": carrier}).json()["id"] == batch, "one open batch per carrier"
    onto = loader.post(f"/api/handovers/{batch}/scans", {"code": first})
    assert onto.status_code == 200 and onto.json()["scanned"] == 1, onto.text
    again = loader.post(f"/api/handovers/{batch}/scans", {"code": first}).json()
    assert again["already_scanned"] and again["scanned"] == 1, "scanning twice is harmless"
    stop = loader.post(f"/api/handovers/{batch}/scans", {"code": held})
    assert stop.status_code == 409 and stop.json()["error"] == "parcel_intercepted" and "STOP" in stop.json()["message"]
    unknown = loader.post(f"/api/handovers/{batch}/scans", {"code": "SF9999999999999"})
    assert unknown.status_code == 404 and unknown.json()["error"] == "unknown_parcel"
    _register_all()
    scanned = CliRunner().invoke(app, ["handover", "scan", str(batch), second, "--database", database_url])
    assert scanned.exit_code == 0 and "2 scanned" in scanned.output, scanned.output
    assert loader.post(f"/api/handovers/{batch}/close").status_code == 403, "a supervisor closes it"
    closed = lead.post(f"/api/handovers/{batch}/close")
    assert closed.status_code == 200, closed.text
    view = closed.json()
    assert sorted(p["tracking_no"] for p in view["parcel_list"]) == sorted([first, second]), "the manifest: scanned only"
    assert view["parcels"] == 2
    assert view["left_behind"] == [third, held], "packed for the carrier but not scanned: listed, not shipped"
    with engine.connect() as conn:
        status = dict(conn.execute(select(Parcel.tracking_no, Parcel.status)).all())
    assert (status[first], status[second], status[third], status[held]) == ("shipped", "shipped", "packed", "intercepted")
    assert shop.get("/api/orders/SO3").json()["status"] == "packed"
    late = loader.post(f"/api/handovers/{batch}/scans", {"code": third})
    assert late.status_code == 409 and late.json()["error"] == "handover_closed"
    take_all = CliRunner().invoke(app, ["handover", "close", "--carrier", carrier, "--database", database_url])
    assert take_all.exit_code == 0 and "1 parcels" in take_all.output, take_all.output
    assert shop.get("/api/orders/SO3").json()["status"] == "shipped"


def test_a_parcel_scanned_onto_an_open_batch_can_still_be_voided_and_then_is_not_shipped(shop, engine):
    tracking = pack(shop, "SV1", [("MUG", 1)], 355)
    lead = shop.as_("supervisor")
    batch = lead.post("/api/handovers/open", {"carrier": shop.get("/api/orders/SV1").json()["carrier"]}).json()["id"]
    assert shop.as_("packer").post(f"/api/handovers/{batch}/scans", {"code": tracking}).status_code == 200
    voided = lead.post(f"/api/parcels/{tracking}/void", {"reason": "label torn while loading"})
    assert voided.status_code == 200, voided.text
    empty = lead.post(f"/api/handovers/{batch}/close")
    assert empty.status_code == 409 and empty.json()["error"] == "nothing_scanned"
    again = shop.as_("packer").post(f"/api/handovers/{batch}/scans", {"code": tracking})
    assert again.status_code == 409 and again.json()["error"] == "parcel_voided"
