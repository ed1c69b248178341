"""Scan-to-verify: what a pack session accepts, and how a scanner double-read is told apart.

A scanner that sees the same barcode twice in one pass (its "same code delay" is
typically 50-200 ms) sends it twice; a packer cannot take a second unit, turn its
barcode to the beam and trigger a new read in under ~300 ms. So the same code from
the same station within the window is one read; a different code in between, or a
longer gap, means a new unit. The caller passes times, so this stays pure and testable.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DOUBLE_READ_WINDOW_MS = 300


class ScanRejected(Exception):
    """A scan the session refuses; `code` is wrong_item, over_scan or unknown_code."""

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
    """The order's lines (sku -> qty ordered) and the units scanned so far."""

    lines: dict[str, int]
    scanned: dict[str, int] = field(default_factory=dict)

    @property
    def remaining(self) -> int:
        return sum(max(0, q - self.scanned.get(s, 0)) for s, q in self.lines.items())

    @property
    def complete(self) -> bool:
        return self.remaining == 0

    def missing(self) -> dict[str, int]:
        return {s: q - self.scanned.get(s, 0) for s, q in self.lines.items() if self.scanned.get(s, 0) < q}

    def scan(self, sku: str | None, code: str) -> ScanAccepted:
        """Count one unit, or raise ScanRejected and leave every count as it was."""
        if sku is None:
            raise ScanRejected("unknown_code", f"{code}: no SKU has this barcode")
        if sku not in self.lines:
            raise ScanRejected("wrong_item", f"{sku} is not on this order: take it out of the parcel")
        if self.scanned.get(sku, 0) >= self.lines[sku]:
            raise ScanRejected("over_scan", f"{sku}: all {self.lines[sku]} ordered are scanned already")
        self.scanned[sku] = self.scanned.get(sku, 0) + 1
        return ScanAccepted(sku, self.scanned[sku], self.remaining)


def is_double_read(prev_code: str | None, prev_at_ms: int | None, code: str, at_ms: int,
                   window_ms: int = DOUBLE_READ_WINDOW_MS) -> bool:
    """The same code again within `window_ms` of the previous read at this station."""
    if prev_code is None or prev_at_ms is None:
        return False
    return prev_code.strip() == code.strip() and 0 <= at_ms - prev_at_ms < window_ms


class DoubleReadFilter:
    """Remembers the last read per station, for callers that keep state in memory."""

    def __init__(self, window_ms: int = DOUBLE_READ_WINDOW_MS) -> None:
        self.window_ms = window_ms
        self._last: dict[str, tuple[str, int]] = {}

    def is_double_read(self, station: str, code: str, at_ms: int) -> bool:
        prev = self._last.get(station)
        self._last[station] = (code, at_ms)
        return prev is not None and is_double_read(prev[0], prev[1], code, at_ms, self.window_ms)
