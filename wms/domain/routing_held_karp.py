"""Held–Karp: exact tour over the metric closure, for few stops on any layout.

Its work grows as 2^n n^2 in the number of stops but does not care how many cross
aisles there are, which is exactly where the aisle DP (routing_exact) gets slow.
"""

from __future__ import annotations


def held_karp(dist: list[list[float]]) -> tuple[float, list[int]]:
    """Exact TSP over the metric closure (node 0 = depot); O(2^n n^2), small n only."""
    n = len(dist) - 1
    if n == 0:
        return 0.0, []
    full = (1 << n) - 1
    inf = float("inf")
    # best[mask][i]: shortest path from depot through `mask`, ending at stop i (in mask)
    best = [[inf] * n for _ in range(1 << n)]
    parent = [[-1] * n for _ in range(1 << n)]
    for i in range(n):
        best[1 << i][i] = dist[0][i + 1]
    for mask in range(1, 1 << n):
        row = best[mask]
        for i in range(n):
            ci = row[i]
            if ci == inf:
                continue
            di = dist[i + 1]
            rest = full ^ mask
            while rest:
                low = rest & -rest
                j = low.bit_length() - 1
                rest ^= low
                nm = mask | low
                c = ci + di[j + 1]
                if c < best[nm][j]:
                    best[nm][j] = c
                    parent[nm][j] = i
    cost, last = min((best[full][i] + dist[i + 1][0], i) for i in range(n))
    order = []
    mask = full
    while last >= 0:
        order.append(last + 1)
        prev = parent[mask][last]
        mask ^= 1 << last
        last = prev
    order.reverse()
    return cost, order
