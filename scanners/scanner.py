"""Serial barcode scanners: framing scans out of a byte stream, and a reader thread.

A scanner in serial (or USB-CDC) mode sends, per scan:

    [prefix] [AIM symbology identifier] data [suffix] terminator

The terminator is CR, LF or CR LF (any of them ends a scan; empty lines are dropped,
so CR LF never yields an extra empty scan). The AIM identifier (ISO/IEC 15424) is
`]` + a code character + a modifier: `]C1` GS1-128, `]E0` EAN-13, `]E4` EAN-8,
`]d2` GS1 DataMatrix, `]Q1` QR ... Data is kept byte for byte, including the GS
(0x1D) separators between GS1 element strings.

`ScanFramer` is the pure part (bytes in, `Scan`s out); `ScannerReader` runs it in a
background thread over a port, reopening the port whenever it goes away (the
scanner was unplugged) so the first scan after replug is delivered.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from scanners.errors import DeviceError, DeviceTimeout
from scanners.ports import POLL_INTERVAL, SerialLink

GS = "\x1d"
MAX_SCAN = 8192

AimMode = bool | Literal["auto"]

# Code character -> symbology, with modifiers that change the meaning.
_AIM_CODES: dict[str, str] = {
    "A": "code39", "C": "code128", "E": "ean-upc", "F": "codabar", "G": "code93",
    "H": "code11", "I": "itf", "L": "pdf417", "M": "msi", "Q": "qr", "R": "telepen",
    "X": "other", "d": "datamatrix", "e": "gs1-databar", "z": "aztec", "U": "maxicode",
    "S": "2of5", "O": "codablock", "K": "code16k", "J": "hanxin",
}
_AIM_SPECIFIC: dict[str, str] = {
    "]C1": "gs1-128",
    "]E0": "ean13", "]E1": "ean-addon-2", "]E2": "ean-addon-5", "]E3": "ean13-addon",
    "]E4": "ean8",
    "]d2": "gs1-datamatrix", "]d5": "gs1-datamatrix",
    "]Q3": "gs1-qr", "]Q5": "gs1-qr",
    "]e0": "gs1-databar",
    "]I1": "itf",  # with check digit; ITF-14 arrives as ]I1 too
}


def symbology_for_aim(aim: str) -> str | None:
    """Symbology name for an AIM identifier (`]E0` -> "ean13"), None if unknown."""
    if aim in _AIM_SPECIFIC:
        return _AIM_SPECIFIC[aim]
    if len(aim) == 3 and aim[0] == "]":
        return _AIM_CODES.get(aim[1])
    return None


def _is_aim(text: str, strict: bool) -> bool:
    if len(text) < 3 or text[0] != "]":
        return False
    if strict:
        return text[1].isalpha() and text[1] in _AIM_CODES and text[2].isalnum()
    return text[1].isascii() and text[1].isalpha() and text[2].isascii() and text[2].isalnum()


@dataclass(frozen=True)
class Scan:
    """One scanned code: the data (GS separators kept), the symbology when known, the
    AIM identifier as sent (e.g. "]C1"), and when the scan arrived (time.time())."""

    code: str
    symbology: str | None
    aim: str | None
    at: float

    @property
    def is_gs1(self) -> bool:
        """True for symbologies that carry GS1 element strings (AI-encoded data)."""
        return bool(self.symbology and self.symbology.startswith("gs1"))


class ScanFramer:
    """Turn scanner bytes into Scans.

    `aim_ids`: True when the scanner is set to send AIM identifiers (any `]xy` at the
    start is taken as one), False to never look for them (data starting with "]" is
    kept whole), "auto" to take only identifiers with a known code character.
    `prefix`/`suffix` are stripped when present. `terminators` are the bytes that end
    a scan. `idle_flush`: seconds of silence after which an unterminated scan is
    delivered anyway (for scanners set up without a suffix); None to wait forever.
    """

    def __init__(self, *, prefix: str = "", suffix: str = "", aim_ids: AimMode = "auto",
                 terminators: bytes = b"\r\n", idle_flush: float | None = None,
                 encoding: str = "utf-8") -> None:
        if aim_ids not in (True, False, "auto"):
            raise ValueError(f"aim_ids must be True, False or 'auto', not {aim_ids!r}")
        if not terminators:
            raise ValueError("at least one terminator byte is needed")
        self.prefix = prefix
        self.suffix = suffix
        self.aim_ids = aim_ids
        self.terminators = frozenset(terminators)
        self.idle_flush = idle_flush
        self.encoding = encoding
        self._buffer = bytearray()
        self._discarding = False
        self._last_byte_at = 0.0

    def feed(self, data: bytes, now: float | None = None) -> list[Scan]:
        """Scans completed by `data` (arrival time `now`, default time.time())."""
        now = time.time() if now is None else now
        scans: list[Scan] = []
        for byte in data:
            if byte in self.terminators:
                if self._discarding:
                    self._discarding = False
                    self._buffer.clear()
                    continue
                scan = self._take(now)
                if scan is not None:
                    scans.append(scan)
            elif not self._discarding:
                self._buffer.append(byte)
                if len(self._buffer) > MAX_SCAN:  # a flood without terminator: garbage
                    self._buffer.clear()
                    self._discarding = True
        if data:
            self._last_byte_at = now
        return scans

    def flush_if_idle(self, now: float | None = None) -> Scan | None:
        """With `idle_flush`, deliver a pending unterminated scan after enough silence."""
        now = time.time() if now is None else now
        if self.idle_flush is None or now - self._last_byte_at < self.idle_flush:
            return None
        self._discarding = False  # silence also ends a garbage flood
        return self._take(now) if self._buffer else None

    def clear(self) -> None:
        self._buffer.clear()
        self._discarding = False

    def _decode(self, raw: bytes) -> str:
        try:
            return raw.decode(self.encoding)
        except UnicodeDecodeError:
            return raw.decode("latin-1")

    def _take(self, now: float) -> Scan | None:
        raw = bytes(self._buffer)
        self._buffer.clear()
        if not raw:
            return None
        return self.parse(self._decode(raw), now)

    def parse(self, text: str, at: float) -> Scan | None:
        """Strip prefix, AIM identifier and suffix from one line of scanner output."""
        if self.prefix and text.startswith(self.prefix):
            text = text[len(self.prefix):]
        if self.suffix and text.endswith(self.suffix):
            text = text[: -len(self.suffix)]
        aim = None
        if self.aim_ids is not False and _is_aim(text, strict=self.aim_ids == "auto"):
            aim, text = text[:3], text[3:]
        if not text:
            return None
        return Scan(code=text, symbology=symbology_for_aim(aim) if aim else None, aim=aim, at=at)


class ScannerReader:
    """Reads scans from a serial scanner in a background thread.

    Each scan goes to `on_scan` if given, else into a queue read with `get()`.
    When the port cannot be opened or goes away, the thread keeps retrying every
    `retry_interval` seconds until `stop()`; `on_status(connected, error)` hears about
    each change. Bytes that arrived while the port was closed are gone (the port is
    flushed on open so stale scans never apply to the next order).
    """

    def __init__(self, port_url: str, *, on_scan: Callable[[Scan], None] | None = None,
                 on_status: Callable[[bool, str | None], None] | None = None,
                 prefix: str = "", suffix: str = "", aim_ids: AimMode = "auto",
                 terminators: bytes = b"\r\n", idle_flush: float | None = None,
                 encoding: str = "utf-8", baudrate: int = 9600, retry_interval: float = 0.2,
                 **port_settings: object) -> None:
        self.port_url = port_url
        self.framer = ScanFramer(prefix=prefix, suffix=suffix, aim_ids=aim_ids,
                                 terminators=terminators, idle_flush=idle_flush, encoding=encoding)
        self.on_scan = on_scan
        self.on_status = on_status
        self.retry_interval = retry_interval
        self.last_error: str | None = None
        self._link = SerialLink(port_url, baudrate=baudrate, **port_settings)
        self._scans: queue.Queue[Scan] = queue.Queue()
        self._stop = threading.Event()
        self._connected = threading.Event()
        self._disconnected = threading.Event()
        self._disconnected.set()
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------
    def start(self) -> ScannerReader:
        if self._thread is not None:
            return self
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"scanner {self.port_url}",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._link.cancel_read()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def __enter__(self) -> ScannerReader:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- state -----------------------------------------------------------------------
    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    def wait_connected(self, timeout: float | None = None) -> bool:
        """Block until the port is open (True) or `timeout` passes (False)."""
        return self._connected.wait(timeout)

    def wait_disconnected(self, timeout: float | None = None) -> bool:
        """Block until the port has been lost (True) or `timeout` passes (False)."""
        return self._disconnected.wait(timeout)

    def get(self, timeout: float | None = None) -> Scan:
        """The next scan from the queue; DeviceTimeout if none within `timeout`."""
        try:
            return self._scans.get(timeout=timeout)
        except queue.Empty:
            raise DeviceTimeout(f"no scan from {self.port_url} within {timeout:g} s") from None

    # -- thread --------------------------------------------------------------------
    def _set_connected(self, connected: bool, error: str | None) -> None:
        self.last_error = error
        if connected:
            self._disconnected.clear()
            self._connected.set()
        else:
            self._connected.clear()
            self._disconnected.set()
        if self.on_status is not None:
            self.on_status(connected, error)

    def _deliver(self, scan: Scan) -> None:
        if self.on_scan is not None:
            self.on_scan(scan)
        else:
            self._scans.put(scan)

    def _run(self) -> None:
        reported_error: str | None = None
        while not self._stop.is_set():
            try:
                self._link.open()
            except DeviceError as exc:
                if str(exc) != reported_error:  # report each new reason once, not every retry
                    reported_error = str(exc)
                    self._set_connected(False, reported_error)
                self._stop.wait(self.retry_interval)
                continue
            reported_error = None
            self.framer.clear()
            self._set_connected(True, None)
            try:
                while not self._stop.is_set():
                    data = self._link.read(POLL_INTERVAL)
                    for scan in self.framer.feed(data):
                        self._deliver(scan)
                    idle = self.framer.flush_if_idle()
                    if idle is not None:
                        self._deliver(idle)
            except DeviceError as exc:
                reported_error = str(exc)
                self._set_connected(False, reported_error)
        self._link.close()
        if self._connected.is_set():
            self._set_connected(False, None)
