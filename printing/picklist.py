"""Pick lists: the stops of a cart trip in walking order, with the route drawn on the map.

A picker works down the list top to bottom; the order is the planned route's order,
so following the list is following the shortest walk. The map shows the same walk
so a new picker sees where the list will take them. Chinese product names are
printed with an embedded CJK TrueType font (never as empty boxes).

Three renderers share one drawing model: a PDF (A4 sheet or 100x150 mm label), an
SVG (for screens; the route polyline is in layout metres, so tools can read it back)
and a PNG (Pillow) for handhelds and chat.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from wms.domain.layout import Layout
from wms.domain.routing import Route

PAGE_SIZES_MM = {"A4": (210.0, 297.0), "100x150": (100.0, 150.0)}
MM = 72.0 / 25.4
FONT_NAME = "WMSPicklistCJK"

ROUTE_COLOUR = (200, 30, 45)
AISLE_COLOUR = (170, 170, 170)
CROSS_COLOUR = (215, 215, 215)
STOP_COLOUR = (20, 90, 200)
DEPOT_COLOUR = (30, 140, 60)


# ---------------------------------------------------------------- fonts


def _cjk_font() -> tuple[str, int]:
    """Path and sub-font index of a CJK TrueType font.

    Prefers the shared finder (printing.fonts); until that exists, falls back to the
    WenQuanYi Micro Hei collection shipped by paperang_p2_fonts_cjk.
    """
    try:
        from printing.fonts import find_cjk_font  # type: ignore[attr-defined]

        path, index = find_cjk_font()
        return str(path), int(index)
    except (ImportError, AttributeError):
        pass
    import paperang_p2_fonts_cjk

    packaged = Path(paperang_p2_fonts_cjk.__file__).parent / "fonts" / "wqy-microhei.ttc"
    if not packaged.exists():
        raise FileNotFoundError(f"no CJK font found (looked for {packaged})")
    return str(packaged), 0


def _register_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        path, index = _cjk_font()
        pdfmetrics.registerFont(TTFont(FONT_NAME, path, subfontIndex=index))
    return FONT_NAME


# ---------------------------------------------------------------- map geometry


@dataclass(frozen=True)
class _MapFrame:
    """Maps layout metres into a drawing box (y up in metres, y down on screen)."""

    x0: float
    y0: float
    scale: float
    left: float
    bottom: float  # screen y of layout y0 (bottom edge of the drawing)

    def sx(self, x: float) -> float:
        return self.left + (x - self.x0) * self.scale

    def sy_down(self, y: float) -> float:
        """Screen y growing downwards (SVG, Pillow)."""
        return self.bottom - (y - self.y0) * self.scale


def _extent(layout: Layout) -> tuple[float, float, float, float]:
    xs = [a.x for a in layout.aisles] + [layout.depot.x]
    pad = 1.5
    return min(xs) - pad, layout.cross_aisles[0] - pad, max(xs) + pad, layout.cross_aisles[-1] + pad


def _fit(layout: Layout, width: float, height: float, margin: float) -> _MapFrame:
    x0, y0, x1, y1 = _extent(layout)
    scale = min((width - 2 * margin) / (x1 - x0), (height - 2 * margin) / (y1 - y0))
    used_w, used_h = (x1 - x0) * scale, (y1 - y0) * scale
    left = (width - used_w) / 2
    bottom = height - (height - used_h) / 2
    return _MapFrame(x0, y0, scale, left, bottom)


def _stop_numbers(layout: Layout, route: Route) -> list[tuple[float, float, int]]:
    """(x, y, n) of each distinct stop location, numbered in visiting order."""
    seen: dict[tuple[float, float], int] = {}
    for code in route.sequence:
        b = layout.bin(code)
        if (b.x, b.y) not in seen:
            seen[(b.x, b.y)] = len(seen) + 1
    return [(x, y, n) for (x, y), n in seen.items()]


# ---------------------------------------------------------------- SVG


def render_route_svg(layout: Layout, route: Route, width: int = 800, height: int = 600) -> str:
    """The route on the warehouse map as SVG; the polyline's points are layout metres."""
    f = _fit(layout, width, height, margin=24)
    rgb = "rgb({},{},{})".format
    # Inside this group one unit is one metre and y points up, like the layout.
    to_metres = f"translate({f.left - f.x0 * f.scale:.4f},{f.bottom + f.y0 * f.scale:.4f}) " \
                f"scale({f.scale:.6f},{-f.scale:.6f})"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">',
        f"<title>{escape(layout.name or 'layout')}: {len(route.sequence)} bins, "
        f"{route.distance:.1f} m ({escape(route.method)})</title>",
        '<rect width="100%" height="100%" fill="white"/>',
        f'<g id="map" transform="{to_metres}">',
    ]
    x_lo, _, x_hi, _ = _extent(layout)
    for c in layout.cross_aisles:
        parts.append(f'<line class="cross-aisle" x1="{x_lo}" y1="{c}" x2="{x_hi}" y2="{c}" '
                     f'stroke="{rgb(*CROSS_COLOUR)}" stroke-width="1.2" />')
    for a in layout.aisles:
        parts.append(f'<line class="aisle" x1="{a.x}" y1="{layout.cross_aisles[0]}" x2="{a.x}" '
                     f'y2="{layout.cross_aisles[-1]}" stroke="{rgb(*AISLE_COLOUR)}" '
                     f'stroke-width="0.25" />')
    points = " ".join(f"{x:g},{y:g}" for x, y in route.path)
    parts.append(f'<polyline id="route" points="{points}" fill="none" '
                 f'stroke="{rgb(*ROUTE_COLOUR)}" stroke-width="2" '
                 f'vector-effect="non-scaling-stroke" stroke-linejoin="round" />')
    d = layout.depot
    parts.append("</g>")
    s = max(4.0, min(9.0, 0.8 * f.scale))
    parts.append(f'<rect id="depot" x="{f.sx(d.x) - s:.2f}" y="{f.sy_down(d.y) - s:.2f}" '
                 f'width="{2 * s:.2f}" height="{2 * s:.2f}" fill="{rgb(*DEPOT_COLOUR)}" />')
    r = max(5.0, min(9.0, 0.45 * f.scale))
    for x, y, n in _stop_numbers(layout, route):
        cx, cy = f.sx(x), f.sy_down(y)
        parts.append(f'<circle class="stop" cx="{cx:.2f}" cy="{cy:.2f}" r="{r:.1f}" '
                     f'fill="{rgb(*STOP_COLOUR)}" />')
        parts.append(f'<text x="{cx:.2f}" y="{cy + r * 0.38:.2f}" font-size="{r * 1.1:.1f}" '
                     f'text-anchor="middle" fill="white" font-family="sans-serif">{n}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


# ---------------------------------------------------------------- PNG


def render_route_png(layout: Layout, route: Route, size: tuple[int, int] = (800, 600)) -> bytes:
    """The route on the warehouse map as a PNG of exactly `size` pixels."""
    from PIL import Image, ImageDraw, ImageFont

    width, height = size
    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    f = _fit(layout, width, height, margin=max(8, min(width, height) // 25))
    x_lo, _, x_hi, _ = _extent(layout)
    line_w = max(1, min(width, height) // 300)
    for c in layout.cross_aisles:
        draw.line([(f.sx(x_lo), f.sy_down(c)), (f.sx(x_hi), f.sy_down(c))],
                  fill=CROSS_COLOUR, width=max(2, int(1.2 * f.scale)))
    for a in layout.aisles:
        top, bottom = f.sy_down(layout.cross_aisles[-1]), f.sy_down(layout.cross_aisles[0])
        draw.line([(f.sx(a.x), bottom), (f.sx(a.x), top)], fill=AISLE_COLOUR, width=line_w)
    pts = [(f.sx(x), f.sy_down(y)) for x, y in route.path]
    if len(pts) >= 2:
        draw.line(pts, fill=ROUTE_COLOUR, width=line_w * 2 + 1, joint="curve")
    d = layout.depot
    s = max(4, min(9, int(0.8 * f.scale)))
    draw.rectangle([f.sx(d.x) - s, f.sy_down(d.y) - s, f.sx(d.x) + s, f.sy_down(d.y) + s],
                   fill=DEPOT_COLOUR)
    r = max(4, min(10, int(0.45 * f.scale)))
    try:
        font: Any = ImageFont.load_default(size=max(8, int(r * 1.2)))
    except TypeError:  # Pillow < 10.1 has no sized default font
        font = ImageFont.load_default()
    for x, y, n in _stop_numbers(layout, route):
        cx, cy = f.sx(x), f.sy_down(y)
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=STOP_COLOUR)
        draw.text((cx, cy), str(n), fill="white", font=font, anchor="mm")
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


# ---------------------------------------------------------------- PDF


def stops_in_route_order(picklist: dict, route: Route) -> list[dict]:
    """The pick list's stops sorted by when the route reaches their bin."""
    rank = {code: i for i, code in enumerate(route.sequence)}
    stops = list(picklist.get("stops", []))
    return sorted(stops, key=lambda s: (rank.get(s.get("bin"), len(rank)), str(s.get("tote", ""))))


@dataclass(frozen=True)
class _Sheet:
    width: float
    height: float
    margin: float
    title_size: float
    body_size: float
    row_height: float
    map_on_first_page: bool
    # (header, width share, align)
    columns: tuple[tuple[str, float, str], ...]


def _sheet(size: str) -> _Sheet:
    if size not in PAGE_SIZES_MM:
        raise ValueError(f"unknown pick list size {size!r}; use one of {', '.join(PAGE_SIZES_MM)}")
    w, h = PAGE_SIZES_MM[size]
    if size == "A4":
        return _Sheet(w * MM, h * MM, 14 * MM, 16, 10, 16, True, (
            ("#", 0.05, "r"), ("库位 Bin", 0.17, "l"), ("SKU", 0.17, "l"),
            ("品名 Name", 0.36, "l"), ("数量 Qty", 0.11, "r"), ("周转箱 Tote", 0.14, "r")))
    return _Sheet(w * MM, h * MM, 4 * MM, 11, 7.5, 11.5, False, (
        ("#", 0.07, "r"), ("库位", 0.22, "l"), ("SKU", 0.20, "l"),
        ("品名", 0.31, "l"), ("数", 0.09, "r"), ("箱", 0.11, "r")))


def render_picklist_pdf(picklist: dict, layout: Layout, route: Route, size: str = "A4") -> bytes:
    """A printable pick list: stops in route order, then the route on the map.

    picklist: {"wave": str, "trip": int, "stops": [{"bin", "sku", "name", "qty", "tote"}],
    "notes"?: [{"order_no", "tote", "buyer_message", "seller_memo", "seller_flag"}]}.
    A4 puts the map under the list when it fits; the 100x150 label gives it a page.
    Notes (买家留言 / 卖家备注) follow the stops, so the picker sees them with the tote.
    """
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    sheet = _sheet(size)
    font = _register_font()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(sheet.width, sheet.height))
    wave, trip = str(picklist.get("wave", "")), picklist.get("trip", "")
    c.setTitle(f"Pick list {wave} trip {trip}")
    c.setCreator("wms picklist")
    stops = stops_in_route_order(picklist, route)
    inner_w = sheet.width - 2 * sheet.margin
    col_x, x = [], sheet.margin
    for _, share, _ in sheet.columns:
        col_x.append(x)
        x += share * inner_w

    def header(page: int) -> float:
        y = sheet.height - sheet.margin - sheet.title_size
        _cell(c, font, sheet.title_size, f"拣货单 Pick list  波次 {wave}  趟 {trip}",
              sheet.margin, y, inner_w, "l", stringWidth)
        y -= sheet.body_size * 1.6
        verdict = "最优 proven optimal" if route.proven_optimal else f"{route.method}"
        _cell(c, font, sheet.body_size, f"{len(stops)} 行 lines · {len(route.sequence)} 库位 bins · "
              f"{route.distance:.1f} m · {verdict} · p.{page}", sheet.margin, y, inner_w, "l",
              stringWidth)
        y -= sheet.row_height * 1.2
        for (title, share, align), cx in zip(sheet.columns, col_x):
            _cell(c, font, sheet.body_size, title, cx, y, share * inner_w, align, stringWidth)
        c.line(sheet.margin, y - 3, sheet.width - sheet.margin, y - 3)
        return y - sheet.row_height

    page = 1
    y = header(page)
    for i, stop in enumerate(stops, start=1):
        if y < sheet.margin + sheet.row_height:
            c.showPage()
            page += 1
            y = header(page)
        values = (str(i), str(stop.get("bin", "")), str(stop.get("sku", "")),
                  str(stop.get("name", "")), str(stop.get("qty", "")), str(stop.get("tote", "")))
        for (_, share, align), cx, value in zip(sheet.columns, col_x, values):
            _cell(c, font, sheet.body_size, value, cx, y, share * inner_w, align, stringWidth)
        y -= sheet.row_height

    notes = [n for n in picklist.get("notes") or [] if n.get("buyer_message") or n.get("seller_memo")]
    if notes:
        y -= sheet.row_height * 0.5
        lines = [f"留言/备注 Notes ({len(notes)})"]
        for n in notes:
            who = f"箱 tote {n.get('tote', '')} · {n.get('order_no', '')}"
            if n.get("buyer_message"):
                lines.append(f"{who} 买家留言: {n['buyer_message']}")
            if n.get("seller_memo"):
                flag = f" [{n['seller_flag']}]" if n.get("seller_flag") else ""
                lines.append(f"{who} 卖家备注{flag}: {n['seller_memo']}")
        for text in lines:
            if y < sheet.margin + sheet.row_height:
                c.showPage()
                page += 1
                y = header(page)
            _cell(c, font, sheet.body_size, text, sheet.margin, y, inner_w, "l", stringWidth)
            y -= sheet.row_height

    map_h_needed = 0.35 * sheet.height
    if not (sheet.map_on_first_page and page == 1 and y - sheet.margin >= map_h_needed):
        c.showPage()
        page += 1
        y = sheet.height - sheet.margin - sheet.title_size
        _cell(c, font, sheet.title_size, f"路线 Route  波次 {wave}  趟 {trip}  p.{page}",
              sheet.margin, y, inner_w, "l", stringWidth)
    box_top = y - sheet.row_height
    _draw_map(c, font, layout, route, sheet.margin, sheet.margin,
              inner_w, box_top - sheet.margin)
    c.showPage()
    c.save()
    return buf.getvalue()


def _cell(c: Any, font: str, size: float, text: str, x: float, y: float, width: float,
          align: str, string_width: Any) -> None:
    pad = 2.0
    text = _fit_text(text, font, size, width - 2 * pad, string_width)
    c.setFont(font, size)
    if align == "r":
        c.drawRightString(x + width - pad, y, text)
    else:
        c.drawString(x + pad, y, text)


def _fit_text(text: str, font: str, size: float, width: float, string_width: Any) -> str:
    if string_width(text, font, size) <= width:
        return text
    while text and string_width(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def _draw_map(c: Any, font: str, layout: Layout, route: Route, left: float, bottom: float,
              width: float, height: float) -> None:
    """Aisles, cross aisles, numbered stops, depot and the route inside a box (PDF points)."""
    f = _fit(layout, width, height, margin=6)
    # _MapFrame gives y growing downwards from the box top; PDF y grows upwards.
    def px(x: float) -> float:
        return left + f.sx(x)

    def py(y: float) -> float:
        return bottom + height - f.sy_down(y)

    def colour(rgb: Sequence[int]) -> tuple[float, ...]:
        return tuple(v / 255 for v in rgb)

    x_lo, _, x_hi, _ = _extent(layout)
    c.setStrokeColorRGB(*colour(CROSS_COLOUR))
    c.setLineWidth(max(1.0, 1.2 * f.scale))
    for cy in layout.cross_aisles:
        c.line(px(x_lo), py(cy), px(x_hi), py(cy))
    c.setStrokeColorRGB(*colour(AISLE_COLOUR))
    c.setLineWidth(0.6)
    for a in layout.aisles:
        c.line(px(a.x), py(layout.cross_aisles[0]), px(a.x), py(layout.cross_aisles[-1]))
    c.setStrokeColorRGB(*colour(ROUTE_COLOUR))
    c.setLineWidth(1.6)
    path = c.beginPath()
    for i, (x, y) in enumerate(route.path):
        (path.lineTo if i else path.moveTo)(px(x), py(y))
    c.drawPath(path, stroke=1, fill=0)
    d = layout.depot
    c.setFillColorRGB(*colour(DEPOT_COLOUR))
    s = max(2.5, min(5.0, 0.8 * f.scale))
    c.rect(px(d.x) - s, py(d.y) - s, 2 * s, 2 * s, stroke=0, fill=1)
    r = max(3.0, min(7.0, 0.45 * f.scale))
    for x, y, n in _stop_numbers(layout, route):
        c.setFillColorRGB(*colour(STOP_COLOUR))
        c.circle(px(x), py(y), r, stroke=0, fill=1)
        c.setFillColorRGB(1, 1, 1)
        c.setFont(font, r * 1.1)
        c.drawCentredString(px(x), py(y) - r * 0.38, str(n))
    c.setFillColorRGB(0, 0, 0)
