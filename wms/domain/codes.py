"""What a scanned code is: a retail barcode, a GS1 element string, or one of our own labels.

A pack-station scanner sends whatever is under its beam: an item's EAN-13, a GS1-128 or
GS1 DataMatrix with lot and expiry, a bin or tote label, an after-sales case slip, a pick
list, or an order number. `interpret` says which, without touching the database; the
service then resolves GTINs and free text (order numbers, SKU codes) against its tables.

GTIN check digits are our own arithmetic (tiny and stable); GS1 element strings (GS1-128,
GS1 DataMatrix, GS1 QR, the "(01)...(10)..." human-readable form, GS1 Digital Link URIs)
are parsed with `biip`, the maintained GS1 parser, so application identifiers, their
lengths and FNC1 separators are handled by people who track the GS1 General Specifications.

Scanners may prefix an AIM symbology identifier ("]E0" EAN/UPC, "]E4" EAN-8, "]C1"
GS1-128, "]d2" GS1 DataMatrix, "]Q3" GS1 QR, "]Q1" plain QR, ...); it is stripped, and
a GS1 one tells us to parse the rest as an element string. FNC1 arrives as ASCII GS
(0x1D) between variable-length fields.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from biip import ParseError
from biip.gs1_digital_link_uris import GS1DigitalLinkURI
from biip.gs1_messages import GS1Message

KINDS = ("gtin", "gs1", "bin", "tote", "case", "picklist", "text", "invalid")

_AIM = re.compile(r"^\][A-Za-z][0-9A-Za-z]")
GS = "\x1d"
# AIM identifiers whose payload is a GS1 element string (GS1-128, GS1 DataBar, GS1 DataMatrix,
# GS1 QR, GS1 DotCode): the digits after them are AIs, never a bare GTIN.
_GS1_AIMS = frozenset({"]C1", "]e0", "]d2", "]Q3", "]J1"})
_GTIN_LENGTHS = (8, 12, 13, 14)

BIN_CODE = re.compile(r"^[A-Z]\d{2}-\d{2}-\d$")  # A01-01-1: aisle, position, level
# TOTE-0001 (plain numbered totes) and TOTE-<wave>-<trip>-<tote> (what picking prints).
# A bare "T0001" is not taken: too easily a SKU code.
TOTE_CODE = re.compile(r"^TOTE-(\d{4,}|[A-Z0-9]+(-[A-Z0-9]+)*-\d{2,}-\d{2,})$")
CASE_CODE = re.compile(r"^AS\d{6,}$")  # after-sales case slips: AS000123
PICKLIST_CODE = re.compile(r"^PL-[A-Z0-9]+(-[A-Z0-9]+)*$")  # PL-W0001-01: wave and trip
_OWN_LABELS = (("bin", BIN_CODE), ("tote", TOTE_CODE), ("case", CASE_CODE), ("picklist", PICKLIST_CODE))


@dataclass(frozen=True)
class ScannedCode:
    """One scan, interpreted.

    `kind` is one of KINDS. `value` is the payload without AIM prefix or whitespace
    (upper-cased for our own labels, the HRI "(01)..." form for GS1). `gtin` is always
    the 14-digit form, so EAN-8, UPC-A, EAN-13 and GTIN-14 of one item compare equal.
    `expiry` is an ISO date. `error` says why a code is "invalid".
    """

    raw: str
    kind: str
    value: str
    gtin: str | None = None
    lot: str | None = None
    serial: str | None = None
    expiry: str | None = None
    error: str | None = None


def gtin_check_digit(body: str) -> int:
    """GS1 mod-10 over the digits before the check digit: weights 3,1,3,... from the right."""
    if not body.isdigit():
        raise ValueError(f"a GTIN body is digits only, got {body!r}")
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def is_valid_gtin(code: str) -> bool:
    """8, 12, 13 or 14 digits whose last digit is the GS1 check digit of the rest."""
    return (code.isdigit() and len(code) in _GTIN_LENGTHS
            and gtin_check_digit(code[:-1]) == int(code[-1]))


def normalise_gtin(code: str) -> str:
    """The 14-digit form (left-padded with zeros): one item's EAN-8/UPC-A/EAN-13/GTIN-14 compare equal."""
    code = code.strip()
    if not code.isdigit() or len(code) > 14:
        raise ValueError(f"not a GTIN: {code!r}")
    return code.zfill(14)


def expand_upc_e(code: str) -> str | None:
    """The UPC-A a zero-suppressed 8-digit UPC-E stands for, or None if it is not one.

    UPC-E (number system 0 or 1, six digits, check digit) drops zeros from a UPC-A; the
    check digit is the UPC-A's, so an 8-digit UPC-E usually fails the EAN-8 check.
    """
    if len(code) != 8 or not code.isdigit() or code[0] not in "01":
        return None
    ns, d, check = code[0], code[1:7], code[7]
    last = d[5]
    if last in "012":
        body = d[0:2] + last + "0000" + d[2:5]
    elif last == "3":
        body = d[0:3] + "00000" + d[3:5]
    elif last == "4":
        body = d[0:4] + "00000" + d[4]
    else:
        body = d[0:5] + "0000" + last
    upc_a = ns + body + check
    return upc_a if is_valid_gtin(upc_a) else None


def interpret(raw: str) -> ScannedCode:
    """Say what a scan is; never raises (a garbled scan is kind "invalid" or "text")."""
    text = raw.strip()
    aim = None
    if _AIM.match(text):
        aim, text = text[:3], text[3:].strip()
    if not text:
        return ScannedCode(raw, "invalid", "", error="empty scan")
    if aim in _GS1_AIMS:
        return _gs1(raw, text) or _bad_gs1(raw, text)
    if text.isdigit():
        retail = _retail(raw, text, aim)
        if retail is not None:
            return retail
    if text.startswith("(") or GS in text or _looks_like_bare_gs1(text):
        parsed = _gs1(raw, text)
        if parsed is not None:
            return parsed
        if text.startswith("(") or GS in text:
            return _bad_gs1(raw, text)
    if text.lower().startswith(("http://", "https://")):
        parsed = _digital_link(raw, text)
        if parsed is not None:
            return parsed
    upper = text.upper()
    for kind, pattern in _OWN_LABELS:
        if pattern.match(upper):
            return ScannedCode(raw, kind, upper)
    return ScannedCode(raw, "text", text)


def _retail(raw: str, digits: str, aim: str | None) -> ScannedCode | None:
    """EAN/UPC/GTIN-14 digits; None if the digits are something else (a numeric order number)."""
    if aim is not None and aim.startswith("]E") and len(digits) in (15, 18):
        digits = digits[:-2] if len(digits) == 15 else digits[:-5]  # drop a 2- or 5-digit add-on
    if len(digits) not in _GTIN_LENGTHS:
        return None
    if is_valid_gtin(digits) and not (aim == "]E0" and expand_upc_e(digits)):
        return ScannedCode(raw, "gtin", digits, gtin=normalise_gtin(digits))
    upc_a = expand_upc_e(digits) if len(digits) == 8 and aim != "]E4" else None
    if upc_a is not None:
        return ScannedCode(raw, "gtin", digits, gtin=normalise_gtin(upc_a))
    should = gtin_check_digit(digits[:-1])
    return ScannedCode(raw, "invalid", digits,
                       error=f"check digit should be {should}, not {digits[-1]}: a misread or a damaged label")


def _looks_like_bare_gs1(text: str) -> bool:
    """A GS1-128 read with AIM and FNC1 switched off: "01" + a valid GTIN-14 + more AIs."""
    return len(text) >= 16 and text[:2] in ("01", "02") and is_valid_gtin(text[2:16])


def _gs1(raw: str, text: str) -> ScannedCode | None:
    try:
        message = GS1Message.parse_hri(text) if text.startswith("(") else GS1Message.parse(text)
    except ParseError:
        return None
    return _from_element_strings(raw, message.as_hri(), message.element_strings)


def _digital_link(raw: str, text: str) -> ScannedCode | None:
    try:
        link = GS1DigitalLinkURI.parse(text)
    except ParseError:
        return None
    return _from_element_strings(raw, link.as_gs1_message().as_hri(), link.element_strings)


def _from_element_strings(raw: str, hri: str, element_strings: list) -> ScannedCode:
    fields = {e.ai.ai: e for e in element_strings}
    item = fields.get("01") or fields.get("02")
    if item is not None and not is_valid_gtin(item.value):
        should = gtin_check_digit(item.value[:-1])
        return ScannedCode(raw, "invalid", hri, error=f"GTIN {item.value}: check digit should be {should}")
    expiry = fields.get("17")
    return ScannedCode(
        raw=raw,
        kind="gs1",
        value=hri,
        gtin=normalise_gtin(item.value) if item is not None else None,
        lot=fields["10"].value if "10" in fields else None,
        serial=fields["21"].value if "21" in fields else None,
        expiry=expiry.date.isoformat() if expiry is not None and expiry.date is not None else None,
    )


def _bad_gs1(raw: str, text: str) -> ScannedCode:
    return ScannedCode(raw, "invalid", text, error="not a valid GS1 element string: a misread or a damaged label")


__all__ = ["KINDS", "ScannedCode", "interpret", "gtin_check_digit", "is_valid_gtin", "normalise_gtin",
           "expand_upc_e"]
