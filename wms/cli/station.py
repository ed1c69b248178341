"""`wms station run|sample-config`: the agent on a packing-station PC."""

from __future__ import annotations

import logging
import signal
import threading
from pathlib import Path
from typing import Annotated

import typer

from wms.cli import app
from wms.cli.service import fail

station_app = typer.Typer(help="The station agent: scanner + scale + printer joined to the service.",
                          no_args_is_help=True)
app.add_typer(station_app, name="station")


@station_app.command("sample-config")
def sample_config() -> None:
    """Print a commented example station.toml."""
    from scanners.station.config import SAMPLE

    typer.echo(SAMPLE, nl=False)


@station_app.command("run")
def run(config: Annotated[Path, typer.Option("--config", help="station.toml")]) -> None:
    """Run the agent until Ctrl-C: scans and weights go to the service, labels come back."""
    from scanners.errors import DeviceError
    from scanners.station.agent import StationAgent
    from scanners.station.config import ConfigError, load_config

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    try:
        cfg = load_config(config)
    except ConfigError as exc:
        raise fail(str(exc)) from None

    def show(event: dict, answer: object) -> None:
        typer.echo(f"{event.get('kind')} {event.get('code', event.get('grams', ''))} -> {answer}")

    try:
        agent = StationAgent(cfg, on_answer=show).start()
    except (DeviceError, OSError) as exc:
        raise fail(f"cannot start the station: {exc}") from None
    typer.echo(f"station {cfg.station} running against {cfg.service_url}; Ctrl-C stops it")
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    try:
        done.wait()
    except KeyboardInterrupt:
        pass
    agent.stop()
