"""`wms orders list|edit|hold|release` and `wms cases decide` / `wms parcels delivered`: fixing
held orders and deciding cases from the shell, with who did it in the order's history."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any

import typer

from wms.cli.aftersales import cases_app
from wms.cli.app import app
from wms.cli.orders import orders_app
from wms.cli.service import DatabaseOpt, _engine, fail

parcels_app = typer.Typer(help="Parcels: record delivery, void one before handover.", no_args_is_help=True)
app.add_typer(parcels_app, name="parcels")

Actor = Annotated[str, typer.Option("--as", help="Name recorded in the history")]
Reason = Annotated[str, typer.Option("--reason", help="Why (kept in the history)")]


def _run(work: Callable[[Any], Any]) -> Any:
    """One unit of work; a domain refusal is a clear message and exit code 2, never a traceback."""
    from wms.adapters.db.uow import UnitOfWork
    from wms.domain.errors import DomainError

    def go(database: str | None) -> Any:
        with UnitOfWork(_engine(database)) as uow:
            try:
                result = work(uow)
                uow.commit()
                return result
            except DomainError as exc:
                raise fail(f"{exc.message} [{exc.code}]") from None
    return go


def _show(uow: Any, order: Any) -> None:
    from wms.api.routes.orders import order_view

    view = order_view(uow, order)
    typer.echo(f"{view['order_no']}: {view['status']}" + (f" — {view['hold_reason']}" if view["hold_reason"] else ""))


@orders_app.command("list")
def list_orders(
    status: Annotated[str | None, typer.Option("--status", help="received reviewed reserved released picked packed shipped on_hold cancelled")] = None,
    hold_reason: Annotated[str | None, typer.Option("--hold-reason", help="Words in the hold reason, e.g. phone")] = None,
    shop: Annotated[str | None, typer.Option("--shop")] = None,
    ship_by_before: Annotated[str | None, typer.Option("--ship-by-before", help="ISO time")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    limit: Annotated[int, typer.Option("--limit")] = 200,
    database: DatabaseOpt = None,
) -> None:
    """Orders by status, hold reason, shop and ship-by, most urgent first."""
    from wms.domain import incoming
    from wms.services.orders import records

    def work(uow: Any) -> list[dict]:
        before = incoming.parse_time(ship_by_before, "ship-by-before") if ship_by_before else None
        return [records.summary(o, mask=False) for o in records.list_orders(uow, status, hold_reason, shop, before, limit=limit)]

    rows = _run(work)(database)
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    if not rows:
        typer.echo("no orders match")
    for r in rows:
        typer.echo(f"{r['order_no']:24s} {r['status']:9s} {r['shop'] or '-':12s} ship-by {r['ship_by'] or '-':25s} "
                   f"{r['hold_reason'] or ''}")


@orders_app.command("edit")
def edit_order(
    order_no: str,
    reason: Reason,
    name: Annotated[str | None, typer.Option("--name")] = None,
    phone: Annotated[str | None, typer.Option("--phone")] = None,
    province: Annotated[str | None, typer.Option("--province")] = None,
    city: Annotated[str | None, typer.Option("--city")] = None,
    district: Annotated[str | None, typer.Option("--district")] = None,
    address: Annotated[str | None, typer.Option("--address")] = None,
    carrier: Annotated[str | None, typer.Option("--carrier", help="Carrier code; 'any' lets the service choose")] = None,
    line: Annotated[list[str] | None, typer.Option("--line", help="SKU:QTY — the order's new lines (repeat)")] = None,
    actor: Actor = "order-desk",
    database: DatabaseOpt = None,
) -> None:
    """Fix the recipient, carrier or lines of an order before packing; review runs again."""
    from wms.cli.aftersales import _lines
    from wms.services.orders import edits, records

    new_lines = _lines(line) if line else None

    recipient = {k: v for k, v in dict(name=name, phone=phone, province=province, city=city,
                                       district=district, address=address).items() if v is not None}

    def work(uow: Any) -> None:
        order = records.get_order(uow, order_no, lock=True)
        if recipient or carrier is not None:
            changed = edits.edit(uow, order, actor, reason, recipient or None,
                                  None if carrier in (None, "any") else carrier, clear_carrier=carrier == "any")
            typer.echo("changed: " + "; ".join(changed))
        if new_lines:
            edits.change_lines(uow, order, new_lines, actor, reason)
            typer.echo("lines: " + ", ".join(f"{l['sku']}×{l['qty']}" for l in new_lines))
        if not (recipient or carrier is not None or new_lines):
            raise fail("nothing to change: give --name/--phone/.../--carrier or --line")
        _show(uow, order)

    _run(work)(database)


@orders_app.command("hold")
def hold_order(order_no: str, reason: Reason, actor: Actor = "order-desk", database: DatabaseOpt = None) -> None:
    """Put an order on hold by hand; its stock stays booked."""
    from wms.services.orders import edits, records

    def work(uow: Any) -> None:
        order = records.get_order(uow, order_no, lock=True)
        edits.hold(uow, order, actor, reason)
        _show(uow, order)

    _run(work)(database)


@orders_app.command("release")
def release_order(order_no: str, reason: Reason, actor: Actor = "order-desk", database: DatabaseOpt = None) -> None:
    """Lift a hold; review runs again and says what still holds the order, if anything."""
    from wms.services.orders import edits, records

    def work(uow: Any) -> None:
        order = records.get_order(uow, order_no, lock=True)
        found = edits.release_hold(uow, order, actor, reason)
        if not found.ok:
            typer.echo("still on hold: " + found.reason())
        _show(uow, order)

    _run(work)(database)


@orders_app.command("ship-available")
def ship_available(order_no: str, actor: Actor = "order-desk", database: DatabaseOpt = None) -> None:
    """An order held for stock ships what is there now; the rest waits as a back-order (拆单)."""
    from wms.services.orders import records, split

    def work(uow: Any) -> None:
        order = records.get_order(uow, order_no, lock=True)
        done = split.ship_available(uow, order, actor)
        _show(uow, order)
        if done["back_order"]:
            typer.echo(f"{done['back_order']}: {done['back_order_status']} — {done['hold_reason']}")

    _run(work)(database)


@cases_app.command("decide")
def decide_case(
    code: str,
    decision: Annotated[str, typer.Option("--decision", help="upheld or declined")],
    reason: Reason,
    actor: Actor = "after-sales",
    database: DatabaseOpt = None,
) -> None:
    """Uphold or decline a case; its reship/exchange order is released or cancelled accordingly."""
    from wms.services.aftersales import cases

    def work(uow: Any) -> None:
        case = cases.get_case(uow, code)
        cases.decide(uow, case, decision, reason, actor)
        view = cases.case_view(uow, case)
        typer.echo(f"{view['code']}: {view['decision']} — {view['outcome']}")
        if view.get("replacement"):
            r = view["replacement"]
            typer.echo(f"replacement {r['order_no']}: {r['status']}" + (f" — {r['hold_reason']}" if r["hold_reason"] else ""))

    _run(work)(database)


@parcels_app.command("delivered")
def delivered(
    tracking_no: str,
    at: Annotated[str | None, typer.Option("--at", help="ISO time of delivery; now when left out")] = None,
    actor: Actor = "after-sales",
    database: DatabaseOpt = None,
) -> None:
    """Record that the buyer received a parcel (the 7-day return window runs from it)."""
    from wms.services.packing import weight_history

    def work(uow: Any) -> None:
        parcel = weight_history.record_delivery(uow, weight_history.get_parcel(uow, tracking_no), at, "manual", actor)
        typer.echo(f"{parcel.tracking_no} delivered {parcel.delivered_at.isoformat()}")

    _run(work)(database)


@parcels_app.command("void")
def void(
    tracking_no: str,
    reason: Annotated[str, typer.Option("--reason", help="Why the parcel must not travel (recorded)")],
    actor: Actor = "supervisor",
    database: DatabaseOpt = None,
) -> None:
    """Void a packed parcel before handover: its orders go back to picked (the units stay in the
    parcel, stock untouched), its e-waybill number goes back to Cainiao (回收) or its pool number is
    retired. Voiding it again retries a 回收 that did not go through."""
    from wms.config import get_settings
    from wms.services.shipping.parcel_void import void_parcel

    def work(uow: Any) -> None:
        answer = void_parcel(uow, tracking_no, actor, reason, get_settings().waybill_timeout_s)
        typer.echo(answer["message"])
        if answer["number"] == "cancel_pending":
            raise typer.Exit(1)

    _run(work)(database)
