"""A SKU's product picture and printed barcode beside its line at the pack station."""

from __future__ import annotations

import pytest

from tests.integration.test_pages import as_role
from tests.integration.test_pages import order as order  # noqa: F401  (fixture)

PICTURE = "https://img.example.cn/sku/shirt-blue-l.jpg"


def test_a_sku_picture_is_set_shown_at_the_station_with_the_printed_code_and_removed(
        client, api, tokens, order):  # noqa: F811
    r = api.patch("/api/skus/SHIRT", {"image_url": PICTURE})
    assert r.status_code == 200 and r.json()["image_url"] == PICTURE, r.text
    got = api.get("/api/skus/SHIRT").json()
    assert (got["image_url"], got["barcode"]) == (PICTURE, "6920000000012")
    r = api.as_("packer").post("/api/pack/sessions", {"order_no": order, "station": "PK-01"})
    assert {line["sku"]: line["image_url"] for line in r.json()["lines"]} == {
        "SHIRT": PICTURE, "CUP": None, "SOCK": None}
    state = as_role(client, tokens, "packer").get("/station/state?station=PK-01").json()
    assert [(line["sku"], line["image_url"], line["barcode"]) for line in state["session"]["lines"]] == [
        ("SHIRT", PICTURE, "6920000000012"), ("CUP", None, "6930000000011"), ("SOCK", None, "6901234567892")]
    assert api.patch("/api/skus/SHIRT", {"image_url": None}).json()["image_url"] is None
    assert api.get("/api/skus/SHIRT").json()["image_url"] is None


@pytest.mark.parametrize("bad", ["javascript:alert(1)", "data:image/png;base64,AAAA", "//evil.example/x.png",
                                 "ftp://host/x.png", "https://x.cn/a b.png", 'https://x.cn/"onerror=1',
                                 "https://x.cn/" + "a" * 500])
def test_a_picture_address_a_browser_would_run_or_misread_is_refused(api, order, bad):  # noqa: F811
    r = api.patch("/api/skus/SHIRT", {"image_url": bad})
    assert r.status_code == 422 and r.json()["error"] in ("invalid_image_url", "validation_error"), r.text
    assert api.get("/api/skus/SHIRT").json()["image_url"] is None
    r = api.post("/api/skus", {"sku": "HAT", "name": "帽子", "unit_weight_g": 90, "image_url": bad})
    assert r.status_code == 422
    assert api.get("/api/skus/HAT").status_code == 404


def test_only_an_admin_sets_pictures_and_an_unknown_sku_is_named(api, order):  # noqa: F811
    assert api.as_("packer").patch("/api/skus/SHIRT", {"image_url": PICTURE}).status_code == 403
    r = api.patch("/api/skus/NOPE", {"image_url": PICTURE})
    assert r.status_code == 404 and r.json()["error"] == "unknown_sku"
    assert api.patch("/api/skus/SHIRT", {}).status_code == 422  # say what the picture is, or null


def test_the_cli_sets_and_removes_a_picture(api, order, database_url):  # noqa: F811
    from typer.testing import CliRunner

    from wms.cli import _register_all, app

    _register_all()
    run = CliRunner().invoke
    r = run(app, ["skus", "picture", "CUP", "/media/cup.png", "--database", database_url])
    assert r.exit_code == 0 and "/media/cup.png" in r.output, r.output
    assert api.get("/api/skus/CUP").json()["image_url"] == "/media/cup.png"
    r = run(app, ["skus", "picture", "CUP", "javascript:x", "--database", database_url])
    assert r.exit_code != 0 and "http(s) address" in r.output
    r = run(app, ["skus", "picture", "CUP", "--remove", "--database", database_url])
    assert r.exit_code == 0 and "no picture" in r.output
    r = run(app, ["skus", "picture", "CUP", "--database", database_url])
    assert r.exit_code != 0
