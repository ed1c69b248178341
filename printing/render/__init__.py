"""Rendering a waybill to bytes in one of the output formats.

Every format starts from the same layout (`printing.layout`); the raster formats also
share one 1-bit bitmap (`printing.raster`). `render` validates size/format/dpi and the
layout fully before returning, so callers can render first and only then open a printer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from PIL import Image

from printing.layout import Layout, build_layout
from printing.raster import rasterise
from printing.render.escpos import encode_escpos
from printing.render.pdf import encode_pdf
from printing.render.png import encode_png
from printing.render.tspl import encode_tspl
from printing.render.zpl import encode_zpl
from printing.sizes import (
    DEFAULT_DPI,
    DEFAULT_SIZE,
    FORMATS,
    check_dpi,
    check_format,
)
from printing.waybill import Waybill

__all__ = ["FORMATS", "Rendered", "render", "render_label", "render_bitmap"]


@dataclass(frozen=True)
class Rendered:
    """A rendered label: the bytes for the printer/file and what they were made from."""

    data: bytes
    format: str
    size: str
    dpi: int
    layout: Layout
    bitmap: Image.Image | None  # None for PDF


def render_bitmap(waybill: Waybill, size: str = DEFAULT_SIZE, dpi: int = DEFAULT_DPI,
                  printed_at: datetime | None = None) -> Image.Image:
    """The 1-bit label image the printer streams carry."""
    dpi = check_dpi(dpi)
    return rasterise(build_layout(waybill, size, dpi, printed_at), dpi)


def render_label(waybill: Waybill, format: str = "pdf", size: str = DEFAULT_SIZE,
                 dpi: int = DEFAULT_DPI, printed_at: datetime | None = None) -> Rendered:
    fmt = check_format(format)
    dpi = check_dpi(dpi)
    layout = build_layout(waybill, size, dpi, printed_at)
    if fmt == "pdf":
        return Rendered(encode_pdf(layout, dpi, title=waybill.tracking_no), fmt, size, dpi,
                        layout, None)
    bitmap = rasterise(layout, dpi)
    if fmt == "png":
        data = encode_png(bitmap, dpi)
    elif fmt == "escpos":
        data = encode_escpos(bitmap)
    elif fmt == "zpl":
        data = encode_zpl(bitmap)
    else:
        data = encode_tspl(bitmap, layout.width, layout.height)
    return Rendered(data, fmt, size, dpi, layout, bitmap)


def render(waybill: Waybill, format: str = "pdf", size: str = DEFAULT_SIZE,
           dpi: int = DEFAULT_DPI, printed_at: datetime | None = None) -> bytes:
    """The label as bytes in `format`; raises WaybillError naming a bad field/option."""
    return render_label(waybill, format, size, dpi, printed_at).data
