"""Printer status through real protocol bytes, against small emulated printers that
answer DLE EOT (ESC/POS), ~HS (ZPL) and <ESC>!? (TSPL) over TCP or a pseudo-terminal."""

from __future__ import annotations

import os
import select
import socket
import threading
from dataclasses import dataclass

import pytest

from printing.printer import Printer
from printing.status import (
    Status,
    parse_escpos_status,
    parse_tspl_status,
    parse_zpl_host_status,
    printer_status,
)
from printing.transports import open_transport
from printing.transports.memory import MemoryTransport


@dataclass
class PrinterState:
    offline: bool = False
    paper_out: bool = False
    near_end: bool = False
    cover_open: bool = False
    paused: bool = False
    silent: bool = False


def escpos_reply(state: PrinterState, n: int) -> bytes:
    value = 0x12
    if n == 1:
        value |= 0x08 if state.offline else 0
    elif n == 2:
        value |= (0x04 if state.cover_open else 0) | (0x20 if state.paper_out else 0)
    elif n == 4:
        value |= (0x0C if state.near_end else 0) | (0x60 if state.paper_out else 0)
    return bytes([value])


def hs_reply(state: PrinterState) -> bytes:
    one = f"030,{int(state.paper_out)},{int(state.paused)},1199,000,0,0,0,000,0,0,0"
    two = f"001,0,{int(state.cover_open)},0,0,2,6,0,00000000,1,000"
    return b"".join(b"\x02" + s.encode() + b"\x03\r\n" for s in (one, two, "1234,0"))


def tspl_reply(state: PrinterState) -> bytes:
    return bytes([(0x01 if state.cover_open else 0) | (0x04 if state.paper_out else 0)
                  | (0x10 if state.paused else 0)])


def answer(state: PrinterState, buffer: bytearray) -> bytes:
    """Consume complete queries from `buffer`; return the replies a printer would send."""
    out = b""
    while True:
        if (i := buffer.find(b"\x10\x04")) >= 0 and len(buffer) > i + 2:
            out += escpos_reply(state, buffer[i + 2])
            del buffer[:i + 3]
        elif (i := buffer.find(b"~HS")) >= 0:
            out += hs_reply(state)
            del buffer[:i + 3]
        elif (i := buffer.find(b"\x1b!?")) >= 0:
            out += tspl_reply(state)
            del buffer[:i + 3]
        else:
            return b"" if state.silent else out


class TcpEmulator:
    def __init__(self, state: PrinterState) -> None:
        self.state = state
        self.server = socket.create_server(("127.0.0.1", 0))
        self.url = f"tcp://127.0.0.1:{self.server.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            buffer = bytearray()
            with conn:
                while chunk := conn.recv(4096):
                    buffer += chunk
                    if reply := answer(self.state, buffer):
                        conn.sendall(reply)

    def close(self) -> None:
        try:  # wakes the accept() in the server thread
            self.server.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.server.close()


class PtyEmulator:
    def __init__(self, state: PrinterState) -> None:
        self.state = state
        self.master, self.slave = os.openpty()
        self.path = os.ttyname(self.slave)
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        buffer = bytearray()
        while self.running:
            if select.select([self.master], [], [], 0.05)[0]:
                buffer += os.read(self.master, 4096)
                if reply := answer(self.state, buffer):
                    os.write(self.master, reply)

    def close(self) -> None:
        self.running = False
        self.thread.join(1)
        os.close(self.master)
        os.close(self.slave)


@pytest.fixture
def emulator():
    servers: list = []

    def start(kind: str = "tcp", **state) -> TcpEmulator | PtyEmulator:
        emu = TcpEmulator(PrinterState(**state)) if kind == "tcp" else PtyEmulator(
            PrinterState(**state))
        servers.append(emu)
        return emu

    yield start
    for emu in servers:
        emu.close()


def query(url: str, protocol: str, timeout: float = 1.0) -> Status:
    with open_transport(url, timeout=2) as transport:
        return printer_status(transport, protocol, timeout)


@pytest.mark.parametrize("protocol", ["escpos", "zpl", "tspl"])
def test_healthy_printer_is_ready(emulator, protocol):
    status = query(emulator().url, protocol)
    assert status.ready and status.known and status.online


@pytest.mark.parametrize("protocol", ["escpos", "zpl", "tspl"])
def test_paper_out_is_reported(emulator, protocol):
    status = query(emulator(paper_out=True).url, protocol)
    assert status.paper_out and not status.ready


@pytest.mark.parametrize("protocol", ["escpos", "zpl", "tspl"])
def test_open_cover_or_head_is_reported(emulator, protocol):
    status = query(emulator(cover_open=True).url, protocol)
    assert status.cover_open and not status.paper_out and not status.ready


def test_escpos_offline_and_paper_near_end(emulator):
    status = query(emulator(offline=True, near_end=True).url, "escpos")
    assert not status.online and status.paper_near_end and not status.paper_out


def test_zpl_paused_printer_is_online_but_not_ready(emulator):
    status = query(emulator(paused=True).url, "zpl")
    assert status.online and status.paused and not status.ready


def test_printer_that_does_not_answer_is_unknown_not_fine(emulator):
    status = query(emulator(silent=True).url, "escpos", timeout=0.2)
    assert not status.known and not status.online and not status.ready
    assert "no reply" in status.describe()


def test_serial_printer_status_over_a_pty(emulator, waybill):
    emu = emulator("pty", paper_out=True)
    with open_transport(f"serial://{emu.path}?baudrate=115200") as transport:
        printer = Printer("escpos", transport)
        assert printer.status().paper_out
        emu.state.paper_out = False
        assert printer.status().ready


def test_escpos_status_bytes_are_checked_for_their_fixed_bits():
    assert parse_escpos_status(0x12, 0x12, 0x12).ready
    assert parse_escpos_status(0x16, 0x32, 0x72).paper_out
    # 'A' (0x41) is not shaped 0xx1xx10: some other device answered, status unknown
    garbled = MemoryTransport("memory://garbled", replies=b"AAA")
    assert not printer_status(garbled, "escpos").known


def test_zpl_host_status_fields_from_the_manual():
    reply = (b"\x02030,1,0,1234,000,0,0,0,000,0,0,0\x03\r\n"
             b"\x02001,0,1,1,0,2,6,0,00000000,1,000\x03\r\n\x021234,0\x03\r\n")
    status = parse_zpl_host_status(reply)
    assert status.paper_out and status.cover_open and status.error  # ribbon out
    assert not status.paused


def test_tspl_status_byte_bits():
    assert parse_tspl_status(0x00).ready
    assert parse_tspl_status(0x40).cover_open
    assert parse_tspl_status(0x02).error  # paper jam


def test_label_then_status_on_the_projects_escpos_printer_emulator(waybill):
    """Interop with scanners/emulators: it skips our raster by length and answers DLE EOT."""
    emulators = pytest.importorskip("scanners.emulators")
    emu = emulators.EscPosPrinter(paper_near_end=True).start()
    try:
        with open_transport(emu.path) as transport:
            printer = Printer("escpos", transport)
            data = printer.print(waybill)
            assert emu.wait_received(len(data), timeout=5)
            status = printer.status()
        assert status.online and status.paper_near_end and not status.paper_out
        assert emu.received[:len(data)] == data
    finally:
        emu.close()
