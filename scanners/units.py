"""Weight units to whole grams.

Scales report decimal text ("1.234 kg", "2.71 lb"); we parse it as `Decimal` (never
float, so 0.1 kg is exactly 100 g) and round to whole grams with ROUND_HALF_EVEN
(banker's rounding: 0.5 g -> 0 g, 1.5 g -> 2 g), which does not bias totals upward
when many parcels are summed. Pound and ounce use the international definitions:
1 lb = 453.59237 g, 1 oz = 1/16 lb = 28.349523125 g.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from scanners.errors import FrameError

GRAMS_PER_UNIT: dict[str, Decimal] = {
    "mg": Decimal("0.001"),
    "g": Decimal(1),
    "kg": Decimal(1000),
    "t": Decimal(1_000_000),
    "lb": Decimal("453.59237"),
    "oz": Decimal("28.349523125"),
    "ozt": Decimal("31.1034768"),
    "dwt": Decimal("1.55517384"),
    "lt": Decimal("1016046.9088"),
}

_ALIASES = {"lbs": "lb", "#": "lb", "gr": "g", "gm": "g", "kgs": "kg", "ozs": "oz"}


def normalize_unit(unit: str) -> str:
    """Canonical lower-case unit name ("KG" -> "kg", "LBS" -> "lb"), or FrameError."""
    key = unit.strip().lower()
    key = _ALIASES.get(key, key)
    if key not in GRAMS_PER_UNIT:
        raise FrameError(f"unknown weight unit {unit!r}")
    return key


def to_grams(value: Decimal | str | int, unit: str) -> int:
    """Convert a weight in `unit` to whole grams, rounding half to even."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        raise FrameError(f"not a number: {value!r}") from None
    if not amount.is_finite():
        raise FrameError(f"not a finite weight: {value!r}")
    grams = amount * GRAMS_PER_UNIT[normalize_unit(unit)]
    return int(grams.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def from_grams(grams: Decimal | int, unit: str) -> Decimal:
    """Express grams in `unit` (exact Decimal; the caller rounds for display)."""
    return Decimal(grams) / GRAMS_PER_UNIT[normalize_unit(unit)]
