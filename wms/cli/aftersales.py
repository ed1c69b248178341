"""`wms cases ...` and `wms returns ...`: after-sales from the shell."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from wms.cli.app import app
from wms.cli.service import DatabaseOpt, _engine, fail

cases_app = typer.Typer(help="After-sales cases: open, show, close, registers.", no_args_is_help=True)
returns_app = typer.Typer(help="Returned parcels: receive, weigh, inspect; return rates.", no_args_is_help=True)
app.add_typer(cases_app, name="cases")
app.add_typer(returns_app, name="returns")


def _lines(items: list[str]) -> list[dict]:
    out = []
    for item in items:
        sku, _, qty = item.partition(":")
        if not qty.isdigit():
            raise fail(f"--line {item!r}: write SKU:QTY, e.g. TS-BLU-L:1")
        out.append({"sku": sku, "qty": int(qty)})
    return out


def _echo(data: object) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=1, default=str))


@cases_app.command("open")
def open_case(
    order: Annotated[str, typer.Option("--order", help="Order number")],
    case_type: Annotated[str, typer.Option("--type", help="refund_only return_refund exchange reship lost_claim")],
    reason: Annotated[str, typer.Option("--reason", help="quality wrong_item short_shipment transit_damage no_reason_7d changed_mind")],
    line: Annotated[list[str] | None, typer.Option("--line", help="SKU:QTY (repeat)")] = None,
    actor: Annotated[str, typer.Option("--as", help="Who opens it")] = "after-sales",
    database: DatabaseOpt = None,
) -> None:
    """Open a case; the policy decides at once (a refusal is kept with its reason)."""
    from wms.adapters.db.uow import UnitOfWork
    from wms.domain.errors import DomainError
    from wms.services.aftersales import cases

    with UnitOfWork(_engine(database)) as uow:
        try:
            case = cases.create_case(uow, {"order_no": order, "case_type": case_type, "reason": reason,
                                           "lines": _lines(line or [])}, actor)
            uow.commit()
            _echo(cases.case_view(uow, case))
        except DomainError as exc:
            raise fail(exc.message) from None


@cases_app.command("show")
def show_case(code: str, database: DatabaseOpt = None) -> None:
    """A case with its weighings and, for short shipments, the weight evidence."""
    from wms.adapters.db.uow import UnitOfWork
    from wms.domain.errors import DomainError
    from wms.services.aftersales import cases

    with UnitOfWork(_engine(database)) as uow:
        try:
            _echo(cases.case_view(uow, cases.get_case(uow, code)))
        except DomainError as exc:
            raise fail(exc.message) from None


@cases_app.command("misshipments")
def misshipments(database: DatabaseOpt = None) -> None:
    """Wrong and missing items with station, packer and time, as CSV."""
    from wms.adapters.db.uow import UnitOfWork
    from wms.services.aftersales import cases, returns

    with UnitOfWork(_engine(database)) as uow:
        typer.echo(returns.to_csv(cases.misshipment_register(uow)).lstrip("\ufeff"), nl=False)


@returns_app.command("receive")
def receive(code: str, notes: Annotated[str | None, typer.Option("--notes")] = None,
            actor: Annotated[str, typer.Option("--as")] = "returns", database: DatabaseOpt = None) -> None:
    """Receive a returned parcel by tracking number or case code."""
    from wms.adapters.db.uow import UnitOfWork
    from wms.services.aftersales import returns

    with UnitOfWork(_engine(database)) as uow:
        r = returns.receive(uow, code, actor, notes)
        uow.commit()
        typer.echo(f"receipt {r.id}: " + ("unidentified return, kept with notes" if r.unidentified else f"case id {r.case_id}"))


@returns_app.command("rates")
def rates(database: DatabaseOpt = None) -> None:
    """Return rate by SKU, by reason and by carrier."""
    from wms.adapters.db.uow import UnitOfWork
    from wms.services.aftersales import returns

    with UnitOfWork(_engine(database)) as uow:
        _echo(returns.return_rates(uow))


@returns_app.command("weigh")
def weigh(receipt: int, grams: int, station: Annotated[str | None, typer.Option("--station")] = None,
          actor: Annotated[str, typer.Option("--as")] = "returns", database: DatabaseOpt = None) -> None:
    """Weigh a received return (kept as a `return` weighing) against the claimed items."""
    from wms.adapters.db.uow import UnitOfWork
    from wms.domain.errors import DomainError
    from wms.services.aftersales import returns

    with UnitOfWork(_engine(database)) as uow:
        try:
            result = returns.weigh(uow, returns.get_receipt(uow, receipt), grams, station, actor)
            uow.commit()
        except DomainError as exc:
            raise fail(exc.message) from None
    _echo(result)


@returns_app.command("inspect")
def inspect(
    receipt: int,
    item: Annotated[list[str], typer.Option("--item", help="SKU:QTY:restock|quarantine|scrap|supplier[:BIN] (repeat)")],
    condition: Annotated[list[str], typer.Option(
        "--condition", help="What each item looks like (intact, opened, damaged, missing_parts, worn ... or words); "
                            "one per --item, or one for all")],
    actor: Annotated[str, typer.Option("--as")] = "returns",
    database: DatabaseOpt = None,
) -> None:
    """Decide each returned item; prints the put-away slip."""
    from wms.adapters.db.uow import UnitOfWork
    from wms.domain.errors import DomainError
    from wms.services.aftersales import returns

    if len(condition) not in (1, len(item)):
        raise fail(f"--condition: give one for all items or one per --item ({len(item)})")
    items = []
    for n, text in enumerate(item):
        parts = text.split(":")
        if len(parts) < 3 or not parts[1].isdigit():
            raise fail(f"--item {text!r}: write SKU:QTY:DISPOSITION[:BIN]")
        items.append({"sku": parts[0], "qty": int(parts[1]), "disposition": parts[2],
                      "bin": parts[3] if len(parts) > 3 else None,
                      "condition": condition[n if len(condition) > 1 else 0]})
    with UnitOfWork(_engine(database)) as uow:
        try:
            slips = returns.inspect(uow, returns.get_receipt(uow, receipt), items, actor)
            uow.commit()
        except DomainError as exc:
            raise fail(exc.message) from None
    for slip in slips:
        typer.echo(f"{slip['instruction']} ({slip['disposition_label']}; {slip['condition_label']})")
