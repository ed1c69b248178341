"""`wms devices`: talk to pack-station scales and scanners from the command line, and
run emulated devices for demos and tests."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from wms.cli.app import app

devices_app = typer.Typer(
    help="Read a scale, listen to a barcode scanner, or run an emulated device.",
    no_args_is_help=True,
)
app.add_typer(devices_app, name="devices")

PortOpt = Annotated[
    str,
    typer.Option("--port", help="Device path or pyserial URL: /dev/ttyUSB0, socket://host:port, "
                                "serial:///dev/ttyS1?baudrate=9600"),
]
BaudOpt = Annotated[int, typer.Option("--baudrate", help="Line speed for real serial ports.")]


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(code)


def _show_code(code: str) -> str:
    """Make control characters visible on a terminal (GS separators in GS1 codes)."""
    return "".join(f"<{'GS' if c == chr(0x1D) else f'x{ord(c):02x}'}>" if ord(c) < 0x20 else c
                   for c in code)


@devices_app.command("read-scale")
def read_scale(
    port: PortOpt,
    protocol: Annotated[str, typer.Option("--protocol", help="mt-sics, toledo or nci.")],
    timeout: Annotated[
        float, typer.Option("--timeout", help="Seconds to wait for a stable weight.")
    ] = 5.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the reading as JSON.")] = False,
    any_weight: Annotated[bool, typer.Option("--any", help="Accept a weight in motion.")] = False,
    baudrate: BaudOpt = 9600,
) -> None:
    """Print one stable weight in grams, e.g. `1240 g`.

    Exit 1 when the scale cannot be read (port, timeout, overload), 2 on bad options.
    """
    from scanners.errors import DeviceError, UnknownProtocol
    from scanners.scale import Scale

    if timeout <= 0:
        raise _fail("--timeout must be positive", 2)
    try:
        scale = Scale(port, protocol, baudrate=baudrate)
    except UnknownProtocol as exc:
        raise _fail(str(exc), 2) from None
    try:
        with scale:
            scale.open()
            reading = scale.read(stable_only=not any_weight, timeout=timeout)
    except DeviceError as exc:
        raise _fail(str(exc)) from None
    if as_json:
        typer.echo(json.dumps({
            "grams": reading.grams, "stable": reading.stable, "unit": reading.unit,
            "net": reading.net, "raw": reading.raw.decode("latin-1"), "protocol": scale.protocol,
            "port": port,
        }, ensure_ascii=False))
    else:
        typer.echo(f"{reading.grams} g" + ("" if reading.stable else " (in motion)"))


@devices_app.command("listen-scanner")
def listen_scanner(
    port: PortOpt,
    count: Annotated[int | None, typer.Option("--count", help="Stop after N scans.")] = None,
    prefix: Annotated[str, typer.Option(help="Prefix the scanner adds, stripped.")] = "",
    suffix: Annotated[str, typer.Option(help="Suffix the scanner adds, stripped.")] = "",
    aim: Annotated[str, typer.Option(help="AIM symbology identifiers: auto, on, off.")] = "auto",
    timeout: Annotated[float | None, typer.Option(
        "--timeout", help="Give up (exit 1) when no scan arrives for this many seconds.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per scan (exact code, "
                                                         "symbology, AIM id, time).")] = False,
    baudrate: BaudOpt = 9600,
) -> None:
    """Print each scan on its own line until Ctrl-C (or --count scans).

    GS separators in GS1 codes show as <GS> (exact in --json).
    The port is reopened if the scanner is unplugged and plugged back in.
    """
    from scanners.errors import DeviceError, DeviceTimeout
    from scanners.ports import open_port
    from scanners.scanner import ScannerReader

    modes = {"auto": "auto", "on": True, "off": False}
    if aim not in modes:
        raise _fail(f"--aim must be auto, on or off, not {aim!r}", 2)
    if count is not None and count < 1:
        raise _fail("--count must be at least 1", 2)
    try:
        open_port(port, baudrate=baudrate).close()  # fail fast on a wrong port name
    except DeviceError as exc:
        raise _fail(str(exc)) from None

    def status(connected: bool, error: str | None) -> None:
        if not connected and error:
            typer.secho(f"scanner disconnected: {error}; retrying", err=True,
                        fg=typer.colors.YELLOW)
        elif connected:
            typer.secho(f"listening on {port}", err=True)

    reader = ScannerReader(port, prefix=prefix, suffix=suffix,
                           aim_ids=modes[aim],  # type: ignore[arg-type]
                           baudrate=baudrate, on_status=status)
    seen = 0
    try:
        with reader:
            while count is None or seen < count:
                scan = reader.get(timeout)
                seen += 1
                if as_json:
                    typer.echo(json.dumps({"code": scan.code, "symbology": scan.symbology,
                                           "aim": scan.aim, "at": scan.at}, ensure_ascii=False))
                else:
                    typer.echo(_show_code(scan.code))
    except DeviceTimeout as exc:
        raise _fail(str(exc)) from None
    except KeyboardInterrupt:
        pass


@devices_app.command("emulate")
def emulate(
    kind: Annotated[str, typer.Argument(help="mt-sics, nci, toledo, scanner or escpos.")],
    grams: Annotated[int, typer.Option("--grams", help="Initial load on a scale.")] = 0,
    unit: Annotated[str | None, typer.Option(help="Scale display unit: g, kg, lb, oz.")] = None,
    link: Annotated[str | None, typer.Option(help="Also expose the pty as this symlink.")] = (
        None
    ),
    tcp: Annotated[int | None, typer.Option("--tcp", help="Listen on this TCP port (0: any) "
                                                             "instead of a pty.")] = None,
    terminator: Annotated[
        str, typer.Option(help="Scanner terminator: cr, lf, crlf, tab.")
    ] = "cr",
) -> None:
    """Run an emulated device and print the path to open it with.

    Then obey stdin: a number sets a scale's load in grams (also: motion, stable,
    over, under, ok, unplug, replug); each line typed to a scanner is sent as a scan.
    """
    from scanners.emulators.runner import build, run

    try:
        emulator = build(kind, link=link, tcp_port=tcp, grams=grams, unit=unit,
                         terminator=terminator)
    except (ValueError, OSError) as exc:
        raise _fail(str(exc), 2) from None
    run(emulator)
