"""One layout per label size, in millimetres, that every output (PDF, PNG, printer streams) draws.

Each size is described as data: a list of slots (a box, what goes in it, its type size)
plus the rules between sections. `build_layout` fills the slots from a waybill and fits
every text to its box: it wraps (Chinese per character, Latin per word) and shrinks the
type until the whole string fits. Text is never cut: if it cannot fit even at the
slot's smallest size, the waybill is refused with a `WaybillError` naming the field.
Outputs only draw the fitted result, so they cannot disagree about what is printed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import lru_cache

from printing.barcodes import (
    QUIET_MODULES,
    code128_modules,
    min_module_dots,
    mm_to_dots,
)
from printing.fonts import text_width, vertical_metrics
from printing.waybill import DPIS, SIZES, Waybill, WaybillError, check_size

LINE_SPACING = 1.15  # line pitch as a multiple of the type size
SHRINK_STEP = 0.94


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h


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


@dataclass(frozen=True)
class Rule:
    x1: float
    y1: float
    x2: float
    y2: float
    width: float = 0.3
    dashed: bool = False


Element = Text | Barcode | QR | Rule


@dataclass(frozen=True)
class Layout:
    size: str
    width: float
    height: float
    elements: tuple[Element, ...]

    def texts(self) -> list[Text]:
        out = [e for e in self.elements if isinstance(e, Text)]
        out += [e.text for e in self.elements if isinstance(e, Barcode) and e.text]
        return out

    def find(self, field: str) -> Text:
        return next(t for t in self.texts() if t.field == field)


# --- slots: what each size prints where ------------------------------------------------


@dataclass(frozen=True)
class TextSlot:
    field: str  # names the waybill field in errors and lets tests find the text
    rect: Rect
    size: float
    min_size: float
    bold: bool = False
    align: str = "left"
    valign: str = "top"
    wrap: bool = False


@dataclass(frozen=True)
class BarcodeSlot:
    rect: Rect
    text_size: float


@dataclass(frozen=True)
class QRSlot:
    rect: Rect


Slot = TextSlot | BarcodeSlot | QRSlot | Rule


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


def _slots_100x150() -> list[Slot]:
    return [
        TextSlot("carrier", Rect(2, 1, 40, 10), 8, 3, bold=True, valign="middle"),
        TextSlot("service", Rect(42, 1, 28, 10), 4.5, 2.5, bold=True, align="center",
                 valign="middle"),
        TextSlot("print_time", Rect(71, 1.5, 27, 9), 2.4, 1.6, align="right", valign="middle",
                 wrap=True),
        Rule(0, 12, 100, 12),
        TextSlot("sort_code", Rect(2, 13, 96, 12), 10, 4, bold=True, align="center",
                 valign="middle"),
        Rule(0, 26, 100, 26),
        BarcodeSlot(Rect(2, 27.5, 96, 18.5), 3.2),
        Rule(0, 47, 100, 47),
        TextSlot("caption.recipient", Rect(2, 48, 7, 24), 6, 4, bold=True, align="center",
                 valign="middle"),
        Rule(10, 47, 10, 86),
        TextSlot("recipient", Rect(11.5, 48.5, 86.5, 5.5), 4.4, 2.4, bold=True),
        TextSlot("recipient.address", Rect(11.5, 55, 86.5, 17), 4.2, 1.6, bold=True, wrap=True),
        Rule(0, 73, 100, 73),
        TextSlot("caption.sender", Rect(2, 74, 7, 11), 5, 3, align="center", valign="middle"),
        TextSlot("sender", Rect(11.5, 74, 86.5, 4), 2.8, 1.8),
        TextSlot("sender.address", Rect(11.5, 78.5, 86.5, 7), 2.6, 1.4, wrap=True),
        Rule(0, 86, 100, 86),
        TextSlot("cod_amount", Rect(2, 87, 50, 5), 3.8, 2.4, bold=True),
        TextSlot("weight_g", Rect(2, 92.5, 24, 4), 2.8, 1.8),
        TextSlot("pieces", Rect(27, 92.5, 22, 4), 2.8, 1.8),
        TextSlot("order_no", Rect(2, 96.8, 62, 4), 2.6, 1.6),
        TextSlot("remark", Rect(52, 87, 30, 9), 2.6, 1.4, bold=True, wrap=True),
        QRSlot(Rect(84, 87, 14, 14)),
        Rule(0, 102, 100, 102, 0.3, dashed=True),  # tear line: stub below
        BarcodeSlot(Rect(2, 103.5, 78, 15), 2.6),
        TextSlot("stub.sort", Rect(81, 103.5, 17, 14), 3.2, 1.6, bold=True, align="center",
                 valign="middle", wrap=True),
        Rule(0, 119.5, 100, 119.5),
        TextSlot("stub.recipient", Rect(2, 120.5, 96, 4.5), 3.0, 1.8, bold=True),
        TextSlot("stub.address", Rect(2, 125.5, 96, 8), 2.8, 1.4, wrap=True),
        Rule(0, 134.5, 100, 134.5),
        TextSlot("items", Rect(2, 135.5, 96, 9), 2.8, 1.4, wrap=True),
        TextSlot("stub.sender", Rect(2, 145, 96, 4), 2.4, 1.4),
    ]


def _slots_100x180() -> list[Slot]:
    return [
        TextSlot("carrier", Rect(2, 1, 40, 12), 9, 3, bold=True, valign="middle"),
        TextSlot("service", Rect(42, 1, 28, 12), 5, 2.5, bold=True, align="center",
                 valign="middle"),
        TextSlot("print_time", Rect(71, 2, 27, 10), 2.6, 1.6, align="right", valign="middle",
                 wrap=True),
        Rule(0, 14, 100, 14),
        TextSlot("sort_code", Rect(2, 15, 96, 14), 12, 4, bold=True, align="center",
                 valign="middle"),
        Rule(0, 30, 100, 30),
        BarcodeSlot(Rect(2, 31.5, 96, 22), 3.6),
        Rule(0, 55, 100, 55),
        TextSlot("caption.recipient", Rect(2, 56, 7, 28), 6.5, 4, bold=True, align="center",
                 valign="middle"),
        Rule(10, 55, 10, 100),
        TextSlot("recipient", Rect(11.5, 56.5, 86.5, 6.5), 5, 2.4, bold=True),
        TextSlot("recipient.address", Rect(11.5, 64, 86.5, 20), 4.6, 1.6, bold=True, wrap=True),
        Rule(0, 85, 100, 85),
        TextSlot("caption.sender", Rect(2, 86, 7, 13), 5, 3, align="center", valign="middle"),
        TextSlot("sender", Rect(11.5, 86, 86.5, 4.5), 3.2, 1.8),
        TextSlot("sender.address", Rect(11.5, 91, 86.5, 8), 2.8, 1.4, wrap=True),
        Rule(0, 100, 100, 100),
        TextSlot("cod_amount", Rect(2, 101, 58, 6), 4.4, 2.4, bold=True),
        TextSlot("weight_g", Rect(2, 107.5, 26, 4.5), 3.2, 1.8),
        TextSlot("pieces", Rect(30, 107.5, 26, 4.5), 3.2, 1.8),
        TextSlot("order_no", Rect(2, 112.5, 64, 4.5), 3.0, 1.6),
        TextSlot("remark", Rect(60, 101, 20, 16), 2.8, 1.4, bold=True, wrap=True),
        QRSlot(Rect(81, 100.5, 17, 17)),
        Rule(0, 119, 100, 119, 0.3, dashed=True),  # tear line: stub below
        BarcodeSlot(Rect(2, 120.5, 78, 18), 3.0),
        TextSlot("stub.sort", Rect(81, 120.5, 17, 17), 3.6, 1.6, bold=True, align="center",
                 valign="middle", wrap=True),
        Rule(0, 140, 100, 140),
        TextSlot("stub.recipient", Rect(2, 141, 96, 5.5), 3.6, 1.8, bold=True),
        TextSlot("stub.address", Rect(2, 147, 96, 10), 3.2, 1.4, wrap=True),
        Rule(0, 158, 100, 158),
        TextSlot("items", Rect(2, 159, 96, 13), 3.2, 1.4, wrap=True),
        TextSlot("stub.sender", Rect(2, 173.5, 96, 4.5), 2.6, 1.4),
    ]


def _slots_76x130() -> list[Slot]:
    """The narrow size has no tear-off stub; the item summary takes its place."""
    return [
        TextSlot("carrier", Rect(2, 1, 30, 8), 6.5, 3, bold=True, valign="middle"),
        TextSlot("service", Rect(32, 1, 20, 8), 3.6, 2.2, bold=True, align="center",
                 valign="middle"),
        TextSlot("print_time", Rect(52, 1, 22, 8), 2.2, 1.4, align="right", valign="middle",
                 wrap=True),
        Rule(0, 10, 76, 10),
        TextSlot("sort_code", Rect(2, 11, 72, 10), 8, 3.5, bold=True, align="center",
                 valign="middle"),
        Rule(0, 22, 76, 22),
        BarcodeSlot(Rect(2, 23.5, 72, 17.5), 3.0),
        Rule(0, 42, 76, 42),
        TextSlot("caption.recipient", Rect(1.5, 43, 6.5, 22), 5, 3.5, bold=True,
                 align="center", valign="middle"),
        Rule(8.5, 42, 8.5, 79),
        TextSlot("recipient", Rect(10, 43, 64, 5.5), 3.8, 2.2, bold=True),
        TextSlot("recipient.address", Rect(10, 49.5, 64, 16), 3.6, 1.4, bold=True, wrap=True),
        Rule(0, 66.5, 76, 66.5),
        TextSlot("caption.sender", Rect(1.5, 67.5, 6.5, 10.5), 4, 2.5, align="center",
                 valign="middle"),
        TextSlot("sender", Rect(10, 67.5, 64, 4), 2.6, 1.6),
        TextSlot("sender.address", Rect(10, 72, 64, 6.5), 2.4, 1.3, wrap=True),
        Rule(0, 79, 76, 79),
        TextSlot("cod_amount", Rect(2, 80, 50, 5), 3.4, 2.2, bold=True),
        TextSlot("weight_g", Rect(2, 85.5, 24, 4), 2.6, 1.6),
        TextSlot("pieces", Rect(27, 85.5, 24, 4), 2.6, 1.6),
        TextSlot("order_no", Rect(2, 90, 52, 4), 2.4, 1.4),
        TextSlot("remark", Rect(2, 94.5, 52, 6), 2.4, 1.3, bold=True, wrap=True),
        QRSlot(Rect(56, 80.5, 18, 18)),
        Rule(0, 101.5, 76, 101.5),
        TextSlot("items", Rect(2, 102.5, 72, 20), 2.8, 1.3, wrap=True),
        Rule(0, 123.5, 76, 123.5),
        TextSlot("stub.sender", Rect(2, 124.5, 72, 4.5), 2.4, 1.3),
    ]


SLOTS: dict[str, Callable[[], list[Slot]]] = {
    "100x150": _slots_100x150,
    "100x180": _slots_100x180,
    "76x130": _slots_76x130,
}
CONTENT["stub.address"] = CONTENT["recipient.address"]
STUB_SIZES = ("100x150", "100x180")  # sizes whose layout repeats the barcode on a stub


@lru_cache(maxsize=None)
def slots(size: str) -> tuple[Slot, ...]:
    check_size(size)
    return tuple(SLOTS[size]())


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
    raise WaybillError(field, f"is too long to fit its box on the label ({len(text)} characters)")


# --- building ---------------------------------------------------------------------------


def check_barcode_fits(data: str, rect: Rect, dpi: int, size: str) -> None:
    box = mm_to_dots(rect.w, dpi)
    needed = len(code128_modules(data)) + 2 * QUIET_MODULES
    if box // needed < min_module_dots(dpi):
        raise WaybillError(
            "tracking_no",
            f"is too long for the {size} label at {dpi} dpi: Code 128 needs {needed} modules "
            f"of at least {min_module_dots(dpi)} dots, the box is {box} dots",
        )


def check_tracking_fits_somewhere(tracking_no: str) -> None:
    """Refuse a tracking number that no label size can carry at whole-dot module widths."""
    try:
        code128_modules(tracking_no)
    except ValueError as exc:
        raise WaybillError("tracking_no", str(exc)) from None
    for size in SIZES:
        for dpi in DPIS:
            try:
                for slot in slots(size):
                    if isinstance(slot, BarcodeSlot):
                        check_barcode_fits(tracking_no, slot.rect, dpi, size)
                return
            except WaybillError:
                continue
    raise WaybillError("tracking_no", "is too long to print as Code 128 on any label size")


def build_layout(waybill: Waybill, size: str = "100x150", dpi: int | None = None,
                 printed_at: datetime | None = None) -> Layout:
    """Fill the size's slots from the waybill and fit every text. With `dpi`, also check
    the tracking number fits every barcode box at whole-dot modules for that dpi."""
    width, height = check_size(size)
    printed_at = printed_at or datetime.now()
    elements: list[Element] = []
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
            fitted, lines = fit_text(text, slot.rect, slot.size, slot.min_size, slot.wrap,
                                     slot.field)
            elements.append(Text(slot.rect, lines, fitted, slot.bold, slot.align, slot.valign,
                                 slot.field))
    return Layout(size, width, height, tuple(elements))
