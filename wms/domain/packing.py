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

So: the same code from the same station within `window_ms` (300 ms by default) of the
previous read is a double read, not a second unit. Anything else is a new unit:
  - a longer gap (a person's hand moved),
  - a different code in between (the packer moved on; the window restarts from it),
  - another station (each station has its own scanner and its own window).
Each read, double read or not, becomes the station's latest read, so a code held in the
beam and repeated every ~150 ms stays one unit however long it is held.
The caller passes the times (a monotonic clock in milliseconds), which keeps this pure.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DOUBLE_READ_WINDOW_MS = 300
REJECTIONS = ("wrong_item", "over_scan", "unknown_code")


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
