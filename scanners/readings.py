"""What a scale reports: one weight in whole grams, plus how far to trust it."""

from __future__ import annotations

from dataclasses import dataclass

OVERLOAD = "overload"
UNDERLOAD = "underload"


@dataclass(frozen=True)
class Reading:
    """One weight as reported by a scale.

    `grams` is the displayed weight converted to whole grams (0 when `error` is set).
    `unit` is the unit the scale displayed in ("g", "kg", "lb", "oz", ...), `raw` the
    frame bytes it came from. `net` is True for a net (tared) weight, False for gross,
    None when the protocol does not say. `error` names why the reading carries no
    weight ("overload", "underload", or a short description); such readings are
    never `stable`.
    """

    grams: int
    stable: bool
    raw: bytes
    unit: str
    net: bool | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """True when the reading carries a weight (no error)."""
        return self.error is None

    def __str__(self) -> str:
        if self.error:
            return f"<{self.error}>"
        return f"{self.grams} g" + ("" if self.stable else " (in motion)")


def error_reading(error: str, raw: bytes, unit: str = "", net: bool | None = None) -> Reading:
    """A reading that says why there is no weight (overload, underload, ...)."""
    return Reading(grams=0, stable=False, raw=raw, unit=unit, net=net, error=error)
