"""`wms station run|sample-config|outbox`: the agent on a packing-station PC."""

from __future__ import annotations

import logging
import signal
import sqlite3
import threading
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from wms.cli.app import app
from wms.cli.service import DatabaseOpt, fail

station_app = typer.Typer(
    help="The station agent: scanner + scale + printer joined to the service.",
    no_args_is_help=True)
app.add_typer(station_app, name="station")

ConfigOption = Annotated[Path, typer.Option(
    "--config", "-c", help="station.toml (wms station sample-config prints one)")]


def _load(config: Path):  # type: ignore[no-untyped-def]
    from scanners.agent.config import ConfigError, load_config

    try:
        return load_config(config)
    except ConfigError as exc:
        raise fail(str(exc)) from None


@station_app.command("sample-config")
def sample_config() -> None:
    """Print a commented example station.toml to start from."""
    from scanners.agent.config import SAMPLE_CONFIG

    typer.echo(SAMPLE_CONFIG, nl=False)


@station_app.command("run")
def run(config: ConfigOption,
        verbose: Annotated[bool, typer.Option(
            "--verbose", "-v", help="Also log each retry and heartbeat.")] = False,
        ) -> None:
    """Run the agent until Ctrl-C or SIGTERM: scans and weights go to the service, labels come back.

    Each answer is printed as one line. While the service cannot be reached, events wait
    in the outbox file and go out in order, once each, when it is back.
    """
    from scanners.agent.agent import StationAgent
    from scanners.agent.messages import describe_answer
    from scanners.errors import DeviceError

    cfg = _load(config)
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)

    def show(event: dict, answer: object) -> None:
        typer.echo(describe_answer(event, answer))

    try:
        agent = StationAgent(cfg, on_answer=show)
    except (sqlite3.Error, OSError) as exc:
        raise fail(f"{config}: outbox {cfg.outbox}: cannot open: {exc}") from None
    try:
        agent.start()
    except (DeviceError, OSError, ValueError) as exc:
        agent.stop()
        raise fail(f"cannot start station {cfg.station}: {exc}") from None
    waiting = len(agent.outbox)
    backlog = f"; {waiting} events from before wait to be sent" if waiting else ""
    typer.echo(f"station {cfg.station} running against {cfg.service.url}{backlog}; Ctrl-C stops it")
    done = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: done.set())
    while not done.wait(0.5):
        pass
    typer.echo("stopping...")
    agent.stop()
    left = _count(cfg.outbox)
    if left:
        typer.echo(f"{left} events wait in {cfg.outbox}; they are sent at the next start")


def _count(path: Path) -> int:
    from scanners.agent.outbox import Outbox

    box = Outbox(path)
    try:
        return len(box)
    finally:
        box.close()


@station_app.command("outbox")
def outbox(config: ConfigOption) -> None:
    """List what waits in the station's outbox (works while the agent runs)."""
    from scanners.agent.messages import describe_event
    from scanners.agent.outbox import Outbox

    cfg = _load(config)
    if not cfg.outbox.exists():
        typer.echo(f"{cfg.outbox}: no outbox yet (nothing was ever queued)")
        return
    try:
        box = Outbox(cfg.outbox)
        entries = box.pending()
        box.close()
    except sqlite3.Error as exc:
        raise fail(f"{cfg.outbox}: cannot read the outbox: {exc}") from None
    if not entries:
        typer.echo("outbox empty: the service has everything")
        return
    for e in entries:
        what = describe_event(e.body) if e.path.endswith("/events") else f"print result {e.body}"
        since = datetime.fromtimestamp(e.queued_at).strftime("%Y-%m-%d %H:%M:%S")
        tried = f", {e.attempts} tries, last: {e.last_error}" if e.attempts else ""
        typer.echo(f"{e.seq:>6}  {since}  {what}{tried}")
    typer.echo(f"{len(entries)} waiting")


@station_app.command("settings")
def settings(
    code: str,
    typed_weights: Annotated[bool, typer.Option("--typed-ok/--scale-only",
                                                help="May a packer type a weight, or must it come from the scale")],
    database: DatabaseOpt = None,
) -> None:
    """A station's settings: --scale-only refuses typed weights there (they are not evidence)."""
    from wms.cli.service import committed
    from wms.services.packing import heartbeats

    view = committed(database, lambda uow: heartbeats.station_view(heartbeats.set_typed_weights(uow, code, typed_weights)))
    typer.echo(f"station {view['code']}: " + ("typed weights allowed (marked 手输)" if view["typed_weights"]
                                            else "weights from the scale only; a typed weight is refused"))
