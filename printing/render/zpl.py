"""ZPL II: the label as one `^GF` graphic field in ASCII hex, by default ZPL-compressed.

    ^XA ^PW<width dots> ^LL<height dots> ^LH0,0
    ^FO0,0^GFA,<bytes>,<bytes>,<row bytes>,<data>^FS ^PQ1 ^XZ

Plain hex doubles the bitmap (a 100x150 mm label at 203 dpi is ~240 kB); Zebra's
compressed ASCII hex ("alternative data compression scheme" of ~DG/^GF) shrinks a
typical label about tenfold and every ZPL II printer reads it:

- a repeat count precedes a hex digit: G..Y = 1..19, g..z = 20, 40, ... 400 (added);
- `,` fills the rest of the row with 0, `!` fills it with 1 (F);
- `:` repeats the previous row.

In ^GF data a 1 bit is a black dot.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from PIL import Image

from printing.render._bits import packed_rows, width_bytes

_LOW = {n: chr(ord("G") + n - 1) for n in range(1, 20)}  # G=1 .. Y=19
_HIGH = {n: chr(ord("g") + n // 20 - 1) for n in range(20, 401, 20)}  # g=20 .. z=400
MAX_RUN = 419


@cache
def _count_code(n: int) -> str:
    high, low = (n // 20) * 20, n % 20
    return (_HIGH[high] if high else "") + (_LOW[low] if low else "")


_REPEATS = re.compile(r"(.)\1+")  # single digits are written as they are


@lru_cache(maxsize=4096)
def _encode_run(run: str) -> str:
    ch, n = run[0], len(run)
    out = []
    while n > 0:
        chunk = min(n, MAX_RUN)
        out.append(_count_code(chunk) + ch if chunk > 1 else ch)
        n -= chunk
    return "".join(out)


def _run_length(hex_row: str) -> str:
    return _REPEATS.sub(lambda m: _encode_run(m.group(0)), hex_row)


def compress_hex_row(hex_row: str, previous: str | None) -> str:
    """One row of ^GF ASCII hex in Zebra's compressed form."""
    if hex_row == previous:
        return ":"
    body = hex_row.rstrip("0")
    if len(body) < len(hex_row):
        return _run_length(body) + ","
    body = hex_row.rstrip("F")
    if len(body) < len(hex_row) - 1:
        return _run_length(body) + "!"
    return _run_length(hex_row)


def graphic_field_data(image: Image.Image, compress: bool = True) -> tuple[int, int, str]:
    """(total bytes, bytes per row, ASCII data) for ^GFA."""
    wbytes = width_bytes(image)
    hex_data = packed_rows(image, ink_bit=1).hex().upper()
    row_len = 2 * wbytes
    if not compress:
        return wbytes * image.height, wbytes, hex_data
    parts = []
    previous = None
    for top in range(0, len(hex_data), row_len):
        row = hex_data[top:top + row_len]
        parts.append(compress_hex_row(row, previous))
        previous = row
    return wbytes * image.height, wbytes, "".join(parts)


def encode_zpl(image: Image.Image, compress: bool = True) -> bytes:
    total, wbytes, data = graphic_field_data(image, compress)
    return (
        "^XA\n"
        f"^PW{image.width}\n"
        f"^LL{image.height}\n"
        "^LH0,0\n"
        f"^FO0,0^GFA,{total},{total},{wbytes},{data}^FS\n"
        "^PQ1\n"
        "^XZ\n"
    ).encode("ascii")
