"""`wms erp ...`: the sellers' ERPs that drive the warehouse over 奇门 (Qimen)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from wms.cli.app import app
from wms.cli.service import DatabaseOpt, _engine, committed, fail

erp_app = typer.Typer(help="ERPs (聚水潭, 旺店通, 吉客云...) calling POST /qimen, and where we call them back.",
                      no_args_is_help=True)
app.add_typer(erp_app, name="erp")


@erp_app.command("add")
def add(
    name: str,
    app_key: Annotated[str, typer.Option("--app-key", help="The ERP's Qimen app key")],
    secret: Annotated[str, typer.Option("--secret", help="The app secret, or env:NAME to read it from the environment")],
    customer_id: Annotated[str, typer.Option("--customer-id", help="The customerId the ERP sends for this warehouse")],
    callback_url: Annotated[str, typer.Option("--callback-url", help="Where deliveryorder.confirm goes")] = "",
    kind: Annotated[str, typer.Option("--kind", help="How the ERP talks to us: qimen (the only one so far)")] = "qimen",
    database: DatabaseOpt = None,
) -> None:
    """Register an ERP (or change it): its calls are checked against these, its callbacks signed with them."""
    if kind.strip().lower() != "qimen":
        raise fail(f"--kind {kind}: an ERP talks to the warehouse over qimen (奇门); no other kind is served")
    from wms.adapters.db.uow import UnitOfWork
    from wms.domain.errors import DomainError
    from wms.services.platforms import erps

    with UnitOfWork(_engine(database)) as uow:
        try:
            row = erps.add_erp(uow, name, app_key, secret, customer_id, callback_url)
            uow.commit()
        except DomainError as exc:
            raise fail(exc.message) from None
        view = erps.erp_view(row)
    typer.echo(f"ERP {view['name']}: app key {view['app_key']}, customer {view['customer_id']}, secret {view['secret']}, "
               f"callbacks to {view['callback_url'] or '(none)'}; it calls POST /qimen")


@erp_app.command("list")
def list_(database: DatabaseOpt = None, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The ERPs registered here (secrets never shown)."""
    from wms.adapters.db.uow import UnitOfWork
    from wms.services.platforms import erps

    with UnitOfWork(_engine(database)) as uow:
        rows = [erps.erp_view(r) for r in erps.erps(uow)]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    for r in rows:
        typer.echo(f"{r['name']:14s} app key {r['app_key']:12s} customer {r['customer_id']:12s} "
                   f"secret {r['secret']:14s} {r['callback_url'] or '-'}")


@erp_app.command("outbox")
def outbox(
    status: Annotated[str | None, typer.Option("--status", help="queued, sending, sent or failed")] = None,
    send: Annotated[bool, typer.Option("--send", help="Send what is due now, then list")] = False,
    retry: Annotated[int | None, typer.Option("--retry", help="Queue a failed confirmation again")] = None,
    limit: Annotated[int, typer.Option("--limit")] = 50,
    database: DatabaseOpt = None,
) -> None:
    """What waits to go back to the ERPs, with attempts and errors: shipments' confirmations
    (deliveryorder.confirm), then the other messages (entryorder.confirm ...)."""
    from wms.adapters.db.uow import UnitOfWork
    from wms.cli.platforms import show_outbox
    from wms.services.platforms import erp_outbox, erps

    show_outbox(database, status, send, retry, limit, kind=erps.KIND)
    engine = _engine(database)
    if send:
        typer.echo(f"messages sent {erp_outbox.run_once(engine, 'cli')}")
    with UnitOfWork(engine) as uow:
        counts, rows = erp_outbox.counts(uow), erp_outbox.list_messages(uow, status, limit)
    typer.echo("messages: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    for m in rows:
        err = f"  {m.last_error_code}: {m.last_error}" if m.last_error else ""
        typer.echo(f"#{m.id:<6d} {m.status:8s} {m.platform:10s} {m.method:34s} {m.code:22s} tries {m.attempts}{err}")


@erp_app.command("entries")
def entries(all_: Annotated[bool, typer.Option("--all", help="Closed ones too")] = False,
            database: DatabaseOpt = None) -> None:
    """Expected receipts (入库单) the ERPs announced: each item planned and received so far."""
    from wms.adapters.db.uow import UnitOfWork
    from wms.services.platforms import entry_orders

    with UnitOfWork(_engine(database)) as uow:
        views = [entry_orders.entry_view(r) for r in entry_orders.list_entries(uow, open_only=not all_)]
    for v in views:
        lines = ", ".join(f"{l['sku']} {l['received']}/{l['planned']}" for l in v["lines"])
        typer.echo(f"{v['code']:20s} {v['erp']:10s} {v['type']:6s} {v['status']:14s} {lines}")
    if not views:
        typer.echo("no open entry orders")


@erp_app.command("receive")
def receive(code: str, sku: str, bin_code: Annotated[str, typer.Argument(metavar="BIN")], qty: int,
            who: Annotated[str, typer.Option("--by", help="Who received the units")] = "receiving",
            database: DatabaseOpt = None) -> None:
    """Units of an announced item put into a bin, against the entry order CODE."""
    _entry_step(database, lambda uow, entry_orders: entry_orders.receive(uow, code, sku, bin_code, qty, who))


@erp_app.command("close")
def close(code: str, who: Annotated[str, typer.Option("--by", help="Who closed the receipt")] = "receiving",
          database: DatabaseOpt = None) -> None:
    """The receipt is done: entryorder.confirm with the units that came goes back to the ERP."""
    _entry_step(database, lambda uow, entry_orders: entry_orders.close(uow, code, who))


def _entry_step(database: str | None, step: object) -> None:
    from wms.services.platforms import entry_orders

    view = committed(database, lambda uow: entry_orders.entry_view(step(uow, entry_orders)))  # type: ignore[operator]
    lines = ", ".join(f"{l['sku']} {l['received']}/{l['planned']}" for l in view["lines"])
    typer.echo(f"entry order {view['code']}: {view['status']}, {lines}")
