"""The one-page weight evidence sheet (称重证据单) after-sales sends in a dispute."""

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

_VERDICTS = {"pass": "合格", "underweight": "偏轻", "overweight": "偏重", "recorded": "已记录"}
_KINDS = {"outbound": "出库称重", "reweigh": "复称", "return": "退货称重"}


def render_evidence_pdf(data: dict[str, Any]) -> bytes:
    """Items, expected vs measured weight, who packed it, when and where, on one A4 page."""
    font = pdf_font_name()
    title = ParagraphStyle("t", fontName=font, fontSize=16, leading=20, spaceAfter=4)
    body = ParagraphStyle("b", fontName=font, fontSize=9.5, leading=13)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=14 * mm, bottomMargin=14 * mm,
                            title=f"称重证据单 {data['tracking_no']}", author="WMS")
    p = data["parcel"]
    facts = [
        ["运单号 Tracking", data["tracking_no"], "快递 Carrier", p.get("carrier") or ""],
        ["订单号 Order", data["order_no"], "收件人 Recipient", plain(data["recipient"], body)],
        ["打包员 Packer", p.get("packer") or "", "打包台 Station", p.get("station") or ""],
        ["打包时间 Packed at", p.get("packed_at") or "", "包材 Packaging", p.get("packaging") or "无"],
        ["应重 Expected", f"{p.get('expected_g')} g ± {p.get('tolerance_g')} g", "出库实重 Shipped at",
         f"{p.get('weight_g')} g"],
    ]
    items = [["SKU", "商品 Item", "数量 Qty", "单重 Unit g", "小计 g"]] + [
        [i["sku"], plain(i["name"], body), str(i["qty"]), str(i["unit_weight_g"]), str(i["qty"] * i["unit_weight_g"])]
        for i in data["items"]
    ]
    zone = data.get("time_zone") or "UTC"
    weighings = [[f"时间 Time ({zone})", "类型", "实重 g", "应重 g", "差 g", "结论", "打包台", "操作人", "秤 Scale"]] + [
        [w.get("at_local") or w["at"][:19].replace("T", " "), _KINDS.get(w["kind"], w["kind"]), str(w["grams"]),
         str(w["expected_g"] if w["expected_g"] is not None else ""), _signed(w.get("delta_g")),
         _VERDICTS.get(w["verdict"], w["verdict"]), w.get("station") or "", w.get("operator") or "",
         w.get("scale_id") or "手输 typed"]  # no scale named it: a person typed the weight
        for w in data["weighings"]
    ]
    story: list[Any] = [
        Paragraph("称重证据单 Parcel weight evidence", title),
        Paragraph(f"生成时间 Generated {data.get('generated_local') or data['generated_at'][:19]} {zone} · "
                  "记录不可修改 records are append-only · 手输 typed: weighed by hand, no scale named", body),
        Spacer(1, 4 * mm),
        _table(facts, font, [32 * mm, 58 * mm, 32 * mm, 58 * mm], header=False),
        Spacer(1, 5 * mm), Paragraph("商品明细 Items", body), Spacer(1, 1.5 * mm),
        _table(items, font, [30 * mm, 80 * mm, 18 * mm, 25 * mm, 27 * mm]),
        Spacer(1, 5 * mm), Paragraph("称重记录 Weighings (oldest first)", body), Spacer(1, 1.5 * mm),
        _table(weighings, font, [33 * mm, 17 * mm, 15 * mm, 15 * mm, 13 * mm, 14 * mm, 20 * mm, 30 * mm, 23 * mm]),
    ]
    if data.get("overrides"):
        story += [Spacer(1, 4 * mm)] + [
            plain(f"主管放行 Override: {o['by']} · {o['at'][:19].replace('T', ' ')} · {o['reason']}", body)
            for o in data["overrides"]
        ]
    story += [Spacer(1, 5 * mm), plain(data["conclusion"], body)]
    doc.build(story)
    return buf.getvalue()


def _signed(value: int | None) -> str:
    return "" if value is None else f"{value:+d}"


def _table(rows: list[list[Any]], font: str, widths: list[float], header: bool = True) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    style = [
        ("FONTNAME", (0, 0), (-1, -1), font), ("FONTSIZE", (0, 0), (-1, -1), 8.5),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e3e8ef")))
    else:
        style += [("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#eef1f5")),
                  ("BACKGROUND", (2, 0), (2, -1), colors.HexColor("#eef1f5"))]
    table.setStyle(TableStyle(style))
    return table
