"""Mettler Toledo MT-SICS (Standard Interface Command Set), level 0/1 subset.

Host commands are ASCII words terminated by CR LF:

    S    send stable weight        -> "S S     100.00 g" | "S I" | "S +" | "S -"
    SI   send weight immediately   -> "S S ..." (stable) | "S D ..." (dynamic) | "S I/+/-"
    Z    zero (waits for stability)-> "Z A" done | "Z I" not executable | "Z +"/"Z -" out of range
    T    tare (waits for stability)-> "T S   12.34 g" (tare stored) | "T I" | "T +" | "T -"
    TAC  clear tare                -> "TAC A" | "TAC I"
    @    reset (clears tare)       -> 'I4 A "serial-number"'

Replies are `<command id> <status> [fields...]` CR LF, fields separated by one or more
spaces; the weight field is right-aligned with its sign attached, followed by the
unit. Status letters: S stable, D dynamic, A done, I understood but not executable
now (busy, or no stability before the scale's own timeout), + above capacity / zero
range, - below. Any command can instead be answered by a bare `ES` (syntax error,
command unknown), `ET` (transmission error, bytes garbled) or `EL` (logical error,
e.g. a parameter the scale cannot accept).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from scanners.errors import CommandRejected, FrameError
from scanners.readings import OVERLOAD, UNDERLOAD, Reading, error_reading
from scanners.units import normalize_unit, to_grams

TERMINATOR = b"\r\n"
MAX_LINE = 256

ERROR_REPLIES = {
    "ES": "syntax error: the scale does not know the command",
    "ET": "transmission error: the scale received garbled bytes",
    "EL": "logical error: the scale cannot execute the command with these parameters",
}
NOT_EXECUTABLE = "command not executable now (scale busy, or no stable weight in time)"


def command(name: str, *args: str) -> bytes:
    """Bytes of one MT-SICS command: name and arguments separated by spaces, then CR LF."""
    if not name or any(c in name for c in " \r\n"):
        raise ValueError(f"not an MT-SICS command name: {name!r}")
    return " ".join((name, *args)).encode("ascii") + TERMINATOR


STABLE_WEIGHT = command("S")
IMMEDIATE_WEIGHT = command("SI")
ZERO = command("Z")
TARE = command("T")
CLEAR_TARE = command("TAC")
RESET = command("@")


@dataclass(frozen=True)
class Reply:
    """One reply line split into command id, status letter and remaining fields."""

    command: str
    status: str
    fields: tuple[str, ...]
    raw: bytes


def _tokens(text: str) -> list[str]:
    """Split on spaces, keeping double-quoted strings (serial numbers) whole."""
    tokens: list[str] = []
    current = ""
    quoted = False
    for ch in text:
        if ch == '"':
            quoted = not quoted
            current += ch
        elif ch == " " and not quoted:
            if current:
                tokens.append(current)
            current = ""
        else:
            current += ch
    if current:
        tokens.append(current)
    return tokens


def parse_reply(line: bytes) -> Reply:
    """Split one reply line (terminator optional) into its parts; FrameError if not a reply."""
    text = line.decode("latin-1").strip("\r\n")
    # Stray bytes before or after a reply (line noise, a power-up blip) are dropped.
    text = "".join(c if " " <= c <= "~" else " " for c in text).strip()
    tokens = _tokens(text)
    if not tokens:
        raise FrameError(f"empty MT-SICS reply {line!r}")
    head = tokens[0]
    if not (head == "@" or head[0].isalpha()) or not all(c.isalnum() or c == "@" for c in head):
        raise FrameError(f"not an MT-SICS reply: {line!r}")
    if head in ERROR_REPLIES:
        return Reply(head, "", tuple(tokens[1:]), bytes(line))
    if len(tokens) < 2:
        raise FrameError(f"MT-SICS reply without status: {line!r}")
    return Reply(head, tokens[1], tuple(tokens[2:]), bytes(line))


def _weight_fields(reply: Reply) -> tuple[Decimal, str]:
    fields = list(reply.fields)
    if len(fields) >= 2 and fields[0] in ("-", "+"):  # sign separated from the digits
        fields[0:2] = [fields[0] + fields[1]]
    if len(fields) != 2:
        raise FrameError(f"MT-SICS weight reply needs a value and a unit: {reply.raw!r}")
    try:
        value = Decimal(fields[0])
    except InvalidOperation:
        raise FrameError(f"MT-SICS weight is not a number: {reply.raw!r}") from None
    return value, fields[1]


def raise_if_error(reply: Reply) -> None:
    """Raise CommandRejected for ES/ET/EL and the "I" (not executable) status."""
    if reply.command in ERROR_REPLIES:
        raise CommandRejected(f"{reply.command}: {ERROR_REPLIES[reply.command]}")
    if reply.status == "I":
        raise CommandRejected(f"{reply.command} I: {NOT_EXECUTABLE}")


def reading_from_reply(reply: Reply) -> Reading:
    """Turn an S, SI or T reply into a Reading.

    Overload (`+`) and underload (`-`) give an error reading; ES/ET/EL and `I` raise
    CommandRejected; anything else that is not a weight raises FrameError.
    """
    raise_if_error(reply)
    if reply.command not in ("S", "SI", "T"):
        raise FrameError(f"not a weight reply: {reply.raw!r}")
    if reply.status == "+":
        return error_reading(OVERLOAD, reply.raw)
    if reply.status == "-":
        return error_reading(UNDERLOAD, reply.raw)
    if reply.status not in ("S", "D"):
        raise FrameError(f"unknown MT-SICS weight status {reply.status!r}: {reply.raw!r}")
    value, unit = _weight_fields(reply)
    return Reading(
        grams=to_grams(value, unit),
        stable=reply.status == "S",
        raw=reply.raw,
        unit=normalize_unit(unit),
        net=None,
    )


def parse_weight(line: bytes) -> Reading:
    """Parse one S/SI/T reply line straight to a Reading (see `reading_from_reply`)."""
    return reading_from_reply(parse_reply(line))


class LineDecoder:
    """Cut a byte stream into reply lines.

    Lines end in CR LF; a lone CR or LF also ends a line so a scale configured for
    either still works. Empty lines are dropped, and a line longer than MAX_LINE
    bytes is discarded whole as garbage, so the decoder resyncs on the next line.
    """

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._discarding = False  # inside an over-long line: drop up to its terminator

    def feed(self, data: bytes) -> list[bytes]:
        lines: list[bytes] = []
        for byte in data:
            if byte in (0x0D, 0x0A):
                if self._buffer and not self._discarding:
                    lines.append(bytes(self._buffer))
                self._buffer.clear()
                self._discarding = False
            elif not self._discarding:
                self._buffer.append(byte)
                if len(self._buffer) > MAX_LINE:
                    self._buffer.clear()
                    self._discarding = True
        return lines

    def clear(self) -> None:
        self._buffer.clear()
        self._discarding = False
