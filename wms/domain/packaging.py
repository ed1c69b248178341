"""Choosing the box or bag for a parcel from its items' sizes and weight.

The smallest option (by inner volume) wins if
  - the items' total volume is at most FILL_FACTOR of its inner volume (items never fill
    a carton completely: gaps, filler, the flaps have to close),
  - every item fits inside it in some orientation (its sides, sorted, are no longer than
    the option's inner sides, sorted; the longest item side against the longest inner side
    is the first of these checks), and
  - the items' weight is within its max load (0 means no stated limit).
If none fits, the largest option: the packer splits the parcel or overrides.
This is a volume heuristic, not 3-D bin packing: cheap, and what a packer would pick.
An item with unknown dimensions (zeros) counts as fitting anywhere; its weight still counts.
Options without inner dimensions (filler, labels) are never chosen while others exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from wms.domain.weighing import Packaging

FILL_FACTOR = 0.75


@dataclass(frozen=True)
class ItemDims:
    sku: str
    l_mm: int
    w_mm: int
    h_mm: int
    weight_g: int

    @property
    def volume_mm3(self) -> int:
        return self.l_mm * self.w_mm * self.h_mm

    @property
    def sides(self) -> tuple[int, int, int]:
        """Longest first."""
        return tuple(sorted((self.l_mm, self.w_mm, self.h_mm), reverse=True))  # type: ignore[return-value]


def inner_volume_mm3(p: Packaging) -> int:
    return p.inner_l_mm * p.inner_w_mm * p.inner_h_mm


def _inner_sides(p: Packaging) -> tuple[int, int, int]:
    return tuple(sorted((p.inner_l_mm, p.inner_w_mm, p.inner_h_mm), reverse=True))  # type: ignore[return-value]


def fits(items: list[tuple[ItemDims, int]], option: Packaging, fill_factor: float = FILL_FACTOR) -> bool:
    """Whether the items go into `option` by volume, by shape and by weight."""
    volume = sum(i.volume_mm3 * q for i, q in items if q > 0)
    weight = sum(i.weight_g * q for i, q in items if q > 0)
    box = _inner_sides(option)
    for item, qty in items:
        if qty > 0 and item.volume_mm3 > 0 and any(s > b for s, b in zip(item.sides, box)):
            return False
    if volume > inner_volume_mm3(option) * fill_factor:
        return False
    return not option.max_load_g or weight <= option.max_load_g


def suggest_packaging(items: list[tuple[ItemDims, int]], options: list[Packaging],
                      fill_factor: float = FILL_FACTOR) -> Packaging:
    """The smallest option the items fit in; else the largest. See the module docstring."""
    if not options:
        raise ValueError("no packaging options configured")
    usable = [p for p in options if inner_volume_mm3(p) > 0] or list(options)
    by_size = sorted(usable, key=lambda p: (inner_volume_mm3(p), p.weight_g, p.code))
    for option in by_size:
        if fits(items, option, fill_factor):
            return option
    return max(by_size, key=lambda p: (inner_volume_mm3(p), p.max_load_g or 10 ** 9))
