"""What every emulated scale shares: the load on the platter, zero, tare, motion, range."""

from __future__ import annotations

from decimal import Decimal

from scanners.units import from_grams


class ScaleState:
    """Load in grams plus the scale's own zero offset and tare.

    `condition` is "ok", "overload" or "underload"; `stable` False means in motion.
    """

    def __init__(self, grams: int | str | Decimal = 0, *, stable: bool = True) -> None:
        self.load_g = Decimal(grams)
        self.zero_g = Decimal(0)
        self.tare_g = Decimal(0)
        self.stable = stable
        self.condition = "ok"

    def set_weight(self, grams: int | str | Decimal, stable: bool | None = None) -> None:
        """Put a load (gross grams, before zero and tare) on the platter."""
        self.load_g = Decimal(grams)
        self.condition = "ok"
        if stable is not None:
            self.stable = stable

    def set_stable(self, stable: bool = True) -> None:
        self.stable = stable

    def set_overload(self) -> None:
        self.condition = "overload"

    def set_underload(self) -> None:
        self.condition = "underload"

    def clear_error(self) -> None:
        self.condition = "ok"

    @property
    def gross_g(self) -> Decimal:
        return self.load_g - self.zero_g

    @property
    def net_g(self) -> Decimal:
        return self.gross_g - self.tare_g

    def displayed(self, unit: str, decimals: int, grams: Decimal | None = None) -> Decimal:
        """The displayed (net) weight - or `grams` - in `unit`, at the display's resolution."""
        value = self.net_g if grams is None else grams
        return from_grams(value, unit).quantize(Decimal(1).scaleb(-decimals))

    def do_zero(self) -> None:
        self.zero_g = self.load_g
        self.tare_g = Decimal(0)

    def do_tare(self) -> None:
        self.tare_g = self.gross_g

    def clear_tare(self) -> None:
        self.tare_g = Decimal(0)
