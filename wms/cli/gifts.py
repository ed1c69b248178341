"""`wms gifts ...`: gift rules (赠品策略) that add gift lines to arriving orders."""

from __future__ import annotations

from typing import Annotated

import typer

from wms.cli.app import app
from wms.cli.service import DatabaseOpt, committed, fail

gifts_app = typer.Typer(help="Gift rules (赠品): gifts added to arriving orders by SKU, amount, shop, time.",
                        no_args_is_help=True)
app.add_typer(gifts_app, name="gifts")


def _sku_qty(text: str, option: str) -> tuple[str, int]:
    code, sep, qty = text.rpartition(":")
    if not sep:
        return text.strip(), 1
    if not code.strip() or not qty.strip().isdigit() or int(qty) < 1:
        raise fail(f"{option} {text!r}: write SKU or SKU:QTY, e.g. MUG:1")
    return code.strip(), int(qty)


def _describe(rule: dict) -> str:
    when = []
    if rule["sku"]:
        when.append(f"buys {rule['min_qty']} × {rule['sku']}")
    if rule["min_amount"] is not None:
        when.append(f"pays ≥ {rule['min_amount']}")
    if rule["shop"]:
        when.append(f"shop {rule['shop']}")
    if rule["starts_at"] or rule["ends_at"]:
        when.append(f"paid {rule['starts_at'] or '…'} – {rule['ends_at'] or '…'}")
    state = "" if rule["active"] else " [stopped]"
    return (f"{rule['id']}: {rule['name']}{state}: {rule['gift_qty']} × {rule['gift_sku']} "
            f"{'each time ' if rule['repeat'] else ''}when " + ", ".join(when))


@gifts_app.command("add")
def add(name: str,
        gift: Annotated[str, typer.Option("--gift", help="The gift as SKU[:QTY], e.g. MUG:1")],
        sku: Annotated[str | None, typer.Option("--sku", help="Bought SKU[:MIN_QTY] that earns it")] = None,
        min_amount: Annotated[str | None, typer.Option("--min-amount", help="Order paid at least this (元)")] = None,
        shop: Annotated[str | None, typer.Option("--shop", help="Only this shop's orders")] = None,
        start: Annotated[str | None, typer.Option("--from", help="Paid from (ISO time, Beijing if no zone)")] = None,
        until: Annotated[str | None, typer.Option("--until", help="Paid before (ISO time)")] = None,
        repeat: Annotated[bool, typer.Option("--repeat", help="Once per full MIN_QTY / amount (每满送)")] = False,
        database: DatabaseOpt = None) -> None:
    """Add a gift rule: orders arriving from now on that meet it get the gift as a line of their own."""
    from wms.services.orders import gifts

    gift_sku, gift_qty = _sku_qty(gift, "--gift")
    bought, min_qty = _sku_qty(sku, "--sku") if sku else (None, 1)
    data = {"name": name, "gift_sku": gift_sku, "gift_qty": gift_qty, "sku": bought, "min_qty": min_qty,
            "min_amount": min_amount, "shop": shop, "starts_at": start, "ends_at": until, "repeat": repeat}
    view = committed(database, lambda uow: gifts.rule_view(gifts.add_rule(uow, data, "cli")))
    typer.echo("gift rule " + _describe(view))


@gifts_app.command("list")
def list_(stopped: Annotated[bool, typer.Option("--stopped", help="Show stopped rules too")] = False,
          database: DatabaseOpt = None) -> None:
    """The gift rules in force."""
    from wms.services.orders import gifts

    rules = committed(database, lambda uow: gifts.list_rules(uow, include_stopped=stopped))
    for rule in rules:
        typer.echo(_describe(rule))
    if not rules:
        typer.echo("no gift rules")


@gifts_app.command("stop")
def stop(rule_id: int, database: DatabaseOpt = None) -> None:
    """Stop a rule: arriving orders get nothing from it; orders that got its gift keep it."""
    from wms.services.orders import gifts

    view = committed(database, lambda uow: gifts.rule_view(gifts.stop_rule(uow, rule_id)))
    typer.echo("stopped " + _describe(view))
