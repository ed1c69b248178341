"""`wms platforms ...`: shop accounts, pulling their orders, alerts, and the tracking-upload outbox."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from wms.cli.app import app
from wms.cli.service import DatabaseOpt, _engine, committed, fail

platforms_app = typer.Typer(help="Shop platforms: orders in (订单同步), tracking numbers out (发货回传).",
                            no_args_is_help=True)
app.add_typer(platforms_app, name="platforms")


@platforms_app.command("add")
def add(
    name: str,
    kind: Annotated[str, typer.Option("--kind", help="taobao, douyin, pinduoduo or file (cainiao: an e-waybill account)")],
    url: Annotated[str, typer.Option("--url", help="API address (https://eco.taobao.com/router/rest, "
                                                   "https://openapi-fxg.jinritemai.com) or, for file, a folder")] = "",
    shop: Annotated[str | None, typer.Option("--shop", help="The shop's name on our orders")] = None,
    app_key: Annotated[str | None, typer.Option("--app-key")] = None,
    secret: Annotated[str | None, typer.Option("--secret", help="The app secret")] = None,
    token: Annotated[str | None, typer.Option("--token", help="The shop's session / access token")] = None,
    upload_on: Annotated[str | None, typer.Option("--upload-on", help="handover (default), packed or never")] = None,
    ship_by_hours: Annotated[int | None, typer.Option("--ship-by-hours",
                                                         help="Promise when the platform gives none (default 48)")] = None,
    interval: Annotated[int | None, typer.Option("--interval", help="Seconds between pulls in wms serve; 0: off")] = None,
    ship_available: Annotated[bool | None, typer.Option(
        "--ship-available/--ship-whole",
        help="An order short of stock ships what is there and the rest follows (缺货先发), or waits whole")] = None,
    database: DatabaseOpt = None,
) -> None:
    """Add a shop account, or change the settings given."""
    from wms.adapters.db.uow import UnitOfWork
    from wms.domain.errors import DomainError
    from wms.services.platforms import shops

    with UnitOfWork(_engine(database)) as uow:
        try:
            row, created = shops.add_platform(
                uow, name, kind, url=url, shop=shop, app_key=app_key, app_secret=secret, access_token=token,
                upload_on=upload_on, ship_by_hours=ship_by_hours, pull_interval_s=interval,
                ship_available=ship_available)
            uow.commit()
        except DomainError as exc:
            raise fail(exc.message) from None
    typer.echo(f"platform {row.name} ({row.kind}) {'added' if created else 'changed'}: shop {row.shop or '-'}, "
               f"{row.url or '-'}, tracking sent on {row.upload_on}, ship-by {row.ship_by_hours} h after payment, "
               f"pulled every {row.pull_interval_s} s"
               + ("; short orders ship what is there (缺货先发)" if row.ship_available else ""))


@platforms_app.command("authorise")
def authorise(
    name: str,
    code: Annotated[str, typer.Option("--code", help="The code the shop's authorisation page handed back")],
    database: DatabaseOpt = None,
) -> None:
    """Take a 抖店 shop's tokens with its authorisation code; they are renewed before they run out."""
    from wms.adapters.platforms import PlatformError
    from wms.domain.errors import DomainError
    from wms.services.platforms import tokens

    try:
        kept = tokens.authorise(_engine(database), name, code)
    except DomainError as exc:
        raise fail(exc.message) from None
    except PlatformError as exc:
        raise fail(f"{name}: the platform refused the code ({exc.code}): {exc.message}") from None
    typer.echo(f"platform {name} authorised: the access token runs to {kept['expires_at']} and is renewed "
               "in its last hour by pulls and uploads")


@platforms_app.command("list")
def list_(database: DatabaseOpt = None, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Every platform with its cursor, last pull and last error."""
    from wms.adapters.db.uow import UnitOfWork
    from wms.services.platforms import shops

    with UnitOfWork(_engine(database)) as uow:
        rows = [shops.platform_view(r) for r in shops.list_platforms(uow)]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    for r in rows:
        state = f"ERROR {r['last_error_code']}: {r['last_error']}" if r["last_error"] else "ok"
        typer.echo(f"{r['name']:14s} {r['kind']:7s} {r['shop'] or '-':14s} cursor {r['cursor'] or '-':25s} {state}")


@platforms_app.command("pull")
def pull(
    name: str,
    since: Annotated[str | None, typer.Option("--since", help="ISO time to read from instead of the cursor")] = None,
    page_size: Annotated[int, typer.Option("--page-size", min=1, max=100)] = 100,
    database: DatabaseOpt = None,
) -> None:
    """Pull orders modified since the cursor; new ones import once, changed ones are held or alerted."""
    from wms.domain.errors import DomainError
    from wms.domain.incoming import parse_time
    from wms.services.platforms import sync

    engine = _engine(database)
    try:
        start = parse_time(since, "--since") if since else None
        report = sync.pull(engine, name, since=start, page_size=page_size, actor="cli")
    except DomainError as exc:
        raise fail(exc.message) from None
    typer.echo(f"{name}: imported {report.imported}, already present {report.already_present}, "
               f"changed {report.changed}, unchanged {report.unchanged}, skipped {report.skipped}, "
               f"rejected {len(report.rejected)}, pages {report.pages}; cursor {report.cursor or '-'}")
    for line in report.held:
        typer.echo(f"  on hold  {line}")
    for line in report.alerts:
        typer.echo(f"  ALERT    {line}")
    for line in report.rejected:
        typer.echo(f"  rejected {line}")
    if report.error:
        raise fail(f"{name}: pull stopped ({report.error['code']}): {report.error['message']}; "
                   "what was read is kept, the next pull resumes from the cursor", 1)


@platforms_app.command("alerts")
def alerts(all_: Annotated[bool, typer.Option("--all", help="Resolved ones too")] = False,
           database: DatabaseOpt = None) -> None:
    """Changes a person must act on (a packed order's buyer changed the address, asked for a refund...)."""
    from wms.adapters.db.uow import UnitOfWork
    from wms.services.platforms import shops

    with UnitOfWork(_engine(database)) as uow:
        rows = shops.list_alerts(uow, open_only=not all_)
        for a in rows:
            done = f"  (resolved by {a.resolved_by})" if a.resolved_at else ""
            typer.echo(f"#{a.id:<5d} {a.created_at:%Y-%m-%d %H:%M} {a.platform:10s} {a.kind:17s} {a.message}{done}")
    if not rows:
        typer.echo("no open alerts")


@platforms_app.command("resolve")
def resolve(alert_id: int, who: Annotated[str, typer.Option("--as")] = "cli", database: DatabaseOpt = None) -> None:
    """Mark an alert as dealt with."""
    from wms.services.platforms import shops

    committed(database, lambda uow: shops.resolve_alert(uow, alert_id, who))
    typer.echo(f"alert {alert_id} resolved")


@platforms_app.command("outbox")
def outbox(
    status: Annotated[str | None, typer.Option("--status", help="queued, sending, sent or failed")] = None,
    send: Annotated[bool, typer.Option("--send", help="Send what is due now, then list")] = False,
    retry: Annotated[int | None, typer.Option("--retry", help="Queue a failed upload again")] = None,
    limit: Annotated[int, typer.Option("--limit")] = 50,
    database: DatabaseOpt = None,
) -> None:
    """Tracking numbers waiting to go back to the platforms (发货回传), with their attempts and errors."""
    show_outbox(database, status, send, retry, limit)


def show_outbox(database: str | None, status: str | None, send: bool, retry: int | None, limit: int,
                kind: str | None = None) -> None:
    """The outbox as `wms platforms outbox` and `wms erp outbox` print it (`kind`: one kind of platform)."""
    from wms.adapters.db.uow import UnitOfWork
    from wms.domain.errors import DomainError
    from wms.services.platforms import upload_worker, uploads

    engine = _engine(database)
    if retry is not None:
        with UnitOfWork(engine) as uow:
            try:
                uploads.retry(uow, retry)
                uow.commit()
            except DomainError as exc:
                raise fail(exc.message) from None
        typer.echo(f"upload {retry} queued again")
    if send:
        sent = upload_worker.run_once(engine, "cli")
        typer.echo(f"sent {sent}")
    with UnitOfWork(engine) as uow:
        counts = uploads.counts(uow)
        rows = uploads.list_uploads(uow, status, limit, kind=kind)
    typer.echo("outbox: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    for u in rows:
        due = f" next {u.next_attempt_at:%H:%M:%S}" if u.status == "queued" and u.next_attempt_at else ""
        err = f"  {u.last_error_code}: {u.last_error}" if u.last_error else ""
        typer.echo(f"#{u.id:<6d} {u.status:8s} {u.platform:10s} {u.order_no:22s} {u.carrier:5s} {u.tracking_no:18s} "
                   f"tries {u.attempts}{due}{err}")
    if not rows:
        typer.echo("nothing" + (f" {status}" if status else "") + " in the outbox" + (f" for {kind}" if kind else ""))


