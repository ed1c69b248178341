"""Mettler Toledo continuous output (the classic "Toledo continuous" format).

The terminal streams frames without being asked, typically 10-20 per second:

    STX  SWA  SWB  SWC  W W W W W W  T T T T T T  CR  [CKS]
    0x02 ---- status ---  weight (6)   tare (6)   0x0D  optional checksum

Weight and tare are six ASCII digits with no sign or decimal point; leading zeros
may be sent as spaces. Bit 7 of every byte may carry parity and is ignored.

Status word A: bits 0-2 decimal point position (0 = X00, 1 = X0, 2 = X, 3 = 0.X,
4 = 0.0X ... 7 = 0.0000X, i.e. value = digits x 10^(2 - code)); bits 3-4 count-by
(1, 2, 5); bit 5 always 1; bit 6 always 0.

Status word B: bit 0 net (1) / gross (0); bit 1 negative sign; bit 2 out of range
(over capacity, or under zero when the sign bit is set); bit 3 motion; bit 4 kg (1) /
lb (0), used when SWC selects lb-or-kg; bit 5 always 1; bit 6 power-up, zero not yet
captured (we report such weights as unstable).

Status word C: bits 0-2 unit (0 lb-or-kg per SWB bit 4, 1 g, 2 metric ton, 3 oz,
4 troy oz, 5 pennyweight, 6 long ton, 7 custom, which we cannot convert); bit 3 print
requested; bit 4 expanded x10 display; bit 5 always 1.

The checksum, when enabled on the terminal, is the two's complement of the 7-bit sum
of STX..CR, so that all 18 bytes sum to 0 modulo 128.

The host may send single ASCII letters: `Z` zero, `T` tare, `C` clear tare, `P` print.
"""

from __future__ import annotations

from decimal import Decimal

from scanners.errors import FrameError
from scanners.readings import OVERLOAD, UNDERLOAD, Reading, error_reading
from scanners.units import to_grams

STX = 0x02
CR = 0x0D
FRAME_LENGTH = 17  # STX .. CR, without the optional checksum

ZERO = b"Z"
TARE = b"T"
CLEAR_TARE = b"C"
PRINT = b"P"

_UNITS_BY_CODE = {1: "g", 2: "t", 3: "oz", 4: "ozt", 5: "dwt", 6: "lt"}


def checksum(frame: bytes) -> int:
    """Checksum byte for STX..CR: two's complement of the 7-bit sum of those bytes."""
    return -sum(b & 0x7F for b in frame) & 0x7F


def _looks_like_frame(candidate: bytes) -> bool:
    """Cheap structural check used for resync: STX, three status words, 12 digits, CR."""
    if len(candidate) < FRAME_LENGTH:
        return False
    if candidate[0] & 0x7F != STX or candidate[16] & 0x7F != CR:
        return False
    if any(b & 0x60 != 0x20 for b in candidate[1:3]) or candidate[3] & 0x20 != 0x20:
        return False
    return all(chr(b & 0x7F) in "0123456789 " for b in candidate[4:16])


def _digits(field: bytes) -> int:
    text = "".join(chr(b & 0x7F) for b in field).strip()
    if not text or not text.isdigit():
        raise FrameError(f"not a Toledo weight field: {field!r}")
    return int(text)


def parse_frame(frame: bytes) -> Reading:
    """Parse one frame (STX..CR, optionally followed by its checksum byte) into a Reading."""
    frame = bytes(frame)
    if len(frame) not in (FRAME_LENGTH, FRAME_LENGTH + 1) or not _looks_like_frame(frame):
        raise FrameError(f"not a Toledo continuous frame: {frame!r}")
    if len(frame) == FRAME_LENGTH + 1 and checksum(frame[:FRAME_LENGTH]) != frame[17] & 0x7F:
        raise FrameError(f"Toledo frame checksum mismatch: {frame!r}")
    swa, swb, swc = (b & 0x7F for b in frame[1:4])
    net = bool(swb & 0x01)
    negative = bool(swb & 0x02)
    out_of_range = bool(swb & 0x04)
    motion = bool(swb & 0x08)
    power_up = bool(swb & 0x40)

    unit_code = swc & 0x07
    if unit_code == 0:
        unit = "kg" if swb & 0x10 else "lb"
    elif unit_code in _UNITS_BY_CODE:
        unit = _UNITS_BY_CODE[unit_code]
    else:
        raise FrameError("Toledo frame in custom units cannot be converted to grams")

    if out_of_range:
        return error_reading(UNDERLOAD if negative else OVERLOAD, frame, unit, net)

    count = _digits(frame[4:10])
    _digits(frame[10:16])  # tare must be well formed too, or the frame is suspect
    exponent = 2 - (swa & 0x07)
    value = Decimal(count).scaleb(exponent)
    if negative:
        value = -value
    return Reading(
        grams=to_grams(value, unit),
        stable=not motion and not power_up,
        raw=frame,
        unit=unit,
        net=net,
    )


class FrameDecoder:
    """Find frames in a continuous byte stream.

    `checksum`: True when the terminal appends a checksum byte (frames failing it are
    dropped), False when it does not, None to accept either: the frame is released at
    its CR and the checksum byte, if any, is skipped like any stray byte between
    frames (a checksum that happens to be 0x02 fails the structural check that
    follows every STX, so it cannot be mistaken for a frame start).

    Bytes before an STX, and STX bytes that do not start a well-formed frame, are
    skipped, so garbage and frames cut short resync on the next frame.
    """

    def __init__(self, checksum: bool | None = None) -> None:
        self.checksum = checksum
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        self._buffer.extend(data)
        frames: list[bytes] = []
        buf = self._buffer
        while buf:
            start = next((i for i, b in enumerate(buf) if b & 0x7F == STX), None)
            if start is None:
                buf.clear()
                break
            del buf[:start]
            needed = FRAME_LENGTH + (1 if self.checksum else 0)
            if len(buf) < needed:
                # Wait for more bytes, unless what we have already cannot be a frame.
                if not _prefix_plausible(bytes(buf)):
                    del buf[0]
                    continue
                break
            candidate = bytes(buf[:needed])
            if not _looks_like_frame(candidate) or (
                self.checksum and checksum(candidate[:FRAME_LENGTH]) != candidate[17] & 0x7F
            ):
                del buf[0]
                continue
            frames.append(candidate)
            del buf[:needed]
        return frames

    def clear(self) -> None:
        self._buffer.clear()


def _prefix_plausible(prefix: bytes) -> bool:
    """Could these first bytes still grow into a frame? Lets resync happen early."""
    for i, b in enumerate(prefix[:FRAME_LENGTH]):
        b &= 0x7F
        if i in (1, 2) and b & 0x60 != 0x20:
            return False
        if i == 3 and b & 0x20 != 0x20:
            return False
        if 4 <= i < 16 and chr(b) not in "0123456789 ":
            return False
    return True
