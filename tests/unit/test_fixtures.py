"""The demo data set in fixtures/: counts, check digits, geometry, consistency, reproducibility.

Check digits and the walking-geometry rules are recomputed here independently of
fixtures/generate.py, so a generator bug cannot vouch for itself.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
GENERATED = ("layout.json", "skus.json", "stock.json", "orders.json", "orders.csv", "carriers.json",
             "packaging.json", "stations.json", "waybill-sample.json")

# The deliberate problem orders documented in fixtures/README.md.
PROBLEM_ORDERS = {
    "TB20261120000041": "missing_phone",
    "TM20261120000034": "invalid_phone",
    "TB20261120000060": "unknown_sku",
    "DY20261120000037": "zero_qty",
    "TM20261120000066": "missing_district",
    "TB20261120000091": "merge_pair_first",
    "TB20261120000093": "merge_pair_second",
}
MOBILE = re.compile(r"^1(?:3\d|5[0-35-9]|7[01356-8]|8\d|9[135-9])\d{8}$")
PROVINCES = {
    "北京市", "天津市", "河北省", "山西省", "内蒙古自治区", "辽宁省", "吉林省", "黑龙江省", "上海市", "江苏省",
    "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省", "广东省", "广西壮族自治区",
    "海南省", "重庆市", "四川省", "贵州省", "云南省", "西藏自治区", "陕西省", "甘肃省", "青海省",
    "宁夏回族自治区", "新疆维吾尔自治区",
}


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def gtin_is_valid(code: str) -> bool:
    """GS1 mod-10: from the digit left of the check digit, weights 3, 1, 3, 1, ..."""
    if not code.isdigit():
        return False
    digits = [int(c) for c in code]
    total = sum(d * (3 if i % 2 else 1) for i, d in enumerate(reversed(digits[:-1]), start=1))
    return (10 - total % 10) % 10 == digits[-1]


def s10_is_valid(number: str) -> bool:
    match = re.fullmatch(r"[A-Z]{2}(\d{8})(\d)[A-Z]{2}", number)
    if not match:
        return False
    total = sum(int(d) * w for d, w in zip(match.group(1), (8, 6, 4, 2, 3, 5, 9, 7)))
    check = 11 - total % 11
    return {10: 0, 11: 5}.get(check, check) == int(match.group(2))


@pytest.fixture(scope="module")
def layout() -> dict[str, Any]:
    return load("layout.json")


@pytest.fixture(scope="module")
def skus() -> list[dict[str, Any]]:
    return load("skus.json")


@pytest.fixture(scope="module")
def stock() -> list[dict[str, Any]]:
    return load("stock.json")


@pytest.fixture(scope="module")
def orders() -> list[dict[str, Any]]:
    return load("orders.json")


# --- the checkers themselves -------------------------------------------------------------


def test_check_digit_helpers_agree_with_published_examples() -> None:
    assert gtin_is_valid("6901234567892")
    assert gtin_is_valid("9787020002207")  # an ISBN-13
    assert gtin_is_valid("036000291452")  # UPC-A
    assert not gtin_is_valid("6901234567893")
    assert s10_is_valid("AA473124829GB")  # the UPU's own example
    assert not s10_is_valid("AA473124828GB")


# --- layout ------------------------------------------------------------------------------


def test_layout_has_twelve_aisles_three_cross_aisles_and_over_a_thousand_bins(
    layout: dict[str, Any],
) -> None:
    assert layout["name"] == "demo-dc" and layout["unit"] == "m"
    assert [a["id"] for a in layout["aisles"]] == [f"A{n:02d}" for n in range(1, 13)]
    assert len(layout["cross_aisles"]) == 3
    assert layout["cross_aisles"] == sorted(layout["cross_aisles"])
    assert len(layout["bins"]) >= 1000


def test_every_bin_lies_inside_its_aisle_and_off_the_cross_aisles(layout: dict[str, Any]) -> None:
    front, back = layout["cross_aisles"][0], layout["cross_aisles"][-1]
    aisles = {a["id"] for a in layout["aisles"]}
    codes = [b["code"] for b in layout["bins"]]
    assert len(codes) == len(set(codes))
    for b in layout["bins"]:
        assert b["aisle"] in aisles, b["code"]
        assert front < b["y"] < back, b["code"]
        assert b["y"] not in layout["cross_aisles"], b["code"]
        assert b["side"] in ("L", "R") and b["level"] in (1, 2, 3, 4), b["code"]
        assert b["zone"] in ("A", "B", "C"), b["code"]
        assert re.fullmatch(rf"{b['aisle']}-\d\d-{b['level']}", b["code"]), b["code"]


def test_both_racks_of_an_aisle_carry_bins(layout: dict[str, Any]) -> None:
    sides = Counter((b["aisle"], b["side"]) for b in layout["bins"])
    assert all(sides[(a["id"], s)] > 0 for a in layout["aisles"] for s in ("L", "R"))


def test_depot_is_on_a_cross_aisle_within_the_aisles_span(layout: dict[str, Any]) -> None:
    xs = [a["x"] for a in layout["aisles"]]
    assert layout["depot"]["y"] in layout["cross_aisles"]
    assert min(xs) <= layout["depot"]["x"] <= max(xs)


def test_zone_a_is_nearer_the_depot_than_zone_c(layout: dict[str, Any]) -> None:
    x = {a["id"]: a["x"] for a in layout["aisles"]}
    depot = layout["depot"]

    def walk(b: dict[str, Any]) -> float:
        return abs(depot["x"] - x[b["aisle"]]) + abs(depot["y"] - b["y"])

    farthest_a = max(walk(b) for b in layout["bins"] if b["zone"] == "A")
    nearest_c = min(walk(b) for b in layout["bins"] if b["zone"] == "C")
    assert farthest_a < nearest_c


def test_the_project_layout_reader_accepts_the_demo_layout(layout: dict[str, Any]) -> None:
    from wms.domain.layout import parse_layout

    parsed = parse_layout(layout)
    assert len(parsed.bins) == len(layout["bins"])


# --- SKUs --------------------------------------------------------------------------------


def test_there_are_at_least_200_skus_with_unique_codes(skus: list[dict[str, Any]]) -> None:
    codes = [s["sku"] for s in skus]
    assert len(codes) >= 200
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"[A-Z0-9]+(-[A-Z0-9]+)*", c) for c in codes)


def test_every_barcode_has_a_valid_check_digit_and_belongs_to_one_sku(
    skus: list[dict[str, Any]],
) -> None:
    seen: dict[str, str] = {}
    for s in skus:
        first = s["barcodes"][0]
        assert len(first) == 13 and first[:3] in {str(p) for p in range(690, 700)}, s["sku"]
        for code in s["barcodes"]:
            assert len(code) in (12, 13) and gtin_is_valid(code), (s["sku"], code)
            as_ean13 = code.zfill(13)  # a UPC-A scans as the same EAN-13 with a leading 0
            assert as_ean13 not in seen, (s["sku"], code, seen.get(as_ean13))
            seen[as_ean13] = s["sku"]
    assert sum(len(s["barcodes"]) > 1 for s in skus) >= 10
    assert any(len(c) == 12 for s in skus for c in s["barcodes"])


def test_sku_master_data_is_plausible(skus: list[dict[str, Any]]) -> None:
    categories = {"apparel", "underwear", "socks", "shoes", "electronics", "accessories", "beauty",
                  "home", "kitchen", "books", "toys", "food", "gift"}
    for s in skus:
        assert s["category"] in categories, s["sku"]
        assert s["returnable"] is (s["category"] not in ("underwear", "food")), s["sku"]
        assert 5 <= s["unit_weight_g"] <= 5000, s["sku"]
        tolerance = s["weight_tolerance_g"]
        assert tolerance >= 2, s["sku"]
        assert tolerance == 2 or tolerance <= s["unit_weight_g"] * 0.05 + 0.5, s["sku"]
        assert re.fullmatch(r"\d+\.\d\d", s["price"]) and Decimal(s["price"]) > 0, s["sku"]
        assert re.search(r"[\u4e00-\u9fff]", s["name"]), s["sku"]
        assert all(s[k] > 0 for k in ("length_mm", "width_mm", "height_mm")), s["sku"]
    assert {s["category"] for s in skus} == categories
    assert 0 < sum(s["special_price"] for s in skus) < 20
    by_code = {s["sku"]: s for s in skus}
    assert by_code["TS-BLU-L"]["name"] == "纯棉T恤 蓝色 L"


# --- stock -------------------------------------------------------------------------------


def test_every_stock_row_names_a_known_sku_and_bin_and_a_bin_holds_one_sku(
    layout: dict[str, Any], skus: list[dict[str, Any]], stock: list[dict[str, Any]]
) -> None:
    bins = {b["code"] for b in layout["bins"]}
    codes = {s["sku"] for s in skus}
    for row in stock:
        assert row["sku"] in codes and row["bin"] in bins and row["qty"] >= 1, row
    assert len({row["bin"] for row in stock}) == len(stock)


def test_stock_gives_route_planners_choices_and_low_stock_reports_content(
    skus: list[dict[str, Any]], stock: list[dict[str, Any]]
) -> None:
    bins_per_sku = Counter(row["sku"] for row in stock)
    totals: Counter[str] = Counter()
    for row in stock:
        totals[row["sku"]] += row["qty"]
    spread = Counter(bins_per_sku.values())
    assert spread[1] > spread[2] + spread[3] > 30
    assert spread[3] > 0
    assert 5 <= sum(1 for q in totals.values() if q <= 3) <= 20
    out_of_stock = [s["sku"] for s in skus if s["sku"] not in totals]
    assert 1 <= len(out_of_stock) <= 10


def test_the_most_ordered_skus_are_picked_next_to_the_depot(
    layout: dict[str, Any], stock: list[dict[str, Any]], orders: list[dict[str, Any]]
) -> None:
    zone = {b["code"]: b["zone"] for b in layout["bins"]}
    in_zone_a = {row["sku"] for row in stock if zone[row["bin"]] == "A"}
    ordered: Counter[str] = Counter()
    for o in orders:
        for line in o["lines"]:
            ordered[line["sku"]] += line["qty"]
    top = [sku for sku, _ in ordered.most_common(20)]
    assert set(top) <= in_zone_a


def test_every_normal_and_cod_order_can_be_filled_from_stock(
    stock: list[dict[str, Any]], orders: list[dict[str, Any]]
) -> None:
    free: Counter[str] = Counter()
    for row in stock:
        free[row["sku"]] += row["qty"]
    wanted: Counter[str] = Counter()
    for o in orders:
        if o["order_type"] != "presale" and o["order_no"] not in PROBLEM_ORDERS:
            for line in o["lines"]:
                wanted[line["sku"]] += line["qty"]
    assert not [sku for sku, qty in wanted.items() if qty > free[sku]]


# --- orders ------------------------------------------------------------------------------


def test_there_are_at_least_300_orders_with_well_formed_numbers(
    orders: list[dict[str, Any]],
) -> None:
    assert len(orders) >= 300
    numbers = [o["order_no"] for o in orders]
    assert len(numbers) == len(set(numbers))
    prefix = {"taobao": "TB", "tmall": "TM", "douyin": "DY"}
    for o in orders:
        assert re.fullmatch(r"(TB|TM|DY)2026112[01]\d{6}", o["order_no"]), o["order_no"]
        assert o["order_no"].startswith(prefix[o["channel"]]), o["order_no"]
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", o["paid_at"]), o["order_no"]
        assert 1 <= len(o["lines"]) <= 5, o["order_no"]
    assert set(Counter(o["channel"] for o in orders)) == set(prefix)


def test_order_types_include_a_few_cod_and_presale_orders(orders: list[dict[str, Any]]) -> None:
    types = Counter(o["order_type"] for o in orders)
    assert types["normal"] > 0.8 * len(orders)
    assert 3 <= types["cod"] <= 30 and 3 <= types["presale"] <= 20
    for o in orders:
        if o["order_type"] == "cod":
            assert Decimal(o["cod_amount"]) > 0 and re.fullmatch(r"\d+\.\d\d", o["cod_amount"])
            assert o.get("carrier") != "SF"  # SF takes no COD in the demo rules
        else:
            assert "cod_amount" not in o


def test_clean_orders_have_valid_mobiles_full_addresses_and_known_skus(
    skus: list[dict[str, Any]], orders: list[dict[str, Any]]
) -> None:
    codes = {s["sku"] for s in skus}
    for o in orders:
        if o["order_no"] in PROBLEM_ORDERS:
            continue
        r = o["recipient"]
        assert MOBILE.fullmatch(r["phone"]), (o["order_no"], r["phone"])
        fields = ("name", "province", "city", "district", "address")
        assert all(r[k].strip() for k in fields), o["order_no"]
        assert re.fullmatch(r"[\u4e00-\u9fff]{2,4}", r["name"]), o["order_no"]
        for line in o["lines"]:
            assert line["sku"] in codes and line["qty"] >= 1, o["order_no"]


def test_recipients_cover_all_31_mainland_provinces(orders: list[dict[str, Any]]) -> None:
    provinces = {o["recipient"]["province"] for o in orders}
    assert provinces == PROVINCES
    triples = {(o["recipient"]["province"], o["recipient"]["city"], o["recipient"]["district"])
               for o in orders}
    assert len(triples) >= 40


def test_each_documented_problem_order_has_exactly_its_problem(
    skus: list[dict[str, Any]], orders: list[dict[str, Any]]
) -> None:
    codes = {s["sku"] for s in skus}
    by_no = {o["order_no"]: o for o in orders}
    assert set(PROBLEM_ORDERS) <= set(by_no)
    assert by_no["TB20261120000041"]["recipient"]["phone"] == ""
    bad_phone = by_no["TM20261120000034"]["recipient"]["phone"]
    assert bad_phone.isdigit() and len(bad_phone) == 10
    assert any(line["sku"] not in codes for line in by_no["TB20261120000060"]["lines"])
    assert any(line["qty"] == 0 for line in by_no["DY20261120000037"]["lines"])
    assert by_no["TM20261120000066"]["recipient"]["district"] == ""
    first, second = by_no["TB20261120000091"], by_no["TB20261120000093"]
    assert first["recipient"] == second["recipient"] and first["channel"] == second["channel"]
    assert second.get("merge_consent") is True and "merge_consent" not in first


def test_no_two_clean_orders_share_a_recipient(orders: list[dict[str, Any]]) -> None:
    people = Counter((o["recipient"]["name"], o["recipient"]["phone"], o["recipient"]["address"])
                     for o in orders if o["order_no"] not in PROBLEM_ORDERS)
    assert max(people.values()) == 1


def test_the_csv_export_has_one_row_per_order_line_matching_the_json(
    orders: list[dict[str, Any]],
) -> None:
    with (FIXTURES / "orders.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0])[:13] == [
        "order_no", "channel", "order_type", "cod_amount", "recipient_name", "phone", "province",
        "city", "district", "address", "sku", "qty", "remark",
    ]
    expected = [(o["order_no"], o["recipient"]["phone"], o["recipient"]["district"], line["sku"],
                 str(line["qty"]), o.get("cod_amount", ""), o.get("remark", ""))
                for o in orders for line in o["lines"]]
    actual = [(r["order_no"], r["phone"], r["district"], r["sku"], r["qty"], r["cod_amount"],
               r["remark"]) for r in rows]
    assert actual == expected


# --- carriers, packaging, stations --------------------------------------------------------


def test_carriers_have_a_default_a_fallback_and_the_demo_reach_rules() -> None:
    carriers = {c["code"]: c for c in load("carriers.json")}
    assert set(carriers) == {"SF", "ZTO", "EMS"}
    assert [c for c in carriers.values() if c["default"]] == [carriers["ZTO"]]
    assert [c for c in carriers.values() if c["fallback"]] == [carriers["EMS"]]
    assert {"西藏自治区", "新疆维吾尔自治区"} <= set(carriers["ZTO"]["excluded_regions"])
    assert carriers["EMS"]["regions"] == ["*"] and carriers["EMS"]["cod"]


def test_tracking_pools_hold_thousands_and_ems_numbers_carry_valid_s10_check_digits() -> None:
    for carrier in load("carriers.json"):
        for pool in carrier["tracking_pools"]:
            assert 1000 <= pool["end"] - pool["start"] + 1 <= 20000, carrier["code"]
            first = pool["samples"][0]
            assert first.startswith(pool["prefix"]) and first.endswith(pool["suffix"])
            if pool["scheme"] == "s10":
                assert all(s10_is_valid(n) for n in pool["samples"]), pool["samples"]
                assert first[2:10] == f"{pool['start']:08d}"
            else:
                number = f"{pool['start']:0{pool['digits']}d}"
                assert first == pool["prefix"] + number + pool["suffix"]
    ems = next(c for c in load("carriers.json") if c["code"] == "EMS")
    assert ems["tracking_pools"][0]["samples"][0] == "EA123400004CN"


def test_packaging_has_bags_five_cartons_and_filler() -> None:
    packaging = {p["code"]: p for p in load("packaging.json")}
    expected = {"BAG-S", "BAG-M", "BAG-L", "BOX-1", "BOX-2", "BOX-3", "BOX-4", "BOX-5"}
    assert expected <= set(packaging)
    assert any(p["kind"] == "filler" and p["weight_g"] > 0 for p in packaging.values())
    boxes = [packaging[f"BOX-{n}"] for n in range(1, 6)]
    volumes = [b["inner_l_mm"] * b["inner_w_mm"] * b["inner_h_mm"] for b in boxes]
    assert volumes == sorted(volumes, reverse=True)  # 1号 is the largest


def test_twelve_pack_stations_each_have_a_printer_and_a_scale() -> None:
    stations = load("stations.json")
    assert [s["code"] for s in stations] == [f"PK-{n:02d}" for n in range(1, 13)]
    for s in stations:
        assert s["printer"]["protocol"] in ("escpos", "zpl", "tspl")
        assert s["printer"]["dpi"] == 203 and s["printer"]["label_size"] == "100x150"
        assert s["scale_id"]


def test_the_waybill_sample_is_the_spec_example() -> None:
    waybill = load("waybill-sample.json")
    assert waybill["tracking_no"] == "SF1400012345678"
    assert waybill["recipient"]["district"] == "南山区"
    assert waybill["items"] == [{"sku": "TS-BLU-L", "name": "纯棉T恤 蓝色 L", "qty": 2}]


# --- reproducibility ---------------------------------------------------------------------


def test_the_generator_reproduces_the_committed_files_byte_for_byte(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(FIXTURES / "generate.py"), str(tmp_path)], check=True,
                   capture_output=True)
    for name in GENERATED:
        assert (tmp_path / name).read_bytes() == (FIXTURES / name).read_bytes(), name


def test_the_fixture_files_stay_small() -> None:
    assert sum((FIXTURES / name).stat().st_size for name in GENERATED) < 1_000_000
