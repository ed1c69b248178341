"""NCI scale communication protocol (NCI / Avery Weigh-Tronix "SCP-01" style).

Spoken by many shipping and bench scales (NCI 3835, 7800 family, Brecknell, Avery
Weigh-Tronix indicators in NCI mode). The host sends one letter and CR:

    W<CR>  weight      -> <LF> weight+unit <CR> <LF> status <CR> <ETX>
    S<CR>  status      -> <LF> status <CR> <ETX>
    Z<CR>  zero        -> <LF> status <CR> <ETX>   (status after zeroing)
    T<CR>  tare        -> <LF> status <CR> <ETX>   (not on every model)
    other              -> <LF> ? <CR> <ETX>

The weight line is the display text: optional minus sign, digits with a decimal
point, unit letters ("  1.234kg", "001.23LB", "-0.50lb", "120g"). Some scales leave
the weight line out and send only the status when they cannot give a weight.
The status line is two or more status bytes, on some models preceded by the letter
`S` (accepted either way). Bit 7 is parity and ignored; bits 4-5 are always 1, so
status bytes are printable ('0'..'?' when no further byte follows):

    byte 1: bit0 motion, bit1 at zero, bit2 RAM error, bit3 EEPROM error
    byte 2: bit0 under capacity, bit1 over capacity, bit2 ROM error,
            bit3 faulty calibration, bit6 another status byte follows
    byte 3: bits0-1 range, bit2 net weight, bit3 initial zero error, bit6 byte follows
    byte 4: bit0 weight changed, bit1 zero seen, bit2 metric

Frames are found by their ETX; garbage before the frame's first LF is skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from scanners.errors import CommandRejected, FrameError, ScaleError
from scanners.readings import OVERLOAD, UNDERLOAD, Reading, error_reading
from scanners.units import normalize_unit, to_grams

LF = 0x0A
CR = 0x0D
ETX = 0x03
MAX_FRAME = 128
NO_WEIGHT = "no weight in reply"


def command(letter: str) -> bytes:
    """Bytes of one NCI command: the letter and CR."""
    if len(letter) != 1 or not letter.isalpha():
        raise ValueError(f"not an NCI command letter: {letter!r}")
    return letter.upper().encode("ascii") + b"\r"


WEIGHT = command("W")
STATUS = command("S")
ZERO = command("Z")
TARE = command("T")
HIGH_RESOLUTION = command("H")

_WEIGHT_LINE = re.compile(rb"^\s*(-?)\s*(\d+(?:\.\d*)?|\.\d+)\s*([A-Za-z]{1,3})\s*$")


@dataclass(frozen=True)
class Status:
    """Decoded NCI status bytes."""

    motion: bool
    at_zero: bool
    under_capacity: bool
    over_capacity: bool
    ram_error: bool = False
    eeprom_error: bool = False
    rom_error: bool = False
    calibration_error: bool = False
    net: bool | None = None
    initial_zero_error: bool = False

    @property
    def hardware_error(self) -> str | None:
        """A short description of a fault that makes every weight untrustworthy."""
        faults = [
            name
            for name, on in (
                ("RAM error", self.ram_error),
                ("EEPROM error", self.eeprom_error),
                ("ROM error", self.rom_error),
                ("faulty calibration", self.calibration_error),
                ("initial zero error", self.initial_zero_error),
            )
            if on
        ]
        return ", ".join(faults) or None


def parse_status(data: bytes) -> Status:
    """Decode a status line (without LF/CR): optional 'S', then 2-4 status bytes."""
    body = bytes(b & 0x7F for b in data)
    if body[:1] == b"S":
        body = body[1:]
    if not 2 <= len(body) <= 4 or any(b & 0x30 != 0x30 for b in body):
        raise FrameError(f"not an NCI status: {data!r}")
    b1, b2 = body[0], body[1]
    b3 = body[2] if len(body) >= 3 else None
    return Status(
        motion=bool(b1 & 0x01),
        at_zero=bool(b1 & 0x02),
        ram_error=bool(b1 & 0x04),
        eeprom_error=bool(b1 & 0x08),
        under_capacity=bool(b2 & 0x01),
        over_capacity=bool(b2 & 0x02),
        rom_error=bool(b2 & 0x04),
        calibration_error=bool(b2 & 0x08),
        net=bool(b3 & 0x04) if b3 is not None else None,
        initial_zero_error=bool(b3 & 0x08) if b3 is not None else False,
    )


@dataclass(frozen=True)
class Reply:
    """One NCI reply frame: the status (None when the command was not recognised)
    and, for W, the weight text split into value and unit."""

    status: Status | None
    value: Decimal | None
    unit: str | None
    raw: bytes

    @property
    def recognised(self) -> bool:
        return self.status is not None


def _is_weight_line(line: bytes) -> bool:
    return _WEIGHT_LINE.match(bytes(b & 0x7F for b in line)) is not None


def parse_frame(frame: bytes) -> Reply:
    """Parse one frame from its first LF up to and including ETX."""
    raw = bytes(frame)
    body = bytes(b & 0x7F for b in raw)
    if not body.startswith(b"\n") or not body.endswith(b"\x03"):
        raise FrameError(f"not an NCI frame (LF ... ETX): {raw!r}")
    lines = body[1:-1].split(b"\n")
    if any(not line.endswith(b"\r") for line in lines):
        raise FrameError(f"NCI frame line without CR: {raw!r}")
    lines = [line[:-1] for line in lines]
    if lines == [b"?"]:
        return Reply(status=None, value=None, unit=None, raw=raw)
    if len(lines) == 1:
        return Reply(status=parse_status(lines[0]), value=None, unit=None, raw=raw)
    if len(lines) != 2:
        raise FrameError(f"NCI frame has {len(lines)} lines: {raw!r}")
    status = parse_status(lines[1])
    match = _WEIGHT_LINE.match(lines[0])
    if match is None:
        # Over/under capacity displays are not numbers; the status says why.
        if status.over_capacity or status.under_capacity:
            return Reply(status=status, value=None, unit=None, raw=raw)
        raise FrameError(f"not an NCI weight: {lines[0]!r}")
    sign, digits, unit = (g.decode("ascii") for g in match.groups())
    value = Decimal(sign + digits)
    return Reply(status=status, value=value, unit=normalize_unit(unit), raw=raw)


def reading_from_reply(reply: Reply) -> Reading:
    """Turn a W reply into a Reading.

    Over/under capacity give an error reading; a reply without weight gives an
    unstable error reading ("no weight in reply"); an unrecognised command raises
    CommandRejected and a hardware fault in the status raises ScaleError.
    """
    if reply.status is None:
        raise CommandRejected("the scale did not recognise the command (replied '?')")
    status = reply.status
    if status.hardware_error:
        raise ScaleError(f"scale reports {status.hardware_error}")
    unit = reply.unit or ""
    if status.over_capacity:
        return error_reading(OVERLOAD, reply.raw, unit, status.net)
    if status.under_capacity:
        return error_reading(UNDERLOAD, reply.raw, unit, status.net)
    if reply.value is None or reply.unit is None:
        return error_reading(NO_WEIGHT, reply.raw, unit, status.net)
    return Reading(
        grams=to_grams(reply.value, reply.unit),
        stable=not status.motion,
        raw=reply.raw,
        unit=reply.unit,
        net=status.net,
    )


def parse_weight(frame: bytes) -> Reading:
    """Parse a W reply frame straight to a Reading (see `reading_from_reply`)."""
    return reading_from_reply(parse_frame(frame))


class FrameDecoder:
    """Cut a byte stream into NCI frames (LF ... ETX).

    At each ETX the frame is rebuilt from the last one or two CR-terminated lines
    before it: the status (or '?') line, and the weight line before that when it reads
    as a weight. Bytes of a frame cut short, or garbage, before those lines are
    dropped; a stream with no ETX for MAX_FRAME bytes is discarded.
    """

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        frames: list[bytes] = []
        for byte in data:
            if byte & 0x7F != ETX:
                self._buffer.append(byte)
                if len(self._buffer) > MAX_FRAME:
                    del self._buffer[: len(self._buffer) - MAX_FRAME]
                continue
            frame = self._frame_from(bytes(self._buffer))
            self._buffer.clear()
            if frame is not None:
                frames.append(frame)
        return frames

    @staticmethod
    def _frame_from(chunk: bytes) -> bytes | None:
        segments = chunk.split(b"\n")
        if len(segments) < 2 or not segments[-1].endswith(b"\r"):
            return None
        frame = b"\n" + segments[-1]
        weight = segments[-2] if len(segments) >= 3 else b""
        if weight.endswith(b"\r") and _is_weight_line(weight[:-1]):
            frame = b"\n" + weight + frame
        return frame + b"\x03"

    def clear(self) -> None:
        self._buffer.clear()
