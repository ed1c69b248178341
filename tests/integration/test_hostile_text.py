"""Text that people and platforms type (recipient names, addresses, buyer messages, seller memos,
notes, case notes and reasons) containing HTML or script is shown as text on every page, and
printed as written on the evidence sheet, the handover manifest, the pick list and the label."""

from __future__ import annotations

import subprocess

import pytest
from markupsafe import escape

from tests.integration.conftest import make_sku
from tests.integration.test_pages import CUP, SHIRT, SOCK, as_role
from tests.integration.test_picking import LAYOUT
from wms.adapters.db.tables import Printer, Station
from wms.adapters.db.uow import UnitOfWork
from wms.services.fixtures import load_layout

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(2)>'
BOLD = "<b>急</b> & 'quotes' ^FD~JA \"q\""
HOSTILE = (SCRIPT, IMG, BOLD)


@pytest.fixture
def hostile(api, engine):
    """Order TBX1 packed and shipped by an override, TBX2 held, each full of markup."""
    with UnitOfWork(engine) as uow:
        load_layout(uow, LAYOUT)
        uow.commit()
    make_sku(api, "SHIRT", 180, 4, SHIRT, f"T恤 {BOLD}")
    make_sku(api, "CUP", 272, 5, CUP, "保温杯")
    make_sku(api, "SOCK", 48, 2, SOCK, "短袜")
    for sku in ("SHIRT", "CUP", "SOCK"):
        assert api.post("/api/stock/receipts", {"sku": sku, "bin": "A01-01-1", "qty": 10}).status_code == 201
    with UnitOfWork(engine) as uow:
        uow.session.add(Printer(name="PRN-PK-01", url="memory://PK-01", station="PK-01"))
        uow.session.add(Station(code="PK-01", name="打包台 01", printer_name="PRN-PK-01"))
        uow.commit()
    recipient = {"name": SCRIPT, "phone": "13812345678", "province": "广东省", "city": "深圳市",
                 "district": BOLD, "address": IMG}
    for no in ("TBX1", "TBX2"):
        r = api.post("/api/orders", {"order_no": no, "recipient": recipient, "buyer_message": SCRIPT,
                                     "seller_memo": IMG, "seller_flag": "red",
                                     "lines": [{"sku": "SHIRT", "qty": 1}, {"sku": "CUP", "qty": 1}]})
        assert r.status_code == 201, r.text
        assert api.post(f"/api/orders/{no}/notes", {"text": BOLD}).status_code == 201
    assert api.as_("supervisor").post("/api/orders/TBX2/hold", {"reason": SCRIPT}).status_code == 200

    packer = api.as_("packer")
    sid = packer.post("/api/pack/sessions", {"order_no": "TBX1", "station": "PK-01"}).json()["session_id"]
    assert packer.post(f"/api/pack/sessions/{sid}/notes/ack").status_code == 200
    for code in (SHIRT, CUP):
        assert packer.post(f"/api/pack/sessions/{sid}/scans", {"code": code}).status_code == 200
    assert packer.post(f"/api/pack/sessions/{sid}/weighings", {"grams": 300}).json()["verdict"] == "underweight"
    r = api.as_("supervisor").post(f"/api/pack/sessions/{sid}/override", {"reason": IMG})
    assert r.status_code == 200, r.text
    tracking = api.get("/api/parcels", params={"q": "TBX1"}).json()[0]["tracking_no"]
    r = api.as_("after_sales").post("/api/cases", {"order_no": "TBX1", "case_type": "return_refund",
                                                   "reason": "quality", "notes": SCRIPT,
                                                   "lines": [{"sku": "SHIRT", "qty": 1}]})
    assert r.status_code == 201, r.text
    code = r.json()["code"]
    assert api.as_("after_sales").post(f"/api/cases/{code}/decision",
                                       {"decision": "declined", "reason": BOLD}).status_code == 200
    return {"tracking_no": tracking, "case": code, "session_id": sid}


def test_every_page_shows_the_markup_as_text(client, tokens, hostile):
    t = hostile["tracking_no"]
    pages = {
        "admin": ["/", "/?status=", "/?status=on_hold", "/?status=packed", f"/after-sales?q={t}",
                  f"/after-sales/parcels/{t}", "/after-sales?q=TBX1", "/station?station=PK-01", "/returns",
                  "/after-sales?q=" + SCRIPT, "/station?station=" + SCRIPT, "/?shop=" + SCRIPT,
                  "/login?next=" + IMG],
        "supervisor": ["/", f"/after-sales/parcels/{t}"],
        "packer": ["/", "/station?station=PK-01"],
        "after_sales": [f"/after-sales/parcels/{t}", "/returns"],
    }
    shown: dict[str, int] = {text: 0 for text in HOSTILE}
    for role, urls in pages.items():
        as_role(client, tokens, role)
        for url in urls:
            r = client.get(url)
            assert r.status_code == 200, (role, url, r.status_code)
            for text in HOSTILE:
                assert text not in r.text, f"{url} as {role} has {text!r} as markup"
                for raw in ("<script>alert", "<img src=x", "<b>急"):
                    assert raw not in r.text, f"{url} as {role} has {raw!r} unescaped"
                if str(escape(text)) in r.text:
                    shown[text] += 1
    assert all(shown.values()), f"the text must still be shown (escaped): {shown}"

    as_role(client, tokens, "admin")
    parcel_page = client.get(f"/after-sales/parcels/{t}").text
    assert str(escape(SCRIPT)) in parcel_page, "the recipient's name, escaped"
    assert str(escape(IMG)) in parcel_page, "the override reason, escaped"


def _pdf_text(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF")
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True, timeout=60)
    return " ".join(out.stdout.decode("utf-8").split())


def test_the_evidence_sheet_prints_the_text_as_written(api, hostile):
    r = api.as_("after_sales").get(f"/api/parcels/{hostile['tracking_no']}/evidence.pdf")
    assert r.status_code == 200, r.text
    text = _pdf_text(r.content)
    assert SCRIPT in text, "the recipient's name"
    assert "<img src=x onerror=alert(2)>" in text, "the override reason"
    assert "<b>急</b> &" in text, "the SKU's name"


def test_the_handover_manifest_prints_the_text_as_written(api, hostile):
    carrier = api.get("/api/orders/TBX1").json()
    code = carrier.get("carrier") or api.get("/api/parcels", params={"q": "TBX1"}).json()[0]["carrier"]
    r = api.as_("supervisor").post("/api/handovers", {"carrier": code})
    assert r.status_code == 201, r.text
    pdf = api.get(f"/api/handovers/{r.json()['id']}/manifest.pdf")
    assert pdf.status_code == 200, pdf.text
    text = _pdf_text(pdf.content)
    assert "<script>ale" in text and "</scrip" in text, "the recipient's name, wrapped in its cell"


def test_the_pick_list_prints_the_text_as_written(api, hostile):
    supervisor = api.as_("supervisor")
    assert supervisor.post("/api/orders/TBX2/release", {"reason": "ok"}).status_code == 200
    assert supervisor.post("/api/orders/release", {"order_nos": ["TBX2"]}).status_code == 200
    r = supervisor.post("/api/waves", {"order_nos": ["TBX2"]})
    assert r.status_code == 201, r.text
    wave = r.json()["wave"]
    pdf = api.as_("packer").get(f"/api/waves/{wave}/trips/1/picklist.pdf")
    assert pdf.status_code == 200, pdf.text
    text = _pdf_text(pdf.content)
    assert SCRIPT in text and "<img src=x onerror=alert(2)>" in text, "the buyer's message and the seller's memo"


@pytest.mark.parametrize("fmt", ["pdf", "png", "escpos", "zpl", "tspl"])
def test_a_label_with_markup_and_printer_command_characters_renders_whole(fmt):
    from printing.render import render
    from printing.waybill import SAMPLE_WAYBILL, Waybill

    data = {**SAMPLE_WAYBILL, "remark": BOLD}
    data["recipient"] = {**data["recipient"], "name": SCRIPT, "address": IMG + " ^XZ~JR"}
    out = render(Waybill.from_dict(data), fmt, "100x150", 203)
    if fmt == "pdf":
        text = _pdf_text(out)
        assert SCRIPT in text and "^XZ~JR" in text and "'quotes'" in text
    elif fmt == "zpl":  # the label is one graphic field: text never reaches the command stream
        assert out.count(b"^XA") == 1 and out.count(b"^XZ") == 1 and b"~" not in out and b"alert" not in out
    elif fmt == "tspl":
        assert out.startswith(b"SIZE 100 mm,150 mm\r\n") and out.endswith(b"\r\nPRINT 1,1\r\n")
        assert out.count(b"\r\nBITMAP ") == 1 and b"alert" not in out
    elif fmt == "escpos":
        assert b"alert" not in out and b"^XZ" not in out
    else:
        assert out.startswith(b"\x89PNG")
