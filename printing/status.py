"""Asking a printer how it is: ESC/POS real-time status, ZPL `~HS`, TSPL `<ESC>!?`.

A packer needs to know *why* nothing came out (paper out, cover open) before the
parcel leaves the station. `printer_status(transport, protocol)` sends the query and
parses the reply; a printer that does not answer in time is reported as not online
with `known=False`, never as fine.

ESC/POS `DLE EOT n` answers one byte each, shaped 0xx1xx10 (bits 1 and 4 set,
bits 0 and 7 clear):

- n=1 printer status: bit 3 = offline;
- n=2 offline cause: bit 2 = cover open, bit 5 = stopped by paper end, bit 6 = error;
- n=4 roll paper sensor: bits 2-3 = paper near end, bits 5-6 = paper end.

ZPL `~HS` answers three strings, each STX ... ETX CR LF, comma-separated fields:
string 1 `aaa,b,c,dddd,eee,f,g,h,iii,j,k,l` (b paper out, c paused, f buffer full,
j corrupt RAM, k under temperature, l over temperature), string 2
`mmm,n,o,p,q,r,s,t,uuuuuuuu,v,www` (o head up, p ribbon out), string 3 `xxxx,y`.

TSPL `<ESC>!?` answers one byte: bit 0 head open, 1 paper jam, 2 out of paper,
3 out of ribbon, 4 pause, 5 printing, 6 cover open, 7 other error.
"""

from __future__ import annotations

from dataclasses import dataclass

from printing.transports import Transport, TransportError

PROTOCOLS = ("escpos", "zpl", "tspl")
STX, ETX = b"\x02", b"\x03"


@dataclass(frozen=True)
class Status:
    online: bool
    paper_out: bool = False
    paper_near_end: bool = False
    cover_open: bool = False
    error: bool = False
    paused: bool = False
    known: bool = True
    detail: str = ""

    @property
    def ready(self) -> bool:
        """Can print now."""
        return (self.known and self.online and not self.paper_out and not self.cover_open
                and not self.error and not self.paused)

    def describe(self) -> str:
        if not self.known:
            return f"unknown ({self.detail or 'no reply'})"
        problems = [name for name, on in (
            ("offline", not self.online), ("paper out", self.paper_out),
            ("cover open", self.cover_open), ("error", self.error), ("paused", self.paused),
            ("paper near end", self.paper_near_end)) if on]
        text = ", ".join(problems) if problems else "ready"
        return f"{text} ({self.detail})" if self.detail else text


def unknown(reason: str) -> Status:
    return Status(online=False, known=False, detail=reason)


class StatusReplyError(ValueError):
    """A reply that is not shaped like the protocol's status answer."""


# --- ESC/POS -------------------------------------------------------------------------

DLE_EOT = b"\x10\x04"


def _escpos_byte(value: int, what: str) -> int:
    if value & 0x93 != 0x12:
        raise StatusReplyError(f"ESC/POS {what} status byte 0x{value:02x} is not 0xx1xx10")
    return value


def parse_escpos_status(printer: int, offline: int, paper: int) -> Status:
    """Status from the replies to DLE EOT 1, 2 and 4."""
    printer = _escpos_byte(printer, "printer")
    offline = _escpos_byte(offline, "offline cause")
    paper = _escpos_byte(paper, "paper sensor")
    paper_out = bool(paper & 0x60) or bool(offline & 0x20)
    return Status(
        online=not printer & 0x08,
        paper_out=paper_out,
        paper_near_end=bool(paper & 0x0C) and not paper_out,
        cover_open=bool(offline & 0x04),
        error=bool(offline & 0x40),
        detail=f"escpos {printer:02x} {offline:02x} {paper:02x}",
    )


def escpos_status(transport: Transport, timeout: float = 1.0) -> Status:
    replies = []
    for n in (1, 2, 4):
        transport.write(DLE_EOT + bytes([n]))
        reply = transport.read(1, timeout)
        if not reply:
            return unknown(f"no reply to DLE EOT {n} within {timeout:g}s")
        replies.append(reply[0])
    return parse_escpos_status(*replies)


# --- ZPL -------------------------------------------------------------------------------


def split_hs_reply(reply: bytes) -> list[list[str]]:
    """The three STX...ETX strings of a ~HS reply, each split into its fields."""
    strings = []
    rest = reply
    while STX in rest:
        start = rest.index(STX) + 1
        end = rest.find(ETX, start)
        if end < 0:
            break
        strings.append(rest[start:end].decode("ascii", "replace").split(","))
        rest = rest[end + 1:]
    if len(strings) < 3:
        raise StatusReplyError(f"~HS reply has {len(strings)} of 3 STX...ETX strings")
    return strings[:3]


def parse_zpl_host_status(reply: bytes) -> Status:
    one, two, _three = split_hs_reply(reply)
    if len(one) < 12 or len(two) < 11:
        raise StatusReplyError("~HS reply strings have too few fields")

    def flag(fields: list[str], i: int) -> bool:
        return fields[i].strip() == "1"

    head_up = flag(two, 2)
    return Status(
        online=True,  # it answered; a paused printer is online but will not print
        paper_out=flag(one, 1),
        paused=flag(one, 2),
        cover_open=head_up,
        error=flag(one, 9) or flag(one, 10) or flag(one, 11) or flag(two, 3),
        detail=("head open " if head_up else "") + ("ribbon out" if flag(two, 3) else ""),
    )


def zpl_status(transport: Transport, timeout: float = 1.0) -> Status:
    transport.write(b"~HS")
    reply = b""
    while reply.count(ETX) < 3:  # the length varies: read up to the third ETX
        chunk = transport.read(1, timeout)
        if not chunk:
            return unknown(f"no complete ~HS reply within {timeout:g}s")
        reply += chunk
    return parse_zpl_host_status(reply)


# --- TSPL ------------------------------------------------------------------------------


def parse_tspl_status(value: int) -> Status:
    return Status(
        online=True,
        cover_open=bool(value & 0x01) or bool(value & 0x40),
        paper_out=bool(value & 0x04),
        paused=bool(value & 0x10),
        error=bool(value & 0x02) or bool(value & 0x08) or bool(value & 0x80),
        detail=f"tspl {value:02x}",
    )


def tspl_status(transport: Transport, timeout: float = 1.0) -> Status:
    transport.write(b"\x1b!?")
    reply = transport.read(1, timeout)
    if not reply:
        return unknown(f"no reply to <ESC>!? within {timeout:g}s")
    return parse_tspl_status(reply[0])


def printer_status(transport: Transport, protocol: str = "escpos", timeout: float = 1.0
                   ) -> Status:
    """Query and parse; unknown (not online) on timeout, a garbled reply or a dead link."""
    queries = {"escpos": escpos_status, "zpl": zpl_status, "tspl": tspl_status}
    if protocol not in queries:
        raise ValueError(f"protocol must be one of {', '.join(PROTOCOLS)} (got {protocol!r})")
    try:
        return queries[protocol](transport, timeout)
    except StatusReplyError as exc:
        return unknown(str(exc))
    except TransportError as exc:
        return unknown(str(exc))
