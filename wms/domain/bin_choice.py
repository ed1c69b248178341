"""Which bins to pick from when a SKU sits in several: the ones that shorten the walk.

Taking stock from "the first bin" on the list sends pickers to a far aisle for one
item when the same SKU lies in an aisle they walk through anyway. Here each SKU gets
a few candidate ways to cover its demand (start at one of its bins, top up from the
bins nearest to it), and a local search swaps a SKU's choice whenever that makes the
planned route of the whole order shorter.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from wms.domain.errors import Invalid
from wms.domain.layout import Layout
from wms.domain.routing import plan_route

Allocation = dict[str, list[tuple[str, int]]]


class InsufficientStock(Invalid):
    """The listed bins cannot cover the demand; `shortfalls` says by how much per SKU."""

    code = "insufficient_stock"

    def __init__(self, shortfalls: dict[str, int]) -> None:
        self.shortfalls = dict(shortfalls)
        detail = ", ".join(f"{sku} short by {qty}" for sku, qty in sorted(shortfalls.items()))
        super().__init__(f"not enough stock in the listed bins: {detail}")


def first_bin_choice(demand: dict[str, int], stock: dict[str, list[tuple[str, int]]]) -> Allocation:
    """The naive rule: fill each SKU from its bins in the order listed (the baseline)."""
    _check_cover(demand, stock)
    return {sku: _fill(stock[sku], qty) for sku, qty in demand.items() if qty > 0}


def choose_bins(
    layout: Layout,
    demand: dict[str, int],
    stock: dict[str, list[tuple[str, int]]],
    *,
    route_method: str = "auto",
    max_rounds: int = 4,
) -> Allocation:
    """sku -> [(bin_code, qty)] covering `demand` from `stock` with a short pick walk.

    Raises InsufficientStock when the bins cannot cover a SKU, and LayoutError for a
    bin code the layout does not know.
    """
    _check_cover(demand, stock)
    skus = [sku for sku, qty in demand.items() if qty > 0]
    if not skus:
        return {}
    for sku in skus:
        for code, _ in stock[sku]:
            layout.bin(code)  # unknown bins fail here, naming the code
    options = {sku: _options(layout, stock[sku], demand[sku]) for sku in skus}
    length = _walk_length(layout, route_method)

    # Start: every SKU from the option whose first bin is nearest the depot.
    choice = {
        sku: min(opts, key=lambda o: layout.distance(layout.depot, layout.bin(o[0][0])))
        for sku, opts in options.items()
    }
    best = length(choice)
    for _ in range(max_rounds):
        improved = False
        for sku in skus:
            if len(options[sku]) < 2:
                continue
            current = choice[sku]
            for opt in options[sku]:
                if opt is current:
                    continue
                choice[sku] = opt
                d = length(choice)
                if d < best - 1e-9:
                    best, current, improved = d, opt, True
            choice[sku] = current
        if not improved:
            break
    return {sku: list(choice[sku]) for sku in skus}


def _check_cover(demand: dict[str, int], stock: dict[str, list[tuple[str, int]]]) -> None:
    short = {}
    for sku, qty in demand.items():
        if qty < 0:
            raise Invalid(f"demand for {sku} is negative ({qty})", "bad_quantity")
        have = sum(max(0, q) for _, q in stock.get(sku, ()))
        if have < qty:
            short[sku] = qty - have
    if short:
        raise InsufficientStock(short)


def _fill(bins: Sequence[tuple[str, int]], qty: int) -> list[tuple[str, int]]:
    out, left = [], qty
    for code, have in bins:
        if left <= 0:
            break
        take = min(left, have)
        if take > 0:
            out.append((code, take))
            left -= take
    return out


def _options(layout: Layout, bins: list[tuple[str, int]], qty: int) -> list[list[tuple[str, int]]]:
    """One way to cover qty per anchor bin: the anchor first, then its nearest bins."""
    usable = [(c, q) for c, q in bins if q > 0]
    seen: set[tuple[tuple[str, int], ...]] = set()
    out = []
    for anchor, _ in usable:
        a = layout.bin(anchor)
        ordered = sorted(
            usable, key=lambda cq: (cq[0] != anchor, layout.distance(a, layout.bin(cq[0])))
        )
        opt = _fill(ordered, qty)
        key = tuple(sorted(opt))
        if key not in seen:
            seen.add(key)
            out.append(opt)
    return out


def _walk_length(layout: Layout, method: str) -> Callable[[Allocation], float]:
    cache: dict[frozenset[str], float] = {}

    def length(choice: Allocation) -> float:
        codes = frozenset(code for opt in choice.values() for code, _ in opt)
        if codes not in cache:
            cache[codes] = plan_route(layout, sorted(codes), method, time_budget_s=0.02).distance
        return cache[codes]

    return length
