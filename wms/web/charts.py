"""The weight-history chart of a parcel as inline SVG, drawn on the server.

Drawn server-side so the chart is in the page's HTML (works without JavaScript, prints,
and can be checked in tests): for each weighing, oldest first, a column showing the
expected band (expected ± tolerance) and a dot at the measured weight, coloured by the
verdict.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from markupsafe import Markup, escape

WIDTH, HEIGHT = 680, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 18, 50
DOT = {"pass": "#16a34a", "underweight": "#b42318", "overweight": "#b42318"}
KIND = {"outbound": "出库 outbound", "reweigh": "复称 reweigh", "return": "退回 return"}


def _nice_step(span: float) -> float:
    """A round tick step (1, 2 or 5 × 10^n) giving about five ticks over `span`."""
    raw = max(span, 1.0) / 5
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def _when(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%m-%d %H:%M")
    except ValueError:
        return iso[:16]


def weight_history_svg(weighings: list[dict[str, Any]]) -> Markup:
    """`weighings` as wms.services.packing.weight_history.weighing_record gives them."""
    if not weighings:
        return Markup('<p class="muted" id="weight-chart">No weighing on record. 无称重记录。</p>')
    values: list[float] = []
    for w in weighings:
        values.append(w["grams"])
        if w.get("expected_g") is not None:
            tol = w.get("tolerance_g") or 0
            values += [w["expected_g"] - tol, w["expected_g"] + tol]
    lo, hi = min(values), max(values)
    pad = max((hi - lo) * 0.15, 20)
    lo, hi = max(0.0, lo - pad), hi + pad
    step = _nice_step(hi - lo)
    lo, hi = math.floor(lo / step) * step, math.ceil(hi / step) * step
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    col = plot_w / len(weighings)

    def y(g: float) -> float:
        return TOP + plot_h * (1 - (g - lo) / (hi - lo))

    parts = [f'<svg id="weight-chart" class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'aria-label="weight history: expected band and each weighing" xmlns="http://www.w3.org/2000/svg" '
             f'font-size="12" font-family="sans-serif">']
    tick = lo
    while tick <= hi + 1e-9:
        ty = y(tick)
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{ty:.1f}" y2="{ty:.1f}" stroke="#e5e7eb"/>'
                     f'<text x="{LEFT - 6}" y="{ty + 4:.1f}" text-anchor="end" fill="#4b5563">{tick:g} g</text>')
        tick += step
    for i, w in enumerate(weighings):
        x0, cx = LEFT + i * col, LEFT + (i + 0.5) * col
        exp, tol = w.get("expected_g"), w.get("tolerance_g") or 0
        if exp is not None:
            parts.append(
                f'<rect class="band" x="{x0 + col * 0.12:.1f}" y="{y(exp + tol):.1f}" width="{col * 0.76:.1f}" '
                f'height="{max(y(exp - tol) - y(exp + tol), 1.5):.1f}" fill="#bbf7d0" stroke="#86efac">'
                f'<title>expected 应重 {exp} ± {tol} g</title></rect>'
                f'<line x1="{x0 + col * 0.12:.1f}" x2="{x0 + col * 0.88:.1f}" y1="{y(exp):.1f}" y2="{y(exp):.1f}" '
                f'stroke="#15803d" stroke-dasharray="4 3"/>'
            )
        colour = DOT.get(w["verdict"], "#6b7280")
        verdict = escape(w["verdict"])
        parts.append(
            f'<circle class="weighing {verdict}" cx="{cx:.1f}" cy="{y(w["grams"]):.1f}" r="6" fill="{colour}" '
            f'stroke="#fff" stroke-width="1.5"><title>{escape(KIND.get(w["kind"], w["kind"]))}: {w["grams"]} g, '
            f'{verdict}</title></circle>'
            f'<text x="{cx:.1f}" y="{y(w["grams"]) - 10:.1f}" text-anchor="middle" font-weight="bold" '
            f'fill="{colour}">{w["grams"]} g</text>'
            f'<text x="{cx:.1f}" y="{HEIGHT - BOTTOM + 17}" text-anchor="middle" fill="#1f2937">'
            f'#{i + 1} {escape(KIND.get(w["kind"], w["kind"]) if col >= 120 else w["kind"])}</text>'
            f'<text x="{cx:.1f}" y="{HEIGHT - BOTTOM + 33}" text-anchor="middle" fill="#6b7280">'
            f'{escape(_when(w["at"]))}</text>'
        )
    parts.append(f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{HEIGHT - BOTTOM}" stroke="#6b7280"/>'
                 f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{HEIGHT - BOTTOM}" y2="{HEIGHT - BOTTOM}" stroke="#6b7280"/>'
                 '</svg>')
    return Markup("".join(parts))


def hourly_bars_svg(hours: list[dict[str, int]]) -> Markup:
    """Parcels per hour of today as bars (board.parcels_per_hour), the count over each bar."""
    if not hours or not any(h["parcels"] for h in hours):
        return Markup('<p class="muted" id="hourly-chart">No parcel packed yet today. 今日暂无包裹。</p>')
    width, height, left, bottom, top = 640, 150, 8, 22, 16
    slot = (width - left) / 24
    peak = max(h["parcels"] for h in hours)
    out = [f'<svg id="hourly-chart" class="chart" viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="parcels per hour today">']
    for h in hours:
        x = left + h["hour"] * slot
        tall = (height - bottom - top) * h["parcels"] / peak
        y = height - bottom - tall
        out.append(f'<rect class="hour-bar" data-hour="{h["hour"]}" data-parcels="{h["parcels"]}" x="{x + 2:.1f}" '
                   f'y="{y:.1f}" width="{slot - 4:.1f}" height="{tall:.1f}" fill="#2563eb"/>')
        if h["parcels"]:
            out.append(f'<text x="{x + slot / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle" font-size="11">'
                       f'{h["parcels"]}</text>')
        out.append(f'<text x="{x + slot / 2:.1f}" y="{height - 8}" text-anchor="middle" font-size="10" '
                   f'fill="#6b7280">{escape(str(h["hour"]))}</text>')
    out.append("</svg>")
    return Markup("".join(out))
