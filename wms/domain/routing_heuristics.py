"""The textbook routing heuristics, in their multi-block form (Roodbergen & de Koster 2001).

They are what pickers can follow without a screen, and the yardstick the exact
planner is measured against. All three share the skeleton of the multi-block
versions: walk from the depot to the left-most aisle with picks, go up it to the
farthest block with picks, then clear the blocks one by one back towards the depot.
They differ in how a block is cleared:

- s-shape: every sub-aisle with picks is walked end to end, snaking through the block;
- largest-gap: walk along the block's far cross aisle, dipping into each sub-aisle up
  to its largest gap, come down the right-most one, and return along the near cross
  aisle doing the same from the other side;
- combined: snake through the block, but for each sub-aisle choose (by a small
  dynamic programme over the block) between walking it through and dipping in and out.

Blocks are counted from the depot's cross aisle outwards. With the depot on the back
cross aisle the layout is mirrored; with the depot on a middle cross aisle the stops
above and below it are two separate tours, each starting and ending at the depot.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from wms.domain.routing_network import PickSet, Walk

FRONT, BACK = 0, 1


@dataclass
class _Frame:
    """One side of the depot's cross aisle; blocks are numbered away from it.

    Positions stay the layout's own y values (never recomputed), so every move lands
    exactly on a cross aisle or a bin; `away` only orders them.
    """

    walk: Walk
    ys: list[float]  # y of the cross aisles, from the depot's outwards
    sign: float  # +1 when "away from the depot" is increasing y
    # (aisle x, block) -> y of the stops in that sub-aisle, nearest the depot first
    subs: dict[tuple[float, int], list[float]] = field(default_factory=dict)

    def away(self, y: float) -> float:
        return (y - self.ys[0]) * self.sign

    def edge(self, block: int, side: int) -> float:
        """y of the front (near) or back (far) cross aisle of a block."""
        return self.ys[block + side]

    def go(self, x: float, y: float) -> None:
        """Move along the current cross aisle to aisle x, then along the aisle to y."""
        self.walk.to(x, self.walk.position[1]).to(x, y)

    def vertical(self, y: float) -> None:
        self.walk.to(self.walk.position[0], y)


def _frames(picks: PickSet, walk: Walk) -> list[_Frame]:
    cross = list(picks.layout.cross_aisles)
    d = cross.index(picks.depot[1])
    up = _Frame(walk, cross[d:], 1.0)
    down = _Frame(walk, cross[: d + 1][::-1], -1.0)
    for x, y in picks.locations:
        frame = up if y >= cross[d] and d < len(cross) - 1 else down
        u = frame.away(y)
        edges = [frame.away(c) for c in frame.ys]
        block = next(b for b in range(len(edges) - 1) if u < edges[b + 1] or b == len(edges) - 2)
        frame.subs.setdefault((x, block), []).append(y)
    for frame in (up, down):
        for lst in frame.subs.values():
            lst.sort(key=frame.away)
    return [f for f in (up, down) if f.subs]


def _route(picks: PickSet, clear: Callable[[_Frame], None]) -> Walk:
    walk = Walk(picks)
    for frame in _frames(picks, walk):
        clear(frame)
        walk.to(picks.depot[0], walk.position[1])
        walk.to(*picks.depot)
    if walk.missing():  # would be a planner bug: fail loudly rather than skip a bin
        raise AssertionError(f"heuristic missed locations {walk.missing()}")
    return walk


def _skeleton(f: _Frame) -> tuple[float, int]:
    left = min(x for x, _ in f.subs)
    farthest = max(b for _, b in f.subs)
    return left, farthest


def _block_aisles(f: _Frame, block: int, skip: float | None = None) -> list[float]:
    return sorted(x for x, b in f.subs if b == block and x != skip)


def _nearest_end(xs: list[float], at: float) -> list[float]:
    if not xs:
        return xs
    return xs if abs(xs[0] - at) <= abs(xs[-1] - at) else xs[::-1]


def _cross_block_empty(f: _Frame, block: int) -> None:
    """No picks left in this block: go down the nearest aisle to its front."""
    x0 = f.walk.position[0]
    x = min((a.x for a in f.walk.picks.layout.aisles), key=lambda ax: (abs(ax - x0), ax))
    f.go(x, f.edge(block, FRONT))


def _dip(f: _Frame, x: float, block: int, side: int) -> None:
    """Enter a sub-aisle from one side up to its farthest stop and come back."""
    ys = f.subs[(x, block)]
    here = f.edge(block, side)
    deepest = ys[-1] if side == FRONT else ys[0]
    f.go(x, here)
    f.vertical(deepest)
    f.vertical(here)


def _snake_blocks(f: _Frame) -> Iterator[tuple[int, list[float], int]]:
    """The skeleton s-shape and combined share: up the left-most aisle to the farthest block,
    then each block back towards the depot as (block, its sub-aisles in visiting order, the
    side they are entered from). A block with no picks is crossed here and not yielded; each
    block's order is taken where the walk stands once the one before it is cleared."""
    left, farthest = _skeleton(f)
    f.go(left, f.edge(0, FRONT))
    f.go(left, f.edge(farthest, FRONT))
    for block in range(farthest, -1, -1):
        if block == farthest:
            xs = _block_aisles(f, block)
            start = FRONT
        else:
            xs = _nearest_end(_block_aisles(f, block, skip=left), f.walk.position[0])
            start = BACK
        if not xs:
            _cross_block_empty(f, block)
            continue
        yield block, xs, start


def s_shape(picks: PickSet) -> Walk:
    return _route(picks, _s_shape_frame)


def _s_shape_frame(f: _Frame) -> None:
    for block, xs, start in _snake_blocks(f):
        # Every block is left at its front: an odd count of full passes needs a start at the back.
        full = len(xs) if (len(xs) % 2 == 0) == (start == FRONT) else len(xs) - 1
        side = start
        for i, x in enumerate(xs):
            if i < full:
                f.go(x, f.edge(block, side))
                side = 1 - side
                f.vertical(f.edge(block, side))
            else:
                _dip(f, x, block, side)


def largest_gap(picks: PickSet) -> Walk:
    return _route(picks, _largest_gap_frame)


def _split_at_largest_gap(f: _Frame, x: float, block: int) -> tuple[list[float], list[float]]:
    """Stops reached from the front and from the back when the largest gap is skipped."""
    ys = f.subs[(x, block)]
    pts = [f.edge(block, FRONT), *ys, f.edge(block, BACK)]
    g = max(range(len(pts) - 1), key=lambda i: (abs(pts[i + 1] - pts[i]), -i))
    return ys[:g], ys[g:]


def _largest_gap_frame(f: _Frame) -> None:
    left, farthest = _skeleton(f)
    f.go(left, f.edge(0, FRONT))
    f.go(left, f.edge(farthest, BACK))
    for block in range(farthest, -1, -1):
        xs = _block_aisles(f, block, skip=left)
        if not xs:
            f.go(left, f.edge(block, FRONT))
            continue
        *middle, right = xs
        back_edge, front_edge = f.edge(block, BACK), f.edge(block, FRONT)
        for x in middle:
            _, from_back = _split_at_largest_gap(f, x, block)
            if from_back:
                f.go(x, back_edge)
                f.vertical(from_back[0])
                f.vertical(back_edge)
        f.go(right, back_edge)
        f.vertical(front_edge)
        for x in reversed(middle):
            from_front, _ = _split_at_largest_gap(f, x, block)
            if from_front:
                f.go(x, front_edge)
                f.vertical(from_front[-1])
                f.vertical(front_edge)
        f.go(left, front_edge)


def combined(picks: PickSet) -> Walk:
    return _route(picks, _combined_frame)


def _combined_frame(f: _Frame) -> None:
    for block, xs, start in _snake_blocks(f):
        for x, through in zip(xs, _combined_plan(f, block, xs, start)):
            side = FRONT if f.walk.position[1] == f.edge(block, FRONT) else BACK
            if through:
                f.go(x, f.edge(block, side))
                f.vertical(f.edge(block, 1 - side))
            else:
                _dip(f, x, block, side)


def _combined_plan(f: _Frame, block: int, xs: list[float], start: int) -> list[bool]:
    """Per sub-aisle: walk through (True) or dip in and out; shortest way to end at front."""
    front, back = f.edge(block, FRONT), f.edge(block, BACK)
    length = abs(back - front)
    inf = float("inf")
    # cost[side] = shortest walk so far ending on that side after the sub-aisles done
    x_prev = f.walk.position[0]
    cost = [inf, inf]
    cost[start] = 0.0
    choices: list[tuple[tuple[int, bool], tuple[int, bool]]] = []
    for x in xs:
        ys = f.subs[(x, block)]
        dip = (2 * abs(ys[-1] - front), 2 * abs(back - ys[0]))
        move = abs(x - x_prev)
        new = [inf, inf]
        pick: list[tuple[int, bool]] = [(-1, False), (-1, False)]
        for side in (FRONT, BACK):
            if cost[side] == inf:
                continue
            stay = cost[side] + move + dip[side]
            if stay < new[side]:
                new[side], pick[side] = stay, (side, False)
            cross = cost[side] + move + length
            if cross < new[1 - side]:
                new[1 - side], pick[1 - side] = cross, (side, True)
        cost = new
        choices.append((pick[0], pick[1]))
        x_prev = x
    plan: list[bool] = []
    side = FRONT
    for both_sides in reversed(choices):
        prev, through = both_sides[side]
        plan.append(through)
        side = prev
    plan.reverse()
    return plan
