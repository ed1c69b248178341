"""The emulated ESC/POS printer, driven through pyserial like a real serial printer."""

import pytest

from scanners.emulators import EscPosPrinter
from scanners.ports import open_port

DLE_EOT = b"\x10\x04"


def ask_status(port, n):
    port.write(DLE_EOT + bytes([n]))
    port.timeout = 2
    return port.read(1)


@pytest.fixture
def printer_and_port():
    printer = EscPosPrinter().start()
    port = open_port(printer.path)
    yield printer, port
    port.close()
    printer.close()


def test_collects_every_byte_it_is_sent(printer_and_port):
    printer, port = printer_and_port
    job = b"\x1b@" + "顺丰 SF1400012345678\n".encode("gb18030") + b"\x1dVA\x10"
    port.write(job)
    assert printer.wait_received(len(job), timeout=5)
    assert printer.received == job


def test_ready_printer_reports_online_with_paper(printer_and_port):
    printer, port = printer_and_port
    assert ask_status(port, 1) == b"\x12"
    assert ask_status(port, 2) == b"\x12"
    assert ask_status(port, 4) == b"\x12"


def test_paper_out_shows_in_offline_cause_and_roll_sensor(printer_and_port):
    printer, port = printer_and_port
    printer.paper_out = True
    assert ask_status(port, 1)[0] & 0x08  # offline
    assert ask_status(port, 2)[0] & 0x20  # stopped by paper end
    assert ask_status(port, 4)[0] & 0x60 == 0x60  # roll paper end


def test_cover_open_and_offline_flags(printer_and_port):
    printer, port = printer_and_port
    printer.cover_open = True
    assert ask_status(port, 2)[0] & 0x04
    printer.cover_open = False
    printer.offline = True
    assert ask_status(port, 1) == b"\x1a"


def test_status_bytes_inside_raster_data_are_not_answered(printer_and_port):
    printer, port = printer_and_port
    width_bytes, height = 4, 2
    image = b"\x10\x04\x01\x00" + b"\x10\x04\x04\x00"  # looks like two status requests
    raster = b"\x1dv0\x00" + bytes([width_bytes, 0, height, 0]) + image
    port.write(raster + DLE_EOT + b"\x02")
    assert printer.wait_received(len(raster) + 3, timeout=5)
    port.timeout = 2
    assert port.read(1) == b"\x12"
    port.timeout = 0.2
    assert port.read(1) == b""
    assert printer.status_queries == [2]


def test_a_powered_off_printer_does_not_answer(printer_and_port):
    printer, port = printer_and_port
    printer.mute()
    port.write(DLE_EOT + b"\x01")
    port.timeout = 0.3
    assert port.read(1) == b""


def test_printer_over_tcp_like_a_network_printer():
    with EscPosPrinter(transport="tcp") as printer:
        port = open_port(printer.path)
        try:
            assert ask_status(port, 1) == b"\x12"
        finally:
            port.close()
