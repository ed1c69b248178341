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
    fonts.find_cjk_font.cache_clear()
    yield monkeypatch
    monkeypatch.undo()
    fonts.find_cjk_font.cache_clear()


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
