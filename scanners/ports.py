"""Opening serial devices by path or URL, and a port wrapper that turns I/O failures
into `DeviceDisconnected` so drivers can reconnect.

Accepted port names:

- a device path: `/dev/ttyUSB0`, `/dev/serial/by-id/...`, a pty like `/dev/pts/5`,
  or any symlink to one;
- any pyserial URL: `socket://host:port`, `rfc2217://host:port`, `loop://`, ...;
- `serial:///dev/ttyS1?baudrate=115200&parity=E&bytesize=7`: a device path with line
  settings in the query (as used in the waybill-printing contract).

Line settings given in the URL override the keyword defaults.
"""

from __future__ import annotations

import os
import time
from urllib.parse import parse_qs, urlsplit

import serial

try:  # termios.error is not an OSError; tcflush on a vanished tty raises it
    from termios import error as _TermiosError
except ImportError:  # pragma: no cover - not on POSIX
    class _TermiosError(Exception):  # type: ignore[no-redef]
        pass

IO_ERRORS = (serial.SerialException, OSError, _TermiosError)
from scanners.errors import DeviceDisconnected, PortOpenError

DEFAULT_BAUDRATE = 9600
POLL_INTERVAL = 0.05  # longest a blocked read waits before checking deadlines/stop flags

_PARITIES = {"N": serial.PARITY_NONE, "E": serial.PARITY_EVEN, "O": serial.PARITY_ODD,
             "M": serial.PARITY_MARK, "S": serial.PARITY_SPACE}


def _settings_from_query(query: str) -> dict[str, object]:
    settings: dict[str, object] = {}
    for key, values in parse_qs(query).items():
        value = values[-1]
        if key == "baudrate":
            settings["baudrate"] = int(value)
        elif key == "bytesize":
            settings["bytesize"] = int(value)
        elif key == "parity":
            if value.upper()[:1] not in _PARITIES:
                raise ValueError(f"unknown parity {value!r}")
            settings["parity"] = _PARITIES[value.upper()[:1]]
        elif key == "stopbits":
            settings["stopbits"] = float(value) if value == "1.5" else int(value)
        elif key in ("rtscts", "xonxoff", "dsrdtr"):
            settings[key] = value.lower() in ("1", "true", "yes", "on")
        else:
            raise ValueError(f"unknown serial setting {key!r}")
    return settings


def open_port(url: str, *, baudrate: int = DEFAULT_BAUDRATE, timeout: float = POLL_INTERVAL,
              **settings: object) -> serial.SerialBase:
    """Open `url` (device path or URL, see module doc) and return the pyserial port.

    Raises PortOpenError with the port name and the reason when it cannot be opened.
    """
    target = url
    options: dict[str, object] = {"baudrate": baudrate, **settings}
    try:
        if url.startswith("serial://"):
            parts = urlsplit(url)
            target = parts.path or parts.netloc
            options.update(_settings_from_query(parts.query))
        port = serial.serial_for_url(target, do_not_open=True)
        for key, value in options.items():
            setattr(port, key, value)
        port.timeout = timeout
        port.write_timeout = max(timeout, 1.0)
        port.open()
    except (*IO_ERRORS, ValueError) as exc:
        code = getattr(exc, "errno", None)
        reason = os.strerror(code) if isinstance(code, int) else (str(exc) or type(exc).__name__)
        echo = f"could not open port {target}: "
        if reason.lower().startswith(echo.lower()):  # pyserial repeats the port name
            reason = reason[len(echo):]
        raise PortOpenError(f"cannot open port {url}: {reason}") from exc
    return port


class SerialLink:
    """One device port, opened on demand, with failures reported as DeviceDisconnected.

    Any pyserial or OS error during I/O closes the port; the next call reopens it, so
    a driver recovers by itself once the device is back.
    """

    def __init__(self, url: str, **settings: object) -> None:
        self.url = url
        self.settings = settings
        self._port: serial.SerialBase | None = None

    @property
    def is_open(self) -> bool:
        return self._port is not None

    def open(self) -> None:
        """Open the port if it is not open yet (PortOpenError if impossible)."""
        if self._port is None:
            self._port = open_port(self.url, **self.settings)

    def close(self) -> None:
        port, self._port = self._port, None
        if port is not None:
            try:
                port.close()
            except IO_ERRORS:
                pass

    def _lost(self, exc: BaseException) -> DeviceDisconnected:
        self.close()
        return DeviceDisconnected(f"device on {self.url} disconnected: {exc}")

    def write(self, data: bytes) -> None:
        self.open()
        assert self._port is not None
        try:
            self._port.write(data)
        except IO_ERRORS as exc:
            raise self._lost(exc) from exc

    def read(self, wait: float = POLL_INTERVAL) -> bytes:
        """Whatever bytes arrive within about `wait` seconds (b"" if none)."""
        self.open()
        assert self._port is not None
        deadline = time.monotonic() + max(wait, 0.0)
        try:
            while True:
                data = self._port.read(1)
                if data:
                    waiting = self._port.in_waiting
                    return data + (self._port.read(waiting) if waiting else b"")
                if time.monotonic() >= deadline:
                    return b""
        except IO_ERRORS as exc:
            raise self._lost(exc) from exc

    def discard_input(self) -> None:
        """Drop bytes already received (stale replies or frames)."""
        self.open()
        assert self._port is not None
        try:
            self._port.reset_input_buffer()
        except IO_ERRORS as exc:
            raise self._lost(exc) from exc

    def cancel_read(self) -> None:
        """Wake a read blocked in another thread (where pyserial supports it)."""
        port = self._port
        if port is not None and hasattr(port, "cancel_read"):
            try:
                port.cancel_read()
            except (*IO_ERRORS, NotImplementedError):
                pass
