"""TSPL (TSC and the many Chinese label printers that speak it): SIZE, GAP, CLS, BITMAP, PRINT.

BITMAP mode 0 (overwrite) data is sent raw, row after row; on TSC printers a 0 bit is
printed black and a 1 bit is left white, so the bitmap goes out with ink = 0.
Commands end with CR LF.
"""

from __future__ import annotations

from PIL import Image

from printing.render._bits import packed_rows, width_bytes

GAP_MM = 2


def encode_tspl(image: Image.Image, width_mm: float, height_mm: float) -> bytes:
    wbytes = width_bytes(image)
    head = (
        f"SIZE {width_mm:g} mm,{height_mm:g} mm\r\n"
        f"GAP {GAP_MM} mm,0\r\n"
        "DIRECTION 0\r\n"
        "CLS\r\n"
        f"BITMAP 0,0,{wbytes},{image.height},0,"
    ).encode("ascii")
    return head + packed_rows(image, ink_bit=0) + b"\r\nPRINT 1,1\r\n"
