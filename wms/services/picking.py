"""Waves and pick tasks: turning released orders into cart trips (see wms.domain.routing).

A wave takes released orders, gives each order a tote on a cart, batches the orders
into trips that walk as little as possible (wms.domain.batching) and writes one
PickTask per stop-line in route order. Pickers confirm by scanning the bin and then
the item; units leave the bin on the ledger as they are picked. A bin that holds less
than expected is counted down on the ledger, and the missing units are picked from
another bin on the same trip, or the order waits on hold with the reason.

PickTask.status: open (to pick), picked (done), short (nothing could be taken from
this bin), cancelled (its order went on hold before anything was picked). Pick lists
show an open task of an order no longer released (cancelled, packed elsewhere) as
"stopped"; such tasks cannot be picked and do not keep a wave open.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from wms.adapters.db.tables import (
    BinRow,
    OrderLine,
    OrderRow,
    PickTask,
    Reservation,
    SkuRow,
    StockRow,
    Wave,
)
from wms.adapters.db.uow import UnitOfWork
from wms.domain import orders as rules
from wms.domain.batching import Cart, PickOrder, batch_orders
from wms.domain.bin_choice import InsufficientStock, choose_bins
from wms.domain.errors import Conflict, Invalid, NotFound
from wms.domain.layout import Layout, parse_layout
from wms.domain.routing import METHODS, Route, plan_route, sequence_length
from wms.domain.routing_network import PickSet, walk_through
from wms.services import catalog, orders, stock
from wms.services.stock import default_warehouse

DEFAULT_CART = Cart(totes=6, max_weight_g=30_000, max_volume_cm3=200_000)
DEFAULT_WAVE_LIMIT = 50
MAX_WAVE_ORDERS = 500
MAX_RELEASE = 1000
OPEN, PICKED, SHORT, CANCELLED = "open", "picked", "short", "cancelled"


# ---------------------------------------------------------------- tote labels


def tote_code(wave_code: str, trip: int, tote: int) -> str:
    return f"TOTE-{wave_code}-{trip:02d}-{tote:02d}"


def order_in_tote(uow: UnitOfWork, code: str) -> OrderRow | None:
    """A tote label `TOTE-<wave>-<trip>-<tote>` names the order picked into it."""
    parts = code.split("-")
    if len(parts) < 4 or not (parts[-1].isdigit() and parts[-2].isdigit()):
        return None
    wave_code = "-".join(parts[1:-2])
    wave = uow.session.exec(select(Wave).where(Wave.code == wave_code)).first()
    if wave is None:
        return None
    task = uow.session.exec(
        select(PickTask).where(PickTask.wave_id == wave.id, PickTask.trip == int(parts[-2]),
                               PickTask.tote == int(parts[-1]))
    ).first()
    return uow.session.get(OrderRow, task.order_id) if task else None


# ---------------------------------------------------------------- look-ups


def warehouse_layout(uow: UnitOfWork) -> Layout:
    """The stored layout, validated per the layout spec; waves cannot be routed without one."""
    wh = default_warehouse(uow)
    if not wh.layout:
        raise Conflict("no warehouse layout is loaded: load one before planning waves", "no_layout")
    return parse_layout(wh.layout)


def get_wave(uow: UnitOfWork, code: str) -> Wave:
    wave = uow.session.exec(select(Wave).where(Wave.code == code.strip().upper())).first()
    if wave is None:
        raise NotFound(f"unknown wave {code}", "unknown_wave")
    return wave


def list_waves(uow: UnitOfWork, limit: int = 50) -> list[dict[str, Any]]:
    """Newest first, with how much is left to pick."""
    waves = uow.session.exec(select(Wave).order_by(Wave.id.desc()).limit(limit)).all()  # type: ignore[union-attr]
    out = []
    for w in waves:
        tasks = _tasks(uow, w.id)  # type: ignore[arg-type]
        out.append({
            "wave": w.code, "status": w.status, "created_by": w.created_by,
            "created_at": w.created_at.isoformat(),
            "trips": len({t.trip for t in tasks}),
            "orders": len({t.order_id for t in tasks}),
            "open_tasks": sum(1 for t in tasks if t.status == OPEN),
        })
    return out


def resolve_item(uow: UnitOfWork, code: str) -> SkuRow:
    """A scanned item barcode, or a SKU code typed in."""
    code = code.strip()
    row = catalog.sku_for_barcode(uow, code) if code else None
    if row is None and code:
        row = uow.session.get(SkuRow, code)
    if row is None:
        raise NotFound(f"no item has the code {code!r}", "unknown_code")
    return row


# ---------------------------------------------------------------- release


def release_orders(
    uow: UnitOfWork,
    actor: str,
    order_nos: list[str] | None = None,
    all_reserved: bool = False,
    limit: int | None = None,
) -> dict[str, Any]:
    """Reserved orders become released: the floor may now pick them.

    Either the listed orders (all or none: one that cannot be released refuses the
    request) or the oldest-paid reserved orders up to `limit`.
    """
    if order_nos is not None and all_reserved:
        raise Invalid("give either order_nos or all_reserved, not both", "ambiguous_selection")
    released: list[str] = []
    already: list[str] = []
    if order_nos is not None:
        nos = _clean_order_nos(order_nos)
        for no in nos:
            order = orders.get_order(uow, no, lock=True)
            if order.status == rules.RELEASED:
                already.append(no)
                continue
            if order.status != rules.RESERVED:
                raise Conflict(
                    f"order {no} is {order.status}; only reserved orders can be released", "not_reserved"
                )
            orders.transition(uow, order, rules.RELEASED, actor)
            released.append(no)
    elif all_reserved:
        n = MAX_RELEASE if limit is None else limit
        if not 1 <= n <= MAX_RELEASE:
            raise Invalid(f"limit: must be between 1 and {MAX_RELEASE}", "invalid_limit")
        rows = uow.session.exec(
            uow.locked(
                select(OrderRow)
                .where(OrderRow.status == rules.RESERVED)
                .order_by(_paid_order(), OrderRow.id)
                .limit(n)
            )
        ).all()
        for order in rows:
            orders.transition(uow, order, rules.RELEASED, actor)
            released.append(order.order_no)
    else:
        raise Invalid("give order_nos: [...] or all_reserved: true", "missing_field")
    return {"released": released, "already_released": already, "count": len(released)}


def _clean_order_nos(order_nos: list[str]) -> list[str]:
    nos = list(dict.fromkeys(str(n).strip() for n in order_nos if str(n).strip()))
    if not nos:
        raise Invalid("order_nos: list at least one order number", "empty_order_list")
    if len(nos) > MAX_WAVE_ORDERS:
        raise Invalid(f"order_nos: at most {MAX_WAVE_ORDERS} orders at a time", "too_many_orders")
    return nos


def _paid_order() -> Any:
    return func.coalesce(OrderRow.paid_at, OrderRow.created_at)


# ---------------------------------------------------------------- waves


@dataclass
class _Line:
    """One open reservation of an order, as a wave needs it."""

    res: Reservation
    bin_code: str


def create_wave(
    uow: UnitOfWork,
    actor: str,
    cart: Cart = DEFAULT_CART,
    order_nos: list[str] | None = None,
    method: str = "auto",
    limit: int = DEFAULT_WAVE_LIMIT,
    rebin: bool = True,
) -> dict[str, Any]:
    """Batch released orders into cart trips, route each trip and write its pick tasks.

    Without `order_nos`, takes released orders not yet on a wave, oldest paid first.
    With `rebin`, an order whose reservation sits in a bin off its way is moved to a
    bin on the way when one has free stock (the reservation moves; stock does not).
    Returns the wave's view with its walking distance next to one-order-per-trip.
    """
    if method not in METHODS:
        raise Invalid(f"method: unknown routing method {method!r}; choose one of {', '.join(METHODS)}",
                      "unknown_method")
    if cart.totes < 1 or cart.max_weight_g <= 0 or cart.max_volume_cm3 <= 0:
        raise Invalid("cart: needs at least one tote and a positive weight and volume limit", "invalid_cart")
    if not 1 <= limit <= MAX_WAVE_ORDERS:
        raise Invalid(f"limit: must be between 1 and {MAX_WAVE_ORDERS}", "invalid_limit")
    layout = warehouse_layout(uow)
    chosen = _orders_for_wave(uow, order_nos, limit)

    moved: list[dict[str, Any]] = []
    lines_of: dict[str, list[_Line]] = {}
    for order in chosen:
        if rebin:
            moved += _rebin_order(uow, layout, order)
        lines = _open_lines(uow, order)
        if not lines:
            raise Conflict(f"order {order.order_no} has nothing reserved to pick", "nothing_reserved")
        for line in lines:
            if not layout.has_bin(line.bin_code):
                raise Conflict(f"order {order.order_no}: bin {line.bin_code} is not in the warehouse layout",
                               "bin_not_in_layout")
        lines_of[order.order_no] = lines

    skus = catalog.skus_by_code(uow, {l.res.sku for ls in lines_of.values() for l in ls})
    pick_orders = []
    for order in chosen:
        lines = lines_of[order.order_no]
        pick_orders.append(PickOrder(
            id=order.order_no,
            bins=tuple(sorted({l.bin_code for l in lines})),
            weight_g=sum(_open_qty(l.res) * skus[l.res.sku].unit_weight_g for l in lines),
            volume_cm3=sum(_open_qty(l.res) * _unit_volume_cm3(skus[l.res.sku]) for l in lines),
        ))
    skipped: list[dict[str, str]] = []
    if order_nos is None:
        # One order too big for any cart must not block every default wave; named orders are refused.
        fits = [p for p in pick_orders if p.weight_g <= cart.max_weight_g and p.volume_cm3 <= cart.max_volume_cm3]
        skipped = [{"order_no": p.id, "reason": f"{p.weight_g} g / {p.volume_cm3} cm3 is more than one cart holds"}
                   for p in pick_orders if p not in fits]
        if not fits:
            raise Conflict("no released order fits on the cart: " + "; ".join(
                f"{s['order_no']} {s['reason']}" for s in skipped), "too_big_for_cart")
        pick_orders = fits
        chosen = [o for o in chosen if o.order_no not in {s["order_no"] for s in skipped}]
    trips = batch_orders(layout, pick_orders, cart, route_method=method)

    wave = _new_wave(uow, actor, method)
    by_no = {o.order_no: o for o in chosen}
    proven: dict[int, bool] = {}
    for n, trip in enumerate(trips, start=1):
        tote_of = dict(trip.totes)
        rank = {code: i for i, code in enumerate(trip.route.sequence)}
        rows = sorted(
            ((rank[l.bin_code], tote_of[no], l.res.sku, l.res.id or 0, l, no)
             for no in trip.order_ids for l in lines_of[no]),
            key=lambda r: r[:4],
        )
        for seq, (_, tote, _, _, line, no) in enumerate(rows, start=1):
            uow.session.add(PickTask(
                wave_id=wave.id, trip=n, seq=seq, tote=tote, order_id=by_no[no].id,  # type: ignore[arg-type]
                reservation_id=line.res.id, bin_code=line.bin_code, sku=line.res.sku,
                qty=_open_qty(line.res),
            ))
        # The walk the pick list shows is at least as short as the planned one, so a
        # proven-optimal plan stays proven for it.
        proven[n] = trip.route.proven_optimal
    uow.session.flush()
    view = wave_view(uow, wave, method=method, proven=proven, layout=layout)
    view["rebinned"] = moved
    view["skipped"] = skipped
    view["cart"] = {"totes": cart.totes, "max_weight_g": cart.max_weight_g,
                    "max_volume_cm3": cart.max_volume_cm3}
    return view


def _orders_for_wave(uow: UnitOfWork, order_nos: list[str] | None, limit: int) -> list[OrderRow]:
    if order_nos is not None:
        chosen = []
        for no in _clean_order_nos(order_nos):
            order = orders.get_order(uow, no, lock=True)
            if order.status != rules.RELEASED:
                raise Conflict(f"order {no} is {order.status}; only released orders can join a wave",
                               "not_released")
            on = _open_wave_of(uow, order)
            if on is not None:
                raise Conflict(f"order {no} is already on wave {on}", "already_in_wave")
            chosen.append(order)
        return chosen
    on_a_wave = select(PickTask.order_id).where(PickTask.status == OPEN)
    chosen = list(uow.session.exec(
        uow.locked(
            select(OrderRow)
            .where(OrderRow.status == rules.RELEASED, OrderRow.id.not_in(on_a_wave))  # type: ignore[union-attr]
            .order_by(_paid_order(), OrderRow.id)
            .limit(limit)
        )
    ).all())
    # Checked again once the rows are locked: a wave planned meanwhile may have taken some.
    chosen = [o for o in chosen if _open_wave_of(uow, o) is None]
    if not chosen:
        raise Conflict("no released orders are waiting for a wave: release reserved orders first",
                       "no_released_orders")
    return chosen


def _open_wave_of(uow: UnitOfWork, order: OrderRow) -> str | None:
    return uow.session.exec(
        select(Wave.code).join(PickTask, PickTask.wave_id == Wave.id)  # type: ignore[arg-type]
        .where(PickTask.order_id == order.id, PickTask.status == OPEN)
    ).first()


def _open_lines(uow: UnitOfWork, order: OrderRow) -> list[_Line]:
    rows = uow.session.exec(
        select(Reservation, BinRow.code)
        .join(StockRow, StockRow.id == Reservation.stock_id)  # type: ignore[arg-type]
        .join(BinRow, BinRow.id == StockRow.bin_id)  # type: ignore[arg-type]
        .where(Reservation.order_id == order.id, Reservation.status == "active",
               Reservation.qty > Reservation.picked)
        .order_by(Reservation.id)
    ).all()
    return [_Line(res, code) for res, code in rows]


def _open_qty(res: Reservation) -> int:
    return res.qty - res.picked


def _unit_volume_cm3(sku: SkuRow) -> int:
    """Unknown dimensions count as no volume: the weight limit still protects the cart."""
    if sku.length_mm and sku.width_mm and sku.height_mm:
        return max(1, round(sku.length_mm * sku.width_mm * sku.height_mm / 1000))
    return 0


def _new_wave(uow: UnitOfWork, actor: str, method: str | None = None) -> Wave:
    """W<yyyymmdd>-<nnn>, numbered per day; a clash with a concurrent wave takes the next number."""
    prefix = f"W{datetime.now().astimezone():%Y%m%d}-"
    last = uow.session.exec(
        select(func.max(Wave.code)).where(Wave.code.startswith(prefix))  # type: ignore[attr-defined]
    ).one()
    n = int(last[len(prefix):]) + 1 if last and last[len(prefix):].isdigit() else 1
    for _ in range(20):
        wave = Wave(code=f"{prefix}{n:03d}", created_by=actor, method=method)
        try:
            with uow.session.begin_nested():
                uow.session.add(wave)
                uow.session.flush()
            return wave
        except IntegrityError:
            n += 1
    raise Conflict("could not number the wave: too many waves created at once; try again", "busy")


# ---------------------------------------------------------------- better bins


def _rebin_order(uow: UnitOfWork, layout: Layout, order: OrderRow) -> list[dict[str, Any]]:
    """Move an order's reservations to bins that shorten its own pick walk.

    Reservations are made bin by bin in code order, which can send a picker to a far
    aisle for one item that also sits on the way. Only orders with nothing picked yet,
    and only SKUs on one line, are moved; each move is a conditional update, so a bin
    whose free stock was taken meanwhile is simply not used.
    """
    lines = _open_lines(uow, order)
    if not lines or any(l.res.picked for l in lines):
        return []
    if any(not layout.has_bin(l.bin_code) for l in lines):
        return []
    line_ids: dict[str, set[int]] = defaultdict(set)
    for line in orders.order_lines(uow, order):
        line_ids[line.sku].add(line.id)  # type: ignore[arg-type]
    current: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for l in lines:
        current[l.res.sku][l.bin_code] += l.res.qty
    skus = [s for s in current if len(line_ids[s]) == 1]
    if not skus:
        return []
    stock_rows: dict[tuple[str, str], StockRow] = {}
    candidates: dict[str, list[tuple[str, int]]] = {}
    for sku in skus:
        options = []
        for b, s in uow.session.exec(
            select(BinRow, StockRow).join(StockRow, StockRow.bin_id == BinRow.id)  # type: ignore[arg-type]
            .where(StockRow.sku == sku, BinRow.kind == "storage", StockRow.on_hand > 0)
            .order_by(BinRow.code)
        ).all():
            if not layout.has_bin(b.code):
                continue
            stock_rows[(sku, b.code)] = s
            usable = s.on_hand - s.reserved + current[sku].get(b.code, 0)
            if usable > 0:
                options.append((b.code, usable))
        candidates[sku] = options
    fixed = [code for sku, bins in current.items() if sku not in skus for code in bins]
    demand = {sku: sum(current[sku].values()) for sku in skus}
    try:
        better = choose_bins(layout, demand, candidates)
    except InsufficientStock:
        return []

    def walk(alloc: dict[str, dict[str, int]] | dict[str, list[tuple[str, int]]]) -> float:
        codes = set(fixed)
        for sku in skus:
            entry = alloc[sku]
            codes |= set(entry) if isinstance(entry, dict) else {c for c, _ in entry}
        return plan_route(layout, sorted(codes), "auto", time_budget_s=0.02).distance

    if walk(better) >= walk(current) - 1e-9:
        return []
    moved = []
    for sku in skus:
        new = {code: qty for code, qty in better[sku]}
        old = dict(current[sku])
        if new == old:
            continue
        line_id = next(iter(line_ids[sku]))
        if _move_reservation(uow, order, line_id, sku, old, new, stock_rows):
            moved.append({"order_no": order.order_no, "sku": sku,
                          "from": [{"bin": c, "qty": q} for c, q in sorted(old.items())],
                          "to": [{"bin": c, "qty": q} for c, q in sorted(new.items())]})
    return moved


def _move_reservation(
    uow: UnitOfWork,
    order: OrderRow,
    line_id: int,
    sku: str,
    old: dict[str, int],
    new: dict[str, int],
    stock_rows: dict[tuple[str, str], StockRow],
) -> bool:
    """Reserve the extra units first (conditionally), then give back the ones no longer needed."""
    grown: list[tuple[int, int]] = []
    for code, qty in new.items():
        extra = qty - old.get(code, 0)
        if extra <= 0:
            continue
        stock_id = stock_rows[(sku, code)].id
        if not _reserve_at(uow, stock_id, extra):  # type: ignore[arg-type]
            for sid, d in grown:
                _unreserve_at(uow, sid, d)
            return False
        grown.append((stock_id, extra))  # type: ignore[arg-type]
    for stock_id, extra in grown:
        res = uow.session.exec(
            select(Reservation).where(Reservation.line_id == line_id, Reservation.stock_id == stock_id,
                                      Reservation.status == "active")
        ).first()
        if res is None:
            uow.session.add(Reservation(order_id=order.id, line_id=line_id, stock_id=stock_id,  # type: ignore[arg-type]
                                        sku=sku, qty=extra))
        else:
            res.qty += extra
            uow.session.add(res)
    for code, qty in old.items():
        fewer = qty - new.get(code, 0)
        if fewer <= 0:
            continue
        stock_id = stock_rows[(sku, code)].id
        _unreserve_at(uow, stock_id, fewer)  # type: ignore[arg-type]
        for res in uow.session.exec(
            select(Reservation).where(Reservation.line_id == line_id, Reservation.stock_id == stock_id,
                                      Reservation.status == "active").order_by(Reservation.id)  # type: ignore[arg-type]
        ).all():
            take = min(fewer, _open_qty(res))
            res.qty -= take
            if res.qty == 0:
                res.status = "released"
            uow.session.add(res)
            fewer -= take
            if fewer == 0:
                break
    uow.session.flush()
    return True


def _reserve_at(uow: UnitOfWork, stock_id: int, qty: int) -> bool:
    """Conditional update: true only if the units are still free when we write."""
    result = uow.session.execute(
        update(StockRow)
        .where(StockRow.id == stock_id, StockRow.on_hand - StockRow.reserved >= qty)  # type: ignore[arg-type]
        .values(reserved=StockRow.reserved + qty)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def _unreserve_at(uow: UnitOfWork, stock_id: int, qty: int) -> None:
    result = uow.session.execute(
        update(StockRow)
        .where(StockRow.id == stock_id, StockRow.reserved >= qty)  # type: ignore[arg-type]
        .values(reserved=StockRow.reserved - qty)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("stock reservations do not add up for this bin; count it", "reservation_mismatch")


# ---------------------------------------------------------------- views and pick lists


def _tasks(uow: UnitOfWork, wave_id: int, trip: int | None = None) -> list[PickTask]:
    stmt = select(PickTask).where(PickTask.wave_id == wave_id)
    if trip is not None:
        stmt = stmt.where(PickTask.trip == trip)
    return list(uow.session.exec(stmt.order_by(PickTask.trip, PickTask.seq, PickTask.id)).all())  # type: ignore[arg-type]


def trip_route(layout: Layout, codes: list[str], method: str, proven: bool) -> Route:
    """The walk a pick list shows: its bins in list order, shortest walk between stops.

    Its length is exactly the spec's shortest-walk length of the sequence, so list,
    map and distance always agree, whatever planned the order.
    """
    if not codes:
        d = layout.depot
        return Route(method=method, sequence=[], distance=0.0, path=[(d.x, d.y)],
                     proven_optimal=True, solver="empty", blocks=layout.blocks)
    picks = PickSet.build(layout, codes)
    walk = walk_through(picks, range(len(picks.locations)))
    return Route(method=method, sequence=list(codes), distance=sequence_length(layout, codes),
                 path=walk.path(), proven_optimal=proven, solver="pick-list", blocks=layout.blocks)


def _is_shortest(layout: Layout, codes: list[str], distance: float) -> bool:
    """Proven optimal: the planner proves an optimum and this walk is no longer."""
    if not codes:
        return True
    best = plan_route(layout, codes, "auto")
    return best.proven_optimal and distance <= best.distance + 1e-6


def _trip_stop_codes(tasks: list[PickTask]) -> list[str]:
    return list(dict.fromkeys(t.bin_code for t in tasks if t.status != CANCELLED))


def wave_view(
    uow: UnitOfWork,
    wave: Wave,
    method: str | None = None,
    proven: dict[int, bool] | None = None,
    layout: Layout | None = None,
) -> dict[str, Any]:
    """The wave with every trip's pick list, and its walk against one order per trip."""
    layout = layout or warehouse_layout(uow)
    trips = picklists(uow, wave, layout=layout, method=method, proven=proven)
    total = sum(t["distance"] for t in trips)
    baseline = 0.0
    by_order: dict[int, set[str]] = defaultdict(set)
    for t in _tasks(uow, wave.id):  # type: ignore[arg-type]
        if t.status != CANCELLED:
            by_order[t.order_id].add(t.bin_code)
    for bins in by_order.values():
        route = plan_route(layout, sorted(bins), method or "auto")
        baseline += sequence_length(layout, route.sequence)
    return {
        "wave": wave.code,
        "status": wave.status,
        "created_by": wave.created_by,
        "created_at": wave.created_at.isoformat(),
        "method": method,
        "orders": len(by_order),
        "total_distance": round(total, 3),
        "one_order_per_trip_distance": round(baseline, 3),
        "saving_m": round(baseline - total, 3),
        "saving_pct": round(100.0 * (baseline - total) / baseline, 1) if baseline > 0 else 0.0,
        "trips": trips,
    }


def picklists(
    uow: UnitOfWork,
    wave: Wave,
    trip: int | None = None,
    layout: Layout | None = None,
    method: str | None = None,
    proven: dict[int, bool] | None = None,
) -> list[dict[str, Any]]:
    """Each trip's stops in walking order, with tote labels and what is picked so far."""
    layout = layout or warehouse_layout(uow)
    method = method or (wave.method if wave.method not in (None, "auto") else None)
    tasks = _tasks(uow, wave.id, trip)  # type: ignore[arg-type]
    if trip is not None and not tasks:
        raise NotFound(f"wave {wave.code} has no trip {trip}", "unknown_trip")
    rows = uow.session.exec(
        select(OrderRow.id, OrderRow.order_no, OrderRow.status)
        .where(OrderRow.id.in_({t.order_id for t in tasks}))  # type: ignore[union-attr]
    ).all() if tasks else []
    order_nos = {oid: no for oid, no, _ in rows}
    order_status = {oid: st for oid, _, st in rows}
    skus = catalog.skus_by_code(uow, {t.sku for t in tasks})
    grouped: dict[int, list[PickTask]] = defaultdict(list)
    for t in tasks:
        grouped[t.trip].append(t)
    out = []
    for n in sorted(grouped):
        live = [t for t in grouped[n] if t.status != CANCELLED]
        codes = _trip_stop_codes(live)
        if proven is not None and n in proven:
            is_proven = proven[n]
        else:
            is_proven = _is_shortest(layout, codes, sequence_length(layout, codes) if codes else 0.0)
        label = method or ("optimal" if is_proven else "auto")
        route = trip_route(layout, codes, label, is_proven)
        totes: dict[int, int] = {}
        for t in grouped[n]:
            totes.setdefault(t.tote, t.order_id)
        out.append({
            "wave": wave.code,
            "trip": n,
            "distance": round(route.distance, 3),
            "proven_optimal": route.proven_optimal,
            "method": route.method,
            "orders": [{"order_no": order_nos[oid], "tote": tote, "tote_code": tote_code(wave.code, n, tote),
                        "status": order_status[oid]} for tote, oid in sorted(totes.items())],
            "weight_g": sum(t.qty * skus[t.sku].unit_weight_g for t in live if t.sku in skus),
            "stops": [{
                "seq": t.seq, "bin": t.bin_code, "sku": t.sku,
                "name": skus[t.sku].name if t.sku in skus else t.sku,
                "qty": t.qty, "picked": t.picked, "tote": t.tote,
                "status": "stopped" if t.status == OPEN and order_status[t.order_id] != rules.RELEASED
                else t.status,
                "tote_code": tote_code(wave.code, n, t.tote), "order_no": order_nos[t.order_id],
            } for t in live],
            "path": [[x, y] for x, y in route.path],
            "sequence": route.sequence,
        })
    return out


def trip_picklist(uow: UnitOfWork, wave: Wave, trip: int) -> tuple[dict[str, Any], Layout, Route]:
    """One trip's pick list with the layout and route its PDF and map are drawn from."""
    layout = warehouse_layout(uow)
    view = picklists(uow, wave, trip=trip, layout=layout)[0]
    route = trip_route(layout, view["sequence"], view["method"], view["proven_optimal"])
    return view, layout, route


# ---------------------------------------------------------------- picking


def confirm_pick(
    uow: UnitOfWork,
    wave: Wave,
    bin_code: str,
    item_code: str,
    qty: int,
    actor: str,
    tote: int | None = None,
) -> dict[str, Any]:
    """The picker scanned a bin, then an item: take `qty` of it out of that bin into totes.

    A bin not on this wave, an item not to be picked there, or more than is left to
    pick is refused with nothing changed. Units go to the open tasks in list order
    (or to `tote` when given); the answer says which tote gets how many.
    """
    if qty < 1:
        raise Invalid("qty: pick at least one unit", "invalid_qty")
    bin_row = stock.find_bin(uow, bin_code)
    sku = resolve_item(uow, item_code)
    tasks = _tasks_at(uow, wave, bin_row.code, sku.sku, tote)
    pickable = [t for t in tasks if t.status == OPEN and t.qty > t.picked]
    held = [t for t in pickable if _order(uow, t).status != rules.RELEASED]
    if held and len(held) == len(pickable):
        o = _order(uow, held[0])
        raise Conflict(f"order {o.order_no} is {o.status}; its picks are stopped", "order_not_pickable")
    pickable = [t for t in pickable if t not in held]
    left = sum(t.qty - t.picked for t in pickable)
    if qty > left:
        raise Conflict(f"only {left} of {sku.sku} are left to pick from {bin_row.code} on this wave, "
                       f"not {qty}", "over_pick")
    allocations = []
    remaining = qty
    for task in pickable:
        n = min(remaining, task.qty - task.picked)
        if n <= 0:
            continue
        _pick_units(uow, wave, task, bin_row, n, actor)
        order = _order(uow, task)
        allocations.append({"order_no": order.order_no, "trip": task.trip, "tote": task.tote,
                            "tote_code": tote_code(wave.code, task.trip, task.tote), "qty": n,
                            "task_picked": task.picked, "task_qty": task.qty})
        remaining -= n
        if remaining == 0:
            break
    finished = {}
    for a in allocations:
        order = orders.get_order(uow, a["order_no"])
        finished[order.order_no] = _finish_order_if_picked(uow, order, actor)
    _update_wave_status(uow, wave)
    trip = allocations[0]["trip"]
    return {
        "wave": wave.code, "bin": bin_row.code, "sku": sku.sku, "name": sku.name, "qty": qty,
        "totes": allocations,
        "orders": [{"order_no": no, "status": st} for no, st in finished.items()],
        "trip_left": sum(t.qty - t.picked for t in _tasks(uow, wave.id, trip) if t.status == OPEN),  # type: ignore[arg-type]
        "wave_status": wave.status,
    }


def _tasks_at(uow: UnitOfWork, wave: Wave, bin_code: str, sku: str, tote: int | None) -> list[PickTask]:
    """This wave's live tasks for (bin, sku), refusing a wrong bin, item or tote by name."""
    at_bin = [t for t in uow.session.exec(
        uow.locked(select(PickTask).where(PickTask.wave_id == wave.id, PickTask.bin_code == bin_code,
                                          PickTask.status != CANCELLED)
                   .order_by(PickTask.trip, PickTask.seq, PickTask.id))  # type: ignore[arg-type]
    ).all()]
    if not at_bin:
        raise Conflict(f"bin {bin_code} is not on wave {wave.code}'s pick lists", "wrong_bin")
    of_sku = [t for t in at_bin if t.sku == sku]
    if not of_sku:
        wanted = ", ".join(sorted({t.sku for t in at_bin}))
        raise Conflict(f"{sku} is not to be picked from {bin_code} on this wave (pick {wanted})", "wrong_item")
    if tote is not None:
        of_sku = [t for t in of_sku if t.tote == tote]
        if not of_sku:
            raise Conflict(f"no tote {tote} on this wave takes {sku} from {bin_code}", "wrong_tote")
    return of_sku


def _order(uow: UnitOfWork, task: PickTask) -> OrderRow:
    return uow.session.get(OrderRow, task.order_id)  # type: ignore[return-value]


def _pick_units(uow: UnitOfWork, wave: Wave, task: PickTask, bin_row: BinRow, n: int, actor: str) -> None:
    """Task, reservation, reserved and on-hand (with its ledger row) and order line move together."""
    res = uow.session.get(Reservation, task.reservation_id)
    if res is None or res.status != "active" or _open_qty(res) < n:
        raise Conflict(f"the reservation behind this pick of {task.sku} is gone; ask a supervisor",
                       "reservation_mismatch")
    result = uow.session.execute(
        update(PickTask)
        .where(PickTask.id == task.id, PickTask.status == OPEN, PickTask.picked + n <= PickTask.qty)  # type: ignore[arg-type]
        .values(picked=PickTask.picked + n)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(f"{task.sku} from {task.bin_code} is picked already", "over_pick")
    _unreserve_at(uow, res.stock_id, n)
    order = _order(uow, task)
    stock.move(uow, bin_row, task.sku, -n, "pick", actor, ref=f"{wave.code}/{order.order_no}")
    uow.session.execute(
        update(Reservation).where(Reservation.id == res.id)  # type: ignore[arg-type]
        .values(picked=Reservation.picked + n)
    )
    uow.session.execute(
        update(OrderLine).where(OrderLine.id == res.line_id)  # type: ignore[arg-type]
        .values(picked=OrderLine.picked + n)
    )
    uow.session.flush()
    for row in (task, res):
        uow.session.refresh(row)
    if res.picked >= res.qty:
        res.status = "picked"
        uow.session.add(res)
    if task.picked >= task.qty:
        task.status = PICKED
        uow.session.add(task)
    uow.session.flush()


def _finish_order_if_picked(uow: UnitOfWork, order: OrderRow, actor: str) -> str:
    """A released order whose every line is in its tote becomes picked; returns its status."""
    uow.session.refresh(order)
    if order.status != rules.RELEASED:
        return order.status
    lines = orders.order_lines(uow, order)
    for line in lines:
        uow.session.refresh(line)
    still_open = uow.session.exec(
        select(PickTask.id).where(PickTask.order_id == order.id, PickTask.status == OPEN)
    ).first()
    if lines and still_open is None and all(l.picked >= l.qty for l in lines):
        orders.transition(uow, order, rules.PICKED, actor)
    return order.status


def _update_wave_status(uow: UnitOfWork, wave: Wave) -> None:
    """Done once nothing is left to pick for orders still released (cancelled or packed ones drop out)."""
    open_left = uow.session.exec(
        select(PickTask.id).join(OrderRow, OrderRow.id == PickTask.order_id)  # type: ignore[arg-type]
        .where(PickTask.wave_id == wave.id, PickTask.status == OPEN, OrderRow.status == rules.RELEASED)
    ).first()
    status = "picking" if open_left is not None else "done"
    if wave.status != status:
        wave.status = status
        uow.session.add(wave)
        uow.session.flush()


# ---------------------------------------------------------------- short picks


def short_pick(
    uow: UnitOfWork, wave: Wave, bin_code: str, item_code: str, found_qty: int, actor: str
) -> dict[str, Any]:
    """The bin holds fewer than the books say: count it down, then pick the rest elsewhere.

    On-hand becomes `found_qty` with an adjustment on the ledger (never below zero).
    Reservations the bin can no longer cover are cut, this wave's tasks keeping the
    found units first; each cut is re-reserved from another bin with free stock and, if
    it was on a trip, becomes a new task on that trip, which is then re-sequenced. An
    order that cannot be covered goes on hold with the reason, and gives back the rest
    of what it had reserved (units already in its tote stay with it).
    """
    if found_qty < 0:
        raise Invalid("found_qty: cannot be negative", "invalid_qty")
    bin_row = stock.find_bin(uow, bin_code)
    sku = resolve_item(uow, item_code)
    tasks = _tasks_at(uow, wave, bin_row.code, sku.sku, None)
    if not any(t.status == OPEN for t in tasks):
        raise Conflict(f"everything of {sku.sku} from {bin_row.code} is picked on this wave already",
                       "already_picked")
    row = uow.session.exec(
        uow.locked(select(StockRow).where(StockRow.bin_id == bin_row.id, StockRow.sku == sku.sku))
    ).first()
    expected = row.on_hand if row else 0
    if found_qty >= expected:
        raise Conflict(f"bin {bin_row.code} should hold {expected} of {sku.sku}; finding {found_qty} "
                       f"is not short", "not_short")
    why = f"short pick on wave {wave.code}: {bin_row.code} held {found_qty} of {sku.sku}, books said {expected}"
    row = stock.move(uow, bin_row, sku.sku, found_qty - expected, "adjustment", actor,
                     ref=wave.code, reason="short pick")
    layout = warehouse_layout(uow)
    reallocated: list[dict[str, Any]] = []
    held: list[dict[str, Any]] = []
    touched_trips: set[tuple[int, int]] = set()
    for res, cut, task in _cut_reservations(uow, wave, row, row.reserved - row.on_hand):
        order = uow.session.get(OrderRow, res.order_id)
        if task is not None:
            touched_trips.add((task.wave_id, task.trip))
        if order.status == rules.ON_HOLD:  # type: ignore[union-attr]
            continue  # an earlier cut of the same order put it on hold already
        made = _reallocate(uow, layout, res, cut, row.id, task)  # type: ignore[arg-type]
        if made:
            reallocated += [{"order_no": order.order_no, **m} for m in made]  # type: ignore[union-attr]
            continue
        reason = f"{why}; no other bin has the {cut} missing"
        touched_trips |= _hold_order(uow, order, actor, reason)  # type: ignore[arg-type]
        held.append({"order_no": order.order_no, "reason": reason})  # type: ignore[union-attr]
    for wave_id, trip in sorted(touched_trips):
        _resequence(uow, layout, wave_id, trip)
    for wave_id in sorted({w for w, _ in touched_trips}):
        _update_wave_status(uow, uow.session.get(Wave, wave_id))  # type: ignore[arg-type]
    for r in reallocated:
        task_id = r.pop("task_id", None)
        if task_id is not None:
            r["seq"] = uow.session.get(PickTask, task_id).seq  # type: ignore[union-attr]
    uow.session.refresh(row)
    return {
        "wave": wave.code, "bin": bin_row.code, "sku": sku.sku,
        "expected_qty": expected, "found_qty": found_qty, "adjustment": found_qty - expected,
        "on_hand": row.on_hand, "reserved": row.reserved,
        "reallocated": reallocated, "on_hold": held,
    }


def _cut_reservations(
    uow: UnitOfWork, wave: Wave, row: StockRow, excess: int
) -> list[tuple[Reservation, int, PickTask | None]]:
    """Take `excess` reserved units off this stock row; this wave's tasks keep theirs longest."""
    if excess <= 0:
        return []
    active = list(uow.session.exec(
        select(Reservation).where(Reservation.stock_id == row.id, Reservation.status == "active",
                                  Reservation.qty > Reservation.picked)
        .order_by(Reservation.id)  # type: ignore[arg-type]
    ).all())
    task_of: dict[int, PickTask] = {}
    for t in uow.session.exec(
        select(PickTask).where(PickTask.reservation_id.in_([r.id for r in active]),  # type: ignore[union-attr]
                               PickTask.status == OPEN)
    ).all() if active else []:
        task_of[t.reservation_id] = t  # type: ignore[index]

    def keep_first(res: Reservation) -> tuple[int, int, int, int]:
        t = task_of.get(res.id)  # type: ignore[arg-type]
        if t is not None and t.wave_id == wave.id:
            return (0, t.trip, t.seq, res.id)  # type: ignore[return-value]
        return (1, 0, 0, res.id)  # type: ignore[return-value]

    cuts = []
    for res in sorted(active, key=keep_first, reverse=True):
        if excess <= 0:
            break
        cut = min(excess, _open_qty(res))
        excess -= cut
        _unreserve_at(uow, row.id, cut)  # type: ignore[arg-type]
        res.qty -= cut
        if res.qty == res.picked:
            res.status = "picked" if res.picked else "released"
        uow.session.add(res)
        task = task_of.get(res.id)  # type: ignore[arg-type]
        if task is not None:
            task.qty -= cut
            if task.qty <= task.picked:
                task.status = PICKED if task.picked else SHORT
            uow.session.add(task)
        cuts.append((res, cut, task))
    uow.session.flush()
    return cuts


def _reallocate(
    uow: UnitOfWork, layout: Layout, res: Reservation, qty: int, not_stock: int, task: PickTask | None
) -> list[dict[str, Any]]:
    """Reserve `qty` of the line elsewhere, nearest the trip's other stops; all or nothing."""
    options = [(b, s) for b, s in stock.available_by_bin(uow, res.sku)
               if s.id != not_stock and layout.has_bin(b.code)]
    if sum(s.on_hand - s.reserved for _, s in options) < qty:
        return []
    if task is not None:
        stops = [layout.bin(t.bin_code) for t in _tasks(uow, task.wave_id, task.trip)
                 if t.status != CANCELLED and layout.has_bin(t.bin_code)]
        anchors = stops or [layout.depot]
        options.sort(key=lambda bs: (min(layout.distance(layout.bin(bs[0].code), a) for a in anchors),
                                     bs[0].code))
    taken: list[tuple[BinRow, StockRow, int]] = []
    left = qty
    for b, s in options:
        if left == 0:
            break
        uow.session.refresh(s)
        take = min(left, s.on_hand - s.reserved)
        if take > 0 and _reserve_at(uow, s.id, take):  # type: ignore[arg-type]
            taken.append((b, s, take))
            left -= take
    if left > 0:
        for _, s, take in taken:
            _unreserve_at(uow, s.id, take)  # type: ignore[arg-type]
        return []
    made = []
    for b, s, take in taken:
        new = Reservation(order_id=res.order_id, line_id=res.line_id, stock_id=s.id, sku=res.sku, qty=take)  # type: ignore[arg-type]
        uow.session.add(new)
        uow.session.flush()
        entry: dict[str, Any] = {"sku": res.sku, "bin": b.code, "qty": take}
        if task is not None:
            new_task = PickTask(wave_id=task.wave_id, trip=task.trip, seq=10**6, tote=task.tote,
                                order_id=task.order_id, reservation_id=new.id, bin_code=b.code,
                                sku=res.sku, qty=take)
            uow.session.add(new_task)
            uow.session.flush()
            entry.update(trip=task.trip, tote=task.tote, task_id=new_task.id)
        made.append(entry)
    return made


def _hold_order(uow: UnitOfWork, order: OrderRow, actor: str, reason: str) -> set[tuple[int, int]]:
    """On hold with the reason; unpicked reservations and tasks go, picked units stay in the tote."""
    for res in uow.session.exec(
        select(Reservation).where(Reservation.order_id == order.id, Reservation.status == "active")
    ).all():
        if _open_qty(res) > 0:
            _unreserve_at(uow, res.stock_id, _open_qty(res))
        if res.picked:
            res.qty, res.status = res.picked, "picked"
        else:
            res.status = "released"
        uow.session.add(res)
    trips = set()
    for task in uow.session.exec(
        select(PickTask).where(PickTask.order_id == order.id, PickTask.status == OPEN)
    ).all():
        trips.add((task.wave_id, task.trip))
        if task.picked:
            task.qty, task.status = task.picked, PICKED
        else:
            task.status = CANCELLED
        uow.session.add(task)
    uow.session.flush()
    if order.status != rules.ON_HOLD:
        orders.transition(uow, order, rules.ON_HOLD, actor, reason[:500])
    return trips


def _resequence(uow: UnitOfWork, layout: Layout, wave_id: int, trip: int) -> None:
    """Re-plan a trip whose stops changed and renumber its tasks in the new walking order."""
    tasks = _tasks(uow, wave_id, trip)
    live = [t for t in tasks if t.status != CANCELLED]
    codes = _trip_stop_codes(live)
    rank: dict[str, int] = {}
    if codes:
        rank = {c: i for i, c in enumerate(plan_route(layout, codes, "auto").sequence)}
    live.sort(key=lambda t: (rank.get(t.bin_code, len(rank)), t.tote, t.sku, t.id or 0))
    dead = [t for t in tasks if t.status == CANCELLED]
    for seq, t in enumerate(live + dead, start=1):
        if t.seq != seq:
            t.seq = seq
            uow.session.add(t)
    uow.session.flush()
