"""A printer = a renderer (format, size, dpi) composed with a transport.

`print_label` is the one-call path the CLI and the print queue use: it validates and
renders the whole label first and only then opens the printer, so a bad waybill never
puts half a job (or anything at all) on the wire.
"""

from __future__ import annotations

from datetime import datetime

from printing.render import render
from printing.sizes import (
    DEFAULT_DPI,
    DEFAULT_SIZE,
    check_dpi,
    check_format,
    check_size,
)
from printing.status import Status, printer_status
from printing.transports import Transport, open_transport
from printing.waybill import Waybill

STATUS_PROTOCOL = {"escpos": "escpos", "zpl": "zpl", "tspl": "tspl"}


class Printer:
    """Prints waybills in one format/size/dpi through an open transport."""

    def __init__(self, format: str, transport: Transport, size: str = DEFAULT_SIZE,
                 dpi: int = DEFAULT_DPI) -> None:
        self.transport = transport
        self.format = check_format(format)
        check_size(size)
        self.size = size
        self.dpi = check_dpi(dpi)

    def render(self, waybill: Waybill, printed_at: datetime | None = None) -> bytes:
        return render(waybill, self.format, self.size, self.dpi, printed_at)

    def print(self, waybill: Waybill, printed_at: datetime | None = None) -> bytes:
        """Render, then send; returns the bytes sent."""
        data = self.render(waybill, printed_at)
        self.transport.write(data)
        return data

    def status(self, timeout: float = 1.0) -> Status:
        protocol = STATUS_PROTOCOL.get(self.format)
        if protocol is None:
            raise ValueError(f"{self.format} is a file format; a printer has no status for it")
        return printer_status(self.transport, protocol, timeout)


def print_label(waybill: Waybill | dict, format: str = "escpos", size: str = DEFAULT_SIZE,
                dpi: int = DEFAULT_DPI, url: str = "", printed_at: datetime | None = None,
                timeout: float = 5.0) -> bytes:
    """Validate and render the label fully, then open `url`, send it, close. Returns the
    bytes sent. WaybillError (bad input, nothing opened) or TransportError (printer)."""
    if isinstance(waybill, dict):
        waybill = Waybill.from_dict(waybill)
    data = render(waybill, format, size, dpi, printed_at)
    with open_transport(url, timeout=timeout) as transport:
        transport.write(data)
        transport.finish(timeout)
    return data
