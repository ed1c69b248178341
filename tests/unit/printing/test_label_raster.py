"""The 1-bit label bitmap: right size, barcodes that scan, whole-dot modules, text in its box."""

from __future__ import annotations

import dataclasses
import io

import barcode as python_barcode
import pytest
import zxingcpp
from conftest import PRINTED_AT
from PIL import Image, ImageOps

from printing.layout import Barcode, build_layout
from printing.raster import rasterise
from printing.render import render
from printing.sizes import SIZES
from printing.waybill import Waybill

CASES = [(size, dpi) for size in SIZES for dpi in (203, 300)]


def code128_texts(image: Image.Image) -> list[str]:
    found = zxingcpp.read_barcodes(image.convert("L"), formats=zxingcpp.BarcodeFormat.Code128)
    return [r.text for r in found]


def ink_bbox(image: Image.Image) -> tuple[int, int, int, int] | None:
    return ImageOps.invert(image.convert("L")).getbbox()


@pytest.mark.parametrize(("size", "dpi"), CASES)
def test_png_preview_is_one_bit_at_label_size(waybill, size, dpi):
    image = Image.open(io.BytesIO(render(waybill, "png", size, dpi, PRINTED_AT)))
    width_mm, height_mm = SIZES[size]
    assert image.mode == "1"
    assert image.size == (round(width_mm * dpi / 25.4), round(height_mm * dpi / 25.4))
    assert round(image.info["dpi"][0]) == dpi


@pytest.mark.parametrize(("size", "dpi"), CASES)
def test_every_barcode_on_the_bitmap_scans(waybill, size, dpi):
    image = rasterise(build_layout(waybill, size, dpi, PRINTED_AT), dpi)
    expected = 1 if size == "76x130" else 2
    assert code128_texts(image) == ["SF1400012345678"] * expected


def scanline_runs(image: Image.Image, y: int, x0: int, x1: int) -> list[tuple[bool, int]]:
    """(is_black, width) runs along row y from x0 to x1."""
    runs: list[tuple[bool, int]] = []
    for x in range(x0, x1):
        black = image.getpixel((x, y)) == 0
        if runs and runs[-1][0] == black:
            runs[-1] = (black, runs[-1][1] + 1)
        else:
            runs.append((black, 1))
    return runs


@pytest.mark.parametrize(("size", "dpi"), CASES)
def test_bars_are_whole_dot_modules_with_quiet_zones(waybill, size, dpi):
    layout = build_layout(waybill, size, dpi, PRINTED_AT)
    image = rasterise(layout, dpi)
    expected_modules = python_barcode.Code128(waybill.tracking_no).build()[0]
    k = dpi / 25.4
    for code in (e for e in layout.elements if isinstance(e, Barcode)):
        bars = code.bar_rect
        y = round((bars.y + bars.h / 2) * k)
        runs = scanline_runs(image, y, round(bars.x * k), round(bars.right * k))
        assert not runs[0][0] and not runs[-1][0]  # white at both box edges
        symbol = runs[1:-1]
        module = min(width for _, width in symbol)
        assert module >= (2 if dpi == 203 else 3)
        assert all(width % module == 0 for _, width in symbol)
        decoded = "".join(("1" if black else "0") * (width // module) for black, width in symbol)
        assert decoded == expected_modules
        assert runs[0][1] >= 10 * module and runs[-1][1] >= 10 * module


def test_long_address_is_drawn_entirely_inside_its_box(waybill_dict):
    waybill_dict["recipient"]["address"] = "高新南七道十八号创维半导体设计大厦东座五栋1203室" * 5
    layout = build_layout(Waybill.from_dict(waybill_dict), "100x150", 203, PRINTED_AT)
    address = layout.find("recipient.address")
    alone = dataclasses.replace(layout, elements=(address,))
    for dpi in (203, 300):
        image = rasterise(alone, dpi)
        k = dpi / 25.4
        left, top, right, bottom = ink_bbox(image)
        box = address.rect
        assert left >= round(box.x * k) and right <= round(box.right * k)
        assert top >= round(box.y * k) - 1 and bottom <= round(box.bottom * k) + 1
        # and the lines really were drawn: every line leaves ink
        assert bottom - top > (len(address.lines) - 1) * address.size * k

