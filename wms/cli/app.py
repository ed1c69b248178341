"""The one Typer app every command module adds its commands to (wms.cli registers them)."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="Warehouse pick-pack-ship service: packing stations, check-weighing, waybills.",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def _root() -> None:
    """Warehouse pick-pack-ship service: packing stations, check-weighing, waybills."""
