"""Transports move bytes to real endpoints: a TCP listener, a pseudo-terminal, files, loop://."""

from __future__ import annotations

import pytest
from conftest import PRINTED_AT
from label_decoders import decode_escpos

from printing.printer import Printer, print_label
from printing.render import render_label
from printing.transports import JobCutOff, TransportError, open_transport
from printing.transports.memory import sent
from printing.transports.serial import parse_serial_url


def test_tcp_printer_receives_the_label(tcp_printer, waybill):
    data = print_label(waybill, "escpos", url=tcp_printer.url, printed_at=PRINTED_AT)
    assert tcp_printer.wait_job() == data
    expected = render_label(waybill, "escpos", printed_at=PRINTED_AT).bitmap
    job = decode_escpos(tcp_printer.jobs[0])
    assert job.image.crop((0, 0, *expected.size)).tobytes() == expected.tobytes()


@pytest.mark.parametrize("form", ["path", "serial-url"])
def test_serial_printer_on_a_pty_receives_the_label(pty_printer, waybill, form):
    url = pty_printer.path if form == "path" else f"serial://{pty_printer.path}?baudrate=115200"
    data = print_label(waybill, "escpos", url=url, printed_at=PRINTED_AT)
    assert pty_printer.wait_for(len(data)) == data
    assert decode_escpos(bytes(pty_printer.received)).commands[0] == "ESC @"


def test_serial_url_settings_are_read_from_the_query():
    assert parse_serial_url("serial:///dev/ttyS1?baudrate=115200&rtscts=1") == (
        "/dev/ttyS1", {"baudrate": 115200, "rtscts": True})
    assert parse_serial_url("socket://10.0.0.5:4000") == ("socket://10.0.0.5:4000", {})
    with pytest.raises(TransportError, match="speed"):
        parse_serial_url("serial:///dev/ttyS1?speed=9600")


def test_loop_url_echoes_what_was_written():
    with open_transport("loop://") as port:
        port.write(b"\x1b@hello")
        assert port.read(7, timeout=1) == b"\x1b@hello"


def test_file_url_writes_the_stream(tmp_path, waybill):
    target = tmp_path / "label.zpl"
    data = print_label(waybill, "zpl", url=f"file://{target}", printed_at=PRINTED_AT)
    assert target.read_bytes() == data
    assert data.startswith(b"^XA")


def test_memory_printer_keeps_the_bytes(waybill):
    with open_transport("memory://desk-7") as transport:
        Printer("tspl", transport).print(waybill, PRINTED_AT)
    assert sent("desk-7").startswith(b"SIZE 100 mm,150 mm")


@pytest.mark.parametrize("url", ["lpd://printer/queue", "ftp://x", "printer-1", ""])
def test_unknown_printer_address_is_refused_clearly(url):
    with pytest.raises(TransportError) as caught:
        open_transport(url)
    assert "tcp://host:9100" in str(caught.value) or "empty" in str(caught.value)


def test_unreachable_tcp_printer_is_a_transport_error(tcp_printer):
    port = tcp_printer.port
    tcp_printer.close()
    with pytest.raises(TransportError, match="cannot connect"):
        open_transport(f"tcp://127.0.0.1:{port}", timeout=1)


@pytest.mark.parametrize("fmt", ["escpos", "zpl"])
def test_a_printer_switched_off_mid_label_is_a_cut_off_job_not_a_printed_one(tcp_printer, waybill, fmt):
    """It reads half the label and drops the connection: every byte had left our side by then
    (the kernel buffers a whole label), so only waiting for the printer's end tells."""
    data = render_label(waybill, fmt, printed_at=PRINTED_AT).data
    tcp_printer.vanish_after = len(data) // 2
    with pytest.raises(JobCutOff, match="before taking the whole job|went away after"):
        print_label(waybill, fmt, url=tcp_printer.url, printed_at=PRINTED_AT)
    assert tcp_printer.wait_until(lambda: tcp_printer.partial)
    assert tcp_printer.jobs == [] and len(tcp_printer.partial[0]) == len(data) // 2


def test_missing_serial_device_is_a_transport_error():
    with pytest.raises(TransportError, match="/dev/ttyNOPE9"):
        open_transport("/dev/ttyNOPE9")
