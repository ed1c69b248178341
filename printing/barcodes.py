"""Barcode and QR geometry in whole printer dots, shared by the raster and PDF outputs.

A thermal head can only burn whole dots, so a Code 128 module that is 2.4 dots wide
would print as an uneven mix of 2- and 3-dot bars and fail to scan. Every output asks
this module for the module width in dots at the target dpi and draws exactly that.
The Code 128 symbol itself (start code, character sets, check digit, stop) comes from
python-barcode; the QR matrix from qrcode.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import barcode
import qrcode
from barcode.errors import BarcodeError

QUIET_MODULES = 10  # Code 128 needs >= 10 modules of white either side
MIN_MODULE_MM = 0.19  # below this, thermal dot gain makes bars unreliable
QR_BORDER_MODULES = 2  # the surrounding white space on the label adds to this


def mm_to_dots(mm: float, dpi: int) -> int:
    return round(mm * dpi / 25.4)


def min_module_dots(dpi: int) -> int:
    """Narrowest module we allow: 2 dots at 203 dpi, 3 dots at 300 dpi (both ~0.25 mm)."""
    return max(1, math.ceil(MIN_MODULE_MM * dpi / 25.4))


@lru_cache(maxsize=512)
def code128_modules(data: str) -> str:
    """The symbol as a string of '1' (bar) and '0' (space) modules, without quiet zones."""
    try:
        return barcode.Code128(data).build()[0]
    except (BarcodeError, IndexError, ValueError) as exc:
        raise ValueError(f"cannot encode {data!r} as Code 128: {exc}") from None


def bar_runs(modules: str) -> list[tuple[int, int]]:
    """(first module, number of modules) of each bar, so bars are drawn as rectangles."""
    runs: list[tuple[int, int]] = []
    start = -1
    for i, m in enumerate(modules + "0"):
        if m == "1" and start < 0:
            start = i
        elif m == "0" and start >= 0:
            runs.append((start, i - start))
            start = -1
    return runs


def largest_module_dots(data: str, box_width_dots: int) -> int:
    """Widest whole-dot module for which symbol plus quiet zones fit the box (0 if none)."""
    total_modules = len(code128_modules(data)) + 2 * QUIET_MODULES
    return box_width_dots // total_modules


@dataclass(frozen=True)
class BarcodePlacement:
    """Where the bars go, in dots: left edge of the first bar, module width, bar runs."""

    x: int
    module: int
    runs: tuple[tuple[int, int], ...]
    symbol_modules: int

    @property
    def width(self) -> int:
        return self.symbol_modules * self.module


def place_code128(data: str, box_x: int, box_width: int, dpi: int) -> BarcodePlacement:
    """Centre the symbol in its box with the largest whole-dot module that fits."""
    module = largest_module_dots(data, box_width)
    if module < min_module_dots(dpi):
        raise ValueError(
            f"needs {len(code128_modules(data)) + 2 * QUIET_MODULES} modules of at least "
            f"{min_module_dots(dpi)} dots but the barcode box is {box_width} dots wide"
        )
    modules = code128_modules(data)
    width = len(modules) * module
    x = box_x + (box_width - width) // 2
    return BarcodePlacement(x, module, tuple(bar_runs(modules)), len(modules))


@lru_cache(maxsize=256)
def qr_matrix(data: str) -> tuple[tuple[bool, ...], ...]:
    """QR modules (True = dark), no border, error correction M."""
    qr = qrcode.QRCode(border=0, error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(data)
    qr.make(fit=True)
    return tuple(tuple(bool(v) for v in row) for row in qr.get_matrix())


@dataclass(frozen=True)
class QRPlacement:
    x: int
    y: int
    module: int
    matrix: tuple[tuple[bool, ...], ...]


def place_qr(data: str, box_x: int, box_y: int, box_side: int) -> QRPlacement | None:
    """Centre the QR in a square box with whole-dot modules; None if it would be too small."""
    matrix = qr_matrix(data)
    n = len(matrix)
    module = box_side // (n + 2 * QR_BORDER_MODULES)
    if module < 2:
        return None
    offset = (box_side - n * module) // 2
    return QRPlacement(box_x + offset, box_y + offset, module, matrix)


def qr_row_runs(row: tuple[bool, ...]) -> list[tuple[int, int]]:
    return bar_runs("".join("1" if v else "0" for v in row))
