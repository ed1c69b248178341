"""`wms reports ...`: the lead's figures from the shell."""

from __future__ import annotations

import sys
from datetime import date
from typing import Annotated

import typer

from wms.cli.app import app
from wms.cli.service import DatabaseOpt, _engine, fail

reports_app = typer.Typer(help="Figures for the lead: per packer and picker.", no_args_is_help=True)
app.add_typer(reports_app, name="reports")


@reports_app.command("people")
def people_report(
    day: Annotated[str | None, typer.Option("--day", help="YYYY-MM-DD, China time (default: today)")] = None,
    shift: Annotated[str | None, typer.Option("--shift", help="Part of the day, e.g. 08:00-20:00 or 20:00-08:00")] = None,
    as_csv: Annotated[bool, typer.Option("--csv", help="CSV on standard output (UTF-8 with BOM)")] = False,
    database: DatabaseOpt = None,
) -> None:
    """Per packer: parcels, units, wrong scans and weight mismatches caught, overrides, per hour;
    per picker: lines and units picked, per hour."""
    from wms.adapters.db.types import utcnow
    from wms.adapters.db.uow import UnitOfWork
    from wms.domain.errors import DomainError
    from wms.domain.incoming import BEIJING
    from wms.services.board import per_person

    try:
        when = date.fromisoformat(day) if day else utcnow().astimezone(BEIJING).date()
    except ValueError:
        raise fail(f"--day {day!r}: give it as YYYY-MM-DD") from None
    with UnitOfWork(_engine(database), read_only=True) as uow:
        try:
            view = per_person.figures(uow, when, shift)
        except DomainError as exc:
            raise fail(exc.message) from None
    if as_csv:
        sys.stdout.write(per_person.figures_csv(view))
        return
    typer.echo(f"{view['day']}{' ' + shift if shift else ''} packers: parcels units wrong-scans weight-mismatches overrides hours per-hour")
    for r in view["packers"]:
        typer.echo(f"  {r['person']:16s} {r['parcels']:5d} {r['units']:5d} {r['wrong_scans']:5d} {r['weight_mismatches']:5d} "
                   f"{r['overrides']:5d} {r['hours']:6.2f} {r['per_hour']:7.1f}  ({r['first']}-{r['last']})")
    typer.echo("pickers: lines units hours per-hour")
    for r in view["pickers"]:
        typer.echo(f"  {r['person']:16s} {r['lines']:5d} {r['units']:5d} {r['hours']:6.2f} {r['per_hour']:7.1f}  "
                   f"({r['first']}-{r['last']})")
    if not view["packers"] and not view["pickers"]:
        typer.echo("nobody packed or picked that day")
