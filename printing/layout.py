"""One layout per label size, in millimetres, that every output (PDF, PNG, printer streams) draws.

Each size is described as data in `printing.sizes`: a list of slots (a box, what goes in
it, its type size) plus the rules between sections. `build_layout` fills the slots from a
waybill and fits every text to its box: it wraps (Chinese per character, Latin per word)
and shrinks the type until the whole string fits. The recipient and the address are never cut: if
they cannot fit even at the slot's smallest size, the waybill is refused with a `WaybillError`
naming the field (and `recipient_print_problems` lets order review hold such an order first); a
remark or an item list too long for its box is shortened with "…".
Outputs only draw the fitted result, so they cannot disagree about what is printed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from printing.fonts import REPLACEMENT, drawable, text_width, vertical_metrics
from printing.sizes import (
    BarcodeSlot,
    QRSlot,
    Rect,
    Rule,
    TextSlot,
    WaybillError,
    check_barcode_fits,
    check_size,
    slots,
)
from printing.waybill import Sender, Waybill
from wms.domain.orders import Recipient

_NO_SENDER = Sender("", "", "")

LINE_SPACING = 1.15  # line pitch as a multiple of the type size
SHRINK_STEP = 0.94


@dataclass(frozen=True)
class Text:
    """Fitted text: the lines as they will be printed at `size` mm (em height)."""

    rect: Rect
    lines: tuple[str, ...]
    size: float
    bold: bool = False
    align: str = "left"  # left | center | right
    valign: str = "top"  # top | middle
    field: str = ""

    def line_positions(self) -> list[tuple[float, float, str]]:
        """(x, baseline y, line) in mm for each line, honouring alignment."""
        ascent, descent = vertical_metrics()
        block_h = (len(self.lines) - 1) * self.size * LINE_SPACING + (ascent + descent) * self.size
        top = self.rect.y + (self.rect.h - block_h) / 2 if self.valign == "middle" else self.rect.y
        out = []
        for i, line in enumerate(self.lines):
            width = text_width(line, self.size)
            if self.align == "center":
                x = self.rect.x + (self.rect.w - width) / 2
            elif self.align == "right":
                x = self.rect.right - width
            else:
                x = self.rect.x
            out.append((x, top + i * self.size * LINE_SPACING + ascent * self.size, line))
        return out


@dataclass(frozen=True)
class Barcode:
    """Code 128 across `rect`: bars on top, human-readable text (if text_size) below."""

    rect: Rect
    data: str
    text_size: float = 0.0

    @property
    def bar_rect(self) -> Rect:
        text_h = self.text_size * 1.25 if self.text_size else 0.0
        return Rect(self.rect.x, self.rect.y, self.rect.w, self.rect.h - text_h)

    @property
    def text(self) -> Text | None:
        if not self.text_size:
            return None
        box = Rect(self.rect.x, self.rect.bottom - self.text_size * 1.2, self.rect.w,
                   self.text_size * 1.2)
        return Text(box, (self.data,), _fit_single(self.data, box, self.text_size), False,
                    "center", "middle", "tracking_no")


@dataclass(frozen=True)
class QR:
    rect: Rect  # square
    data: str


Element = Text | Barcode | QR | Rule


@dataclass(frozen=True)
class Layout:
    size: str
    width: float
    height: float
    elements: tuple[Element, ...]
    # Characters no font could draw, by field ("recipient: 😀"); each printed as fonts.REPLACEMENT.
    warnings: tuple[str, ...] = ()

    def texts(self) -> list[Text]:
        out = [e for e in self.elements if isinstance(e, Text)]
        out += [e.text for e in self.elements if isinstance(e, Barcode) and e.text]
        return out

    def find(self, field: str) -> Text:
        return next(t for t in self.texts() if t.field == field)


def _weight(grams: int) -> str:
    kg = (Decimal(grams) / 1000).normalize()
    return f"{kg:f}kg"


def _items(w: Waybill) -> str:
    if not w.items:
        return ""
    return "品名: " + "; ".join(f"{i.name} ×{i.qty}" for i in w.items)


CONTENT: dict[str, Callable[[Waybill, datetime], str]] = {
    "carrier": lambda w, t: w.carrier,
    "service": lambda w, t: w.service,
    "print_time": lambda w, t: f"打印时间 {t:%Y-%m-%d %H:%M}",
    "sort_code": lambda w, t: w.sort_code,
    "bag_hub": lambda w, t: f"集包地 {w.bag_hub}" if w.bag_hub else "",
    "caption.recipient": lambda w, t: "收",
    "caption.sender": lambda w, t: "寄",
    "recipient": lambda w, t: f"{w.recipient.name}  {w.recipient.masked_phone}",
    "recipient.address": lambda w, t: w.recipient.full_address,
    "sender": lambda w, t: f"{w.sender.name}  {w.sender.phone}",
    "sender.address": lambda w, t: w.sender.address,
    "cod_amount": lambda w, t: f"代收货款 ¥{w.cod_amount:.2f}" if w.cod_amount > 0 else "",
    "weight_g": lambda w, t: f"重量 {_weight(w.weight_g)}",
    "pieces": lambda w, t: f"件数 {w.pieces}",
    "order_no": lambda w, t: f"订单号 {w.order_no}",
    "remark": lambda w, t: f"备注: {w.remark}" if w.remark else "",
    "items": lambda w, t: _items(w),
    "stub.sort": lambda w, t: f"{w.carrier} {w.sort_code}",
    "stub.recipient": lambda w, t: f"收件人 {w.recipient.name}  {w.recipient.masked_phone}",
    "stub.sender": lambda w, t: f"寄件人 {w.sender.name}  {t:%Y-%m-%d %H:%M}",
}


CONTENT["stub.address"] = CONTENT["recipient.address"]

# --- text fitting ----------------------------------------------------------------------

# Chinese line breaking: closing punctuation never starts a line, opening never ends one,
# so they travel with the character next to them.
_CLOSERS = "，。、；：！？）》」』”’"
_OPENERS = "（《「『“‘"
_TOKENS = re.compile(
    rf"[{_OPENERS}]*(?:[\x21-\x7e\u00c0-\u024f]+|[^\s])[{_CLOSERS}]*|\s+", re.S)


def _fits_height(n_lines: int, size: float, height: float) -> bool:
    ascent, descent = vertical_metrics()
    return (n_lines - 1) * size * LINE_SPACING + (ascent + descent) * size <= height + 1e-6


def wrap_text(text: str, width: float, size: float, split_words: bool = True
              ) -> list[str] | None:
    """Greedy wrap: break between Chinese characters or between Latin words; split a
    word only if it is wider than a whole line (None if that is needed but not allowed)."""
    lines: list[str] = []
    line = ""
    for token in _TOKENS.findall(text):
        if token.isspace():
            if line:
                line += " "
            continue
        if text_width(line + token, size) <= width:
            line += token
            continue
        if line.strip():
            lines.append(line.rstrip())
        line = ""
        if text_width(token, size) <= width:
            line = token
            continue
        if not split_words:
            return None
        for ch in token:  # a word longer than the line: break it by characters
            if line and text_width(line + ch, size) > width:
                lines.append(line)
                line = ""
            line += ch
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _fit_single(text: str, rect: Rect, size: float) -> float:
    """Largest size <= `size` at which one line of text fits the box width."""
    width = text_width(text, size)
    if width > rect.w:
        size = size * rect.w / width * 0.999
    return size


def fit_text(text: str, rect: Rect, size: float, min_size: float, wrap: bool,
             field: str) -> tuple[float, tuple[str, ...]]:
    """(size, lines) at the largest size from `size` down to `min_size` where the whole
    text fits the box; WaybillError naming `field` if it cannot. Shrinking is preferred
    to breaking a Latin word (a sort code or house number split in two misleads)."""
    for split_words in (False, True) if wrap else (False,):
        current = size
        while current >= min_size - 1e-9:
            lines = wrap_text(text, rect.w, current, split_words) if wrap else [text]
            if (lines is not None and _fits_height(len(lines), current, rect.h)
                    and all(text_width(ln, current) <= rect.w + 1e-6 for ln in lines)):
                return current, tuple(lines)
            if current == min_size:
                break
            current = max(min_size, current * SHRINK_STEP)
    if field in ELIDABLE and len(text) > 1:
        return _elided(text, rect, min_size, wrap, field)
    raise WaybillError(field, f"is too long to fit its box on the label ({len(text)} characters)")


# Fields a label may shorten (with "…") rather than fail on: they help the packer and the
# buyer, but the courier delivers without them. The recipient and the address are never
# shortened: an order whose recipient cannot be printed is held at review instead
# (`recipient_print_problems`), before any stock or tracking number is spent on it.
ELIDABLE = frozenset({"remark", "items"})
ELLIPSIS = "…"


def _elided(text: str, rect: Rect, min_size: float, wrap: bool, field: str) -> tuple[float, tuple[str, ...]]:
    """The longest start of `text`, ending in an ellipsis, that fits at `min_size`."""
    low, high = 0, len(text) - 1  # low characters always fit (with the ellipsis), high never
    while low < high:
        middle = (low + high + 1) // 2
        try:
            fit_text(text[:middle].rstrip() + ELLIPSIS, rect, min_size, min_size, wrap, field + ".elided")
            low = middle
        except WaybillError:
            high = middle - 1
    return fit_text(text[:low].rstrip() + ELLIPSIS, rect, min_size, min_size, wrap, field + ".elided")


def _surely_fits(text: str, rect: Rect, min_size: float, wrap: bool) -> bool:
    """A cheap bound (order review runs for every order of a bulk import): the text's width at
    the smallest size is well inside what the box's lines hold, leaving a line's width of slack
    per line for wrapping waste."""
    width = text_width(text, min_size)
    if not wrap:
        return width <= rect.w * 0.98
    ascent, descent = vertical_metrics()
    lines = int((rect.h - (ascent + descent) * min_size) / (min_size * LINE_SPACING)) + 1
    return lines >= 1 and width <= rect.w * lines * 0.7


RECIPIENT_FIELDS = ("recipient", "recipient.address", "stub.recipient", "stub.address")


def recipient_print_problems(recipient: Recipient, size: str = "100x150") -> list[str]:
    """Why this recipient cannot be printed on a label of `size` (a name or address too long
    for its box even in the smallest type), in words; empty when it prints."""
    check_size(size)
    waybill = Waybill("0", "", "", "", _NO_SENDER, recipient, 0)
    problems = []
    for slot in slots(size):
        if not isinstance(slot, TextSlot) or slot.field not in RECIPIENT_FIELDS:
            continue
        field = slot.field
        text = CONTENT[field](waybill, datetime.now())
        if _surely_fits(text, slot.rect, slot.min_size, slot.wrap):
            continue
        try:
            fit_text(text, slot.rect, slot.size, slot.min_size, slot.wrap, field)
        except WaybillError:
            what = "address" if field.endswith("address") else "name"
            problem = f"the recipient's {what} is too long to print on a {size} label; shorten it"
            if problem not in problems:
                problems.append(problem)
    return problems


# --- building ---------------------------------------------------------------------------


def build_layout(waybill: Waybill, size: str = "100x150", dpi: int | None = None,
                 printed_at: datetime | None = None) -> Layout:
    """Fill the size's slots from the waybill and fit every text. With `dpi`, also check
    the tracking number fits every barcode box at whole-dot modules for that dpi."""
    width, height = check_size(size)
    printed_at = printed_at or datetime.now()
    elements: list[Element] = []
    warnings: list[str] = []
    for slot in slots(size):
        if isinstance(slot, Rule):
            elements.append(slot)
        elif isinstance(slot, BarcodeSlot):
            if dpi is not None:
                check_barcode_fits(waybill.tracking_no, slot.rect, dpi, size)
            elements.append(Barcode(slot.rect, waybill.tracking_no, slot.text_size))
        elif isinstance(slot, QRSlot):
            elements.append(QR(slot.rect, waybill.tracking_no))
        else:
            text = CONTENT[slot.field](waybill, printed_at)
            if not text:
                continue
            text, missing = drawable(text)
            if missing and not slot.field.startswith("stub."):
                warnings.append(f"{slot.field}: no font draws {' '.join(missing)}; printed as {REPLACEMENT}")
            rect = slot.rect
            if slot.field == "sort_code" and waybill.bag_hub:
                # The band is shared: the sort code (三段码) keeps two thirds, the bag hub
                # (集包地) the rest, wrapped in smaller bold type.
                rect = Rect(slot.rect.x, slot.rect.y, slot.rect.w * 0.66, slot.rect.h)
                hub = Rect(rect.right + 1, slot.rect.y, slot.rect.w - rect.w - 1, slot.rect.h)
                hub_size, hub_lines = fit_text(CONTENT["bag_hub"](waybill, printed_at), hub,
                                               min(slot.size * 0.42, 4.5), 1.6, True, "bag_hub")
                elements.append(Text(hub, hub_lines, hub_size, True, "center", "middle", "bag_hub"))
            fitted, lines = fit_text(text, rect, slot.size, slot.min_size, slot.wrap,
                                     slot.field)
            elements.append(Text(rect, lines, fitted, slot.bold, slot.align, slot.valign,
                                 slot.field))
    return Layout(size, width, height, tuple(elements), tuple(warnings))
