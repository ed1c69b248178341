"""`wms printers ...`: the label printers of the packing line and their stations."""

from __future__ import annotations

from typing import Annotated

import typer

from wms.cli.app import app
from wms.cli.service import DatabaseOpt, _engine, fail

printers_app = typer.Typer(help="Label printers: add, list, print a test label.", no_args_is_help=True)
app.add_typer(printers_app, name="printers")


@printers_app.command("add")
def add(
    name: str,
    url: Annotated[str, typer.Option("--url", help="tcp://host:9100, /dev/ttyUSB0, serial://...?baudrate=, file:///..., agent://STATION")],
    protocol: Annotated[str, typer.Option("--protocol", help="escpos, zpl or tspl")] = "escpos",
    dpi: Annotated[int, typer.Option("--dpi")] = 203,
    size: Annotated[str, typer.Option("--size", help="100x150, 100x180 or 76x130")] = "100x150",
    station: Annotated[str | None, typer.Option("--station", help="The packing station it serves")] = None,
    database: DatabaseOpt = None,
) -> None:
    """Add or change a printer (and make it its station's printer)."""
    from printing.sizes import WaybillError, check_dpi, check_format, check_size
    from wms.adapters.db.tables import Printer, Station
    from wms.adapters.db.uow import UnitOfWork

    try:
        check_format(protocol), check_size(size), check_dpi(dpi)
    except WaybillError as exc:
        raise fail(str(exc)) from None
    if protocol not in ("escpos", "zpl", "tspl"):
        raise fail("--protocol must be escpos, zpl or tspl")
    with UnitOfWork(_engine(database)) as uow:
        row = uow.session.get(Printer, name) or Printer(name=name, url=url)
        row.url, row.protocol, row.dpi, row.label_size, row.station = url, protocol, dpi, size, station
        uow.session.add(row)
        if station:
            st = uow.session.get(Station, station) or Station(code=station, name=station)
            st.printer_name = name
            uow.session.add(st)
        uow.commit()
    typer.echo(f"printer {name}: {protocol} {size} mm at {dpi} dpi on {url}" + (f" for station {station}" if station else ""))


@printers_app.command("list")
def list_printers(database: DatabaseOpt = None) -> None:
    """Every printer with its URL, format, station and last known status."""
    from wms.adapters.db.uow import UnitOfWork
    from wms.services.labels.print_queue import printers

    with UnitOfWork(_engine(database)) as uow:
        for p in printers(uow):
            typer.echo(f"{p.name:14s} {p.protocol:6s} {p.label_size:8s} {p.dpi:4d} dpi  {p.station or '-':8s} {p.status:12s} {p.url}")


@printers_app.command("test")
def test_label(name: str, database: DatabaseOpt = None) -> None:
    """Print a test label (the sample waybill) on printer NAME, straight away."""
    from printing.printer import print_label
    from printing.transports import TransportError
    from printing.waybill import SAMPLE_WAYBILL, WaybillError
    from wms.adapters.db.tables import Printer
    from wms.adapters.db.uow import UnitOfWork

    with UnitOfWork(_engine(database)) as uow:
        printer = uow.session.get(Printer, name)
    if printer is None:
        raise fail(f"no printer {name}; wms printers list shows them")
    if printer.url.startswith("agent://"):
        raise fail(f"{name} is printed by its station agent; run the test on the station PC")
    try:
        sent = print_label(dict(SAMPLE_WAYBILL), printer.protocol, printer.label_size, printer.dpi, printer.url)
    except (WaybillError, TransportError, OSError) as exc:
        raise fail(f"{name}: {exc}", 1) from None
    typer.echo(f"test label sent to {name} ({len(sent)} bytes, {printer.protocol})")
