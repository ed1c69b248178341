"""A badge card to print and laminate: the holder's name and role over the badge code as a
Code 128 barcode, at credit-card size (85.6 x 54 mm), so any handheld or fixed scanner reads it."""

from __future__ import annotations

import io

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from printing.fonts import pdf_font_name

CARD = (85.6 * mm, 54 * mm)
ROLE_NAMES = {"packer": "打包员 packer", "supervisor": "主管 supervisor", "after_sales": "售后 after-sales",
              "admin": "管理员 admin"}


def badge_card_pdf(name: str, role: str, code: str) -> bytes:
    """One card. The code is printed only as bars: whoever holds the card signs in with it."""
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=CARD)
    font = pdf_font_name()
    width, height = CARD
    canvas.setFont(font, 15)
    canvas.drawString(6 * mm, height - 12 * mm, name)
    canvas.setFont(font, 9)
    canvas.drawString(6 * mm, height - 18 * mm, ROLE_NAMES.get(role, role))
    bars = Code128(code, barHeight=18 * mm, barWidth=0.25 * mm, quiet=True)
    bars.drawOn(canvas, (width - bars.width) / 2, 8 * mm)
    canvas.setFont(font, 6)
    canvas.drawString(6 * mm, 3.5 * mm, "WMS 工牌 badge — keep it to yourself; report a lost one 遗失请报主管")
    canvas.showPage()
    canvas.save()
    return out.getvalue()
