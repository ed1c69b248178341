"""Finding one CJK TrueType font that both reportlab (PDF) and Pillow (raster) can use.

A label whose Chinese address prints as boxes is a failed label, so we only accept a
font that actually maps Chinese characters, and only TrueType-outlined ones: reportlab
cannot embed CFF/OpenType-PostScript fonts (most Noto CJK files). Order of search:

1. ``WMS_LABEL_FONT=path[,index]`` (an explicit choice; refused loudly if unusable);
2. the system: ``fc-match :lang=zh`` and a few well-known paths (WenQuanYi, Noto TTF);
3. the ``paperang_p2_fonts_cjk`` package, a dependency that ships WenQuanYi Micro Hei.

The result is cached for the process; call ``find_cjk_font.cache_clear()`` after
changing the environment.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

ENV_VAR = "WMS_LABEL_FONT"
PDF_FONT_NAME = "WmsLabelCJK"
_PROBE = "张三收货地址广东省深圳市"  # characters every label needs

KNOWN_PATHS: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    ("/usr/share/fonts/truetype/noto/NotoSansSC-Regular.ttf", 0),
    ("/usr/share/fonts/truetype/noto/NotoSansCJKsc-Regular.ttf", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
)


class FontNotFound(RuntimeError):
    """No usable CJK TrueType font; the message says how to provide one."""


HOW_TO_FIX = (
    "install a CJK TrueType font (Debian: apt-get install fonts-wqy-microhei), "
    "or `pip install paperang-p2-fonts-cjk`, or set WMS_LABEL_FONT=/path/to/font.ttc[,index]"
)


def usable_font_problem(path: str, index: int = 0) -> str | None:
    """Why reportlab and Pillow cannot print Chinese with this font, or None if they can."""
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    if not os.path.isfile(path):
        return f"{path}: no such file"
    try:
        font = TTFont(f"probe-{index}", path, subfontIndex=index)
    except TTFError as exc:  # CFF outlines, bad index, damaged file
        return f"{path}[{index}]: reportlab cannot embed it ({exc})"
    except Exception as exc:  # noqa: BLE001  (any parse failure means "not usable")
        return f"{path}[{index}]: unreadable ({exc})"
    missing = [c for c in _PROBE if ord(c) not in font.face.charToGlyph]
    if missing:
        return f"{path}[{index}]: has no Chinese glyphs (missing {''.join(missing[:4])})"
    return None


def _fc_match() -> list[tuple[str, int]]:
    if not shutil.which("fc-match"):
        return []
    try:
        out = subprocess.run(
            ["fc-match", "-f", "%{file}\n%{index}\n", ":lang=zh"],
            capture_output=True, text=True, timeout=5, check=False,
        ).stdout.split("\n")
    except (OSError, subprocess.SubprocessError):
        return []
    if not out or not out[0]:
        return []
    index = int(out[1]) if len(out) > 1 and out[1].strip().isdigit() else 0
    return [(out[0].strip(), index)]


def _package_font() -> list[tuple[str, int]]:
    try:
        import paperang_p2_fonts_cjk
    except ImportError:
        return []
    path = Path(paperang_p2_fonts_cjk.__file__).parent / "fonts" / "wqy-microhei.ttc"
    return [(str(path), 0)]


def _parse_env(value: str) -> tuple[str, int]:
    path, _, index = value.partition(",")
    if index.strip() and not index.strip().isdigit():
        raise FontNotFound(f"{ENV_VAR}={value!r}: the subfont index after ',' must be a number")
    return path.strip(), int(index) if index.strip() else 0


def font_candidates() -> list[tuple[str, int]]:
    """Where to look, in order: fontconfig's choice for Chinese, known system paths,
    then the font shipped by the paperang_p2_fonts_cjk package."""
    return [*_fc_match(), *KNOWN_PATHS, *_package_font()]


@lru_cache(maxsize=1)
def find_cjk_font() -> tuple[str, int]:
    """(path, subfont index) of a CJK TrueType font reportlab can embed; raises FontNotFound."""
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        path, index = _parse_env(env)
        problem = usable_font_problem(path, index)
        if problem:
            raise FontNotFound(f"{ENV_VAR} font is not usable: {problem}; {HOW_TO_FIX}")
        return path, index
    tried: list[str] = []
    for path, index in font_candidates():
        problem = usable_font_problem(path, index)
        if problem is None:
            return path, index
        if os.path.exists(path):
            tried.append(problem)
    detail = f" (rejected: {'; '.join(tried)})" if tried else ""
    raise FontNotFound(f"no CJK TrueType font found for labels{detail}; {HOW_TO_FIX}")


@lru_cache(maxsize=1)
def pdf_font_name() -> str:
    """Register the CJK font with reportlab once and return its name for canvases."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    path, index = find_cjk_font()
    pdfmetrics.registerFont(TTFont(PDF_FONT_NAME, path, subfontIndex=index))
    return PDF_FONT_NAME


METRICS_PX = 1000  # large enough that hinting does not distort advance widths


@lru_cache(maxsize=1)
def _metrics_font() -> ImageFont.FreeTypeFont:
    return pil_font(METRICS_PX)


def text_width(text: str, size: float) -> float:
    """Advance width of `text` at em size `size` (any unit; result in the same unit)."""
    return line_width_px(text, METRICS_PX) * size / METRICS_PX


_advances: dict[tuple[int, str], float] = {}


def line_width_px(text: str, size_px: int) -> float:
    """Width of a line at a pixel size, as the sum of cached per-character advances.

    Labels use simple left-to-right layout (no shaping), so this matches what Pillow
    draws, and it is ~100x cheaper than measuring each line with FreeType."""
    total = 0.0
    for ch in text:
        adv = _advances.get((size_px, ch))
        if adv is None:
            adv = _advances[(size_px, ch)] = pil_font(size_px).getlength(ch)
        total += adv
    return total


@lru_cache(maxsize=1)
def vertical_metrics() -> tuple[float, float]:
    """(ascent, descent) as fractions of the em, both positive."""
    ascent, descent = _metrics_font().getmetrics()
    return ascent / METRICS_PX, descent / METRICS_PX


@lru_cache(maxsize=256)
def pil_font(size_px: int) -> ImageFont.FreeTypeFont:
    """The CJK font at a pixel size, cached because loading costs more than drawing."""
    path, index = find_cjk_font()
    return ImageFont.truetype(path, size_px, index=index, layout_engine=ImageFont.Layout.BASIC)
