"""Interpreting what a scanner sends."""

import pytest

from wms.domain.codes import gtin_check_digit, interpret, is_valid_gtin, normalise_gtin


@pytest.mark.parametrize("code", ["6901234567892", "036000291452", "96385074", "09506000134352"])
def test_retail_barcodes_with_a_right_check_digit_are_gtins(code):
    scanned = interpret(code)
    assert scanned.kind == "gtin"
    assert scanned.gtin == code.zfill(14)


def test_a_wrong_check_digit_is_invalid_and_says_the_right_one():
    scanned = interpret("6901234567891")
    assert scanned.kind == "invalid"
    assert "should be 2" in scanned.error


def test_upc_a_and_its_ean_13_form_match():
    assert normalise_gtin("036000291452") == normalise_gtin("0036000291452")


def test_the_check_digit_follows_gs1_mod_10():
    assert gtin_check_digit("690123456789") == 2
    assert is_valid_gtin("96385074") and not is_valid_gtin("96385075")


def test_a_gs1_128_scan_with_aim_prefix_and_fnc1_gives_gtin_lot_and_serial():
    scanned = interpret("]C10109506000134352" + "10ABC123" + "\x1d" + "21XYZ")
    assert (scanned.kind, scanned.gtin, scanned.lot, scanned.serial) == ("gs1", "09506000134352", "ABC123", "XYZ")


def test_the_human_readable_gs1_form_is_parsed_with_expiry():
    scanned = interpret("(01)09506000134352(17)261231(10)L1")
    assert scanned.kind == "gs1" and scanned.expiry == "2026-12-31" and scanned.lot == "L1"


def test_an_aim_ean_prefix_is_stripped():
    assert interpret("]E06901234567892").gtin == "06901234567892"


@pytest.mark.parametrize("raw,kind", [("A03-17-2", "bin"), ("a03-17-2", "bin"), ("TOTE-W20261122-001-01-02", "tote"),
                                      ("AS000123", "case"), ("PL-W0001-01", "picklist"),
                                      ("TB20261122000123", "text"), ("  \r\n", "invalid")])
def test_our_own_codes_are_told_apart(raw, kind):
    assert interpret(raw).kind == kind
