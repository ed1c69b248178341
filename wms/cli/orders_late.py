"""`wms orders late`: what will breach its ship-by time (发货时效) in the next hours, most urgent first."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from wms.cli.orders import orders_app
from wms.cli.service import DatabaseOpt, _engine


@orders_app.command("late")
def late(
    hours: Annotated[float, typer.Option("--hours", min=0, help="Look this many hours ahead")] = 4,
    shop: Annotated[str | None, typer.Option("--shop")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    database: DatabaseOpt = None,
) -> None:
    """Open orders whose promised ship-by time falls within --hours (overdue ones first)."""
    from wms.adapters.db.uow import UnitOfWork
    from wms.services.orders import ship_clock

    with UnitOfWork(_engine(database)) as uow:
        rows = ship_clock.due_within(uow, hours, shop=shop)
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    overdue = sum(1 for r in rows if r["overdue"])
    typer.echo(f"{len(rows)} order(s) due within {hours:g} h, {overdue} overdue")
    for r in rows:
        left = f"{-r['hours_left']:.1f} h OVERDUE" if r["overdue"] else f"{r['hours_left']:.1f} h left"
        rule = "" if r["promised_by_platform"] else " (shop rule)"
        hold = f"  on hold: {r['hold_reason']}" if r["status"] == "on_hold" else ""
        typer.echo(f"{r['order_no']:22s} {r['shop'] or '-':14s} {r['status']:9s} ship by {r['ship_by'][:16]}"
                   f"{rule}  {left}{hold}")
