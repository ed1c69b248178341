"""Scan-to-verify rules of a pack session, and the scanner double-read window."""

import pytest

from wms.domain.packing import DoubleReadFilter, PackSession, ScanRejected, is_double_read


def test_each_ordered_unit_is_counted_until_the_order_is_complete():
    session = PackSession({"SOCK": 2, "CUP": 1})
    first = session.scan("SOCK", "6901234567892")
    assert (first.sku, first.scanned, first.remaining) == ("SOCK", 1, 2)
    session.scan("CUP", "6930000000011")
    assert not session.complete
    last = session.scan("SOCK", "6901234567892")
    assert (last.scanned, last.remaining) == (2, 0)
    assert session.complete and session.missing() == {}


def test_missing_lists_what_is_still_to_scan_per_sku():
    session = PackSession({"SOCK": 3, "CUP": 1, "SHIRT": 1})
    session.scan("SOCK", "x")
    session.scan("SHIRT", "y")
    assert session.missing() == {"SOCK": 2, "CUP": 1}
    assert session.remaining == 3


def test_a_session_resumes_from_the_counts_already_scanned():
    session = PackSession({"SOCK": 2}, {"SOCK": 1})
    assert session.scan("SOCK", "x").remaining == 0


def test_an_item_not_on_the_order_is_a_wrong_item_and_changes_nothing():
    session = PackSession({"SOCK": 1})
    with pytest.raises(ScanRejected) as rejected:
        session.scan("CASE", "6940000000010")
    assert rejected.value.code == "wrong_item"
    assert "CASE" in rejected.value.message
    assert session.scanned == {} and session.remaining == 1


def test_a_code_no_sku_has_is_an_unknown_code_and_changes_nothing():
    session = PackSession({"SOCK": 1})
    with pytest.raises(ScanRejected) as rejected:
        session.scan(None, "1234567890128")
    assert rejected.value.code == "unknown_code"
    assert "1234567890128" in rejected.value.message
    assert session.scanned == {}


def test_one_more_than_ordered_is_an_over_scan_and_changes_nothing():
    session = PackSession({"SOCK": 1, "CUP": 1})
    session.scan("SOCK", "x")
    with pytest.raises(ScanRejected, match="all 1 ordered") as rejected:
        session.scan("SOCK", "x")
    assert rejected.value.code == "over_scan"
    assert session.scanned == {"SOCK": 1} and session.remaining == 1


def test_the_session_keeps_its_own_copy_of_the_counts():
    counts = {"SOCK": 0}
    session = PackSession({"SOCK": 1}, counts)
    session.scan("SOCK", "x")
    assert counts == {"SOCK": 0}


def test_the_same_code_within_the_window_is_one_read():
    assert is_double_read("6901234567892", 1000, "6901234567892", 1120)


def test_the_same_code_after_the_window_is_a_second_unit():
    assert not is_double_read("6901234567892", 1000, "6901234567892", 1300)  # exactly the window: a new unit
    assert not is_double_read("6901234567892", 1000, "6901234567892", 1650)


def test_another_code_right_after_is_another_item():
    assert not is_double_read("6901234567892", 1000, "6930000000011", 1050)


def test_a_clock_going_backwards_is_not_a_double_read():
    assert not is_double_read("690", 1000, "690", 900)


def test_the_first_read_is_never_a_double_read():
    assert not is_double_read(None, None, "690", 0)


def test_the_filter_keeps_stations_apart():
    f = DoubleReadFilter(300)
    assert not f.is_double_read("PK-01", "690", 0)
    assert not f.is_double_read("PK-02", "690", 50)
    assert f.is_double_read("PK-01", "690", 100)


def test_a_different_code_in_between_resets_the_window():
    f = DoubleReadFilter()
    assert not f.is_double_read("PK-01", "SOCK-CODE", 0)
    assert not f.is_double_read("PK-01", "CUP-CODE", 100)
    assert not f.is_double_read("PK-01", "SOCK-CODE", 200)


def test_a_code_held_in_the_beam_stays_one_unit_however_long():
    f = DoubleReadFilter(300)
    reads = [f.is_double_read("PK-01", "690", t) for t in range(0, 1500, 150)]  # repeats every 150 ms
    assert reads == [False] + [True] * 9


def test_a_packer_scanning_two_units_of_one_sku_gets_both_counted():
    f = DoubleReadFilter(300)
    assert not f.is_double_read("PK-01", "690", 0)
    assert f.is_double_read("PK-01", "690", 120)  # the scanner's own repeat
    assert not f.is_double_read("PK-01", "690", 900)  # the second unit, lifted into the beam


def test_forgetting_a_station_starts_it_afresh():
    f = DoubleReadFilter(300)
    f.is_double_read("PK-01", "690", 0)
    f.forget("PK-01")
    assert not f.is_double_read("PK-01", "690", 10)


def test_only_the_scanners_own_timestamps_prove_a_double_read():
    from wms.domain.packing import Read, proves_double_read

    first = Read("690", 1000, "scanner")
    assert proves_double_read(first, Read("690", 1120, "scanner"))
    assert not proves_double_read(first, Read("690", 1120, None)), "an API call without a source counts"
    assert not proves_double_read(first, Read("690", None, "scanner")), "no device time, no proof"
    assert not proves_double_read(Read("690", None, None), Read("690", 1120, "scanner"))
    assert not proves_double_read(first, Read("690", 1120, "manual")), "typed by hand: a unit"
    assert not proves_double_read(None, Read("690", 1120, "scanner"))
