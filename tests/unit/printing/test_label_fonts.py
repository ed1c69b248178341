"""Choosing the CJK font: only fonts that print Chinese and that reportlab can embed."""

from __future__ import annotations

from pathlib import Path

import paperang_p2_fonts_cjk
import pytest

from printing import fonts

PACKAGE_FONT = str(Path(paperang_p2_fonts_cjk.__file__).parent / "fonts" / "wqy-microhei.ttc")
LATIN_ONLY = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


@pytest.fixture
def fresh_font_search(monkeypatch):
    """Each test searches anew, and later tests see the usual font again."""
    caches = (fonts.find_cjk_font, fonts.font_chain, fonts._cmap, fonts.font_for)
    for cache in caches:
        cache.cache_clear()
    yield monkeypatch
    monkeypatch.undo()
    for cache in caches:
        cache.cache_clear()


def test_a_usable_cjk_font_is_found(fresh_font_search):
    fresh_font_search.delenv(fonts.ENV_VAR, raising=False)
    path, index = fonts.find_cjk_font()
    assert fonts.usable_font_problem(path, index) is None


def test_env_var_chooses_the_font_and_subfont(fresh_font_search):
    fresh_font_search.setenv(fonts.ENV_VAR, f"{PACKAGE_FONT},0")
    assert fonts.find_cjk_font() == (PACKAGE_FONT, 0)


def test_env_var_naming_a_missing_file_says_how_to_fix(fresh_font_search):
    fresh_font_search.setenv(fonts.ENV_VAR, "/nonexistent/font.ttc")
    with pytest.raises(fonts.FontNotFound) as caught:
        fonts.find_cjk_font()
    assert "no such file" in str(caught.value)
    assert "fonts-wqy-microhei" in str(caught.value)


@pytest.mark.skipif(not Path(LATIN_ONLY).exists(), reason="needs DejaVu Sans")
def test_a_font_without_chinese_glyphs_is_refused(fresh_font_search):
    fresh_font_search.setenv(fonts.ENV_VAR, LATIN_ONLY)
    with pytest.raises(fonts.FontNotFound, match="no Chinese glyphs"):
        fonts.find_cjk_font()


def test_a_subfont_index_past_the_collection_is_refused(fresh_font_search):
    fresh_font_search.setenv(fonts.ENV_VAR, f"{PACKAGE_FONT},9")
    with pytest.raises(fonts.FontNotFound, match="reportlab cannot embed"):
        fonts.find_cjk_font()


def test_system_fonts_come_first_and_the_package_font_is_the_last_resort():
    candidates = fonts.font_candidates()
    assert candidates[-1] == (PACKAGE_FONT, 0)
    assert candidates.index(("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0)) < len(
        candidates) - 1
    assert fonts.usable_font_problem(PACKAGE_FONT, 0) is None


def test_a_character_no_font_has_is_printed_as_a_visible_mark_and_reported(waybill_dict):
    from conftest import PRINTED_AT

    from printing.fonts import REPLACEMENT, drawable, font_for, runs
    from printing.layout import build_layout
    from printing.render import render
    from printing.waybill import Waybill

    no_font = "\U0001FAE8"
    assert font_for(no_font) is None
    assert drawable(f"张三{no_font}") == (f"张三{REPLACEMENT}", no_font)
    assert drawable("张三 Zhang") == ("张三 Zhang", "")
    waybill_dict["recipient"]["name"] = f"张三{no_font}"
    layout = build_layout(Waybill.from_dict(waybill_dict), "100x150", 203, PRINTED_AT)
    assert f"张三{REPLACEMENT}" in "".join(layout.find("recipient").lines)
    assert layout.warnings == (f"recipient: no font draws {no_font}; printed as {REPLACEMENT}",)
    for fmt in ("pdf", "png", "escpos", "zpl", "tspl"):
        assert render(Waybill.from_dict(waybill_dict), fmt)
    # Arabic goes to a fallback font where one is installed, else it is marked the same way.
    which = font_for("ق")
    assert which != 0
    if which is not None:
        assert runs("张三 قميص") == [(0, "张三 "), (which, "قميص")]
