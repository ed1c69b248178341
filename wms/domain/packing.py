"""Scan-to-verify: what a pack session accepts, and how a scanner double-read is told apart.

Every unit going into the parcel is scanned once. The session counts units per SKU
against the order and refuses, without changing any count, a unit the order does not
want (`wrong_item`), one more than ordered (`over_scan`) or a code no SKU has
(`unknown_code`): the packer takes that unit out again, and nothing needs undoing.

Double reads
------------
A scanner can send one barcode twice for one pass of one unit: in presentation
(hands-free) mode it re-reads a code still in the beam once its "same code delay"
expires, typically 50-200 ms later, and a bounced trigger or a label seen at two angles
does the same. A packer scanning a second unit of the same SKU has to put the first
unit down, pick up the next, turn its barcode to the beam and be read: that takes well
over 300 ms for a person, and the beam sees no code at all in between.

Only what proves a double read makes one: the same code from the station's scanner
(`source` "scanner"), both reads timed by the device itself, less than `window_ms`
(300 ms by default) apart. The service's own clock proves nothing: a client sending
scans back to back reaches it within milliseconds, and each of those is a unit. So a
read without the device's time, or from anything but a scanner, always counts, and
anything else is a new unit too:
  - a longer gap (a person's hand moved),
  - a different code in between (the packer moved on; the window restarts from it),
  - another station (each station has its own scanner and its own window).
Each read, double read or not, becomes the station's latest read, so a code held in the
beam and repeated every ~150 ms stays one unit however long it is held.
A double read is never dropped silently: the caller answers it as a refusal of its own
(`double_read`), and the packer can confirm "yes, a second unit" (`confirm`), which counts it.
The caller passes the times (milliseconds), which keeps this pure.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DOUBLE_READ_WINDOW_MS = 300
REJECTIONS = ("wrong_item", "over_scan", "unknown_code", "double_read")
SCANNER = "scanner"  # the one source whose own timestamps can prove a double read


class ScanRejected(Exception):
    """A scan the session refuses; `code` is one of REJECTIONS, `message` is for the packer."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


@dataclass(frozen=True)
class ScanAccepted:
    sku: str
    scanned: int  # units of this SKU scanned so far
    remaining: int  # units of the whole order still to scan


@dataclass
class PackSession:
    """The order's lines (sku -> qty ordered) and the units scanned so far (sku -> qty)."""

    lines: dict[str, int]
    scanned: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.lines = {sku: qty for sku, qty in self.lines.items() if qty > 0}
        self.scanned = {sku: n for sku, n in self.scanned.items() if n > 0}  # our own copy

    @property
    def remaining(self) -> int:
        """Units of the whole order not scanned yet."""
        return sum(self.missing().values())

    @property
    def complete(self) -> bool:
        return self.remaining == 0

    def missing(self) -> dict[str, int]:
        """sku -> units still to scan, for the lines not complete yet."""
        return {s: q - self.scanned.get(s, 0) for s, q in self.lines.items() if self.scanned.get(s, 0) < q}

    def scan(self, sku: str | None, code: str) -> ScanAccepted:
        """Count one unit of `sku` (what `code` resolved to), or raise ScanRejected and change nothing."""
        if sku is None:
            raise ScanRejected("unknown_code", f"{code}: no item has this barcode")
        if sku not in self.lines:
            raise ScanRejected("wrong_item", f"{sku} is not on this order: take it out of the parcel")
        done = self.scanned.get(sku, 0)
        if done >= self.lines[sku]:
            raise ScanRejected("over_scan", f"{sku}: all {self.lines[sku]} ordered are scanned already: "
                                            "take this one out")
        self.scanned[sku] = done + 1
        return ScanAccepted(sku, done + 1, self.remaining)


def is_double_read(prev_code: str | None, prev_at_ms: int | None, code: str, at_ms: int,
                   window_ms: int = DOUBLE_READ_WINDOW_MS) -> bool:
    """The same code again, less than `window_ms` after the previous read at this station.

    A clock that went backwards (at_ms < prev_at_ms) is never a double read: counting a
    unit twice is caught by the scale, losing a unit's scan would block a good parcel.
    """
    if prev_code is None or prev_at_ms is None:
        return False
    return prev_code.strip() == code.strip() and 0 <= at_ms - prev_at_ms < window_ms


@dataclass(frozen=True)
class Read:
    """One read at a station: the code, the device's own time of it in ms (None when the
    client sent none) and where it came from ("scanner", "manual", None for a plain API call)."""

    code: str
    device_ms: int | None
    source: str | None

    @property
    def timed_by_scanner(self) -> bool:
        return self.source == SCANNER and self.device_ms is not None


def proves_double_read(previous: Read | None, read: Read, window_ms: int = DOUBLE_READ_WINDOW_MS) -> bool:
    """True only when both reads are the station scanner's, timed by it, and `is_double_read`.

    Anything less (a plain API call, a typed code, a read without its device time) is a unit."""
    if previous is None or not (read.timed_by_scanner and previous.timed_by_scanner):
        return False
    return is_double_read(previous.code, previous.device_ms, read.code, read.device_ms,  # type: ignore[arg-type]
                          window_ms)


class DoubleReadFilter:
    """The double-read rule for callers that keep each station's last read in memory."""

    def __init__(self, window_ms: int = DOUBLE_READ_WINDOW_MS) -> None:
        if window_ms < 0:
            raise ValueError("window_ms cannot be negative")
        self.window_ms = window_ms
        self._last: dict[str, tuple[str, int]] = {}

    def is_double_read(self, station: str, code: str, at_monotonic_ms: int) -> bool:
        """True if this read repeats the station's previous one; remembers it either way."""
        prev = self._last.get(station)
        self._last[station] = (code, at_monotonic_ms)
        return prev is not None and is_double_read(prev[0], prev[1], code, at_monotonic_ms, self.window_ms)

    def forget(self, station: str) -> None:
        """Start the station afresh (a new session, a scanner reconnected)."""
        self._last.pop(station, None)
