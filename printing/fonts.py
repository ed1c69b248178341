"""Finding one CJK TrueType font that both reportlab (PDF) and Pillow (raster) can use.

A label whose Chinese address prints as boxes is a failed label, so we only accept a
font that actually maps Chinese characters, and only TrueType-outlined ones: reportlab
cannot embed CFF/OpenType-PostScript fonts (most Noto CJK files). Order of search:

1. ``WMS_LABEL_FONT=path[,index]`` (an explicit choice; refused loudly if unusable);
2. the system: ``fc-match :lang=zh`` and a few well-known paths (WenQuanYi, Noto TTF);
3. the ``paperang_p2_fonts_cjk`` package, a dependency that ships WenQuanYi Micro Hei.

The result is cached for the process; call ``find_cjk_font.cache_clear()`` after
changing the environment.

Behind it stand fallback fonts for the other scripts a courier label in China meets (Arabic
script for Uyghur names, Hebrew, Cyrillic, Greek, symbols): ``WMS_LABEL_FALLBACK_FONTS``
(``path[,index];...``), fontconfig's choice for Arabic and Hebrew, and DejaVu Sans / Noto Sans
where installed. Each character is drawn with the first font of that chain that has it
(`font_for`); one that no font has (most emoji) is printed as ``〓``, the typesetter's mark for
a missing character, and reported (`drawable`), never left blank. Letters are drawn left to
right as stored, without Arabic joining or right-to-left reordering.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

ENV_VAR = "WMS_LABEL_FONT"
FALLBACK_ENV_VAR = "WMS_LABEL_FALLBACK_FONTS"
REPLACEMENT = "〓"  # printed where no font has the character (a visible mark, never a blank)
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


FALLBACK_PATHS: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 0),
    ("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf", 0),
    ("/usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf", 0),
    ("/usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf", 0),
    ("/usr/share/fonts/truetype/noto/NotoSansHebrew-Regular.ttf", 0),
    ("/usr/share/fonts/truetype/freefont/FreeSans.ttf", 0),
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


def _fc_match(lang: str = "zh") -> list[tuple[str, int]]:
    if not shutil.which("fc-match"):
        return []
    try:
        out = subprocess.run(
            ["fc-match", "-f", "%{file}\n%{index}\n", f":lang={lang}"],
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
def font_chain() -> tuple[tuple[str, int], ...]:
    """The CJK font, then each usable fallback font (see the module's docstring), once each."""
    from reportlab.pdfbase.ttfonts import TTFont

    chain = [find_cjk_font()]
    configured = [_parse_env(v) for v in os.environ.get(FALLBACK_ENV_VAR, "").split(";") if v.strip()]
    for path, index in [*configured, *_fc_match("ar"), *_fc_match("he"), *FALLBACK_PATHS]:
        if (path, index) in chain or not os.path.isfile(path):
            continue
        try:
            TTFont(f"probe-fallback-{len(chain)}", path, subfontIndex=index)
        except Exception:  # noqa: BLE001  (CFF outlines or a damaged file: reportlab cannot embed it)
            continue
        chain.append((path, index))
    return tuple(chain)


@lru_cache(maxsize=16)
def _cmap(which: int) -> frozenset[int]:
    from reportlab.pdfbase.ttfonts import TTFont

    path, index = font_chain()[which]
    return frozenset(TTFont(f"cmap-{which}", path, subfontIndex=index).face.charToGlyph)


@lru_cache(maxsize=8192)
def font_for(ch: str) -> int | None:
    """Which font of the chain draws `ch` (0: the CJK font), or None when none has it."""
    if ch.isspace() or ord(ch) < 0x20:
        return 0
    for which in range(len(font_chain())):
        if ord(ch) in _cmap(which):
            return which
    return None


def drawable(text: str) -> tuple[str, str]:
    """(`text` with each character no font has replaced by REPLACEMENT, those characters)."""
    if all(font_for(ch) is not None for ch in text):
        return text, ""
    missing = "".join(dict.fromkeys(ch for ch in text if font_for(ch) is None))
    return "".join(REPLACEMENT if font_for(ch) is None else ch for ch in text), missing


def runs(line: str) -> list[tuple[int, str]]:
    """A line cut into runs drawn with one font each: [(font index, text), ...]."""
    out: list[tuple[int, str]] = []
    for ch in line:
        which = font_for(ch) or 0
        if out and out[-1][0] == which:
            out[-1] = (which, out[-1][1] + ch)
        else:
            out.append((which, ch))
    return out


@lru_cache(maxsize=16)
def pdf_font_name(which: int = 0) -> str:
    """Register a font of the chain with reportlab once and return its name for canvases."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    path, index = font_chain()[which] if which else find_cjk_font()
    name = PDF_FONT_NAME if which == 0 else f"{PDF_FONT_NAME}-{which}"
    pdfmetrics.registerFont(TTFont(name, path, subfontIndex=index))
    return name


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
            adv = _advances[(size_px, ch)] = pil_font(size_px, font_for(ch) or 0).getlength(ch)
        total += adv
    return total


@lru_cache(maxsize=1)
def vertical_metrics() -> tuple[float, float]:
    """(ascent, descent) as fractions of the em, both positive."""
    ascent, descent = _metrics_font().getmetrics()
    return ascent / METRICS_PX, descent / METRICS_PX


@lru_cache(maxsize=256)
def pil_font(size_px: int, which: int = 0) -> ImageFont.FreeTypeFont:
    """A font of the chain (0: the CJK font) at a pixel size, cached because loading costs more
    than drawing."""
    path, index = font_chain()[which] if which else find_cjk_font()
    return ImageFont.truetype(path, size_px, index=index, layout_engine=ImageFont.Layout.BASIC)
