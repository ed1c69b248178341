"""Carrier set-up and tracking-number pools over HTTP and from the `wms` command."""

import json

import pytest
from typer.testing import CliRunner

from tests.conftest import REPO

SF = {"code": "SF", "name": "顺丰速运", "regions": ["*"], "cod": False, "max_weight_g": 30000}
EMS = {"code": "EMS", "name": "中国邮政 EMS", "regions": ["*"], "cod": True, "max_weight_g": 40000, "fallback": True}


def add_pool(api, carrier, **pool):
    return api.post(f"/api/carriers/{carrier}/pools", pool)


@pytest.fixture
def carriers(api):
    for c in (SF, EMS):
        assert api.post("/api/carriers", c).status_code == 201


def test_a_carrier_is_created_then_updated_by_its_code(api):
    r = api.post("/api/carriers", SF)
    assert r.status_code == 201
    r = api.post("/api/carriers", {**SF, "excluded_regions": ["西藏自治区"], "cod": True})
    assert r.status_code == 200
    [sf] = api.get("/api/carriers").json()
    assert (sf["code"], sf["cod"], sf["excluded_regions"]) == ("SF", True, ["西藏自治区"])


def test_an_update_changes_only_the_fields_sent(api, carriers):
    r = api.post("/api/carriers", {"code": "sf", "default": True})
    assert r.status_code == 200
    assert (r.json()["name"], r.json()["max_weight_g"], r.json()["default"]) == ("顺丰速运", 30000, True)


def test_a_new_carrier_needs_a_name(api):
    r = api.post("/api/carriers", {"code": "YTO"})
    assert (r.status_code, r.json()["error"]) == (422, "invalid_carrier")


def test_making_a_carrier_the_default_clears_the_old_default(api, carriers):
    api.post("/api/carriers", {**SF, "default": True})
    api.post("/api/carriers", {**EMS, "default": True})
    defaults = [c["code"] for c in api.get("/api/carriers").json() if c["default"]]
    assert defaults == ["EMS"]


def test_only_an_admin_may_set_up_carriers_and_pools(api, carriers):
    assert api.as_("supervisor").post("/api/carriers", SF).status_code == 403
    r = api.as_("supervisor").post("/api/carriers/SF/pools", {"prefix": "SF", "digits": 13, "start": 1, "end": 9})
    assert r.status_code == 403


def test_a_pool_prints_its_first_and_last_numbers(api, carriers):
    r = add_pool(api, "SF", prefix="SF", digits=13, start=1400012340000, end=1400012349999)
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["first_number"], body["last_number"], body["remaining"]) == (
        "SF1400012340000", "SF1400012349999", 10000)


def test_an_overlapping_range_of_the_same_carrier_and_prefix_is_refused(api, carriers):
    assert add_pool(api, "SF", prefix="SF", digits=13, start=1000, end=1999).status_code == 201
    r = add_pool(api, "SF", prefix="SF", digits=13, start=1500, end=2500)
    assert r.status_code == 409
    assert r.json()["error"] == "pool_overlap"
    assert add_pool(api, "SF", prefix="SF", digits=13, start=2000, end=2999).status_code == 201
    assert add_pool(api, "SF", prefix="SX", digits=13, start=1500, end=2500).status_code == 201


def test_a_range_that_would_print_another_carriers_numbers_is_refused(api, carriers):
    assert add_pool(api, "SF", prefix="EA", suffix="CN", scheme="s10", start=100, end=199).status_code == 201
    r = add_pool(api, "EMS", prefix="EA", suffix="CN", scheme="s10", start=150, end=300)
    assert r.status_code == 409 and r.json()["error"] == "pool_overlap"


@pytest.mark.parametrize("pool, field", [
    ({"prefix": "E", "suffix": "CN", "start": 1, "end": 2}, "prefix"),
    ({"prefix": "EA", "suffix": "", "start": 1, "end": 2}, "suffix"),
    ({"prefix": "EA", "suffix": "CN", "start": 1, "end": 100_000_000}, "end"),
    ({"prefix": "EA", "suffix": "CN", "digits": 9, "start": 1, "end": 2}, "digits"),
])
def test_an_s10_range_needs_two_letters_each_side_and_eight_digit_serials(api, carriers, pool, field):
    r = add_pool(api, "EMS", scheme="s10", **pool)
    assert r.status_code == 422
    assert r.json()["error"] == "invalid_pool"
    assert r.json()["message"].startswith(field)


def test_a_pool_for_an_unknown_carrier_is_a_404(api):
    r = add_pool(api, "YTO", prefix="YT", digits=13, start=1, end=9)
    assert r.status_code == 404 and r.json()["error"] == "unknown_carrier"


def test_pool_status_marks_low_pools_and_warns_per_carrier(api, carriers):
    api.post("/api/carriers", {"code": "ZTO", "name": "中通快递", "regions": ["*"]})
    add_pool(api, "SF", prefix="SF", digits=13, start=1, end=50)      # 50 left: below 100
    add_pool(api, "EMS", prefix="EA", suffix="CN", scheme="s10", start=12340000, end=12340999)
    status = api.get("/api/tracking-pools").json()
    assert status["low_water"] == 100
    pools = {p["carrier"]: p for p in status["pools"]}
    assert (pools["SF"]["remaining"], pools["SF"]["low"]) == (50, True)
    assert (pools["EMS"]["remaining"], pools["EMS"]["low"]) == (1000, False)
    summary = {c["carrier"]: c for c in status["carriers"]}
    assert summary["EMS"]["warning"] is None
    assert "only 50 tracking numbers left" in summary["SF"]["warning"]
    assert "no tracking numbers left" in summary["ZTO"]["warning"]
    assert len(status["warnings"]) == 2


def test_a_correct_s10_check_digit_passes_and_a_wrong_one_is_named(api, carriers):
    add_pool(api, "EMS", prefix="EA", suffix="CN", scheme="s10", start=12340000, end=12342999)
    ok = api.post("/api/carriers/EMS/check-number", {"tracking_no": "EA123400004CN"}).json()
    assert (ok["valid"], ok["in_pool"], ok["issued"]) == (True, True, False)
    bad = api.post("/api/carriers/EMS/check-number", {"tracking_no": "ea123400005cn"}).json()
    assert (bad["valid"], bad["check_digit"], bad["expected_check_digit"]) == (False, 5, 4)
    assert "check digit" in bad["reason"]
    outside = api.post("/api/carriers/EMS/check-number", {"tracking_no": "EA999999995CN"}).json()
    assert (outside["valid"], outside["in_pool"]) == (True, False)


def test_a_plain_number_is_checked_against_the_pool_format(api, carriers):
    add_pool(api, "SF", prefix="SF", digits=13, start=1400012340000, end=1400012349999)
    assert api.post("/api/carriers/SF/check-number", {"tracking_no": "SF1400012340001"}).json()["in_pool"] is True
    short = api.post("/api/carriers/SF/check-number", {"tracking_no": "SF14000"}).json()
    assert short["valid"] is False and "SF1400012340000" in short["reason"]


def test_the_cli_loads_the_carriers_file_once_and_refuses_an_overlapping_pool(database_url, tmp_path):
    from wms.cli import _register_all, app

    _register_all()
    run = CliRunner().invoke
    fixture = REPO / "fixtures" / "carriers.json"
    first = run(app, ["carriers", "load", str(fixture), "--database", database_url])
    assert first.exit_code == 0, first.output
    assert "created 3" in first.output and "pools added 3" in first.output
    again = run(app, ["carriers", "load", str(fixture), "--database", database_url])
    assert "created 0, updated 3; pools added 0, already present 3" in again.output
    listed = run(app, ["carriers", "list", "--database", database_url])
    assert "顺丰速运" in listed.output and "10000 numbers left" in listed.output
    clash = run(app, ["pools", "add", "--carrier", "SF", "--prefix", "SF", "--digits", "13",
                      "--start", "1400012349999", "--end", "1400012359999", "--database", database_url])
    assert clash.exit_code == 2 and "overlaps pool" in clash.output
    added = run(app, ["pools", "add", "--carrier", "SF", "--prefix", "SF", "--digits", "13",
                      "--start", "1400012350000", "--end", "1400012350049", "--database", database_url])
    assert added.exit_code == 0 and "SF1400012350049" in added.output
    status = run(app, ["pools", "status", "--database", database_url])
    assert status.exit_code == 0 and "left 50  LOW" in status.output
    broken = tmp_path / "carriers.json"
    broken.write_text(json.dumps([{"code": "YTO"}]), encoding="utf-8")
    bad = run(app, ["carriers", "load", str(broken), "--database", database_url])
    assert bad.exit_code == 2 and "name" in bad.output
