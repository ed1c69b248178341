"""Transports move bytes to a printer and back; they know nothing about labels.

`open_transport(url)` picks one from the URL:

- serial printers, through pyserial: a device path (`/dev/ttyUSB0`, `COM3`),
  `serial:///dev/ttyS1?baudrate=115200` (settings as query parameters), or any pyserial
  URL (`socket://host:port`, `rfc2217://host:port`, `loop://`, `spy://...`);
- `tcp://host:9100`: a raw network printer (JetDirect / port 9100);
- `file:///path`: a file, or a device node such as /dev/usb/lp0;
- `memory://name`: kept in memory, for tests and demos.

A renderer is composed with a transport (`printing.printer.Printer`), never inherited.
"""

from __future__ import annotations

import re

from printing.transports.base import JobCutOff, Transport, TransportError
from printing.transports.file import FileTransport
from printing.transports.memory import MemoryTransport
from printing.transports.serial import SerialTransport
from printing.transports.tcp import TcpTransport

PYSERIAL_SCHEMES = ("socket", "rfc2217", "loop", "spy", "hwgrep", "alt", "cp2110")
SCHEMES = ("serial", "tcp", "file", "memory", *PYSERIAL_SCHEMES)
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


def open_transport(url: str, timeout: float = 5.0) -> Transport:
    """Open the printer at `url`; TransportError for an unknown scheme or a failed open."""
    url = url.strip()
    match = _SCHEME.match(url)
    scheme = match.group(1).lower() if match else ""
    if scheme == "tcp":
        return TcpTransport(url, timeout=timeout)
    if scheme == "file":
        return FileTransport(url)
    if scheme == "memory":
        return MemoryTransport(url)
    if scheme == "serial" or scheme in PYSERIAL_SCHEMES or (
        not scheme and (url.startswith("/") or re.match(r"^COM\d+$", url, re.I))
    ):
        return SerialTransport(url, timeout=timeout)
    if not url:
        raise TransportError("printer URL is empty")
    shown = f"scheme {scheme}://" if scheme else f"printer address {url!r}"
    raise TransportError(
        f"unknown {shown}; use a device path (/dev/ttyUSB0), serial://, socket://, "
        "rfc2217://, loop://, tcp://host:9100, file:///path or memory://"
    )


__all__ = ["SCHEMES", "JobCutOff", "Transport", "TransportError", "open_transport"]
