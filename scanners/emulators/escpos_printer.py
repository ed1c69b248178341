"""An ESC/POS receipt/label printer: keeps every byte it is sent and answers the
real-time status request DLE EOT n (n = 1 printer, 2 offline cause, 3 error cause,
4 paper roll sensor) from its flags.

Raster and bit-image data (GS v 0, GS ( L, GS 8 L, ESC *) is skipped by length, so
image bytes that happen to read as DLE EOT are not answered. Status bytes follow the
Epson layout: bits 1 and 4 always set (0x12), then
  n=1: bit3 offline;
  n=2: bit2 cover open, bit5 printing stopped by paper end, bit6 error;
  n=3: bit3 autocutter error, bit5 unrecoverable error;
  n=4: bits2-3 paper near end, bits5-6 paper end.
The printer is offline while the cover is open or the paper is out.
"""

from __future__ import annotations

from scanners.emulators.base import Emulator

DLE, EOT, ESC, GS = 0x10, 0x04, 0x1B, 0x1D


class EscPosPrinter(Emulator):
    def __init__(self, *, paper_out: bool = False, paper_near_end: bool = False,
                 cover_open: bool = False, offline: bool = False, cutter_error: bool = False,
                 **transport: object) -> None:
        super().__init__(**transport)  # type: ignore[arg-type]
        self.paper_out = paper_out
        self.paper_near_end = paper_near_end
        self.cover_open = cover_open
        self.offline = offline
        self.cutter_error = cutter_error
        self.status_queries: list[int] = []
        self._stream = bytearray()
        self._skip = 0

    def status_byte(self, n: int) -> int:
        base = 0x12
        if n == 1:
            return base | (0x08 if self.offline or self.cover_open or self.paper_out else 0)
        if n == 2:
            error = self.cutter_error
            return base | (0x04 if self.cover_open else 0) | (0x20 if self.paper_out else 0) | (
                0x40 if error else 0
            )
        if n == 3:
            return base | (0x08 if self.cutter_error else 0)
        if n == 4:
            return base | (0x0C if self.paper_near_end or self.paper_out else 0) | (
                0x60 if self.paper_out else 0
            )
        raise ValueError(f"no status for n={n}")

    def on_replug(self) -> None:
        self._stream.clear()
        self._skip = 0

    def on_bytes(self, data: bytes) -> None:
        self._stream.extend(data)
        s = self._stream
        while s:
            if self._skip:
                n = min(self._skip, len(s))
                del s[:n]
                self._skip -= n
                continue
            b = s[0]
            need, skip = self._command_length(s)
            if need > len(s):
                return  # header incomplete: wait for more bytes
            if b == DLE and need == 3:
                self.status_queries.append(s[2])
                self.respond(bytes([self.status_byte(s[2])]))
            del s[:need]
            self._skip = skip

    @staticmethod
    def _command_length(s: bytearray) -> tuple[int, int]:
        """(header bytes needed, data bytes to skip after it) for the command at s[0].

        Returns (1, 0) for bytes that are not a command we track (printed text etc.).
        """
        b = s[0]
        second = s[1] if len(s) > 1 else None
        if b == DLE:
            if second is None:
                return 2, 0
            if second == EOT:
                if len(s) < 3:
                    return 3, 0
                return (3, 0) if 1 <= s[2] <= 4 else (1, 0)
            return 1, 0
        if b == GS:
            if second is None:
                return 2, 0
            if second == ord("v"):
                if len(s) < 8:
                    return 8, 0
                if s[2] == ord("0"):
                    return 8, (s[4] + 256 * s[5]) * (s[6] + 256 * s[7])
                return 1, 0
            if second == ord("("):
                if len(s) < 5:
                    return 5, 0
                return (5, s[3] + 256 * s[4]) if s[2] == ord("L") else (1, 0)
            if second == ord("8"):
                if len(s) < 7:
                    return 7, 0
                if s[2] != ord("L"):
                    return 1, 0
                return 7, s[3] | s[4] << 8 | s[5] << 16 | s[6] << 24
            return 1, 0
        if b == ESC:
            if second is None:
                return 2, 0
            if second == ord("*"):
                if len(s) < 5:
                    return 5, 0
                columns = s[3] + 256 * s[4]
                return 5, columns * (3 if s[2] in (32, 33) else 1)
            return 1, 0
        return 1, 0
