import pytest

from scanners.scanner import MAX_SCAN, ScanFramer, symbology_for_aim


def codes(scans):
    return [s.code for s in scans]


@pytest.mark.parametrize("terminator", [b"\r", b"\n", b"\r\n"])
def test_each_terminator_ends_exactly_one_scan(terminator):
    framer = ScanFramer()
    assert codes(framer.feed(b"6901234567892" + terminator + b"ABC-1" + terminator)) == [
        "6901234567892",
        "ABC-1",
    ]


def test_cr_lf_split_across_reads_gives_no_empty_scan():
    framer = ScanFramer()
    assert codes(framer.feed(b"123\r")) == ["123"]
    assert codes(framer.feed(b"\n456\r")) == ["456"]
    assert codes(framer.feed(b"\n")) == []


def test_partial_scan_waits_for_its_terminator():
    framer = ScanFramer()
    assert framer.feed(b"69012") == []
    assert codes(framer.feed(b"34567892\r")) == ["6901234567892"]


def test_gs1_128_aim_id_is_parsed_and_gs_separators_kept():
    scan = ScanFramer().feed(b"]C1010690123456789210ABC123\x1d17261231\r")[0]
    assert scan.code == "010690123456789210ABC123\x1d17261231"
    assert (scan.aim, scan.symbology, scan.is_gs1) == ("]C1", "gs1-128", True)


@pytest.mark.parametrize("aim, symbology", [("]E0", "ean13"), ("]E4", "ean8"),
                                            ("]d2", "gs1-datamatrix"), ("]Q1", "qr"),
                                            ("]C0", "code128"), ("]A0", "code39")])
def test_aim_ids_map_to_symbologies(aim, symbology):
    assert symbology_for_aim(aim) == symbology
    scan = ScanFramer().feed(aim.encode() + b"12345670\r")[0]
    assert (scan.code, scan.aim, scan.symbology) == ("12345670", aim, symbology)


def test_scans_without_aim_id_have_no_symbology():
    scan = ScanFramer().feed(b"SF1400012345678\r")[0]
    assert (scan.code, scan.aim, scan.symbology) == ("SF1400012345678", None, None)


def test_aim_ids_off_keeps_a_leading_bracket_as_data():
    assert codes(ScanFramer(aim_ids=False).feed(b"]C1ABC\r")) == ["]C1ABC"]


def test_auto_mode_only_takes_known_code_characters():
    assert codes(ScanFramer(aim_ids="auto").feed(b"]Zx99\r")) == ["]Zx99"]
    scan = ScanFramer(aim_ids=True).feed(b"]Zx99\r")[0]
    assert (scan.code, scan.aim, scan.symbology) == ("99", "]Zx", None)


def test_prefix_and_suffix_are_stripped_around_the_aim_id():
    framer = ScanFramer(prefix="\x02", suffix="#END")
    scan = framer.feed(b"\x02]E06901234567892#END\r\n")[0]
    assert (scan.code, scan.symbology) == ("6901234567892", "ean13")


def test_utf8_qr_content_is_decoded():
    scan = ScanFramer().feed("]Q1退货单 R-88\r".encode())[0]
    assert scan.code == "退货单 R-88"


def test_idle_flush_delivers_a_scan_without_terminator():
    framer = ScanFramer(idle_flush=0.1)
    assert framer.feed(b"ABC123", now=100.0) == []
    assert framer.flush_if_idle(now=100.05) is None
    assert framer.flush_if_idle(now=100.2).code == "ABC123"
    assert framer.flush_if_idle(now=100.3) is None


def test_a_flood_without_terminator_is_dropped_whole():
    framer = ScanFramer()
    assert framer.feed(b"x" * (MAX_SCAN + 10)) == []
    assert codes(framer.feed(b"tail\rGOOD\r")) == ["GOOD"]
