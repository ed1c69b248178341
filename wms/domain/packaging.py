"""Choosing the box or bag for a parcel from its items' sizes and weight."""

from __future__ import annotations

from dataclasses import dataclass

from wms.domain.weighing import Packaging

FILL_FACTOR = 0.75  # items never fill a carton completely


@dataclass(frozen=True)
class ItemDims:
    sku: str
    l_mm: int
    w_mm: int
    h_mm: int
    weight_g: int


def _volume(p: Packaging) -> int:
    return p.inner_l_mm * p.inner_w_mm * p.inner_h_mm


def suggest_packaging(items: list[tuple[ItemDims, int]], options: list[Packaging]) -> Packaging:
    """The smallest option whose volume, longest side and load fit the items; else the largest."""
    if not options:
        raise ValueError("no packaging options configured")
    volume = sum(i.l_mm * i.w_mm * i.h_mm * q for i, q in items)
    weight = sum(i.weight_g * q for i, q in items)
    longest = max((max(i.l_mm, i.w_mm, i.h_mm) for i, _ in items), default=0)
    by_size = sorted(options, key=lambda p: (_volume(p), p.weight_g))
    for option in by_size:
        fits_volume = volume <= _volume(option) * FILL_FACTOR
        fits_side = longest <= max(option.inner_l_mm, option.inner_w_mm, option.inner_h_mm)
        fits_load = not option.max_load_g or weight <= option.max_load_g
        if fits_volume and fits_side and fits_load:
            return option
    return by_size[-1]
