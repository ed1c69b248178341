"""Packing the 1-bit label into printer rows: the one place that knows bit polarity.

Pillow's mode "1" packs 8 dots per byte, most significant bit = leftmost dot, with
1 = white. Printers differ: ESC/POS and ZPL burn a dot for a 1 bit, TSPL's BITMAP
(mode 0, on TSC and compatibles) burns a dot for a 0 bit. Rows are padded on the
right to whole bytes with paper (never ink), whatever the polarity.
"""

from __future__ import annotations

from PIL import Image

_INVERT = bytes(b ^ 0xFF for b in range(256))


def width_bytes(image: Image.Image) -> int:
    return (image.width + 7) // 8


def packed_rows(image: Image.Image, ink_bit: int) -> bytes:
    """All rows of `image` (mode "1"), each width_bytes() long; `ink_bit` is what a black
    dot is on the wire (1 for ESC/POS and ZPL, 0 for TSPL)."""
    if image.mode != "1":
        raise ValueError("expected a 1-bit image")
    padded_width = width_bytes(image) * 8
    if padded_width != image.width:
        canvas = Image.new("1", (padded_width, image.height), 1)
        canvas.paste(image, (0, 0))
        image = canvas
    raw = image.tobytes()  # 1 = white
    return raw.translate(_INVERT) if ink_bit == 1 else raw
