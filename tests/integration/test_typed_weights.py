"""A weight typed by hand is marked as typed wherever it shows (the answer, the record, the
after-sales page, the evidence sheet), a station can refuse typed weights, and the record's times
read in the warehouse's own time zone (Asia/Shanghai by default)."""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime, timedelta

from tests.integration.conftest import make_order
from tests.integration.test_handover import MUG, shop  # noqa: F401  (fixture)
from tests.integration.test_parcels_per_order import scan_all


def open_with_mugs(api, order_no, n):
    make_order(api, order_no, [("MUG", n)])
    packer = api.as_("packer")
    sid = packer.post("/api/pack/sessions", {"order_no": order_no, "station": "PK-01"}).json()["session_id"]
    scan_all(packer, sid, [MUG] * n)
    return packer, sid


def test_a_typed_weight_is_marked_typed_and_a_scale_weight_names_its_scale(shop):  # noqa: F811
    api = shop
    packer, sid = open_with_mugs(api, "T1", 1)
    typed = packer.post(f"/api/pack/sessions/{sid}/weighings", {"grams": 352}).json()
    assert (typed["verdict"], typed["typed"]) == ("pass", True), typed
    packer2, sid2 = open_with_mugs(api, "T2", 1)
    scaled = packer2.post(f"/api/pack/sessions/{sid2}/weighings", {"grams": 351, "scale_id": "SCALE-7"}).json()
    assert (scaled["verdict"], scaled["typed"]) == ("pass", False), scaled
    record = api.as_("after_sales").get(f"/api/parcels/{typed['tracking_no']}/weighings").json()
    assert [(w["typed"], w["scale_id"]) for w in record] == [(True, None)]
    at = datetime.fromisoformat(record[0]["at"])
    assert record[0]["at_local"] == (at + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M:%S")  # Asia/Shanghai

    page = api.as_("after_sales").get(f"/after-sales/parcels/{typed['tracking_no']}").text
    assert "手输 typed" in page and "Asia/Shanghai" in page
    assert "手输 typed" not in api.as_("after_sales").get(f"/after-sales/parcels/{scaled['tracking_no']}").text
    if shutil.which("pdftotext"):
        pdf = api.as_("after_sales").get(f"/api/parcels/{typed['tracking_no']}/evidence.pdf").content
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True).stdout.decode()
        assert "手输 typed" in text and "Asia/Shanghai" in text and record[0]["at_local"][11:16] in text


def test_a_station_set_to_its_scale_only_refuses_a_typed_weight_and_keeps_nothing_of_it(shop, database_url):  # noqa: F811
    from typer.testing import CliRunner

    from wms.cli import _register_all, app

    api = shop
    assert api.post("/api/stations/PK-01/heartbeat", {"devices": {"scale": "ok"}}).status_code == 200
    assert api.as_("packer").patch("/api/stations/PK-01", {"typed_weights": False}).status_code == 403
    r = api.as_("supervisor").patch("/api/stations/PK-01", {"typed_weights": False})
    assert r.status_code == 200 and r.json()["typed_weights"] is False
    assert api.patch("/api/stations/NOPE", {"typed_weights": False}).json()["error"] == "unknown_station"
    packer, sid = open_with_mugs(api, "T3", 1)
    refused = packer.post(f"/api/pack/sessions/{sid}/weighings", {"grams": 352})
    assert (refused.status_code, refused.json()["error"]) == (409, "typed_weight_forbidden")
    assert "scale only" in refused.json()["message"]
    assert packer.get(f"/api/pack/sessions/{sid}").json()["status"] == "open"
    weighed = packer.post(f"/api/pack/sessions/{sid}/weighings", {"grams": 352, "scale_id": "SCALE-1"}).json()
    assert weighed["verdict"] == "pass" and weighed["typed"] is False
    record = api.get(f"/api/parcels/{weighed['tracking_no']}/weighings").json()
    assert [w["grams"] for w in record] == [352]  # the refused typed weight left no record

    _register_all()
    out = CliRunner().invoke(app, ["station", "settings", "PK-01", "--typed-ok", "--database", database_url])
    assert out.exit_code == 0 and "typed weights allowed" in out.output, out.output
    packer, sid = open_with_mugs(api, "T4", 1)
    assert packer.post(f"/api/pack/sessions/{sid}/weighings", {"grams": 352}).json()["typed"] is True
    out = CliRunner().invoke(app, ["station", "settings", "NOPE", "--scale-only", "--database", database_url])
    assert out.exit_code == 2 and "no station NOPE" in out.output


def test_the_evidence_of_one_parcel_of_several_lists_only_what_it_held(shop):  # noqa: F811
    api = shop
    make_order(api, "T5", [("MUG", 2)])
    packer = api.as_("packer")
    sid = packer.post("/api/pack/sessions", {"order_no": "T5", "station": "PK-01"}).json()["session_id"]
    scan_all(packer, sid, [MUG])
    packer.post(f"/api/pack/sessions/{sid}/close-parcel")
    first = packer.post(f"/api/pack/sessions/{sid}/weighings", {"grams": 350}).json()
    page = api.as_("after_sales").get(f"/after-sales/parcels/{first['tracking_no']}").text
    assert "<td class=\"num\">1</td>" in page and "<td class=\"num\">2</td>" not in page


def test_scanning_a_box_code_at_the_station_chooses_the_box_and_its_weight_counts(shop, engine):  # noqa: F811
    from wms.adapters.db.tables import PackagingRow
    from wms.adapters.db.uow import UnitOfWork

    with UnitOfWork(engine) as uow:
        uow.session.add(PackagingRow(code="BOX-M", name="中号纸箱", kind="box", weight_g=120, tolerance_g=5))
        uow.commit()
    api = shop
    make_order(api, "T6", [("MUG", 1)])
    packer = api.as_("packer")

    def event(n, **body):
        return packer.post("/api/stations/PK-01/events", {"event_id": f"T6-{n}", **body})

    assert event(1, kind="scan", code="T6").json()["action"] == "opened"
    chosen = event(2, kind="scan", code="box-m").json()
    assert (chosen["action"], chosen["result"]["packaging"], chosen["result"]["packaging_weight_g"]) == (
        "packaging", "BOX-M", 120), chosen
    assert event(3, kind="scan", code=MUG).json()["action"] == "scanned"
    light = event(4, kind="weight", grams=350).json()["result"]
    assert light["verdict"] == "underweight" and light["expected_g"] == 470, light  # the box counts
    passed = event(5, kind="weight", grams=471).json()["result"]
    assert passed["verdict"] == "pass" and passed["tracking_no"]
    nothing = event(6, kind="scan", code="BOX-M")
    assert nothing.status_code == 409 and nothing.json()["error"] == "no_open_session"  # nothing to box
