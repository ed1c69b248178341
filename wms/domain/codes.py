"""What a scanned code is: a retail barcode, a GS1 element string, or one of our own labels.

GTIN check digits are our own arithmetic (tiny and stable); GS1 element strings
(GS1-128, GS1 DataMatrix, the "(01)...(10)..." human-readable form) are parsed with
`biip`, the maintained GS1 parser, so application identifiers and their lengths are right.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import biip
from biip.gs1_messages import GS1Message

# AIM symbology identifiers a scanner may put in front: ]C1 (GS1-128), ]E0 (EAN-13), ]d2 ...
_AIM = re.compile(r"^\][A-Za-z][0-9A-Za-z]")
_GS = "\x1d"
BIN_CODE = re.compile(r"^[A-Z]\d{2}-\d{2}-\d$")
TOTE_CODE = re.compile(r"^TOTE-[A-Z0-9-]{4,}$")
CASE_CODE = re.compile(r"^AS\d{6,}$")
PICKLIST_CODE = re.compile(r"^PL-[A-Z0-9-]+$")
_GS1_AIMS = ("]C1", "]e0", "]d2", "]Q3", "]J1")


@dataclass(frozen=True)
class ScannedCode:
    """`kind` is gtin, gs1, bin, tote, case, picklist, text or invalid."""

    raw: str
    kind: str
    value: str
    gtin: str | None = None  # normalised to 14 digits
    lot: str | None = None
    serial: str | None = None
    expiry: str | None = None  # ISO date
    error: str | None = None


def gtin_check_digit(body: str) -> int:
    """GS1 mod-10: weights 3,1,3,... from the right of the body."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def is_valid_gtin(code: str) -> bool:
    return code.isdigit() and len(code) in (8, 12, 13, 14) and gtin_check_digit(code[:-1]) == int(code[-1])


def normalise_gtin(code: str) -> str:
    """EAN-8, UPC-A, EAN-13 and GTIN-14 of one item compare equal as 14 digits."""
    return code.zfill(14)


def interpret(raw: str) -> ScannedCode:
    text = raw.strip().strip("\r\n")
    aim = None
    if _AIM.match(text):
        aim, text = text[:3], text[3:]
    if not text:
        return ScannedCode(raw, "invalid", "", error="empty scan")
    if text.isdigit() and len(text) in (8, 12, 13, 14) and aim not in _GS1_AIMS:
        if is_valid_gtin(text):
            return ScannedCode(raw, "gtin", text, gtin=normalise_gtin(text))
        expected = gtin_check_digit(text[:-1])
        return ScannedCode(raw, "invalid", text, error=f"check digit should be {expected}, not {text[-1]}")
    if aim in _GS1_AIMS or text.startswith("(") or _GS in text:
        gs1 = _parse_gs1(raw, text)
        if gs1 is not None:
            return gs1
    upper = text.upper()
    for kind, pattern in (("bin", BIN_CODE), ("tote", TOTE_CODE), ("case", CASE_CODE), ("picklist", PICKLIST_CODE)):
        if pattern.match(upper):
            return ScannedCode(raw, kind, upper)
    return ScannedCode(raw, "text", text)


def _parse_gs1(raw: str, text: str) -> ScannedCode | None:
    try:
        message = GS1Message.parse_hri(text) if text.startswith("(") else GS1Message.parse(text)
    except Exception:  # biip raises its own ParseError family; anything else means "not GS1"
        return None
    fields = {e.ai.ai: e for e in message.element_strings}
    gtin_es = fields.get("01") or fields.get("02")
    expiry = fields.get("17")
    return ScannedCode(
        raw=raw,
        kind="gs1",
        value=message.as_hri(),
        gtin=normalise_gtin(gtin_es.value) if gtin_es else None,
        lot=fields["10"].value if "10" in fields else None,
        serial=fields["21"].value if "21" in fields else None,
        expiry=expiry.date.isoformat() if expiry is not None and expiry.date else None,
    )


__all__ = ["ScannedCode", "interpret", "gtin_check_digit", "is_valid_gtin", "normalise_gtin", "biip"]
