"""`wms route`: plan a pick walk through bins of a layout file.

Input and output follow shared/specs/warehouse-layout.md ("Route planner contract").
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from wms.cli.app import app
from wms.domain.layout import LayoutError, load_layout
from wms.domain.routing import METHODS, RoutingError, plan_route


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=2)


@app.command("route")
def route_command(
    layout: Path = typer.Option(
        ..., "--layout", help="Layout JSON file (warehouse-layout contract)."
    ),
    bins: str = typer.Option(..., "--bins", help="Bin codes to visit, comma separated."),
    method: str = typer.Option(
        "auto", "--method", help=f"Routing method: {', '.join(METHODS)}."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the route as one JSON object."),
) -> None:
    """Plan the shortest pick walk from the depot through the given bins and back."""
    codes = [c.strip() for c in bins.split(",") if c.strip()]
    try:
        plan = load_layout(layout)
        route = plan_route(plan, codes, method)
    except (LayoutError, RoutingError) as exc:
        _fail(str(exc))
        return
    except Exception as exc:  # never a traceback on the command line
        _fail(f"could not plan the route: {type(exc).__name__}: {exc}")
        return
    if as_json:
        typer.echo(json.dumps(route.to_dict(), ensure_ascii=False))
        return
    typer.echo(_summary(route, plan.name))


def _summary(route, layout_name: str) -> str:
    if route.proven_optimal:
        verdict = "proven optimal (no shorter walk exists)"
    elif route.method in ("auto",):
        verdict = "NOT proven optimal (best found within the time budget)"
    else:
        verdict = f"NOT proven optimal ({route.method} heuristic)"
    lines = [
        f"Route through {len(route.sequence)} bins in {layout_name or 'layout'} "
        f"({route.blocks} block{'s' if route.blocks != 1 else ''})",
        f"method: {route.method} (solver: {route.solver})",
        f"distance: {route.distance:.2f} m, {verdict}",
        "visit order:",
    ]
    lines += [f"  {i:>3}. {code}" for i, code in enumerate(route.sequence, start=1)]
    lines.append("turning points: " + " -> ".join(f"({x:g}, {y:g})" for x, y in route.path))
    return "\n".join(lines)
