"""Serial printers through pyserial: device paths, serial://path?baudrate=..., pyserial URLs."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qsl

import serial

from printing.transports.base import Transport, TransportError

_SETTINGS: dict[str, Callable[[str], object]] = {
    "baudrate": int,
    "bytesize": int,
    "parity": str,
    "stopbits": float,
    "rtscts": lambda v: v.lower() in ("1", "true", "yes", "on"),
    "xonxoff": lambda v: v.lower() in ("1", "true", "yes", "on"),
    "dsrdtr": lambda v: v.lower() in ("1", "true", "yes", "on"),
}
DEFAULT_BAUDRATE = 9600  # the factory setting of most thermal printers' serial ports


def parse_serial_url(url: str) -> tuple[str, dict]:
    """(what to give serial_for_url, port settings). `serial://` is ours, not pyserial's:
    strip it and read the settings from the query; other URLs pass through unchanged."""
    if url.lower().startswith("serial://"):
        url = url[len("serial://"):]
    elif "://" in url:
        return url, {}
    path, _, query = url.partition("?")
    settings: dict = {"baudrate": DEFAULT_BAUDRATE}
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key not in _SETTINGS:
            raise TransportError(f"serial setting {key!r} is not one of {', '.join(_SETTINGS)}")
        try:
            settings[key] = _SETTINGS[key](value)
        except ValueError:
            raise TransportError(f"serial setting {key}={value!r} is not valid") from None
    if settings.get("stopbits") in (1.0, 2.0):
        settings["stopbits"] = int(settings["stopbits"])
    if not path:
        raise TransportError(f"{url!r}: no serial device path")
    return path, settings


class SerialTransport(Transport):
    can_read = True

    def __init__(self, url: str, timeout: float = 5.0) -> None:
        self.url = url
        target, settings = parse_serial_url(url)
        try:
            self.port = serial.serial_for_url(target, timeout=timeout, write_timeout=timeout,
                                              **settings)
        except (serial.SerialException, ValueError, OSError) as exc:
            raise TransportError(f"cannot open serial printer {url}: {exc}") from None

    def write(self, data: bytes) -> None:
        try:
            self.port.write(data)
            self.port.flush()
        except (serial.SerialException, OSError) as exc:
            raise TransportError(f"{self.url}: write failed: {exc}") from None

    def read(self, n: int, timeout: float = 1.0) -> bytes:
        self.port.timeout = timeout
        try:
            return self.port.read(n)
        except (serial.SerialException, OSError) as exc:
            raise TransportError(f"{self.url}: read failed: {exc}") from None

    def close(self) -> None:
        self.port.close()
