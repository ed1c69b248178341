"""Plain text in reportlab's Paragraph, which reads its string as markup: a buyer's `<b>` or an
`&` would be taken as a tag (or fail to parse) instead of being printed as written.

And no character is dropped: a run the CJK font lacks (Arabic, Hebrew, a symbol) is set in the
fallback font that has it (printing.fonts), and one that no font has (most emoji) is shown as
the label's replacement mark, so the evidence sheet never silently loses part of a name.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph

from printing.fonts import drawable, pdf_font_name, runs


def markup(text: object) -> str:
    """`text` as Paragraph markup: escaped, each fallback-font run in its font, line breaks kept."""
    shown, _ = drawable(str(text))
    parts = []
    for which, run in runs(shown):
        escaped = escape(run).replace("\n", "<br/>")
        parts.append(escaped if which == 0 else f'<font name="{pdf_font_name(which)}">{escaped}</font>')
    return "".join(parts)


def plain(text: object, style: ParagraphStyle) -> Paragraph:
    """A Paragraph showing `text` literally (it still wraps to the column)."""
    return Paragraph(markup(text), style)
