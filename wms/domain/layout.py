"""Warehouse layout per shared/specs/warehouse-layout.md: parallel aisles, cross aisles, bins.

The layout is the geometry every route is measured on, so reading it is strict: a
file that breaks the contract is rejected with a message naming the offending
entry instead of producing silently wrong distances.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wms.domain.errors import Invalid


class LayoutError(Invalid, ValueError):
    """The layout file breaks the contract; the message names the entry."""

    code = "invalid_layout"


@dataclass(frozen=True)
class Point:
    x: float
    y: float


@dataclass(frozen=True)
class Aisle:
    id: str
    x: float


@dataclass(frozen=True)
class Bin:
    code: str
    aisle: str
    x: float
    y: float
    side: str = "L"
    level: int = 1

    @property
    def point(self) -> Point:
        return Point(self.x, self.y)


@dataclass(frozen=True)
class Layout:
    name: str
    aisles: tuple[Aisle, ...]
    cross_aisles: tuple[float, ...]
    depot: Point
    bins: tuple[Bin, ...]
    unit: str = "m"
    _by_code: dict[str, Bin] = field(init=False, repr=False, compare=False)
    _cross_set: frozenset[float] = field(init=False, repr=False, compare=False)
    _aisle_xs: frozenset[float] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_code", {b.code: b for b in self.bins})
        object.__setattr__(self, "_cross_set", frozenset(self.cross_aisles))
        object.__setattr__(self, "_aisle_xs", frozenset(a.x for a in self.aisles))

    @property
    def blocks(self) -> int:
        """k cross aisles cut the aisles into k-1 blocks."""
        return len(self.cross_aisles) - 1

    def bin(self, code: str) -> Bin:
        try:
            return self._by_code[code]
        except KeyError:
            raise LayoutError(f"unknown bin code {code!r} in layout {self.name!r}") from None

    def has_bin(self, code: str) -> bool:
        return code in self._by_code

    def distance(self, p: Point | Bin, q: Point | Bin) -> float:
        """Shortest walk between two points of the network (spec metric).

        Meant for bins (on aisle lines) and the depot (on a cross aisle); a point on
        a cross aisle walks along it to the other point's aisle, so |dx| + |dy|.
        """
        p, q = _as_point(p), _as_point(q)
        if p.x == q.x:
            if self._on_aisle_line(p.x):
                return abs(p.y - q.y)
            # Same x but not an aisle line (depot between aisles): both lie on cross aisles.
        if self._on_cross_aisle(p.y) or self._on_cross_aisle(q.y):
            return abs(p.x - q.x) + abs(p.y - q.y)
        return abs(p.x - q.x) + min(abs(p.y - c) + abs(q.y - c) for c in self.cross_aisles)

    def _on_cross_aisle(self, y: float) -> bool:
        return y in self._cross_set

    def _on_aisle_line(self, x: float) -> bool:
        return x in self._aisle_xs


def _as_point(p: Point | Bin) -> Point:
    return p.point if isinstance(p, Bin) else p


def load_layout(path: str | Path) -> Layout:
    """Read and validate a layout JSON file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise LayoutError(f"cannot read layout file {str(path)!r}: {exc.strerror or exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LayoutError(
            f"layout file {str(path)!r} is not JSON: {exc.msg} at line {exc.lineno}"
        ) from None
    return parse_layout(data)


def parse_layout(data: Any) -> Layout:
    """Validate a decoded layout document and build the Layout."""
    if not isinstance(data, dict):
        raise LayoutError("layout must be a JSON object")
    name = data.get("name", "")
    if not isinstance(name, str):
        raise LayoutError("layout 'name' must be a string")
    unit = data.get("unit", "m")
    if unit != "m":
        raise LayoutError(f"layout 'unit' must be 'm', got {unit!r}")

    cross = _parse_cross_aisles(_require(data, "cross_aisles", "layout"))
    aisles = _parse_aisles(_require(data, "aisles", "layout"))
    depot = _parse_depot(_require(data, "depot", "layout"), cross)
    bins = _parse_bins(_require(data, "bins", "layout"), aisles, cross)
    return Layout(
        name=name, aisles=aisles, cross_aisles=cross, depot=depot, bins=bins, unit=unit
    )


def _require(obj: dict, key: str, where: str) -> Any:
    if key not in obj:
        raise LayoutError(f"{where}: missing key {key!r}")
    return obj[key]


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise LayoutError(f"{where}: expected a number, got {value!r}")
    f = float(value)
    if not math.isfinite(f):
        raise LayoutError(f"{where}: expected a finite number, got {value!r}")
    return f


def _parse_cross_aisles(raw: Any) -> tuple[float, ...]:
    if not isinstance(raw, list):
        raise LayoutError("cross_aisles: expected a list of y positions")
    ys = tuple(_number(v, f"cross_aisles[{i}]") for i, v in enumerate(raw))
    if len(ys) < 2:
        raise LayoutError(
            f"cross_aisles: need at least two (front and back), got {len(ys)}"
        )
    for i in range(1, len(ys)):
        if ys[i] <= ys[i - 1]:
            raise LayoutError(
                f"cross_aisles[{i}]: positions must be strictly ascending "
                f"({ys[i]} after {ys[i - 1]})"
            )
    return ys


def _named_entry(
    entry: Any, where: str, expected: str, kind: str, key: str, seen: set[str]
) -> tuple[str, str]:
    """An aisle's or bin's unique name (its `key`), and how errors name the entry from then on."""
    if not isinstance(entry, dict):
        raise LayoutError(f"{where}: expected {expected}")
    name = _require(entry, key, where)
    if not isinstance(name, str) or not name:
        raise LayoutError(f"{where}: '{key}' must be a non-empty string")
    where = f"{kind} {name!r}"
    if name in seen:
        raise LayoutError(f"{where}: duplicate {kind} {key}")
    seen.add(name)
    return name, where


def _parse_aisles(raw: Any) -> tuple[Aisle, ...]:
    if not isinstance(raw, list) or not raw:
        raise LayoutError("aisles: expected a non-empty list")
    aisles: list[Aisle] = []
    seen: set[str] = set()
    for i, entry in enumerate(raw):
        aid, where = _named_entry(entry, f"aisles[{i}]", "an object with 'id' and 'x'",
                                  "aisle", "id", seen)
        x = _number(_require(entry, "x", where), f"{where} x")
        if aisles and x <= aisles[-1].x:
            raise LayoutError(
                f"{where}: aisle positions must be strictly ascending "
                f"(x={x} after {aisles[-1].id!r} at x={aisles[-1].x})"
            )
        aisles.append(Aisle(aid, x))
    return tuple(aisles)


def _parse_depot(raw: Any, cross: tuple[float, ...]) -> Point:
    if not isinstance(raw, dict):
        raise LayoutError("depot: expected an object with 'x' and 'y'")
    x = _number(_require(raw, "x", "depot"), "depot x")
    y = _number(_require(raw, "y", "depot"), "depot y")
    if y not in cross:
        raise LayoutError(
            f"depot: y={y} is not on a cross aisle (cross aisles at {list(cross)})"
        )
    return Point(x, y)


def _parse_bins(
    raw: Any, aisles: tuple[Aisle, ...], cross: tuple[float, ...]
) -> tuple[Bin, ...]:
    if not isinstance(raw, list):
        raise LayoutError("bins: expected a list")
    aisle_x = {a.id: a.x for a in aisles}
    bins: list[Bin] = []
    seen: set[str] = set()
    for i, entry in enumerate(raw):
        code, where = _named_entry(entry, f"bins[{i}]", "an object", "bin", "code", seen)
        aisle = _require(entry, "aisle", where)
        if aisle not in aisle_x:
            raise LayoutError(f"{where}: unknown aisle id {aisle!r}")
        y = _number(_require(entry, "y", where), f"{where} y")
        if not cross[0] <= y <= cross[-1]:
            raise LayoutError(
                f"{where}: y={y} is outside aisle {aisle!r} span "
                f"[{cross[0]}, {cross[-1]}]"
            )
        side = entry.get("side", "L")
        if side not in ("L", "R"):
            raise LayoutError(f"{where}: side must be 'L' or 'R', got {side!r}")
        level = entry.get("level", 1)
        if isinstance(level, bool) or not isinstance(level, int) or level < 1:
            raise LayoutError(f"{where}: level must be an integer from 1, got {level!r}")
        bins.append(Bin(code, aisle, aisle_x[aisle], y, side, level))
    return tuple(bins)


def grid_layout(
    aisles: int,
    blocks: int,
    *,
    aisle_spacing: float = 3.0,
    block_length: float = 12.0,
    cross_aisle_width: float = 2.0,
    bins_per_side: int = 10,
    depot_x: float | None = None,
    depot_cross_aisle: int = 0,
    name: str | None = None,
) -> Layout:
    """A regular parallel-aisle layout (bins on both racks, evenly spaced).

    For demos, tests and benchmarks: the same geometry as a real file without writing one.
    Bin codes read `A03-B2-07-L`: aisle 3, block 2, slot 7, left rack.
    """
    pitch = block_length + cross_aisle_width
    cross = [round(i * pitch, 6) for i in range(blocks + 1)]
    aisle_list = [{"id": f"A{i + 1:02d}", "x": round(i * aisle_spacing, 6)} for i in range(aisles)]
    slot = block_length / bins_per_side
    bins = []
    for a in aisle_list:
        for b in range(blocks):
            for s in range(bins_per_side):
                y = round(cross[b] + cross_aisle_width / 2 + slot * (s + 0.5), 6)
                y = min(y, cross[b + 1])
                for side in ("L", "R"):
                    bins.append({
                        "code": f"{a['id']}-B{b + 1}-{s + 1:02d}-{side}",
                        "aisle": a["id"], "y": y, "side": side, "level": 1,
                    })
    return parse_layout({
        "name": name or f"grid-{aisles}x{blocks}",
        "aisles": aisle_list,
        "cross_aisles": cross,
        "depot": {"x": 0.0 if depot_x is None else depot_x, "y": cross[depot_cross_aisle]},
        "bins": bins,
    })
