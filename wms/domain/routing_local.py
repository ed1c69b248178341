"""Local search on the metric closure: 2-opt and Or-opt, then kick-and-retry.

Used when no exact method fits the time budget (many cross aisles). The textbook
heuristics give a sensible start; 2-opt and Or-opt moves remove their obvious waste,
and double-bridge kicks (fixed seed, so a request plans the same route on the same
machine) escape the local optimum while time is left. Moves are only tried towards
each stop's nearest neighbours and only around stops whose surroundings changed
("don't look" bits), which keeps each kick cheap enough for a few hundred kicks in
the budget of an interactive request.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence

EPS = 1e-9
NEIGHBOURS = 10


def tour_length(order: Sequence[int], dist: list[list[float]]) -> float:
    """Depot (node 0) -> order -> depot."""
    prev, total = 0, 0.0
    for i in order:
        total += dist[prev][i]
        prev = i
    return total + dist[prev][0]


def improve_tour(
    order: Sequence[int], dist: list[list[float]], deadline: float, seed: int = 0
) -> list[int]:
    """Best tour (stops after the depot, node 0) found from `order` before `deadline`.

    `deadline` is a time.perf_counter() value. The search also stops once many kicks
    in a row found nothing better, so easy instances return early.
    """
    n = len(order) + 1
    if n <= 3:
        return list(order)
    near = [
        sorted((j for j in range(n) if j != i), key=lambda j: dist[i][j])[:NEIGHBOURS]
        for i in range(n)
    ]
    tour = _Tour([0, *order], dist, near)
    tour.descend(range(n), deadline)
    best, best_len = tour.cities[:], tour.length()
    if n < 8:
        return _from_depot(best)
    rng = random.Random(seed)
    stale, patience = 0, 50 + 5 * n
    while stale < patience and time.perf_counter() < deadline:
        saved, saved_len = tour.cities[:], tour.length()
        touched = tour.double_bridge(rng)
        tour.descend(touched, deadline)
        new_len = tour.length()
        if new_len < saved_len - EPS:
            stale = 0
            if new_len < best_len - EPS:
                best, best_len = tour.cities[:], new_len
        else:
            stale += 1
            if new_len > saved_len + EPS:
                tour.reset(saved)
    return _from_depot(best)


def _from_depot(cycle: list[int]) -> list[int]:
    i = cycle.index(0)
    return cycle[i + 1 :] + cycle[:i]


class _Tour:
    """A cycle over all nodes with position lookup; moves rewrite the list in place."""

    def __init__(self, cities: list[int], dist: list[list[float]], near: list[list[int]]):
        self.d = dist
        self.near = near
        self.cities = cities
        self.pos = [0] * len(cities)
        self._index()

    def _index(self) -> None:
        for i, c in enumerate(self.cities):
            self.pos[c] = i

    def reset(self, cities: list[int]) -> None:
        self.cities = cities
        self._index()

    def length(self) -> float:
        c, d = self.cities, self.d
        return sum(d[c[i - 1]][c[i]] for i in range(len(c)))

    def succ(self, a: int) -> int:
        p = self.pos[a] + 1
        return self.cities[p if p < len(self.cities) else 0]

    def pred(self, a: int) -> int:
        return self.cities[self.pos[a] - 1]

    def reverse(self, b: int, c: int) -> None:
        """Reverse the path b..c (following succ); the shorter side is rewritten."""
        cities, pos, n = self.cities, self.pos, len(self.cities)
        i, j = pos[b], pos[c]
        inner = (j - i) % n + 1
        if inner * 2 > n:  # reversing the complement gives the same cycle
            i, j = (j + 1) % n, (i - 1) % n
            inner = n - inner
        for _ in range(inner // 2):
            cities[i], cities[j] = cities[j], cities[i]
            pos[cities[i]], pos[cities[j]] = i, j
            i = i + 1 if i + 1 < n else 0
            j = j - 1 if j > 0 else n - 1

    def descend(self, active: Sequence[int] | range, deadline: float) -> None:
        """Apply improving moves around active nodes until none is left."""
        queue = list(active)
        queued = set(queue)
        steps = 0
        while queue:
            steps += 1
            if steps % 64 == 0 and time.perf_counter() >= deadline:
                return
            a = queue.pop()
            queued.discard(a)
            changed = self._two_opt(a) or self._or_opt(a)
            if changed:
                for x in changed:
                    if x not in queued:
                        queued.add(x)
                        queue.append(x)

    def _two_opt(self, a: int) -> tuple[int, ...] | None:
        d = self.d
        da = d[a]
        for forward in (True, False):
            b = self.succ(a) if forward else self.pred(a)
            dab = da[b]
            for c in self.near[a]:
                dac = da[c]
                if dac >= dab - EPS:
                    break
                e = self.succ(c) if forward else self.pred(c)
                if c == b or e == a:
                    continue
                delta = dac + d[b][e] - dab - d[c][e]
                if delta < -EPS:
                    if forward:
                        self.reverse(b, c)
                    else:
                        self.reverse(c, b)
                    return (a, b, c, e)
        return None

    def _or_opt(self, a: int) -> tuple[int, ...] | None:
        """Move the segment starting at a (1-3 nodes, either direction) next to a neighbour."""
        d = self.d
        n = len(self.cities)
        for length in (1, 2, 3):
            if length + 2 >= n:
                break
            for forward in (True, False):
                seg = [a]
                for _ in range(length - 1):
                    seg.append(self.succ(seg[-1]) if forward else self.pred(seg[-1]))
                s1, s2 = seg[0], seg[-1]
                p = self.pred(s1) if forward else self.succ(s1)
                nx = self.succ(s2) if forward else self.pred(s2)
                gain = d[p][s1] + d[s2][nx] - d[p][nx]
                if gain <= EPS:
                    continue
                for end, other in ((s1, s2), (s2, s1)):
                    for c in self.near[end]:
                        if d[end][c] >= gain - EPS:
                            break
                        if c in seg:
                            continue
                        for c2 in (self.succ(c), self.pred(c)):
                            if c2 in seg:
                                continue
                            # new edges c-end and other-c2 replace c-c2
                            delta = d[c][end] + d[other][c2] - d[c][c2] - gain
                            if delta < -EPS:
                                self._move(seg, forward, c, c2, end)
                                return (p, nx, c, c2, s1, s2)
        return None

    def _move(self, seg: list[int], forward: bool, c: int, c2: int, end: int) -> None:
        """Cut seg out and reinsert it between c and c2 with `end` next to c."""
        block = seg if forward else seg[::-1]  # in cycle order
        rest = [x for x in self.cities if x not in set(seg)]
        # orient the insertion so that it follows cycle order c -> c2 or c2 -> c
        i, j = rest.index(c), rest.index(c2)
        n = len(rest)
        if (i + 1) % n == j:  # c then c2: insert after c, `end` first
            ins = block if block[0] == end else block[::-1]
            at = i + 1
        else:  # c2 then c: insert after c2, `end` last
            ins = block if block[-1] == end else block[::-1]
            at = j + 1
        self.cities = rest[:at] + ins + rest[at:]
        self._index()

    def double_bridge(self, rng: random.Random) -> list[int]:
        """Swap two neighbouring stretches of the tour (a move 2-opt cannot undo)."""
        n = len(self.cities)
        start = rng.randrange(n)
        rotated = self.cities[start:] + self.cities[:start]
        window = min(n - 1, 30)
        a, b, c = sorted(rng.sample(range(1, window + 1), 3))
        new = rotated[:a] + rotated[b:c] + rotated[a:b] + rotated[c:]
        touched = [rotated[i % n] for i in (a - 1, a, b - 1, b, c - 1, c)]
        self.reset(new)
        return touched
