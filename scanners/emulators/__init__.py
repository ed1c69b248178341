"""Emulated devices on pseudo-terminals or TCP: scales, a scanner, an ESC/POS printer.

    with MtSicsScale(1240) as scale:          # a pty at scale.path
        Scale(scale.path, "mt-sics").read()   # -> Reading(grams=1240, ...)

`python -m scanners.emulators KIND` runs one for demos and prints its device path.
"""

from scanners.emulators.base import Emulator
from scanners.emulators.escpos_printer import EscPosPrinter
from scanners.emulators.mt_sics import MtSicsScale
from scanners.emulators.nci import NciScale
from scanners.emulators.scanner import SerialScanner
from scanners.emulators.toledo import ToledoScale

KINDS: dict[str, type[Emulator]] = {
    "mt-sics": MtSicsScale,
    "nci": NciScale,
    "toledo": ToledoScale,
    "scanner": SerialScanner,
    "escpos": EscPosPrinter,
}

__all__ = ["KINDS", "Emulator", "EscPosPrinter", "MtSicsScale", "NciScale", "SerialScanner",
           "ToledoScale"]
