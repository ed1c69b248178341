"""Draw a layout as one 1-bit bitmap at the printer's dpi: what the thermal head burns.

Every printer stream (ESC/POS, ZPL, TSPL) and the PNG preview is this one bitmap, so
they cannot differ. Pixels are 0 = black (ink), 1 = white, as in Pillow's mode "1".
Text is drawn without anti-aliasing (a thermal dot is on or off) using the CJK font;
barcodes and QR codes use whole-dot modules from `printing.barcodes`.
"""

from __future__ import annotations

from PIL import Image, ImageDraw

from printing.barcodes import mm_to_dots, place_code128, place_qr, qr_row_runs
from printing.fonts import line_width_px, pil_font, runs
from printing.layout import QR, Barcode, Layout, Rect, Rule, Text

INK = 0
PAPER = 1
BOLD_MIN_PX = 22  # below this a stroke closes the counters of Chinese glyphs


def label_size_dots(layout: Layout, dpi: int) -> tuple[int, int]:
    return mm_to_dots(layout.width, dpi), mm_to_dots(layout.height, dpi)


def rasterise(layout: Layout, dpi: int) -> Image.Image:
    """The label as a mode "1" image of exactly label-size-in-mm at `dpi`."""
    image = Image.new("1", label_size_dots(layout, dpi), PAPER)
    draw = ImageDraw.Draw(image)
    draw.fontmode = "1"
    for element in layout.elements:
        if isinstance(element, Text):
            _draw_text(draw, element, dpi)
        elif isinstance(element, Barcode):
            _draw_barcode(draw, element, dpi)
        elif isinstance(element, QR):
            _draw_qr(draw, element, dpi)
        elif isinstance(element, Rule):
            _draw_rule(draw, element, dpi)
    return image


def box_dots(rect: Rect, dpi: int) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) in dots, right/bottom exclusive."""
    return (mm_to_dots(rect.x, dpi), mm_to_dots(rect.y, dpi),
            mm_to_dots(rect.right, dpi), mm_to_dots(rect.bottom, dpi))


def _draw_text(draw: ImageDraw.ImageDraw, text: Text, dpi: int) -> None:
    left, _, right, _ = box_dots(text.rect, dpi)
    k = dpi / 25.4
    size_px = max(6, int(text.size * k))  # round down: never larger than the fitted size
    stroke = 1 if text.bold and size_px >= BOLD_MIN_PX else 0
    for x_mm, baseline_mm, line in text.line_positions():
        px = size_px
        # Hinting can widen a line by a dot or two; shrink that line rather than overflow.
        while line_width_px(line, px) + 2 * stroke > right - left and px > 6:
            px -= 1
        width = line_width_px(line, px) + 2 * stroke
        x: float = min(max(round(x_mm * k), left), int(right - width))
        for which, run in runs(line):  # each run in the font of the chain that has its characters
            font = pil_font(px, which)
            draw.text((round(x) + stroke, round(baseline_mm * k)), run, font=font, fill=INK, anchor="ls",
                      stroke_width=stroke, stroke_fill=INK)
            x += line_width_px(run, px)


def _draw_barcode(draw: ImageDraw.ImageDraw, code: Barcode, dpi: int) -> None:
    left, top, right, bottom = box_dots(code.bar_rect, dpi)
    place = place_code128(code.data, left, right - left, dpi)
    for start, length in place.runs:
        x0 = place.x + start * place.module
        draw.rectangle((x0, top, x0 + length * place.module - 1, bottom - 1), fill=INK)
    if code.text:
        _draw_text(draw, code.text, dpi)


def _draw_qr(draw: ImageDraw.ImageDraw, qr: QR, dpi: int) -> None:
    left, top, right, bottom = box_dots(qr.rect, dpi)
    place = place_qr(qr.data, left, top, min(right - left, bottom - top))
    if place is None:
        return
    m = place.module
    for r, row in enumerate(place.matrix):
        y = place.y + r * m
        for start, length in qr_row_runs(row):
            x = place.x + start * m
            draw.rectangle((x, y, x + length * m - 1, y + m - 1), fill=INK)


def _draw_rule(draw: ImageDraw.ImageDraw, rule: Rule, dpi: int) -> None:
    width = max(1, mm_to_dots(rule.width, dpi))
    x1, y1 = mm_to_dots(rule.x1, dpi), mm_to_dots(rule.y1, dpi)
    x2, y2 = mm_to_dots(rule.x2, dpi), mm_to_dots(rule.y2, dpi)
    if not rule.dashed:
        draw.line((x1, y1, x2 - (x2 > x1), y2 - (y2 > y1)), fill=INK, width=width)
        return
    dash = mm_to_dots(1.5, dpi)
    length = max(x2 - x1, y2 - y1)
    for d in range(0, length, 2 * dash):
        end = min(d + dash, length) - 1
        if x2 > x1:
            draw.line((x1 + d, y1, x1 + end, y1), fill=INK, width=width)
        else:
            draw.line((x1, y1 + d, x1, y1 + end), fill=INK, width=width)
