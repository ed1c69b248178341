"""Provably shortest pick tours.

`aisle_dp` is the Ratliff–Rosenthal dynamic programme generalised to any number of
cross aisles (the idea Roodbergen & de Koster used for two blocks): sweep the aisles
left to right and keep, for the cross-aisle nodes of the current aisle, only what
matters for the rest of the tour: each node's degree parity (or untouched) and which
nodes are already connected. Its work is linear in the number of aisles and grows
with the number of cross aisles, so it is the exact method for ordinary layouts.
routing_held_karp is the fallback for many cross aisles and few stops.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from itertools import product

from wms.domain.routing_network import XY, PickSet, Walk

# Configurations of one sub-aisle (the part of an aisle inside one block).
NONE, SINGLE, DOUBLE, TOP, BOTTOM, GAP = range(6)

State = tuple[int, ...]  # per node: 0 untouched, else 1 + 2*component + odd
Step = tuple[int, int, tuple[int, ...]]  # (next state id, edges added, edges per node)


@dataclass(frozen=True)
class _Column:
    x: float
    is_aisle: bool
    # per block: sorted y of stops strictly inside the sub-aisle
    inner: tuple[tuple[float, ...], ...]
    required: frozenset[int]  # cross-aisle node indices that hold a stop or the depot


@dataclass
class ExactResult:
    distance: float
    walk: Walk


def dp_problem_size(picks: PickSet) -> tuple[int, int]:
    """(cross aisles kept, columns): what the DP's running time depends on."""
    cy = _kept_cross_aisles(picks)
    return len(cy), len(_columns(picks, cy))


def _kept_cross_aisles(picks: PickSet) -> list[float]:
    """Cross aisles beyond the first one past the outermost stop never help."""
    cross = picks.layout.cross_aisles
    ys = [y for _, y in picks.locations] + [picks.depot[1]]
    lo_y, hi_y = min(ys), max(ys)
    lo = max(i for i, c in enumerate(cross) if c <= lo_y)
    hi = min(i for i, c in enumerate(cross) if c >= hi_y)
    if lo == hi:  # everything on one cross aisle: keep a neighbour so there is a block
        hi = hi + 1 if hi + 1 < len(cross) else hi
        lo = lo - 1 if lo == hi else lo
    return list(cross[lo : hi + 1])


def _columns(picks: PickSet, cy: list[float]) -> list[_Column]:
    xs_needed = [x for x, _ in picks.locations] + [picks.depot[0]]
    lo_x, hi_x = min(xs_needed), max(xs_needed)
    aisle_xs = sorted(a.x for a in picks.layout.aisles if lo_x <= a.x <= hi_x)
    xs = sorted(set(aisle_xs) | {picks.depot[0]})
    aisle_set = set(aisle_xs)
    node_of = {y: i for i, y in enumerate(cy)}
    by_x: dict[float, list[float]] = {}
    for x, y in picks.locations:
        by_x.setdefault(x, []).append(y)
    cols = []
    for x in xs:
        ys = sorted(set(by_x.get(x, ())))
        inner = tuple(
            tuple(y for y in ys if cy[s] < y < cy[s + 1]) for s in range(len(cy) - 1)
        )
        required = {node_of[y] for y in ys if y in node_of}
        if x == picks.depot[0]:
            required.add(node_of[picks.depot[1]])
        cols.append(_Column(x, x in aisle_set, inner, frozenset(required)))
    return cols


def _segment_options(col: _Column, s: int, lo: float, hi: float) -> list[tuple[int, float]]:
    ys = col.inner[s]
    length = hi - lo
    if not col.is_aisle:
        return [(NONE, 0.0)]
    if not ys:
        return [(NONE, 0.0), (SINGLE, length), (DOUBLE, 2 * length)]
    opts = [
        (SINGLE, length),
        (DOUBLE, 2 * length),
        (TOP, 2 * (hi - ys[0])),
        (BOTTOM, 2 * (ys[-1] - lo)),
    ]
    if len(ys) >= 2:
        gap = max(ys[i + 1] - ys[i] for i in range(len(ys) - 1))
        opts.append((GAP, 2 * (length - gap)))
    return opts


def _canonical(labels: list[int], odd: list[int]) -> State:
    remap: dict[int, int] = {}
    out = []
    for lab, o in zip(labels, odd):
        if lab < 0:
            out.append(0)
        else:
            if lab not in remap:
                remap[lab] = len(remap)
            out.append(1 + 2 * remap[lab] + o)
    return tuple(out)


def _decode(state: State) -> tuple[list[int], list[int]]:
    return ([(v - 1) >> 1 if v else -1 for v in state], [(v - 1) & 1 if v else 0 for v in state])


class _StateSpace:
    """Interns states as small ints and memoises transitions; shared by all runs."""

    def __init__(self) -> None:
        self.lock = threading.Lock()  # requests may plan routes on several threads
        self.ids: dict[State, int] = {}
        self.states: list[State] = []
        self.vertical: dict[tuple[int, int], dict[int, int]] = {}
        self.horizontal: dict[frozenset[int], dict[int, list[Step]]] = {}
        self.final: dict[frozenset[int], dict[int, bool]] = {}

    def intern(self, st: State) -> int:
        i = self.ids.get(st)
        if i is None:
            with self.lock:
                i = self.ids.get(st)
                if i is None:
                    self.states.append(st)
                    i = self.ids[st] = len(self.states) - 1
        return i

    def vertical_table(self, s: int, kind: int) -> dict[int, int]:
        return self.vertical.setdefault((s, kind), {})

    def step_vertical(self, sid: int, s: int, kind: int) -> int:
        nid = self.intern(_vertical(self.states[sid], s, kind))
        self.vertical_table(s, kind)[sid] = nid
        return nid

    def step_horizontal(self, sid: int, required: frozenset[int]) -> list[Step]:
        table = self.horizontal.setdefault(required, {})
        hit = table.get(sid)
        if hit is None:
            hit = table[sid] = [
                (self.intern(ns), sum(ms), ms)
                for ns, ms in _horizontal(self.states[sid], required)
            ]
        return hit

    def is_final(self, sid: int, required: frozenset[int]) -> bool:
        table = self.final.setdefault(required, {})
        hit = table.get(sid)
        if hit is None:
            hit = table[sid] = _is_final(self.states[sid], required)
        return hit


_SPACES: dict[int, _StateSpace] = {}
_SPACES_LOCK = threading.Lock()


def _vertical(state: State, s: int, kind: int) -> State:
    labels, odd = _decode(state)
    fresh = 1000

    def touch(n: int) -> None:
        nonlocal fresh
        if labels[n] < 0:
            labels[n] = fresh
            fresh += 1

    a, b = s, s + 1
    if kind in (SINGLE, DOUBLE):
        touch(a)
        touch(b)
        la, lb = labels[a], labels[b]
        if la != lb:
            labels[:] = [la if v == lb else v for v in labels]
        if kind == SINGLE:
            odd[a] ^= 1
            odd[b] ^= 1
    elif kind == TOP:
        touch(b)
    elif kind == BOTTOM:
        touch(a)
    elif kind == GAP:
        touch(a)
        touch(b)
    return _canonical(labels, odd)


def _horizontal(state: State, required: frozenset[int]) -> list[tuple[State, tuple[int, ...]]]:
    """Edges from this column's nodes to the next column's; every degree ends even."""
    labels, odd = _decode(state)
    choices: list[tuple[int, ...]] = []
    for n, lab in enumerate(labels):
        if lab < 0:
            choices.append((2,) if n in required else (0,))
        elif odd[n]:
            choices.append((1,))
        else:
            choices.append((0, 2))
    comps = {lab for lab in labels if lab >= 0}
    out = []
    for ms in product(*choices):
        if any(all(m == 0 for lab, m in zip(labels, ms) if lab == c) for c in comps):
            continue  # a part of the tour would be cut off from the rest
        new_labels = [
            -1 if m == 0 else (labels[n] if labels[n] >= 0 else 1000 + n)
            for n, m in enumerate(ms)
        ]
        out.append((_canonical(new_labels, [m & 1 for m in ms]), ms))
    return out


def _is_final(state: State, required: frozenset[int]) -> bool:
    labels = {(v - 1) >> 1 for v in state if v}
    return (
        len(labels) == 1
        and all(not v or not ((v - 1) & 1) for v in state)
        and all(state[n] for n in required)
    )


def aisle_dp(picks: PickSet) -> ExactResult:
    """Shortest tour through all stops; exact for any number of blocks."""
    if all(loc == picks.depot for loc in picks.locations):
        return ExactResult(distance=0.0, walk=Walk(picks))  # the empty tour
    cy = _kept_cross_aisles(picks)
    cols = _columns(picks, cy)
    k = len(cy)
    with _SPACES_LOCK:
        space = _SPACES.setdefault(k, _StateSpace())
    inf = float("inf")
    states: dict[int, float] = {space.intern(tuple([0] * k)): 0.0}
    # back[stage][state] = (previous state, choice); stages: per column, k-1 sub-aisle
    # steps then (except after the last column) one step across to the next column.
    back: list[dict[int, tuple[int, object]]] = []
    for j, col in enumerate(cols):
        for s in range(k - 1):
            options = _segment_options(col, s, cy[s], cy[s + 1])
            if options == [(NONE, 0.0)]:
                back.append({sid: (sid, NONE) for sid in states})
                continue
            tables = [(kind, c, space.vertical_table(s, kind)) for kind, c in options]
            nxt: dict[int, float] = {}
            bp: dict[int, tuple[int, object]] = {}
            for sid, cost in states.items():
                for kind, c, table in tables:
                    if kind == NONE:
                        nid = sid
                    else:
                        known = table.get(sid)
                        nid = space.step_vertical(sid, s, kind) if known is None else known
                    nc = cost + c
                    if nc < nxt.get(nid, inf):
                        nxt[nid] = nc
                        bp[nid] = (sid, kind)
            states = nxt
            back.append(bp)
        if j == len(cols) - 1:
            break
        width = cols[j + 1].x - col.x
        nxt = {}
        bp = {}
        for sid, cost in states.items():
            for nid, m, ms in space.step_horizontal(sid, col.required):
                nc = cost + width * m
                if nc < nxt.get(nid, inf):
                    nxt[nid] = nc
                    bp[nid] = (sid, ms)
        states = nxt
        back.append(bp)
    last = cols[-1].required
    best_cost, best = min((c, sid) for sid, c in states.items() if space.is_final(sid, last))
    choices: list[object] = []
    sid = best
    for bp in reversed(back):
        sid, choice = bp[sid]
        choices.append(choice)
    choices.reverse()
    edges = _edges(cols, cy, choices)
    walk = Walk(picks)
    walk.via(_euler_circuit(edges, picks.depot)[1:])
    return ExactResult(distance=best_cost, walk=walk)


def _edges(cols: list[_Column], cy: list[float], choices: list[object]) -> list[tuple[XY, XY]]:
    """Turn the DP's per-stage choices into walkable edges (one entry per traversal)."""
    k = len(cy)
    edges: list[tuple[XY, XY]] = []
    it = iter(choices)
    for j, col in enumerate(cols):
        x = col.x
        for s in range(k - 1):
            kind = next(it)
            ys = col.inner[s]
            chain = [cy[s], *ys, cy[s + 1]]
            n = len(chain) - 1  # links chain[i] - chain[i+1]
            if kind == NONE:
                mult = [0] * n
            elif kind == SINGLE:
                mult = [1] * n
            elif kind == DOUBLE:
                mult = [2] * n
            elif kind == TOP:
                mult = [0] + [2] * (n - 1)
            elif kind == BOTTOM:
                mult = [2] * (n - 1) + [0]
            else:  # GAP: leave out the largest gap between two stops
                g = max(range(1, n - 1), key=lambda i: chain[i + 1] - chain[i])
                mult = [2] * n
                mult[g] = 0
            for i, m in enumerate(mult):
                edges.extend([((x, chain[i]), (x, chain[i + 1]))] * m)
        if j == len(cols) - 1:
            break
        ms = next(it)
        x2 = cols[j + 1].x
        for c, m in enumerate(ms):  # type: ignore[arg-type]
            edges.extend([((x, cy[c]), (x2, cy[c]))] * m)
    return edges


def _euler_circuit(edges: list[tuple[XY, XY]], start: XY) -> list[XY]:
    """Hierholzer: every node has even degree and the edges are connected."""
    adj: dict[XY, list[int]] = {}
    for i, (a, b) in enumerate(edges):
        adj.setdefault(a, []).append(i)
        adj.setdefault(b, []).append(i)
    if not edges:
        return [start]
    used = [False] * len(edges)
    stack = [start]
    circuit: list[XY] = []
    while stack:
        v = stack[-1]
        lst = adj.get(v, [])
        while lst and used[lst[-1]]:
            lst.pop()
        if lst:
            e = lst.pop()
            used[e] = True
            a, b = edges[e]
            stack.append(b if a == v else a)
        else:
            circuit.append(stack.pop())
    circuit.reverse()
    return circuit
