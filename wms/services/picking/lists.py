"""Pick lists: each trip's stops in walking order, its walk, and the wave's view.

A pick list's walk is its bins in list order with the shortest walk between stops, so
list, map and distance always agree (the PDF and map are drawn by printing.picklist).
The wave's view sets its walk against picking one order per trip.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlmodel import select

from wms.adapters.db.tables import OrderRow, PickTask, Wave
from wms.adapters.db.uow import UnitOfWork
from wms.domain import orders as rules
from wms.domain.errors import NotFound
from wms.domain.layout import Layout
from wms.domain.routing import Route, plan_route, sequence_length
from wms.domain.routing_network import PickSet, walk_through
from wms.services.picking.tasks import CANCELLED, OPEN, tasks_of, tote_code, warehouse_layout
from wms.services.stock import catalog


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


def trip_stop_codes(tasks: list[PickTask]) -> list[str]:
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
    for t in tasks_of(uow, wave.id):  # type: ignore[arg-type]
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
    tasks = tasks_of(uow, wave.id, trip)  # type: ignore[arg-type]
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
        codes = trip_stop_codes(live)
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
