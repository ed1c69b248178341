"""Scan-to-verify rules and the scanner double-read window."""

import pytest

from wms.domain.packing import DoubleReadFilter, PackSession, ScanRejected, is_double_read


def test_each_ordered_unit_is_counted_until_the_order_is_complete():
    session = PackSession({"SOCK": 2, "CUP": 1})
    assert session.scan("SOCK", "x").remaining == 2
    session.scan("CUP", "y")
    assert session.scan("SOCK", "x").remaining == 0
    assert session.complete


@pytest.mark.parametrize("sku,code", [("CASE", "wrong_item"), (None, "unknown_code")])
def test_a_rejected_scan_changes_no_count(sku, code):
    session = PackSession({"SOCK": 1})
    with pytest.raises(ScanRejected) as rejected:
        session.scan(sku, "123")
    assert rejected.value.code == code
    assert session.scanned == {}


def test_one_more_than_ordered_is_an_over_scan():
    session = PackSession({"SOCK": 1})
    session.scan("SOCK", "x")
    with pytest.raises(ScanRejected, match="all 1 ordered"):
        session.scan("SOCK", "x")
    assert session.scanned == {"SOCK": 1}


def test_the_same_code_within_the_window_is_one_read():
    assert is_double_read("690", 1000, "690", 1120)
    assert not is_double_read("690", 1000, "690", 1400)  # a second unit, lifted and scanned
    assert not is_double_read("690", 1000, "691", 1050)  # another item


def test_the_filter_keeps_stations_apart():
    f = DoubleReadFilter(300)
    assert not f.is_double_read("PK-01", "690", 0)
    assert not f.is_double_read("PK-02", "690", 50)
    assert f.is_double_read("PK-01", "690", 100)
