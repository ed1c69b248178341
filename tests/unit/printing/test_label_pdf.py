"""The PDF: the CJK font embedded, Chinese really drawn, barcodes on the printer's dot grid.

Rasterised with pypdfium2 when installed, else poppler's pdftoppm (CI installs it)."""

from __future__ import annotations

import dataclasses
import io
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
import zxingcpp
from conftest import PRINTED_AT
from PIL import Image

from printing.layout import build_layout
from printing.raster import rasterise
from printing.render import render
from printing.render.pdf import encode_pdf
from printing.sizes import SIZES

ADDRESS = "广东省深圳市南山区科技园南区高新南七道18号5栋1203"


def pdf_to_image(data: bytes, dpi: int) -> Image.Image:
    try:
        import pypdfium2
    except ImportError:
        pypdfium2 = None
    if pypdfium2 is not None:
        page = pypdfium2.PdfDocument(data)[0]
        return page.render(scale=dpi / 72).to_pil().convert("L")
    if not shutil.which("pdftoppm"):
        pytest.skip("needs pypdfium2 or poppler's pdftoppm to rasterise PDFs")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "label.pdf"
        src.write_bytes(data)
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-singlefile", str(src),
                        str(Path(tmp) / "page")], check=True)
        return Image.open(Path(tmp) / "page.pgm").convert("L")


def pdf_text(data: bytes) -> str:
    try:
        import pypdfium2
    except ImportError:
        if not shutil.which("pdftotext"):
            pytest.skip("needs pypdfium2 or poppler's pdftotext")
        return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True,
                              check=True).stdout.decode()
    return pypdfium2.PdfDocument(data)[0].get_textpage().get_text_range()


def ink(image: Image.Image, box: tuple[int, int, int, int]) -> set[tuple[int, int]]:
    region = image.crop(box).convert("L")
    w = region.width
    return {(i % w, i // w) for i, v in enumerate(region.tobytes()) if v < 128}


def test_pdf_page_is_the_label_size_and_embeds_the_cjk_font(waybill):
    data = render(waybill, "pdf", "100x150", 203, PRINTED_AT)
    assert data.startswith(b"%PDF")
    assert b"/FontFile2" in data  # TrueType font program embedded
    base_fonts = re.findall(rb"/BaseFont /([^\s/]+)", data)
    assert base_fonts and all(b"+" in name for name in base_fonts)  # only embedded subsets
    box = re.search(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)", data)
    assert box is not None
    assert abs(float(box.group(1)) - 100 * 72 / 25.4) < 0.01
    assert abs(float(box.group(2)) - 150 * 72 / 25.4) < 0.01


def test_pdf_text_is_real_chinese(waybill):
    text = pdf_text(render(waybill, "pdf", "100x150", 203, PRINTED_AT))
    squeezed = "".join(text.split())
    assert ADDRESS in squeezed
    assert "张三" in squeezed and "138****5678" in squeezed


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("dpi", [203, 300])
def test_pdf_barcodes_scan(waybill, size, dpi):
    image = pdf_to_image(render(waybill, "pdf", size, dpi, PRINTED_AT), dpi)
    found = [r.text for r in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.Code128)]
    assert found == ["SF1400012345678"] * (1 if size == "76x130" else 2)


def test_pdf_address_draws_the_same_glyphs_as_the_printer_bitmap(waybill):
    """Not blank, not boxes: the address in the PDF covers nearly the same dots as the
    bitmap drawn with the CJK font; without the address the box is empty."""
    dpi = 203
    layout = build_layout(waybill, "100x150", dpi, PRINTED_AT)
    address = layout.find("recipient.address")
    k = dpi / 25.4
    box = (round(address.rect.x * k), round(address.rect.y * k),
           round(address.rect.right * k), round(address.rect.bottom * k))
    pdf_ink = ink(pdf_to_image(encode_pdf(layout, dpi), dpi), box)
    bitmap_ink = ink(rasterise(layout, dpi), box)
    without = dataclasses.replace(layout, elements=tuple(e for e in layout.elements
                                                         if e is not address))
    assert not ink(pdf_to_image(encode_pdf(without, dpi), dpi), box)
    assert len(pdf_ink) > 1000
    overlap = len(pdf_ink & bitmap_ink) / len(pdf_ink | bitmap_ink)
    assert overlap > 0.5, overlap


def page_rects(data: bytes) -> list[tuple[float, float, float, float]]:
    """Every `x y w h re` in an uncompressed PDF's page content (points)."""
    return [tuple(map(float, m)) for m in
            re.findall(rb"(-?[\d.]+) (-?[\d.]+) (-?[\d.]+) (-?[\d.]+) re\b", data)]


@pytest.mark.parametrize("dpi", [203, 300])
def test_pdf_bars_are_whole_printer_dots_where_the_bitmap_has_them(waybill, dpi):
    layout = build_layout(waybill, "100x150", dpi, PRINTED_AT)
    rects = page_rects(encode_pdf(layout, dpi, compress=False))
    dot = 72 / dpi
    bars = [r for r in rects if r[3] > 5 * 72 / 25.4]  # bars are taller than 5 mm
    assert len(bars) > 40
    for x, _, w, _ in bars:
        assert abs(x / dot - round(x / dot)) < 0.05 and abs(w / dot - round(w / dot)) < 0.05
    # the same dots as the printer bitmap, row through the main barcode
    bitmap = rasterise(layout, dpi)
    main = min(bars, key=lambda r: -r[1])[1]  # highest bars on the page = main barcode
    pdf_dots = set()
    for x, y, w, _ in bars:
        if y == main:
            pdf_dots.update(range(round(x / dot), round((x + w) / dot)))
    row = round((150 - (main / (72 / 25.4))) * dpi / 25.4) - 2
    bitmap_dots = {x for x in range(bitmap.width) if bitmap.getpixel((x, row)) == 0}
    assert pdf_dots == bitmap_dots


def test_pdf_renders_as_an_image_for_quick_look(waybill):
    image = Image.open(io.BytesIO(render(waybill, "png", "100x150", 203, PRINTED_AT)))
    assert image.getbbox() is not None
