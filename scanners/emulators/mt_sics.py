"""An MT-SICS balance: answers S, SI, Z, T, TAC and @ as a Mettler Toledo balance does.

S, Z and T wait for stability like the real thing: asked while the load is in motion,
the reply comes when `set_stable(True)` is called, or as `S I` / `Z I` / `T I` after
`stable_wait` seconds.
"""

from __future__ import annotations

import time
from decimal import Decimal

from scanners.emulators.base import Emulator
from scanners.emulators.scale_state import ScaleState


class MtSicsScale(Emulator, ScaleState):
    def __init__(self, grams: int | str | Decimal = 0, *, unit: str = "g", decimals: int = 2,
                 stable: bool = True, stable_wait: float = 2.0,
                 serial_number: str = "B123456789", **transport: object) -> None:
        Emulator.__init__(self, **transport)  # type: ignore[arg-type]
        ScaleState.__init__(self, grams, stable=stable)
        self.unit = unit
        self.decimals = decimals
        self.stable_wait = stable_wait
        self.serial_number = serial_number
        self.commands: list[str] = []
        self._line = bytearray()
        self._waiting: list[tuple[str, float]] = []  # commands held until stable

    def _weight_field(self) -> str:
        return f"{self.displayed(self.unit, self.decimals):>10} {self.unit}"

    def on_replug(self) -> None:
        self._line.clear()
        self._waiting.clear()

    def on_bytes(self, data: bytes) -> None:
        for byte in data:
            if byte in (0x0D, 0x0A):
                if self._line:
                    cmd = self._line.decode("latin-1").strip()
                    self._line.clear()
                    if cmd:
                        self.commands.append(cmd)
                        self._handle(cmd)
            else:
                self._line.append(byte)

    def _handle(self, cmd: str) -> None:
        name = cmd.split()[0]
        if name == "SI":
            if self.condition != "ok":
                self.respond(b"S +\r\n" if self.condition == "overload" else b"S -\r\n")
            else:
                status = "S" if self.stable else "D"
                self.respond(f"S {status} {self._weight_field()}\r\n".encode())
        elif name in ("S", "Z", "T"):
            if self.condition != "ok":
                self.respond(f"{name} {'+' if self.condition == 'overload' else '-'}\r\n".encode())
            elif self.stable:
                self._complete(name)
            elif all(w != name for w, _ in self._waiting):
                self._waiting.append((name, time.monotonic() + self.stable_wait))
        elif name == "TAC":
            self.clear_tare()
            self.respond(b"TAC A\r\n")
        elif name == "@":
            self._waiting.clear()
            self.clear_tare()
            self.respond(f'I4 A "{self.serial_number}"\r\n'.encode())
        else:
            self.respond(b"ES\r\n")

    def _complete(self, name: str) -> None:
        if name == "S":
            self.respond(f"S S {self._weight_field()}\r\n".encode())
        elif name == "Z":
            self.do_zero()
            self.respond(b"Z A\r\n")
        elif name == "T":
            self.do_tare()
            tare = f"{self.displayed(self.unit, self.decimals, self.tare_g):>10} {self.unit}"
            self.respond(f"T S {tare}\r\n".encode())

    def on_tick(self, now: float) -> None:
        if not self._waiting:
            return
        still: list[tuple[str, float]] = []
        for name, deadline in self._waiting:
            if self.condition != "ok":
                self.respond(f"{name} {'+' if self.condition == 'overload' else '-'}\r\n".encode())
            elif self.stable:
                self._complete(name)
            elif now >= deadline:
                self.respond(f"{name} I\r\n".encode())
            else:
                still.append((name, deadline))
        self._waiting = still
