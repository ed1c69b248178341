"""ESC/POS: the label as raster graphics (`GS v 0`), complete on its own.

Stream: `ESC @` (initialise), then the bitmap as consecutive `GS v 0` blocks of at most
BAND_ROWS rows each (cheap printers with small buffers, and those that ignore yH,
handle bands of <= 255 rows), then `ESC d 1` (print and feed a line) and `GS V 66 0`
(feed to the cutter and partial cut). In the raster data a 1 bit is a black dot.
"""

from __future__ import annotations

import struct

from PIL import Image

from printing.render._bits import packed_rows, width_bytes

ESC_INIT = b"\x1b@"
FEED_AND_CUT = b"\x1bd\x01" + b"\x1dVB\x00"
BAND_ROWS = 255


def encode_escpos(image: Image.Image) -> bytes:
    wbytes = width_bytes(image)
    data = packed_rows(image, ink_bit=1)
    out = [ESC_INIT]
    for top in range(0, image.height, BAND_ROWS):
        rows = min(BAND_ROWS, image.height - top)
        out.append(b"\x1dv0\x00" + struct.pack("<HH", wbytes, rows))
        out.append(data[top * wbytes:(top + rows) * wbytes])
    out.append(FEED_AND_CUT)
    return b"".join(out)
