"""`wms stock ...`: moving stock, cycle counts, the low-stock report and the ledger."""

from __future__ import annotations

import csv
import sys
from typing import Annotated

import typer

from wms.cli.app import app
from wms.cli.service import DatabaseOpt, _engine, committed, fail

stock_app = typer.Typer(help="Stock: receive, move between bins, cycle counts, reports.", no_args_is_help=True)
app.add_typer(stock_app, name="stock")

ActorOpt = Annotated[str, typer.Option("--as", help="Name recorded on the ledger")]
SkuOpt = Annotated[str, typer.Option("--sku", help="SKU code")]


@stock_app.command("move")
def move(
    sku: SkuOpt,
    from_bin: Annotated[str, typer.Option("--from", help="Bin to take the units from")],
    to_bin: Annotated[str, typer.Option("--to", help="Bin to put them in")],
    qty: Annotated[int, typer.Option("--qty", min=1, help="How many units")],
    reason: Annotated[str | None, typer.Option("--reason", help="Why (optional)")] = None,
    database: DatabaseOpt = None,
    actor: ActorOpt = "cli",
) -> None:
    """Move available units between bins (reserved units stay where their orders expect them)."""
    from wms.adapters.db.uow import UnitOfWork
    from wms.domain.errors import DomainError
    from wms.services.stock import moves

    with UnitOfWork(_engine(database)) as uow:
        try:
            r = moves.move_stock(uow, sku, from_bin, to_bin, qty, actor, reason)
            uow.commit()
        except DomainError as exc:
            raise fail(exc.message) from None
    typer.echo(f"moved {r['qty']} {r['sku']} {r['from']['bin']} -> {r['to']['bin']} ({r['ref']}); "
               f"{r['from']['bin']} now {r['from']['on_hand']}, {r['to']['bin']} now {r['to']['on_hand']}")


@stock_app.command("receive")
def receive(
    sku: str,
    qty: Annotated[int, typer.Argument(min=1, help="How many units came")],
    bin_code: Annotated[str | None, typer.Option("--bin", help="Where they go (default: the suggested bin)")] = None,
    database: DatabaseOpt = None,
    actor: ActorOpt = "cli",
) -> None:
    """Receive units into a bin: the one given, or the one already holding the most of the SKU,
    else the first empty one. Orders waiting for the SKU are reserved again."""
    from wms.services.stock import moves

    r = committed(database, lambda uow: moves.receive(uow, sku, qty, bin_code, actor))
    typer.echo(f"received {qty} {r['sku']} into {r['bin']}{' (suggested)' if r['suggested'] else ''}: "
               f"{r['on_hand']} on hand there" + (f"; released {', '.join(r['orders_released'])}"
                                                  if r["orders_released"] else ""))


@stock_app.command("count")
def count(
    sku: SkuOpt,
    bin_code: Annotated[str, typer.Option("--bin", help="Bin counted")],
    qty: Annotated[int, typer.Option("--qty", min=0, help="Units found on the shelf")],
    reason: Annotated[str, typer.Option("--reason", help="Why (required), e.g. 'cycle count'")],
    database: DatabaseOpt = None,
    actor: ActorOpt = "cli",
) -> None:
    """Record a cycle count; the difference to the books goes on the ledger as an adjustment."""
    from wms.adapters.db.uow import UnitOfWork
    from wms.domain.errors import DomainError
    from wms.services.stock import moves

    with UnitOfWork(_engine(database)) as uow:
        try:
            r = moves.count_bin(uow, sku, bin_code, qty, reason, actor)
            uow.commit()
        except DomainError as exc:
            raise fail(exc.message) from None
    typer.echo(f"{r['bin']} {r['sku']}: books {r['books_qty']}, counted {r['counted_qty']}, "
               f"difference {r['difference']:+d}; reserved {r['reserved']}, available {r['available']}")
    if r["warning"]:
        typer.secho(f"warning: {r['warning']}", err=True, fg=typer.colors.YELLOW)


@stock_app.command("report")
def report(
    low: Annotated[int, typer.Option("--low", min=0, help="Available at or below this is low")] = 5,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV instead of a table")] = False,
    database: DatabaseOpt = None,
) -> None:
    """Per SKU: on hand, reserved, available and ok/low/out; out-of-stock first."""
    from wms.adapters.db.uow import UnitOfWork
    from wms.services.stock import moves

    with UnitOfWork(_engine(database), read_only=True) as uow:
        rows = moves.stock_report(uow, low)
    columns = ("sku", "name", "on_hand", "reserved", "available", "status")
    if as_csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([r[c] for c in columns] for r in rows)
        return
    typer.echo(f"{'status':6s} {'sku':16s} {'on_hand':>8s} {'reserved':>8s} {'available':>9s}  name")
    for r in rows:
        typer.echo(f"{r['status']:6s} {r['sku']:16s} {r['on_hand']:8d} {r['reserved']:8d} {r['available']:9d}  {r['name']}")


@stock_app.command("ledger")
def ledger(
    sku: Annotated[str | None, typer.Option("--sku", help="Only this SKU")] = None,
    bin_code: Annotated[str | None, typer.Option("--bin", help="Only this bin")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=5000, help="Newest N rows")] = 50,
    database: DatabaseOpt = None,
) -> None:
    """Print the stock ledger (append-only history), newest first."""
    from wms.adapters.db.uow import UnitOfWork
    from wms.services.stock import moves

    with UnitOfWork(_engine(database), read_only=True) as uow:
        rows = moves.ledger(uow, sku, bin_code, limit)
    for e in rows:
        typer.echo(f"{e['at'][:19]} {e['bin']:12s} {e['sku']:16s} {e['delta']:+6d} {e['kind']:14s} "
                   f"{e['ref'] or '':20s} {e['operator'] or ''} {e['reason'] or ''}")


skus_app = typer.Typer(help="SKUs: combos (组合装) made of other SKUs, product pictures.", no_args_is_help=True)
app.add_typer(skus_app, name="skus")


@skus_app.command("combo")
def combo(
    sku: str,
    component: Annotated[list[str], typer.Option("--component", help="A part as SKU:QTY (repeat for each part)")],
    name: Annotated[str | None, typer.Option("--name", help="What the combo is called")] = None,
    database: DatabaseOpt = None,
) -> None:
    """Define (or redefine) a combo: orders for it take, scan and weigh its parts instead."""
    from wms.services.stock import catalog

    parts: dict[str, int] = {}
    for part in component:
        code, _, qty = part.rpartition(":")
        if not code or not qty.strip().isdigit():
            raise fail(f"--component {part!r}: give it as SKU:QTY, e.g. MUG:2")
        parts[code.strip()] = parts.get(code.strip(), 0) + int(qty)
    row = committed(database, lambda uow: catalog.save_combo(uow, sku, parts, name))
    typer.echo(f"combo {row.sku} = " + " + ".join(f"{q} × {s}" for s, q in parts.items())
               + f"; weighs {row.unit_weight_g} g (±{row.weight_tolerance_g})")


@skus_app.command("picture")
def picture(
    sku: str,
    url: Annotated[str | None, typer.Argument(help="http(s) address of the product picture, or /path on this service")] = None,
    remove: Annotated[bool, typer.Option("--remove", help="Take the SKU's picture away")] = False,
    database: DatabaseOpt = None,
) -> None:
    """Show a product picture beside the SKU's line at the pack station."""
    from wms.services.stock import catalog

    if (url is None) == (not remove):
        raise fail("give the picture's address, or --remove")
    row = committed(database, lambda uow: catalog.set_picture(uow, sku, None if remove else url))
    typer.echo(f"{row.sku}: picture {row.image_url}" if row.image_url else f"{row.sku}: no picture")
