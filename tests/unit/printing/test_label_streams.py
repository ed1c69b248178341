"""Printer streams decoded back, as a printer would, to the picture it prints.

The decoders (decoders.py) are written from the ESC/POS, ZPL II and TSPL manuals and
share no code with the encoders."""

from __future__ import annotations

import re

import pytest
import zxingcpp
from conftest import PRINTED_AT
from label_decoders import decode_escpos, decode_tspl, decode_zpl
from PIL import Image, ImageChops

from printing.render import render_bitmap, render_label
from printing.render.zpl import encode_zpl
from printing.sizes import SIZES

CASES = [(size, dpi) for size in SIZES for dpi in (203, 300)]


def scans(image: Image.Image) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(image.convert("L"),
                                                   formats=zxingcpp.BarcodeFormat.Code128)]


def same_picture(printed: Image.Image, bitmap: Image.Image) -> bool:
    """The printed picture is the bitmap, and the padding beyond it is blank paper."""
    inside = printed.crop((0, 0, bitmap.width, bitmap.height))
    if ImageChops.difference(inside.convert("L"), bitmap.convert("L")).getbbox() is not None:
        return False
    beyond = printed.crop((bitmap.width, 0, printed.width, printed.height)).convert("L")
    return printed.width == bitmap.width or beyond.getextrema() == (255, 255)


@pytest.mark.parametrize(("size", "dpi"), CASES)
def test_escpos_raster_prints_the_label(waybill, size, dpi):
    label = render_label(waybill, "escpos", size, dpi, PRINTED_AT)
    job = decode_escpos(label.data)
    assert job.commands[0] == "ESC @"
    assert job.commands[-1].startswith("GS V")  # ends with the cut, after a feed
    assert job.commands[-2].startswith("ESC d")
    assert all(w == (label.bitmap.width + 7) // 8 and rows <= 255 for w, rows in job.bands)
    assert job.image.height == label.bitmap.height
    assert same_picture(job.image, label.bitmap)
    assert "SF1400012345678" in scans(job.image)


@pytest.mark.parametrize(("size", "dpi"), CASES)
def test_zpl_graphic_field_prints_the_label(waybill, size, dpi):
    label = render_label(waybill, "zpl", size, dpi, PRINTED_AT)
    printed = decode_zpl(label.data)
    assert (printed.width, printed.length) == label.bitmap.size
    assert printed.commands[0] == "^XA" and printed.commands[-1] == "^XZ"
    assert same_picture(printed.image, label.bitmap)
    assert "SF1400012345678" in scans(printed.image)


def test_zpl_compression_shrinks_the_stream_and_prints_the_same(waybill):
    bitmap = render_bitmap(waybill, "100x150", 203, PRINTED_AT)
    plain, packed = encode_zpl(bitmap, compress=False), encode_zpl(bitmap, compress=True)
    assert len(packed) * 4 < len(plain)
    assert same_picture(decode_zpl(plain).image, bitmap)
    assert same_picture(decode_zpl(packed).image, bitmap)


@pytest.mark.parametrize(("size", "dpi"), CASES)
def test_tspl_bitmap_prints_the_label(waybill, size, dpi):
    label = render_label(waybill, "tspl", size, dpi, PRINTED_AT)
    job = decode_tspl(label.data, dpi)
    assert job.size_mm == SIZES[size]
    assert job.gap_mm == 2
    assert job.commands.index("CLS") < job.commands.index("BITMAP") < job.commands.index("PRINT")
    assert same_picture(job.image, label.bitmap)
    assert "SF1400012345678" in scans(job.image)


def test_tspl_sends_black_dots_as_zero_bits(waybill):
    """A mostly white label must be mostly 1 bits on the wire (TSC's BITMAP polarity)."""
    data = render_label(waybill, "tspl", "100x150", 203, PRINTED_AT).data
    raw = data[re.search(rb"BITMAP \d+,\d+,\d+,\d+,0,", data).end():]
    ones = sum(bin(b).count("1") for b in raw[:20000])
    assert ones > 0.8 * 8 * 20000


def test_escpos_width_in_bytes_rounds_up_partial_bytes(waybill):
    label = render_label(waybill, "escpos", "100x150", 203, PRINTED_AT)
    assert label.bitmap.width == 799
    assert decode_escpos(label.data).bands[0][0] == 100


def test_zpl_compressed_hex_follows_the_manual():
    from printing.render.zpl import compress_hex_row

    assert compress_hex_row("B" * 327, None) == "vMB"  # 320 + 7 repeats of B
    assert compress_hex_row("FF00000000", None) == "HF,"  # rest of the row is 0
    assert compress_hex_row("00FFFFFFFF", None) == "H0!"  # rest of the row is F
    assert compress_hex_row("0F0F", "0F0F") == ":"  # same as the row above
    assert compress_hex_row("0000", None) == ","
