"""Waves: releasing orders to the floor and batching them into routed cart trips.

Releasing makes reserved orders pickable. A wave takes released orders, gives each
order a tote on a cart, batches the orders into trips that walk as little as possible
(wms.domain.batching, wms.domain.routing) and writes one PickTask per stop-line in
route order (the tasks and picking them: wms.services.pick_tasks; moving reservations
to bins on the way: wms.services.rebin; the pick lists: wms.services.pick_lists).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from wms.adapters.db.tables import OrderRow, PickTask, SkuRow, Wave
from wms.adapters.db.uow import UnitOfWork
from wms.domain import orders as rules
from wms.domain.batching import Cart, PickOrder, batch_orders
from wms.domain.errors import Conflict, Invalid
from wms.domain.routing import METHODS
from wms.services.orders import records
from wms.services.picking.lists import wave_view
from wms.services.picking.rebin import OpenLine, open_lines, rebin_order
from wms.services.picking.tasks import OPEN, open_qty, tasks_of, warehouse_layout
from wms.services.stock import catalog

DEFAULT_CART = Cart(totes=6, max_weight_g=30_000, max_volume_cm3=200_000)
DEFAULT_WAVE_LIMIT = 50
MAX_WAVE_ORDERS = 500
MAX_RELEASE = 1000


def list_waves(uow: UnitOfWork, limit: int = 50) -> list[dict[str, Any]]:
    """Newest first, with how much is left to pick."""
    waves = uow.session.exec(select(Wave).order_by(Wave.id.desc()).limit(limit)).all()  # type: ignore[union-attr]
    out = []
    for w in waves:
        tasks = tasks_of(uow, w.id)  # type: ignore[arg-type]
        out.append({
            "wave": w.code, "status": w.status, "created_by": w.created_by,
            "created_at": w.created_at.isoformat(),
            "trips": len({t.trip for t in tasks}),
            "orders": len({t.order_id for t in tasks}),
            "open_tasks": sum(1 for t in tasks if t.status == OPEN),
        })
    return out


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
            order = records.get_order(uow, no, lock=True)
            if order.status == rules.RELEASED:
                already.append(no)
                continue
            if order.status != rules.RESERVED:
                raise Conflict(
                    f"order {no} is {order.status}; only reserved orders can be released", "not_reserved"
                )
            records.transition(uow, order, rules.RELEASED, actor)
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
            records.transition(uow, order, rules.RELEASED, actor)
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
    lines_of: dict[str, list[OpenLine]] = {}
    for order in chosen:
        if rebin:
            moved += rebin_order(uow, layout, order)
        lines = open_lines(uow, order)
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
            weight_g=sum(open_qty(l.res) * skus[l.res.sku].unit_weight_g for l in lines),
            volume_cm3=sum(open_qty(l.res) * _unit_volume_cm3(skus[l.res.sku]) for l in lines),
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
                qty=open_qty(line.res),
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
            order = records.get_order(uow, no, lock=True)
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
