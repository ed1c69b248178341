"""The walking network of a layout: the stops of one request and walks along its lines.

Every planner produces a walk (a list of points moving along aisle or cross-aisle
lines). `Walk` turns it into what the picker is told: the order bins are first
passed (so a picker never walks by a bin and comes back for it later), the turning
points, and the length. Deriving all three from the same walk is what keeps
sequence, path and distance consistent whatever the planner.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from wms.domain.layout import Layout, Point

XY = tuple[float, float]


@dataclass(frozen=True)
class PickSet:
    """The distinct locations of one request; several bins may share a point."""

    layout: Layout
    depot: XY
    locations: tuple[XY, ...]
    codes_at: tuple[tuple[str, ...], ...]

    @classmethod
    def build(cls, layout: Layout, codes: Sequence[str]) -> PickSet:
        order: dict[XY, list[str]] = {}
        for code in codes:
            b = layout.bin(code)
            bucket = order.setdefault((b.x, b.y), [])
            if code not in bucket:
                bucket.append(code)
        return cls(
            layout=layout,
            depot=(layout.depot.x, layout.depot.y),
            locations=tuple(order),
            codes_at=tuple(tuple(v) for v in order.values()),
        )

    def distance_matrix(self) -> list[list[float]]:
        """Metric closure over depot (index 0) and the locations (1..n)."""
        pts = [Point(*self.depot)] + [Point(*p) for p in self.locations]
        dist = self.layout.distance
        n = len(pts)
        m = [[0.0] * n for _ in range(n)]
        for i in range(n):
            for j in range(i + 1, n):
                m[i][j] = m[j][i] = dist(pts[i], pts[j])
        return m


class Walk:
    """A walk from the depot, recording each location the first time it is passed."""

    def __init__(self, picks: PickSet) -> None:
        self.picks = picks
        self._points: list[XY] = [picks.depot]
        self._visited: list[int] = []
        self._seen: set[int] = set()
        self._by_x: dict[float, tuple[list[float], list[int]]] = {}
        self._by_y: dict[float, tuple[list[float], list[int]]] = {}
        by_x: dict[float, list[tuple[float, int]]] = {}
        by_y: dict[float, list[tuple[float, int]]] = {}
        for i, (x, y) in enumerate(picks.locations):
            by_x.setdefault(x, []).append((y, i))
            by_y.setdefault(y, []).append((x, i))
        for key, items in by_x.items():
            items.sort()
            self._by_x[key] = ([v for v, _ in items], [i for _, i in items])
        for key, items in by_y.items():
            items.sort()
            self._by_y[key] = ([v for v, _ in items], [i for _, i in items])
        self._record((picks.depot[0], picks.depot[1]), picks.depot)

    @property
    def position(self) -> XY:
        return self._points[-1]

    def to(self, x: float, y: float) -> Walk:
        """Move in a straight line along an aisle (same x) or a cross aisle (same y)."""
        cur = self._points[-1]
        if cur == (x, y):
            return self
        if cur[0] != x and cur[1] != y:
            raise ValueError(f"walk cannot move diagonally from {cur} to {(x, y)}")
        self._record(cur, (x, y))
        self._points.append((x, y))
        return self

    def via(self, points: Sequence[XY]) -> Walk:
        for x, y in points:
            self.to(x, y)
        return self

    def _record(self, a: XY, b: XY) -> None:
        if a[0] == b[0]:
            keys, ids = self._by_x.get(a[0], ((), ()))
            lo_v, hi_v, fwd = (a[1], b[1], True) if a[1] <= b[1] else (b[1], a[1], False)
        else:
            keys, ids = self._by_y.get(a[1], ((), ()))
            lo_v, hi_v, fwd = (a[0], b[0], True) if a[0] <= b[0] else (b[0], a[0], False)
        lo = bisect_left(keys, lo_v)
        hi = bisect_right(keys, hi_v)
        passed = ids[lo:hi] if fwd else ids[lo:hi][::-1]
        for i in passed:
            if i not in self._seen:
                self._seen.add(i)
                self._visited.append(i)

    def missing(self) -> list[int]:
        return [i for i in range(len(self.picks.locations)) if i not in self._seen]

    def visit_order(self) -> list[int]:
        return list(self._visited)

    def sequence(self) -> list[str]:
        return [c for i in self._visited for c in self.picks.codes_at[i]]

    def path(self) -> list[XY]:
        """Turning points: straight pass-through points dropped, U-turns kept."""
        out: list[XY] = []
        for p in self._points:
            if out and out[-1] == p:
                continue
            if len(out) >= 2 and _straight_through(out[-2], out[-1], p):
                out[-1] = p
            else:
                out.append(p)
        return out

    def length(self) -> float:
        pts = self._points
        return sum(abs(pts[i][0] - pts[i - 1][0]) + abs(pts[i][1] - pts[i - 1][1])
                   for i in range(1, len(pts)))


def _straight_through(a: XY, b: XY, c: XY) -> bool:
    if a[0] == b[0] == c[0]:
        return (a[1] < b[1] < c[1]) or (a[1] > b[1] > c[1])
    if a[1] == b[1] == c[1]:
        return (a[0] < b[0] < c[0]) or (a[0] > b[0] > c[0])
    return False


def path_length(path: Sequence[Sequence[float]]) -> float:
    """Sum of the Manhattan segment lengths of a path."""
    return sum(abs(path[i][0] - path[i - 1][0]) + abs(path[i][1] - path[i - 1][1])
               for i in range(1, len(path)))


def shortest_walk(layout: Layout, p: XY, q: XY) -> list[XY]:
    """Turning points of a shortest walk from p to q (bins or the depot), ending at q."""
    aisle_xs = layout._aisle_xs
    cross = layout._cross_set
    if p[0] == q[0] and p[0] in aisle_xs:
        return [q]
    if p[1] in cross and q[0] in aisle_xs:
        return [(q[0], p[1]), q]
    if q[1] in cross and p[0] in aisle_xs:
        return [(p[0], q[1]), q]
    c = min(layout.cross_aisles, key=lambda c: abs(p[1] - c) + abs(q[1] - c))
    return [(p[0], c), (q[0], c), q]


def walk_through(picks: PickSet, order: Sequence[int]) -> Walk:
    """Walk depot -> locations in `order` -> depot along shortest walks."""
    walk = Walk(picks)
    layout = picks.layout
    for i in order:
        walk.via(shortest_walk(layout, walk.position, picks.locations[i]))
    walk.via(shortest_walk(layout, walk.position, picks.depot))
    return walk
