"""Printer-stream decoders, written from the protocol manuals, independent of printing/.

Each turns the bytes a printer would receive back into the picture it would print
(mode "1", 0 = black), so tests can scan the barcode off what the printer sees. They
are strict: a command they do not know is an error, not something to skip over.
"""

from __future__ import annotations

import base64
import re
import zlib
from dataclasses import dataclass, field

from PIL import Image


class StreamError(ValueError):
    pass


def _image_from_rows(rows: bytes, width_bytes: int, height: int, one_is_black: bool
                     ) -> Image.Image:
    if len(rows) != width_bytes * height:
        raise StreamError(f"bitmap has {len(rows)} bytes, expected {width_bytes * height}")
    if one_is_black:
        rows = bytes(b ^ 0xFF for b in rows)
    return Image.frombytes("1", (width_bytes * 8, height), rows)


# --- ESC/POS (Epson ESC/POS command reference) ------------------------------------------


@dataclass
class EscPosJob:
    image: Image.Image
    commands: list[str] = field(default_factory=list)
    bands: list[tuple[int, int]] = field(default_factory=list)  # (width bytes, rows)


def decode_escpos(stream: bytes) -> EscPosJob:
    """ESC @, GS v 0 raster bands (stacked top to bottom), ESC d/ESC J feeds, GS V cuts."""
    i = 0
    bands: list[tuple[int, int, bytes]] = []
    commands: list[str] = []
    while i < len(stream):
        b = stream[i]
        if stream.startswith(b"\x1b@", i):
            commands.append("ESC @")
            i += 2
        elif stream.startswith(b"\x1dv0", i):
            m = stream[i + 3]
            if m not in (0, 48):
                raise StreamError(f"GS v 0 mode {m} (scaled) not expected")
            xbytes = stream[i + 4] + 256 * stream[i + 5]
            rows = stream[i + 6] + 256 * stream[i + 7]
            start = i + 8
            data = stream[start:start + xbytes * rows]
            if len(data) != xbytes * rows:
                raise StreamError("GS v 0 data is truncated")
            bands.append((xbytes, rows, data))
            commands.append("GS v 0")
            i = start + xbytes * rows
        elif stream.startswith(b"\x1bd", i) or stream.startswith(b"\x1bJ", i):
            commands.append(f"ESC {chr(stream[i + 1])} {stream[i + 2]}")
            i += 3
        elif stream.startswith(b"\x1dV", i):
            m = stream[i + 2]
            if m in (0, 1, 48, 49):
                commands.append(f"GS V {m}")
                i += 3
            elif m in (65, 66, 97, 98, 103, 104):
                commands.append(f"GS V {m} {stream[i + 3]}")
                i += 4
            else:
                raise StreamError(f"GS V with unknown mode {m}")
        else:
            raise StreamError(f"unknown ESC/POS byte 0x{b:02x} at offset {i}")
    if not bands:
        raise StreamError("no GS v 0 raster in the stream")
    widths = {w for w, _, _ in bands}
    if len(widths) != 1:
        raise StreamError(f"raster bands of different widths {sorted(widths)}")
    width = widths.pop()
    height = sum(r for _, r, _ in bands)
    image = _image_from_rows(b"".join(d for _, _, d in bands), width, height, one_is_black=True)
    return EscPosJob(image, commands, [(w, r) for w, r, _ in bands])


# --- ZPL II (Zebra ZPL II programming guide: ^GF, compression scheme, Z64) ---------------


@dataclass
class ZplLabel:
    image: Image.Image
    width: int  # ^PW
    length: int  # ^LL
    commands: list[str]


def _zpl_count(ch: str) -> int:
    if "G" <= ch <= "Y":
        return ord(ch) - ord("G") + 1
    if "g" <= ch <= "z":
        return (ord(ch) - ord("g") + 1) * 20
    return 0


def decompress_zpl_hex(data: str, bytes_per_row: int) -> bytes:
    """ASCII hex with Zebra's compression (repeat counts G-Y/g-z, ',' '!' ':') -> bytes."""
    row_len = 2 * bytes_per_row
    rows: list[str] = []
    current = ""
    count = 0
    for ch in re.sub(r"\s", "", data):
        if _zpl_count(ch):
            count += _zpl_count(ch)
            continue
        if ch == ":":
            if current:
                raise StreamError("':' in the middle of a row")
            if not rows:
                raise StreamError("':' before any row")
            rows.append(rows[-1])
            continue
        if ch in ",!":
            current += ("0" if ch == "," else "F") * (row_len - len(current))
        elif ch in "0123456789ABCDEFabcdef":
            current += ch.upper() * (count or 1)
            count = 0
        else:
            raise StreamError(f"unexpected {ch!r} in ^GF data")
        if len(current) > row_len:
            raise StreamError("a ^GF row runs past its byte count")
        if len(current) == row_len:
            rows.append(current)
            current = ""
    if current:
        raise StreamError("^GF data ends in the middle of a row")
    return bytes.fromhex("".join(rows))


def _crc16_ccitt(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def _graphic_bytes(data: str, bytes_per_row: int) -> bytes:
    if data.startswith((":Z64:", ":B64:")):
        body, _, crc = data[5:].partition(":")
        if crc and int(crc, 16) != _crc16_ccitt(body.encode("ascii")):
            raise StreamError("Z64/B64 CRC mismatch")
        raw = base64.b64decode(body)
        return zlib.decompress(raw) if data.startswith(":Z64:") else raw
    return decompress_zpl_hex(data, bytes_per_row)


def decode_zpl(stream: bytes) -> ZplLabel:
    """One ^XA...^XZ label with ^PW, ^LL and ^FO/^GF graphic fields -> its image."""
    text = stream.decode("ascii")
    if not text.lstrip().startswith("^XA") or not text.rstrip().endswith("^XZ"):
        raise StreamError("a ZPL label must be ^XA ... ^XZ")
    commands = [c for c in re.split(r"(?=[\^~])", text.strip()) if c]
    width = length = 0
    origin = (0, 0)
    fields: list[tuple[tuple[int, int], Image.Image]] = []
    names = []
    for cmd in commands:
        name, args = cmd[:3], cmd[3:].strip()
        names.append(name)
        if name == "^PW":
            width = int(args)
        elif name == "^LL":
            length = int(args)
        elif name == "^FO":
            x, y = (int(v) for v in args.split(",")[:2])
            origin = (x, y)
        elif name == "^GF":
            kind, total, _field, per_row, data = args.split(",", 4)
            if kind != "A":
                raise StreamError(f"^GF compression type {kind} not supported")
            raw = _graphic_bytes(data, int(per_row))
            if len(raw) != int(total):
                raise StreamError(f"^GF says {total} bytes, data holds {len(raw)}")
            rows = len(raw) // int(per_row)
            fields.append((origin, _image_from_rows(raw, int(per_row), rows, one_is_black=True)))
        elif name in ("^XA", "^XZ", "^FS", "^LH", "^PQ", "^CI", "^MN", "^PR", "^MD"):
            continue
        else:
            raise StreamError(f"unexpected ZPL command {name}")
    if not width or not length:
        raise StreamError("^PW and ^LL must set the label size")
    canvas = Image.new("1", (width, length), 1)
    for (x, y), img in fields:
        canvas.paste(img.crop((0, 0, min(img.width, width - x), img.height)), (x, y))
    return ZplLabel(canvas, width, length, names)


# --- TSPL (TSC TSPL/TSPL2 programming manual) -------------------------------------------


@dataclass
class TsplJob:
    image: Image.Image
    size_mm: tuple[float, float]
    gap_mm: float
    commands: list[str]


def decode_tspl(stream: bytes, dpi: int = 203) -> TsplJob:
    """SIZE/GAP/CLS/BITMAP/PRINT. SIZE is in mm, so the printer's `dpi` gives the dots.
    BITMAP mode 0 data: a 0 bit is printed black."""
    i = 0
    commands: list[str] = []
    size = (0.0, 0.0)
    gap = -1.0
    canvas: Image.Image | None = None
    printed = False
    while i < len(stream):
        if stream[i:i + 1] in (b"\r", b"\n"):
            i += 1
            continue
        if stream.startswith(b"BITMAP ", i):
            head_end = i
            for _ in range(5):
                head_end = stream.index(b",", head_end + 1)
            x, y, wbytes, height, mode = (int(v) for v in
                                          stream[i + 7:head_end].decode().split(","))
            if mode != 0:
                raise StreamError(f"BITMAP mode {mode} not expected")
            if canvas is None:
                raise StreamError("BITMAP before SIZE and CLS")
            start = head_end + 1
            data = stream[start:start + wbytes * height]
            bitmap = _image_from_rows(data, wbytes, height, one_is_black=False)
            canvas.paste(bitmap.crop((0, 0, min(bitmap.width, canvas.width - x),
                                      min(height, canvas.height - y))), (x, y))
            commands.append("BITMAP")
            i = start + wbytes * height
            continue
        end = stream.find(b"\n", i)
        end = len(stream) if end < 0 else end
        line = stream[i:end].decode("ascii").strip()
        i = end + 1
        word, _, args = line.partition(" ")
        commands.append(word)
        if word == "SIZE":
            w, h = (float(v.strip().removesuffix("mm").strip()) for v in args.split(","))
            size = (w, h)
        elif word == "GAP":
            gap = float(args.split(",")[0].strip().removesuffix("mm").strip())
        elif word == "CLS":
            if not size[0]:
                raise StreamError("CLS before SIZE")
            canvas = Image.new("1", (round(size[0] * dpi / 25.4), round(size[1] * dpi / 25.4)), 1)
        elif word == "PRINT":
            printed = True
        elif word not in ("DIRECTION", "REFERENCE", "DENSITY", "SPEED", "OFFSET"):
            raise StreamError(f"unexpected TSPL command {word!r}")
    if canvas is None or not printed:
        raise StreamError("no printed label in the stream")
    return TsplJob(canvas, size, gap, commands)
