"""The handover manifest (快递交接清单) the warehouse and the courier both sign at pickup."""

from __future__ import annotations

import io
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from printing.fonts import pdf_font_name
from wms.adapters.reports.text import plain

_HEADER = ["#", "运单号", "订单号", "收件人", "电话", "省 / 市", "重量(g)", "件数", "代收货款(元)"]
_WIDTHS = [9 * mm, 33 * mm, 30 * mm, 19 * mm, 23 * mm, 27 * mm, 15 * mm, 10 * mm, 18 * mm]


def render_manifest_pdf(view: dict[str, Any]) -> bytes:
    """A4, Chinese: batch facts, one row per parcel, totals, and the two signature lines."""
    font = pdf_font_name()
    title = ParagraphStyle("t", fontName=font, fontSize=16, leading=21, spaceAfter=2)
    body = ParagraphStyle("b", fontName=font, fontSize=9.5, leading=13)
    cell = ParagraphStyle("c", fontName=font, fontSize=8, leading=10)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=12 * mm, rightMargin=12 * mm, topMargin=14 * mm,
                            bottomMargin=16 * mm, title=f"交接清单 {view['carrier']} #{view['id']}", author="WMS")
    facts = [
        ["承运商 Carrier", f"{view['carrier_name']} ({view['carrier']})", "交接批次 Batch", f"#{view['id']}"],
        ["交接时间 Closed at", f"{view['closed_at_local'] or ''} (北京时间)", "交接人 Closed by", view["closed_by"] or ""],
        ["包裹数 Parcels", str(view["parcels"]), "总重量 Total weight", f"{view['total_weight_g'] / 1000:.3f} kg"],
        ["总件数 Pieces", str(view["total_pieces"]), "代收货款合计 COD total", f"¥{view['cod_total']}"],
    ]
    rows: list[list[Any]] = [_HEADER]
    for n, line in enumerate(view["parcel_list"], start=1):
        rows.append([str(n), line["tracking_no"], plain(line["order_no"], cell), plain(line["recipient_name"], cell),
                     line["phone"], plain(f"{line['province']} {line['city']}", cell), str(line["weight_g"]),
                     str(line["pieces"]), line["cod_amount"] if line["cod_amount"] != "0.00" else ""])
    rows.append(["", "合计 Total", f"{view['parcels']} 个包裹", "", "", "", str(view["total_weight_g"]),
                 str(view["total_pieces"]), view["cod_total"]])
    signatures = [
        ["交接人 (仓库) 签字:", "", "日期:", ""],
        ["收件人 (快递员) 签字:", "", "日期:", ""],
    ]
    sign = Table(signatures, colWidths=[40 * mm, 70 * mm, 14 * mm, 46 * mm], rowHeights=[14 * mm, 14 * mm])
    sign.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), font), ("FONTSIZE", (0, 0), (-1, -1), 10),
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("LINEBELOW", (1, 0), (1, -1), 0.6, colors.black), ("LINEBELOW", (3, 0), (3, -1), 0.6, colors.black),
    ]))
    story: list[Any] = [
        Paragraph("快递交接清单 Carrier handover manifest", title),
        Paragraph("快递员当面清点包裹数量后签字; 本清单一式两份. Count the parcels together before signing.", body),
        Spacer(1, 4 * mm),
        _facts_table(facts, font),
        Spacer(1, 5 * mm),
        _parcel_table(rows, font),
        Spacer(1, 10 * mm),
        sign,
    ]

    def footer(canvas: Any, doc_: Any) -> None:
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.drawString(12 * mm, 9 * mm, f"{view['carrier']} 交接批次 #{view['id']} · 第 {doc_.page} 页")
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()


def _facts_table(rows: list[list[str]], font: str) -> Table:
    table = Table(rows, colWidths=[34 * mm, 58 * mm, 36 * mm, 56 * mm])
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), font), ("FONTSIZE", (0, 0), (-1, -1), 9),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#eef1f5")),
        ("BACKGROUND", (2, 0), (2, -1), colors.HexColor("#eef1f5")),
    ]))
    return table


def _parcel_table(rows: list[list[Any]], font: str) -> Table:
    table = Table(rows, colWidths=_WIDTHS, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), font), ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e3e8ef")),
        ("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#f4f4f4")),
        ("ALIGN", (6, 0), (-1, -1), "RIGHT"),
    ]))
    return table
