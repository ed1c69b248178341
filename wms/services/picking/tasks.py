"""Pick tasks: one stop-line of a trip, and the picker confirming it.

A wave (wms.services.waves) writes one PickTask per stop-line in route order. Pickers
confirm by scanning the bin and then the item; units leave the bin on the ledger as they
are picked, and an order whose every line is in its tote becomes picked. This module
also holds what every picking module shares: the task statuses, tote labels, a wave by
its code, the warehouse layout trips are routed on and a scanned item.

PickTask.status: open (to pick), picked (done), short (nothing could be taken from
this bin), cancelled (its order went on hold before anything was picked). Pick lists
show an open task of an order no longer released (cancelled, packed elsewhere) as
"stopped"; such tasks cannot be picked and do not keep a wave open.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlmodel import select

from wms.adapters.db.tables import (
    BinRow,
    OrderLine,
    OrderRow,
    PickTask,
    Reservation,
    SkuRow,
    Wave,
)
from wms.adapters.db.uow import UnitOfWork
from wms.domain import orders as rules
from wms.domain.errors import Conflict, Invalid, NotFound
from wms.domain.layout import Layout, parse_layout
from wms.services.orders import records
from wms.services.stock import catalog, ledger
from wms.services.stock.ledger import default_warehouse, unreserve_at

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


def resolve_item(uow: UnitOfWork, code: str) -> SkuRow:
    """A scanned item barcode, or a SKU code typed in."""
    code = code.strip()
    row = catalog.sku_for_barcode(uow, code) if code else None
    if row is None and code:
        row = uow.session.get(SkuRow, code)
    if row is None:
        raise NotFound(f"no item has the code {code!r}", "unknown_code")
    return row


def tasks_of(uow: UnitOfWork, wave_id: int, trip: int | None = None) -> list[PickTask]:
    stmt = select(PickTask).where(PickTask.wave_id == wave_id)
    if trip is not None:
        stmt = stmt.where(PickTask.trip == trip)
    return list(uow.session.exec(stmt.order_by(PickTask.trip, PickTask.seq, PickTask.id)).all())  # type: ignore[arg-type]


def open_qty(res: Reservation) -> int:
    return res.qty - res.picked


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
    bin_row = ledger.find_bin(uow, bin_code)
    sku = resolve_item(uow, item_code)
    tasks = tasks_at(uow, wave, bin_row.code, sku.sku, tote)
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
        order = records.get_order(uow, a["order_no"])
        finished[order.order_no] = _finish_order_if_picked(uow, order, actor)
    update_wave_status(uow, wave)
    trip = allocations[0]["trip"]
    return {
        "wave": wave.code, "bin": bin_row.code, "sku": sku.sku, "name": sku.name, "qty": qty,
        "totes": allocations,
        "orders": [{"order_no": no, "status": st} for no, st in finished.items()],
        "trip_left": sum(t.qty - t.picked for t in tasks_of(uow, wave.id, trip) if t.status == OPEN),  # type: ignore[arg-type]
        "wave_status": wave.status,
    }


def tasks_at(uow: UnitOfWork, wave: Wave, bin_code: str, sku: str, tote: int | None) -> list[PickTask]:
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
    if res is None or res.status != "active" or open_qty(res) < n:
        raise Conflict(f"the reservation behind this pick of {task.sku} is gone; ask a supervisor",
                       "reservation_mismatch")
    result = uow.session.execute(
        update(PickTask)
        .where(PickTask.id == task.id, PickTask.status == OPEN, PickTask.picked + n <= PickTask.qty)  # type: ignore[arg-type]
        .values(picked=PickTask.picked + n)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(f"{task.sku} from {task.bin_code} is picked already", "over_pick")
    unreserve_at(uow, res.stock_id, n)
    order = _order(uow, task)
    ledger.move(uow, bin_row, task.sku, -n, "pick", actor, ref=f"{wave.code}/{order.order_no}")
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
    lines = records.order_lines(uow, order)
    for line in lines:
        uow.session.refresh(line)
    still_open = uow.session.exec(
        select(PickTask.id).where(PickTask.order_id == order.id, PickTask.status == OPEN)
    ).first()
    if lines and still_open is None and all(l.picked >= l.qty for l in lines):
        records.transition(uow, order, rules.PICKED, actor)
    return order.status


def update_wave_status(uow: UnitOfWork, wave: Wave) -> None:
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
