"""Interpreting what a scanner sends: retail barcodes, GS1 element strings, our own labels."""

import pytest

from wms.domain.codes import expand_upc_e, gtin_check_digit, interpret, is_valid_gtin, normalise_gtin


@pytest.mark.parametrize("code", ["6901234567892", "036000291452", "96385074", "09506000134352",
                                  "4006381333931"])
def test_retail_barcodes_with_a_right_check_digit_are_gtins(code):
    scanned = interpret(code)
    assert scanned.kind == "gtin"
    assert scanned.value == code
    assert scanned.gtin == code.zfill(14)
    assert scanned.error is None


@pytest.mark.parametrize("code,right", [("6901234567891", 2), ("036000291453", 2), ("96385075", 4),
                                        ("09506000134353", 2)])
def test_a_wrong_check_digit_is_invalid_and_says_the_right_one(code, right):
    scanned = interpret(code)
    assert scanned.kind == "invalid"
    assert scanned.gtin is None
    assert f"check digit should be {right}" in scanned.error


def test_the_check_digit_follows_gs1_mod_10():
    assert gtin_check_digit("690123456789") == 2
    assert gtin_check_digit("03600029145") == 2
    assert gtin_check_digit("9638507") == 4
    assert is_valid_gtin("96385074") and not is_valid_gtin("96385075")


@pytest.mark.parametrize("code", ["", "123", "69012345678", "690123456789a", "123456789012345"])
def test_only_8_12_13_or_14_digits_can_be_a_gtin(code):
    assert not is_valid_gtin(code)


def test_upc_a_ean_13_and_gtin_14_of_one_item_normalise_alike():
    assert normalise_gtin("036000291452") == normalise_gtin("0036000291452") == "00036000291452"
    assert normalise_gtin("96385074") == "00000096385074"


def test_normalising_something_that_is_not_a_gtin_is_refused():
    with pytest.raises(ValueError):
        normalise_gtin("TB123")


def test_a_zero_suppressed_upc_e_is_read_as_its_upc_a():
    assert expand_upc_e("04252614") == "042100005264"
    scanned = interpret("04252614")
    assert scanned.kind == "gtin" and scanned.gtin == "00042100005264"


@pytest.mark.parametrize("raw,gtin", [("]E06901234567892", "06901234567892"), ("]E496385074", "00000096385074"),
                                      ("  6901234567892\r\n", "06901234567892")])
def test_aim_prefixes_and_whitespace_are_stripped(raw, gtin):
    scanned = interpret(raw)
    assert scanned.kind == "gtin" and scanned.gtin == gtin


def test_an_ean_13_with_a_two_digit_add_on_is_read_as_the_ean_13():
    assert interpret("]E3977123456700312").gtin == "09771234567003"


def test_the_human_readable_gs1_form_gives_gtin_lot_and_serial():
    scanned = interpret("(01)09506000134352(10)ABC123(21)XYZ")
    assert (scanned.kind, scanned.gtin, scanned.lot, scanned.serial) == ("gs1", "09506000134352", "ABC123", "XYZ")
    assert scanned.value == "(01)09506000134352(10)ABC123(21)XYZ"


def test_a_gs1_128_scan_with_aim_prefix_and_fnc1_gives_gtin_lot_and_serial():
    scanned = interpret("]C10109506000134352" + "10ABC123" + "\x1d" + "21XYZ")
    assert (scanned.kind, scanned.gtin, scanned.lot, scanned.serial) == ("gs1", "09506000134352", "ABC123", "XYZ")
    assert scanned.value == "(01)09506000134352(10)ABC123(21)XYZ"


def test_a_gs1_datamatrix_gives_the_expiry_as_a_date():
    scanned = interpret("]d2" + "0109506000134352" + "17261231" + "10L1")
    assert (scanned.kind, scanned.expiry, scanned.lot) == ("gs1", "2026-12-31", "L1")


def test_an_expiry_day_of_00_means_the_end_of_the_month():
    assert interpret("(01)09506000134352(17)270200").expiry == "2027-02-28"


def test_a_gs1_qr_code_with_aim_prefix_is_parsed():
    assert interpret("]Q3" + "0109506000134352" + "21SN0042").serial == "SN0042"


def test_a_gs1_128_read_without_aim_prefix_is_still_recognised():
    scanned = interpret("0109506000134352" + "10LOT7")
    assert (scanned.kind, scanned.gtin, scanned.lot) == ("gs1", "09506000134352", "LOT7")


def test_a_gs1_digital_link_in_a_qr_code_is_parsed():
    scanned = interpret("https://id.gs1.org/01/09506000134352/10/ABC123?17=261231")
    assert (scanned.kind, scanned.gtin, scanned.lot, scanned.expiry) == ("gs1", "09506000134352", "ABC123",
                                                                         "2026-12-31")


def test_a_gs1_string_whose_gtin_has_a_wrong_check_digit_is_invalid():
    scanned = interpret("(01)09506000134353(10)ABC123")
    assert scanned.kind == "invalid" and "check digit should be 2" in scanned.error


@pytest.mark.parametrize("raw", ["]C1garbage", "(01)123", "(99"])
def test_a_garbled_gs1_scan_is_invalid_not_text(raw):
    scanned = interpret(raw)
    assert scanned.kind == "invalid" and scanned.error


@pytest.mark.parametrize("raw,kind,value", [
    ("A01-01-1", "bin", "A01-01-1"),
    ("a12-34-5", "bin", "A12-34-5"),
    ("TOTE-0001", "tote", "TOTE-0001"),
    ("tote-000123", "tote", "TOTE-000123"),
    ("TOTE-W20261122-001-01-02", "tote", "TOTE-W20261122-001-01-02"),
    ("AS000123", "case", "AS000123"),
    ("PL-W0001-01", "picklist", "PL-W0001-01"),
    ("TB20261122000123", "text", "TB20261122000123"),
    ("SHIRT-BLU-L", "text", "SHIRT-BLU-L"),
    ("T0001", "text", "T0001"),
    ("A1-01-1", "text", "A1-01-1"),
    ("AS123", "text", "AS123"),
    ("3925871234567890123", "text", "3925871234567890123"),
])
def test_our_own_codes_are_told_apart_and_everything_else_is_text(raw, kind, value):
    scanned = interpret(raw)
    assert (scanned.kind, scanned.value) == (kind, value)


@pytest.mark.parametrize("raw", ["", "  \r\n", "]C1", "\x1d"])
def test_an_empty_scan_is_invalid(raw):
    scanned = interpret(raw)
    assert scanned.kind == "invalid" and scanned.error == "empty scan"


def test_the_raw_scan_is_kept_as_it_came():
    raw = "]C10109506000134352\r\n"
    assert interpret(raw).raw == raw


def test_no_input_makes_interpret_raise():
    odd = ["(", ")", "]", "]]]", "(01)", "(01)(10)", "\x1d\x1d01", "https://", "https://id.gs1.org/01/",
           "0" * 40, "01" + "9" * 30, "😀", "PL-", "TOTE-"]
    for raw in odd:
        assert interpret(raw).kind in ("invalid", "text", "gs1", "gtin")
