"""PDF: vector text and barcodes from the same layout as the printer bitmap, CJK font embedded.

The page is exactly the label size. Text uses the CJK TrueType font (embedded as a
subset, FontFile2, so the PDF prints Chinese anywhere). Bars and QR modules are placed
on the target dpi's dot grid with whole-dot module widths, exactly where the bitmap
has them, so a PDF sent to a 203 dpi office/label printer scans like the raster label.
"""

from __future__ import annotations

import io

from reportlab.pdfgen import canvas

from printing.barcodes import mm_to_dots, place_code128, place_qr, qr_row_runs
from printing.fonts import pdf_font_name, runs
from printing.layout import QR, Barcode, Layout, Rule, Text

PT_PER_MM = 72 / 25.4


def encode_pdf(layout: Layout, dpi: int, title: str = "", compress: bool = True) -> bytes:
    buf = io.BytesIO()
    page_h = layout.height * PT_PER_MM
    font = pdf_font_name()
    # initialFontName: otherwise every page starts by selecting (unembedded) Helvetica.
    pdf = canvas.Canvas(buf, pagesize=(layout.width * PT_PER_MM, page_h), invariant=1,
                        pageCompression=int(compress), initialFontName=font)
    pdf.setTitle(title or "waybill")
    pdf.setCreator("wms printing")
    dot = 72 / dpi  # one printer dot in points

    def y_pt(y_mm: float) -> float:
        return page_h - y_mm * PT_PER_MM

    def draw_text(text: Text) -> None:
        size_pt = text.size * PT_PER_MM
        for x_mm, baseline_mm, line in text.line_positions():
            obj = pdf.beginText(x_mm * PT_PER_MM, y_pt(baseline_mm))
            obj.setFont(font, size_pt)
            if text.bold:
                # The CJK font has no bold face: fill + thin stroke. The text render mode
                # outlives ET in the graphics state, so confine it with q ... Q.
                pdf.saveState()
                pdf.setLineWidth(size_pt * 0.04)
                obj.setTextRenderMode(2)
            for which, run in runs(line):  # each run in the font of the chain that has it
                obj.setFont(pdf_font_name(which), size_pt)
                obj.textOut(run)
            pdf.drawText(obj)
            if text.bold:
                pdf.restoreState()

    pdf.setFillColorRGB(0, 0, 0)
    pdf.setStrokeColorRGB(0, 0, 0)
    for el in layout.elements:
        if isinstance(el, Text):
            draw_text(el)
        elif isinstance(el, Barcode):
            bars = el.bar_rect
            left, top = mm_to_dots(bars.x, dpi), mm_to_dots(bars.y, dpi)
            right, bottom = mm_to_dots(bars.right, dpi), mm_to_dots(bars.bottom, dpi)
            place = place_code128(el.data, left, right - left, dpi)
            for start, length in place.runs:
                x = place.x + start * place.module
                pdf.rect(x * dot, page_h - bottom * dot, length * place.module * dot,
                         (bottom - top) * dot, stroke=0, fill=1)
            if el.text:
                draw_text(el.text)
        elif isinstance(el, QR):
            left, top = mm_to_dots(el.rect.x, dpi), mm_to_dots(el.rect.y, dpi)
            side = min(mm_to_dots(el.rect.right, dpi) - left,
                       mm_to_dots(el.rect.bottom, dpi) - top)
            qr = place_qr(el.data, left, top, side)
            if qr is None:
                continue
            m = qr.module
            for r, row in enumerate(qr.matrix):
                for start, length in qr_row_runs(row):
                    pdf.rect((qr.x + start * m) * dot, page_h - (qr.y + (r + 1) * m) * dot,
                             length * m * dot, m * dot, stroke=0, fill=1)
        elif isinstance(el, Rule):
            pdf.setLineWidth(el.width * PT_PER_MM)
            pdf.setDash(1.5 * PT_PER_MM, 1.5 * PT_PER_MM) if el.dashed else pdf.setDash()
            pdf.line(el.x1 * PT_PER_MM, y_pt(el.y1), el.x2 * PT_PER_MM, y_pt(el.y2))
    pdf.showPage()
    pdf.save()
    return buf.getvalue()
