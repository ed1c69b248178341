"""`wms label`: render a waybill to a file, print it on a thermal printer, ask a printer's status.

Bad input (a waybill field, size, format, dpi) is reported as one line naming the field,
with exit code 2, before any printer is opened. Printer trouble exits with code 1.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from wms.cli.app import app

label_app = typer.Typer(
    help="Render or print electronic waybills (电子面单) as PDF, PNG, ESC/POS, ZPL or TSPL.",
    no_args_is_help=True,
)
app.add_typer(label_app, name="label")

SUFFIX_FORMATS = {".pdf": "pdf", ".png": "png", ".escpos": "escpos", ".bin": "escpos",
                  ".prn": "escpos", ".zpl": "zpl", ".tspl": "tspl"}

WaybillArg = Annotated[Path, typer.Argument(help="Waybill JSON file (see `wms label sample`).",
                                            show_default=False)]
SizeOpt = Annotated[str, typer.Option("--size", help="Label size in mm: 100x150, 100x180, 76x130.")]
DpiOpt = Annotated[int, typer.Option("--dpi", help="Printer resolution: 203 or 300.")]
PrinterOpt = Annotated[str, typer.Option(
    "--printer", "-p", show_default=False,
    help="Printer URL: /dev/ttyUSB0, serial:///dev/ttyS1?baudrate=115200, socket://host:port, "
         "loop://, tcp://host:9100, file:///path.")]


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def _load_waybill(path: Path) -> Any:
    """Read and validate the waybill file; any problem is a one-line error naming it."""
    from printing.waybill import Waybill, WaybillError

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _fail(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(f"{path}: cannot read ({exc})") from None
    except json.JSONDecodeError as exc:
        raise _fail(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: "
                    f"{exc.msg})") from None
    try:
        return Waybill.from_dict(data)
    except WaybillError as exc:
        raise _fail(str(exc)) from None


def _render(waybill: Any, fmt: str, size: str, dpi: int) -> bytes:
    from printing.fonts import FontNotFound
    from printing.render import render
    from printing.waybill import WaybillError

    try:
        return render(waybill, fmt, size, dpi)
    except WaybillError as exc:
        raise _fail(str(exc)) from None
    except FontNotFound as exc:
        raise _fail(str(exc), 1) from None


@label_app.command("render")
def render_cmd(
    waybill: WaybillArg,
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.",
                                         show_default=False)],
    fmt: Annotated[str | None, typer.Option(
        "--format", "-f", show_default=False,
        help="pdf, png, escpos, zpl or tspl (default: from the -o file's extension).")] = None,
    size: SizeOpt = "100x150",
    dpi: DpiOpt = 203,
) -> None:
    """Render a waybill to a file: a PDF/PNG preview or a printer stream to send later."""
    if fmt is None:
        fmt = SUFFIX_FORMATS.get(output.suffix.lower())
        if fmt is None:
            raise _fail(f"format is required: add --format, or use an -o extension among "
                        f"{', '.join(sorted(SUFFIX_FORMATS))}")
    data = _render(_load_waybill(waybill), fmt, size, dpi)
    try:
        output.write_bytes(data)
    except OSError as exc:
        raise _fail(f"{output}: cannot write ({exc.strerror})", 1) from None
    typer.echo(f"wrote {output} ({fmt}, {size} mm, {dpi} dpi, {len(data)} bytes)")


@label_app.command("print")
def print_cmd(
    waybill: WaybillArg,
    printer: PrinterOpt,
    fmt: Annotated[str, typer.Option("--format", "-f",
                                     help="Printer language: escpos, zpl or tspl.")] = "escpos",
    size: SizeOpt = "100x150",
    dpi: DpiOpt = 203,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds to wait for the printer."
                                           )] = 5.0,
) -> None:
    """Print a waybill: validate and render it fully, then send it to the printer."""
    from printing.transports import TransportError, open_transport

    data = _render(_load_waybill(waybill), fmt, size, dpi)
    try:
        transport = open_transport(printer, timeout=timeout)
    except TransportError as exc:
        raise _fail(str(exc), 2 if "unknown" in str(exc) else 1) from None
    try:
        with transport:
            transport.write(data)
    except TransportError as exc:
        raise _fail(str(exc), 1) from None
    typer.echo(f"sent {len(data)} bytes ({fmt}, {size} mm, {dpi} dpi) to {printer}")


@label_app.command("status")
def status_cmd(
    printer: PrinterOpt,
    protocol: Annotated[str, typer.Option("--protocol",
                                          help="escpos (DLE EOT), zpl (~HS) or tspl (ESC !?).")
                        ] = "escpos",
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds to wait for a reply.")
                       ] = 2.0,
) -> None:
    """Ask a printer whether it is online, has paper and a closed cover (exit 1 if not ready)."""
    from printing.status import PROTOCOLS, printer_status
    from printing.transports import TransportError, open_transport

    if protocol not in PROTOCOLS:
        raise _fail(f"protocol must be one of {', '.join(PROTOCOLS)} (got {protocol!r})")
    try:
        with open_transport(printer, timeout=timeout) as transport:
            status = printer_status(transport, protocol, timeout)
    except TransportError as exc:
        raise _fail(str(exc), 1) from None
    typer.echo(f"{printer}: {status.describe()}")
    if not status.ready:
        raise typer.Exit(1)


@label_app.command("sample")
def sample_cmd(
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the JSON.")
                      ] = Path("waybill.json"),
) -> None:
    """Write the contract's example waybill, a starting point for your own."""
    from printing.waybill import SAMPLE_WAYBILL

    try:
        output.write_text(json.dumps(SAMPLE_WAYBILL, ensure_ascii=False, indent=2) + "\n",
                          encoding="utf-8")
    except OSError as exc:
        raise _fail(f"{output}: cannot write ({exc.strerror})", 1) from None
    typer.echo(f"wrote {output}")
