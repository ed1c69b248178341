"""`wms bills ...` and `wms carriers rate`: couriers' bills checked against our weighings."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from wms.cli.app import app
from wms.cli.service import DatabaseOpt, committed, fail
from wms.cli.shipping import carriers_app

bills_app = typer.Typer(help="Couriers' bills (对账单) against our outbound weighings: overcharges and claims.",
                        no_args_is_help=True)
app.add_typer(bills_app, name="bills")


def _weight_fee(text: str, option: str) -> tuple[int, str]:
    grams, _, fee = text.partition(":")
    if not grams.strip().isdigit() or not fee.strip():
        raise fail(f"{option} {text!r}: write GRAMS:FEE, e.g. 1000:8.00")
    return int(grams), fee.strip()


@carriers_app.command("rate")
def rate(code: str,
         first: Annotated[str, typer.Option("--first", help="首重 GRAMS:FEE, e.g. 1000:8.00")],
         step: Annotated[str, typer.Option("--step", help="续重 GRAMS:FEE per further step, e.g. 1000:2.00")],
         region: Annotated[str, typer.Option("--region", help="A province, or * for the rest")] = "*",
         database: DatabaseOpt = None) -> None:
    """Set a carrier's rate for a region (bills are checked against it)."""
    from wms.services.shipping import bills

    first_g, first_fee = _weight_fee(first, "--first")
    step_g, step_fee = _weight_fee(step, "--step")
    row = committed(database, lambda uow: bills.set_rate(uow, code, region, first_g, first_fee, step_g, step_fee))
    typer.echo(f"{row.carrier} {row.region}: first {row.first_g} g {row.first_fee}, then {row.step_fee} per "
               f"{row.step_g} g")


@bills_app.command("import")
def import_(file: Path,
            carrier: Annotated[str, typer.Option("--carrier", help="Whose bill it is (SF, ZTO ...)")],
            claims: Annotated[Path | None, typer.Option("--claims", help="Write the claim sheet (CSV) here")] = None,
            database: DatabaseOpt = None) -> None:
    """Check a courier's bill (CSV or Excel) against the parcels' outbound weighings."""
    from wms.services.shipping import bills

    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise fail(f"{file}: cannot read: {exc.strerror or exc}") from None
    view = committed(database, lambda uow: bills.bill_view(uow, bills.import_bill(uow, carrier, raw, file.name, "cli")))
    counts = ", ".join(f"{k} {v}" for k, v in sorted(view["verdicts"].items()))
    typer.echo(f"bill {view['bill_id']} ({view['carrier']}, {file.name}): {view['lines']} parcels billed "
               f"{view['billed_total']}; {counts}; to claim {view['claim_total']}")
    for r in view["rows"]:
        if r["verdict"] != "ok":
            evidence = f"weighed {r['our_g']} g" if r["our_g"] is not None else "no parcel of ours"
            typer.echo(f"  {r['tracking_no']:18s} {r['verdict']:11s} billed {r['billed_g']} g {r['billed_fee']}, "
                       f"{evidence}, claim {r['claim']}")
    if claims is not None:
        claims.write_text("\ufeff" + bills.claims_csv(view), encoding="utf-8")
        typer.echo(f"claim sheet: {claims}")
