"""`wms waves ...`: release orders, plan pick waves and print pick lists from the shell."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from wms.cli.app import app
from wms.cli.service import DatabaseOpt, _engine, fail

waves_app = typer.Typer(help="Pick waves: release orders, batch them into cart trips, print pick lists.",
                        no_args_is_help=True)
app.add_typer(waves_app, name="waves")

OrdersOpt = Annotated[str | None, typer.Option("--orders", help="Order numbers, comma separated")]
ActorOpt = Annotated[str, typer.Option("--as", help="Name recorded in the order history")]


def _order_list(orders: str | None) -> list[str] | None:
    return None if orders is None else [o.strip() for o in orders.split(",") if o.strip()]


@waves_app.command("release")
def release(
    orders: OrdersOpt = None,
    all_reserved: Annotated[bool, typer.Option("--all", help="Release every reserved order, oldest paid first")] = False,
    limit: Annotated[int | None, typer.Option("--limit", help="With --all: at most this many")] = None,
    database: DatabaseOpt = None,
    actor: ActorOpt = "cli",
) -> None:
    """Release reserved orders so they can be picked."""
    from wms.adapters.db.uow import UnitOfWork
    from wms.domain.errors import DomainError
    from wms.services.picking import waves

    if orders is None and not all_reserved:
        raise fail("give --orders A,B or --all")
    with UnitOfWork(_engine(database)) as uow:
        try:
            result = waves.release_orders(uow, actor, _order_list(orders), all_reserved, limit)
        except DomainError as exc:
            raise fail(exc.message) from None
        uow.commit()
    typer.echo(f"released {result['count']}: {', '.join(result['released']) or '-'}")
    if result["already_released"]:
        typer.echo(f"already released: {', '.join(result['already_released'])}")


@waves_app.command("create")
def create(
    orders: OrdersOpt = None,
    totes: Annotated[int, typer.Option("--totes", min=1, help="Totes on a cart (one order per tote)")] = 6,
    max_weight_g: Annotated[int, typer.Option("--max-weight-g", min=1, help="What a cart may carry, grams")] = 30_000,
    max_volume_cm3: Annotated[int, typer.Option("--max-volume-cm3", min=1, help="Cart volume, cm3")] = 200_000,
    method: Annotated[str, typer.Option("--method", help="Routing method: auto, optimal, s-shape, largest-gap, combined")] = "auto",
    limit: Annotated[int, typer.Option("--limit", min=1, help="Without --orders: at most this many orders")] = 50,
    release_first: Annotated[bool, typer.Option("--release", help="Release the orders (or all reserved ones) first")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the wave as JSON")] = False,
    database: DatabaseOpt = None,
    actor: ActorOpt = "cli",
) -> None:
    """Batch released orders into cart trips and route each trip (oldest paid first by default)."""
    from wms.adapters.db.uow import UnitOfWork
    from wms.domain.batching import Cart
    from wms.domain.errors import DomainError
    from wms.services.picking import waves

    order_nos = _order_list(orders)
    with UnitOfWork(_engine(database)) as uow:
        try:
            if release_first:
                waves.release_orders(uow, actor, order_nos, order_nos is None, None)
            view = waves.create_wave(uow, actor, Cart(totes, max_weight_g, max_volume_cm3), order_nos,
                                       method, limit)
        except DomainError as exc:
            raise fail(exc.message) from None
        uow.commit()
    typer.echo(json.dumps(view, ensure_ascii=False, indent=1) if as_json else _summary(view))


@waves_app.command("list")
def list_waves(database: DatabaseOpt = None) -> None:
    """Recent waves, newest first."""
    from wms.adapters.db.uow import UnitOfWork
    from wms.services.picking import waves

    with UnitOfWork(_engine(database)) as uow:
        for w in waves.list_waves(uow):
            typer.echo(f"{w['wave']}  {w['status']:<8} {w['orders']:>3} orders {w['trips']:>3} trips "
                       f"{w['open_tasks']:>4} open tasks  by {w['created_by']}")


@waves_app.command("show")
def show(
    code: Annotated[str, typer.Argument(help="Wave code, e.g. W20261122-001")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the wave as JSON")] = False,
    database: DatabaseOpt = None,
) -> None:
    """A wave's trips with their stops in walking order."""
    from wms.adapters.db.uow import UnitOfWork
    from wms.domain.errors import DomainError
    from wms.services.picking import lists, tasks

    with UnitOfWork(_engine(database)) as uow:
        try:
            view = lists.wave_view(uow, tasks.get_wave(uow, code))
        except DomainError as exc:
            raise fail(exc.message) from None
    typer.echo(json.dumps(view, ensure_ascii=False, indent=1) if as_json else _summary(view, stops=True))


@waves_app.command("picklist")
def picklist(
    code: Annotated[str, typer.Argument(help="Wave code, e.g. W20261122-001")],
    trip: Annotated[int, typer.Option("--trip", min=1, help="Trip number")],
    output: Annotated[Path, typer.Option("-o", "--output", help="File to write: .pdf, .svg or .png")],
    size: Annotated[str, typer.Option("--size", help="PDF page: A4 or 100x150")] = "A4",
    database: DatabaseOpt = None,
) -> None:
    """Write one trip's pick list (PDF) or its route map (SVG or PNG)."""
    from printing.picklist import PAGE_SIZES_MM, render_picklist_pdf, render_route_png, render_route_svg
    from wms.adapters.db.uow import UnitOfWork
    from wms.domain.errors import DomainError
    from wms.services.picking import lists, tasks

    kind = output.suffix.lower()
    if kind not in (".pdf", ".svg", ".png"):
        raise fail(f"{output}: the file name must end in .pdf, .svg or .png")
    if size not in PAGE_SIZES_MM:
        raise fail(f"unknown size {size!r}; use one of {', '.join(PAGE_SIZES_MM)}")
    with UnitOfWork(_engine(database)) as uow:
        try:
            view, layout, route = lists.trip_picklist(uow, tasks.get_wave(uow, code), trip)
            from wms.services.orders.records import picklist_notes

            notes = picklist_notes(uow, view["orders"])
        except DomainError as exc:
            raise fail(exc.message) from None
    if kind == ".pdf":
        data: bytes = render_picklist_pdf({"wave": view["wave"], "trip": trip, "stops": view["stops"],
                                           "notes": notes}, layout, route, size)
    elif kind == ".svg":
        data = render_route_svg(layout, route).encode("utf-8")
    else:
        data = render_route_png(layout, route)
    try:
        output.write_bytes(data)
    except OSError as exc:
        raise fail(f"cannot write {output}: {exc.strerror or exc}") from None
    typer.echo(f"wrote {output} ({len(view['stops'])} stops, {view['distance']:.1f} m)")


def _summary(view: dict[str, Any], stops: bool = False) -> str:
    lines = [f"wave {view['wave']} ({view['status']}): {view['orders']} orders in {len(view['trips'])} trips"
             + (f", method {view['method']}" if view.get("method") else "")]
    for t in view["trips"]:
        verdict = "proven optimal" if t["proven_optimal"] else "not proven optimal"
        lines.append(f"  trip {t['trip']}: {len(t['orders'])} orders, {len(t['stops'])} stops, "
                     f"{t['distance']:.1f} m ({verdict}), {t['weight_g']} g")
        for o in t["orders"]:
            lines.append(f"    tote {o['tote']:>2}  {o['tote_code']}  order {o['order_no']} ({o['status']})")
        if stops:
            for s in t["stops"]:
                lines.append(f"    {s['seq']:>3}. {s['bin']:<12} {s['sku']:<16} x{s['qty']:<3} "
                             f"-> tote {s['tote']}  picked {s['picked']}/{s['qty']}  {s['name']}")
    for m in view.get("rebinned") or []:
        lines.append(f"  moved {m['order_no']} {m['sku']}: "
                     + ", ".join(f"{x['bin']}x{x['qty']}" for x in m["from"]) + " -> "
                     + ", ".join(f"{x['bin']}x{x['qty']}" for x in m["to"]))
    lines.append(f"walk {view['total_distance']:.1f} m vs {view['one_order_per_trip_distance']:.1f} m "
                 f"one order per trip: saves {view['saving_m']:.1f} m ({view['saving_pct']:.1f}%)")
    return "\n".join(lines)
