"""PNG: the exact 1-bit bitmap the printer streams carry, for preview on screen."""

from __future__ import annotations

import io

from PIL import Image


def encode_png(image: Image.Image, dpi: int) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "PNG", dpi=(dpi, dpi), optimize=False)
    return buf.getvalue()
