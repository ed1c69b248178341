"""An NCI-protocol shipping scale: answers W, S, Z and T (and '?' to anything else).

Over or under capacity it sends the status alone, without a weight line, as many
NCI scales do. `status_prefix` is the letter some models put before the status bytes
(b"S" by default; b"" for the bare form of the SCP-01 document).
"""

from __future__ import annotations

from decimal import Decimal

from scanners.emulators.base import Emulator
from scanners.emulators.scale_state import ScaleState


class NciScale(Emulator, ScaleState):
    def __init__(self, grams: int | str | Decimal = 0, *, unit: str = "kg", decimals: int = 3,
                 stable: bool = True, status_prefix: bytes = b"S", unit_text: str | None = None,
                 **transport: object) -> None:
        Emulator.__init__(self, **transport)  # type: ignore[arg-type]
        ScaleState.__init__(self, grams, stable=stable)
        self.unit = unit
        self.unit_text = unit_text if unit_text is not None else unit
        self.decimals = decimals
        self.status_prefix = status_prefix
        self.ram_error = False
        self.commands: list[str] = []
        self._line = bytearray()

    def status_bytes(self) -> bytes:
        at_zero = self.condition == "ok" and self.displayed(self.unit, self.decimals) == 0
        byte1 = (0x30 | (0 if self.stable else 0x01) | (0x02 if at_zero else 0)
                 | (0x04 if self.ram_error else 0))
        byte2 = 0x30 | (0x01 if self.condition == "underload" else 0) | (
            0x02 if self.condition == "overload" else 0
        )
        return self.status_prefix + bytes([byte1, byte2])

    def _status_frame(self) -> bytes:
        return b"\n" + self.status_bytes() + b"\r\x03"

    def on_replug(self) -> None:
        self._line.clear()

    def on_bytes(self, data: bytes) -> None:
        for byte in data:
            if byte == 0x0D:
                cmd = self._line.decode("latin-1").strip()
                self._line.clear()
                self.commands.append(cmd)
                self._handle(cmd)
            elif byte != 0x0A:
                self._line.append(byte)

    def _handle(self, cmd: str) -> None:
        if cmd == "W":
            if self.condition != "ok":
                self.respond(self._status_frame())
                return
            weight = f"{self.displayed(self.unit, self.decimals):7}{self.unit_text}"
            self.respond(b"\n" + weight.encode() + b"\r" + self._status_frame())
        elif cmd == "S":
            self.respond(self._status_frame())
        elif cmd == "Z":
            if self.stable and self.condition == "ok":
                self.do_zero()
            self.respond(self._status_frame())
        elif cmd == "T":
            if self.stable and self.condition == "ok":
                self.do_tare()
            self.respond(self._status_frame())
        else:
            self.respond(b"\n?\r\x03")
