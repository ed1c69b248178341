"""Plain text in reportlab's Paragraph, which reads its string as markup: a buyer's `<b>` or an
`&` would be taken as a tag (or fail to parse) instead of being printed as written."""

from __future__ import annotations

from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph


def plain(text: object, style: ParagraphStyle) -> Paragraph:
    """A Paragraph showing `text` literally (it still wraps to the column)."""
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)
