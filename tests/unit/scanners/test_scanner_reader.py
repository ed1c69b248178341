"""ScannerReader against an emulated serial scanner on a pty (and over TCP)."""

import threading

import pytest

from scanners.emulators import SerialScanner
from scanners.errors import DeviceTimeout
from scanners.scanner import ScannerReader

GS1_CODE = "0106901234567892\x1d10LOT42\x1d17261231"


def test_scans_arrive_in_order_with_symbology_and_gs_kept():
    with SerialScanner() as scanner, ScannerReader(scanner.path) as reader:
        assert reader.wait_connected(5)
        scanner.emit("6901234567892", aim="]E0")
        scanner.emit(GS1_CODE, aim="]d2")
        scanner.emit("SF1400012345678")
        first, second, third = reader.get(5), reader.get(5), reader.get(5)
    assert (first.code, first.symbology) == ("6901234567892", "ean13")
    assert (second.code, second.symbology, second.aim) == (GS1_CODE, "gs1-datamatrix", "]d2")
    assert (third.code, third.aim) == ("SF1400012345678", None)


def test_cr_lf_terminated_scans_give_no_empty_scans():
    with SerialScanner(terminator=b"\r\n") as scanner, ScannerReader(scanner.path) as reader:
        assert reader.wait_connected(5)
        for code in ("A1", "B2", "C3"):
            scanner.emit(code)
        assert [reader.get(5).code for _ in range(3)] == ["A1", "B2", "C3"]


def test_configured_prefix_and_suffix_are_stripped():
    with SerialScanner(prefix="\x02", suffix="\x03", terminator=b"\n") as scanner:
        with ScannerReader(scanner.path, prefix="\x02", suffix="\x03") as reader:
            assert reader.wait_connected(5)
            scanner.emit("TB20261122000123", aim="]C0")
            scan = reader.get(5)
    assert (scan.code, scan.symbology) == ("TB20261122000123", "code128")


def test_callback_receives_scans_and_stop_ends_the_thread():
    got = []
    arrived = threading.Event()

    def on_scan(scan):
        got.append(scan.code)
        arrived.set()

    with SerialScanner() as scanner:
        reader = ScannerReader(scanner.path, on_scan=on_scan).start()
        assert reader.wait_connected(5)
        scanner.emit("HELLO")
        assert arrived.wait(5)
        thread = reader._thread
        reader.stop()
        assert thread is not None and not thread.is_alive()
        assert not reader.connected
    assert got == ["HELLO"]


def test_get_times_out_when_nothing_is_scanned():
    with SerialScanner() as scanner, ScannerReader(scanner.path) as reader:
        assert reader.wait_connected(5)
        with pytest.raises(DeviceTimeout):
            reader.get(0.2)


def test_first_scan_after_unplug_and_replug_is_delivered(tmp_path):
    link = tmp_path / "scanner"  # like /dev/serial/by-id/...: repointed at the new pty
    statuses = []
    with SerialScanner(link=link) as scanner:
        with ScannerReader(str(link), on_status=lambda c, e: statuses.append(c),
                           retry_interval=0.05) as reader:
            assert reader.wait_connected(5)
            scanner.emit("BEFORE")
            assert reader.get(5).code == "BEFORE"
            old_tty = scanner.tty_path
            scanner.unplug()
            assert reader.wait_disconnected(5)
            scanner.replug()
            assert reader.wait_connected(5)
            scanner.emit("AFTER", aim="]C1")
            scan = reader.get(5)
    assert (scan.code, scan.symbology) == ("AFTER", "gs1-128")
    changes = [c for i, c in enumerate(statuses) if i == 0 or statuses[i - 1] != c]
    assert changes == [True, False, True, False]  # the last: stop() closed the port
    assert old_tty is not None


def test_reconnects_over_tcp_after_the_link_drops():
    with SerialScanner(transport="tcp") as scanner:
        with ScannerReader(scanner.path, retry_interval=0.05) as reader:
            assert reader.wait_connected(5)
            scanner.unplug()
            assert reader.wait_disconnected(5)
            scanner.replug()
            assert reader.wait_connected(5)
            assert scanner.wait_client(5)  # the emulator has accepted the new connection
            scanner.emit("TCP-AFTER")
            assert reader.get(5).code == "TCP-AFTER"


def test_reader_started_before_the_scanner_is_plugged_in_connects_when_it_appears(tmp_path):
    link = tmp_path / "scanner"
    errors = []
    reader = ScannerReader(str(link), on_status=lambda c, e: errors.append(e), retry_interval=0.05)
    with reader:
        assert not reader.wait_connected(0.2)
        assert errors and "cannot open port" in errors[0]
        with SerialScanner(link=link) as scanner:
            assert reader.wait_connected(5)
            scanner.emit("LATE")
            assert reader.get(5).code == "LATE"
