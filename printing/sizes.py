"""Label sizes: what a label comes in and what each size prints where.

The sizes (mm), dpis and output formats a label can be printed in, each size's slots as
data (a box, what goes in it, its type size, and the rules between sections), and
whether a tracking number's Code 128 fits a size's barcode boxes at whole-dot modules.
`WaybillError` is here too: the waybill model (`printing.waybill`) and the layout that
fills these slots (`printing.layout`) both raise it, and both stand on this module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from printing.barcodes import (
    QUIET_MODULES,
    code128_modules,
    min_module_dots,
    mm_to_dots,
)

SIZES: dict[str, tuple[float, float]] = {
    "100x150": (100.0, 150.0),
    "100x180": (100.0, 180.0),
    "76x130": (76.0, 130.0),
}
DEFAULT_SIZE = "100x150"
DPIS: tuple[int, ...] = (203, 300)
DEFAULT_DPI = 203
FORMATS: tuple[str, ...] = ("pdf", "png", "escpos", "zpl", "tspl")


class WaybillError(ValueError):
    """A waybill (or its size/format/dpi) that cannot be printed; `field` names the culprit."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field} {message}")
        self.field = field


def check_size(size: str) -> tuple[float, float]:
    """Label size name -> (width_mm, height_mm); unknown sizes are refused by name."""
    if size not in SIZES:
        raise WaybillError("size", f"must be one of {', '.join(SIZES)} (got {size!r})")
    return SIZES[size]


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise WaybillError("format", f"must be one of {', '.join(FORMATS)} (got {fmt!r})")
    return fmt


def check_dpi(dpi: int | str) -> int:
    try:
        value = int(dpi)
    except (TypeError, ValueError):
        value = -1
    if value not in DPIS or isinstance(dpi, bool):
        raise WaybillError("dpi", f"must be one of {', '.join(map(str, DPIS))} (got {dpi!r})")
    return value


# --- slots: what each size prints where ------------------------------------------------


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
class Rule:
    x1: float
    y1: float
    x2: float
    y2: float
    width: float = 0.3
    dashed: bool = False


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
STUB_SIZES = ("100x150", "100x180")  # sizes whose layout repeats the barcode on a stub


@cache
def slots(size: str) -> tuple[Slot, ...]:
    check_size(size)
    return tuple(SLOTS[size]())


# --- does the barcode fit --------------------------------------------------------------


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
