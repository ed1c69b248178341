"""Short picks: a bin holds fewer than the books say.

The bin is counted down on the ledger, and the missing units are picked from another
bin on the same trip (a new pick task, the trip re-sequenced), or the order waits on
hold with the reason.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from wms.adapters.db.tables import BinRow, OrderRow, PickTask, Reservation, StockRow, Wave
from wms.adapters.db.uow import UnitOfWork
from wms.domain import orders as rules
from wms.domain.errors import Conflict, Invalid
from wms.domain.layout import Layout
from wms.domain.routing import plan_route
from wms.services.orders import records
from wms.services.picking.lists import trip_stop_codes
from wms.services.picking.tasks import (
    CANCELLED,
    OPEN,
    PICKED,
    SHORT,
    open_qty,
    resolve_item,
    tasks_at,
    tasks_of,
    update_wave_status,
    warehouse_layout,
)
from wms.services.stock import ledger
from wms.services.stock.ledger import reserve_at, unreserve_at


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
    bin_row = ledger.find_bin(uow, bin_code)
    sku = resolve_item(uow, item_code)
    tasks = tasks_at(uow, wave, bin_row.code, sku.sku, None)
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
    row = ledger.move(uow, bin_row, sku.sku, found_qty - expected, "adjustment", actor,
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
        update_wave_status(uow, uow.session.get(Wave, wave_id))  # type: ignore[arg-type]
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
        cut = min(excess, open_qty(res))
        excess -= cut
        unreserve_at(uow, row.id, cut)  # type: ignore[arg-type]
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
    options = [(b, s) for b, s in ledger.available_by_bin(uow, res.sku)
               if s.id != not_stock and layout.has_bin(b.code)]
    if sum(s.on_hand - s.reserved for _, s in options) < qty:
        return []
    if task is not None:
        stops = [layout.bin(t.bin_code) for t in tasks_of(uow, task.wave_id, task.trip)
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
        if take > 0 and reserve_at(uow, s.id, take):  # type: ignore[arg-type]
            taken.append((b, s, take))
            left -= take
    if left > 0:
        for _, s, take in taken:
            unreserve_at(uow, s.id, take)  # type: ignore[arg-type]
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
        if open_qty(res) > 0:
            unreserve_at(uow, res.stock_id, open_qty(res))
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
        records.transition(uow, order, rules.ON_HOLD, actor, reason[:500])
    return trips


def _resequence(uow: UnitOfWork, layout: Layout, wave_id: int, trip: int) -> None:
    """Re-plan a trip whose stops changed and renumber its tasks in the new walking order."""
    tasks = tasks_of(uow, wave_id, trip)
    live = [t for t in tasks if t.status != CANCELLED]
    codes = trip_stop_codes(live)
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
