"""`wms orders ...`: importing order files and looking orders up from the shell."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from wms.cli.app import app
from wms.cli.service import DatabaseOpt, _engine, fail

orders_app = typer.Typer(help="Order desk: import files, show orders.", no_args_is_help=True)
app.add_typer(orders_app, name="orders")


@orders_app.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(help="CSV (one row per order line) or JSON order file")],
    database: DatabaseOpt = None,
    actor: Annotated[str, typer.Option("--as", help="Name recorded in the order history")] = "import",
) -> None:
    """Import orders; bad rows are listed with their row number, the good ones still import."""
    from wms.adapters.db.uow import UnitOfWork
    from wms.domain.errors import DomainError
    from wms.services.orders.files import import_file

    if not file.is_file():
        raise fail(f"no such file: {file}")
    with UnitOfWork(_engine(database)) as uow:
        try:
            report = import_file(uow, file.read_bytes(), file.name, actor)
        except DomainError as exc:
            raise fail(f"{file}: {exc.message}") from None
    typer.echo(f"read as {report.encoding}: imported {len(report.imported)}, already present {len(report.already_present)}, "
               f"on hold {len(report.on_hold)}, bad rows {len(report.errors)}")
    for held in report.on_hold:
        typer.echo(f"  on hold  {held}")
    for err in report.errors:
        typer.echo(f"  row {err['row']}: {err.get('order_no', '')} {err['reason']}")


@orders_app.command("show")
def show(order_no: str, database: DatabaseOpt = None) -> None:
    """Print an order with its lines, history and notes as JSON."""
    from wms.adapters.db.uow import UnitOfWork
    from wms.api.routes.orders import order_view
    from wms.domain.errors import DomainError
    from wms.services.orders import records

    with UnitOfWork(_engine(database)) as uow:
        try:
            typer.echo(json.dumps(order_view(uow, records.get_order(uow, order_no)), ensure_ascii=False, indent=1))
        except DomainError as exc:
            raise fail(exc.message) from None
