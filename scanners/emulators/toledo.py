"""A Mettler Toledo terminal in continuous output mode: streams frames at `rate` per
second and obeys the single-letter host commands Z (zero), T (tare), C (clear tare)."""

from __future__ import annotations

from decimal import Decimal

from scanners.emulators.base import Emulator
from scanners.emulators.scale_state import ScaleState

_UNIT_CODES = {"lb": 0, "kg": 0, "g": 1, "t": 2, "oz": 3}


def _checksum(frame: bytes) -> int:
    return -sum(b & 0x7F for b in frame) & 0x7F


class ToledoScale(Emulator, ScaleState):
    def __init__(self, grams: int | str | Decimal = 0, *, unit: str = "kg", decimals: int = 3,
                 stable: bool = True, rate: float = 20.0, checksum: bool = False,
                 **transport: object) -> None:
        if unit not in _UNIT_CODES:
            raise ValueError(f"unit {unit!r} not in {sorted(_UNIT_CODES)}")
        if not -2 <= decimals <= 5:
            raise ValueError("decimals must be between -2 (X00) and 5 (0.00000X)")
        Emulator.__init__(self, **transport)  # type: ignore[arg-type]
        ScaleState.__init__(self, grams, stable=stable)
        self.unit = unit
        self.decimals = decimals
        self.rate = rate
        self.checksum = checksum
        self.power_up = False
        self.commands: list[str] = []
        self.frames_sent = 0
        self._next_frame = 0.0

    def frame(self) -> bytes:
        """The frame for the current state (STX .. CR, plus checksum if enabled)."""
        shown = self.displayed(self.unit, self.decimals)
        count = int(abs(shown).scaleb(self.decimals))
        negative = shown < 0 or self.condition == "underload"
        out_of_range = self.condition != "ok" or count > 999_999
        tare = int(abs(self.displayed(self.unit, self.decimals, self.tare_g)).scaleb(self.decimals))
        swa = 0x20 | 0x08 | (self.decimals + 2)  # count by 1, decimal point position
        swb = (0x20 | (0x01 if self.tare_g else 0) | (0x02 if negative else 0)
               | (0x04 if out_of_range else 0) | (0x08 if not self.stable else 0)
               | (0x10 if self.unit == "kg" else 0) | (0x40 if self.power_up else 0))
        swc = 0x20 | _UNIT_CODES[self.unit]
        digits = f"{min(count, 999_999):06d}{min(tare, 999_999):06d}".encode()
        body = bytes([0x02, swa, swb, swc]) + digits + b"\r"
        return body + (bytes([_checksum(body)]) if self.checksum else b"")

    def on_bytes(self, data: bytes) -> None:
        for letter in data.decode("latin-1"):
            if letter not in "ZTCP":
                continue
            self.commands.append(letter)
            if letter == "Z" and self.stable and self.condition == "ok":
                self.do_zero()
            elif letter == "T" and self.stable and self.condition == "ok":
                self.do_tare()
            elif letter == "C":
                self.clear_tare()

    def on_tick(self, now: float) -> None:
        if self.rate <= 0 or now < self._next_frame:
            return
        self._next_frame = max(self._next_frame + 1 / self.rate, now)
        if self.responding:
            self.respond(self.frame())
            self.frames_sent += 1
