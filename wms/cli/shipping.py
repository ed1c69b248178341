"""`wms carriers`, `wms pools`, `wms handover`: carrier set-up and the daily handover from the shell."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from wms.cli.app import app
from wms.cli.service import DatabaseOpt, _engine, committed, fail

carriers_app = typer.Typer(help="Carriers: who ships where, COD, weight limits.", no_args_is_help=True)
pools_app = typer.Typer(help="Tracking-number pools bought from the carriers.", no_args_is_help=True)
handover_app = typer.Typer(help="Daily handover (交接) to the couriers, with manifests.", no_args_is_help=True)
app.add_typer(carriers_app, name="carriers")
app.add_typer(pools_app, name="pools")
app.add_typer(handover_app, name="handover")

ActorOpt = Annotated[str, typer.Option("--as", help="Name recorded as who did it")]


@carriers_app.command("list")
def carriers_list(database: DatabaseOpt = None) -> None:
    """Print the carriers with their rules and how many tracking numbers each has left."""
    from wms.adapters.db.uow import UnitOfWork
    from wms.config import get_settings
    from wms.services.shipping import carrier_setup

    with UnitOfWork(_engine(database)) as uow:
        rows = carrier_setup.list_carriers(uow)
        left = {c["carrier"]: c["remaining"] for c in
                carrier_setup.pool_status(uow, get_settings().tracking_pool_low_water)["carriers"]}
    if not rows:
        typer.echo("no carriers; load some with `wms carriers load FILE`")
    from wms.services.shipping.waybill_numbers import provider_view

    for c in rows:
        flags = ", ".join(f for f, on in (("default", c.is_default), ("fallback", c.is_fallback), ("COD", c.cod)) if on)
        reach = ", ".join(c.regions) + (f" except {', '.join(c.excluded_regions)}" if c.excluded_regions else "")
        limit = f"{c.max_weight_g} g" if c.max_weight_g else "no limit"
        if (c.provider or "pool") == "pool":
            numbers = f"{left.get(c.code, 0)} numbers left"
        else:
            with UnitOfWork(_engine(database)) as uow:
                p = provider_view(uow, c)
            numbers = (f"numbers from {p['provider']} (account {p['account']}, cp_code {p['cp_code']}"
                       + (f", customer code {p['customer_code']}" if p["customer_code"] else "")
                       + f", {p['url'] or 'no url'}, secret {'set' if p['secret_set'] else 'NOT SET'})")
        typer.echo(f"{c.code:6s} {c.name}  [{flags or '-'}]  reaches {reach}; max {limit}; {numbers}")


@carriers_app.command("set")
def carriers_set(
    code: Annotated[str, typer.Argument(help="Carrier code, e.g. ZTO")],
    provider: Annotated[str, typer.Option("--provider", help="pool (pre-bought ranges, the default) or cainiao "
                                                             "(菜鸟电子面单: numbers asked at packing)")],
    url: Annotated[str | None, typer.Option("--url", help="Cainiao TOP gateway, https://eco.taobao.com/router/rest "
                                                         "(an emulator's for a trial)")] = None,
    app_key: Annotated[str | None, typer.Option("--app-key")] = None,
    secret: Annotated[str | None, typer.Option("--secret", help="App secret, or env:NAME to read it from "
                                                               "the environment variable NAME when used")] = None,
    token: Annotated[str | None, typer.Option("--token", help="The seller's session (授权), or env:NAME")] = None,
    cp_code: Annotated[str | None, typer.Option("--cp-code", help="Cainiao's code of the carrier "
                                                                 "(default: ours mapped, e.g. YD -> YUNDA)")] = None,
    customer_code: Annotated[str | None, typer.Option("--customer-code",
                                                      help="Customer code / 月结账号, for carriers that need one")] = None,
    account: Annotated[str | None, typer.Option("--account", help="Name of the e-waybill account "
                                                                 "(default: cainiao); carriers may share one")] = None,
    database: DatabaseOpt = None,
) -> None:
    """Say where a carrier's tracking numbers come from; secrets are stored, never printed."""
    from wms.adapters.db.uow import UnitOfWork
    from wms.domain.errors import DomainError
    from wms.services.shipping.waybill_numbers import provider_view, set_provider

    with UnitOfWork(_engine(database)) as uow:
        try:
            row = set_provider(uow, code, provider.strip().lower(), account=account, url=url, app_key=app_key,
                               secret=secret, token=token, cp_code=cp_code, customer_code=customer_code)
        except DomainError as exc:
            raise fail(exc.message) from None
        uow.commit()
        view = provider_view(uow, row)
    if view["provider"] == "pool":
        typer.echo(f"carrier {row.code}: numbers from its pool")
        return
    typer.echo(f"carrier {row.code}: numbers from cainiao, account {view['account']}, cp_code {view['cp_code']}"
               + (f", customer code {view['customer_code']}" if view["customer_code"] else "")
               + f", {view['url']}; secret {'from the environment' if view['secret_from_env'] else 'stored'}")


@carriers_app.command("load")
def carriers_load(
    file: Annotated[Path, typer.Argument(help="JSON list of carriers, as fixtures/carriers.json")],
    database: DatabaseOpt = None,
) -> None:
    """Create or update carriers and their pools from a file; loading twice adds nothing."""
    from wms.adapters.db.uow import UnitOfWork
    from wms.domain.errors import DomainError
    from wms.services.shipping import carrier_setup

    if not file.is_file():
        raise fail(f"no such file: {file}")
    try:
        data = json.loads(file.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise fail(f"{file} is not a JSON file: {exc}") from None
    with UnitOfWork(_engine(database)) as uow:
        try:
            counts = carrier_setup.load_carriers(uow, data)
        except DomainError as exc:
            raise fail(exc.message) from None
        except (KeyError, TypeError, ValueError) as exc:
            raise fail(f"{file}: a carrier or pool lacks or mistypes a field ({exc})") from None
        uow.commit()
    typer.echo(f"carriers created {counts['created']}, updated {counts['updated']}; "
               f"pools added {counts['pools_added']}, already present {counts['pools_present']}")


@pools_app.command("add")
def pools_add(
    carrier: Annotated[str, typer.Option("--carrier", help="Carrier code, e.g. SF")],
    start: Annotated[int, typer.Option("--start", min=0, help="First number of the range (the counter value)")],
    end: Annotated[int, typer.Option("--end", min=0, help="Last number of the range")],
    prefix: Annotated[str, typer.Option("--prefix", help="Letters printed before the number")] = "",
    suffix: Annotated[str, typer.Option("--suffix", help="Letters printed after it (S10: country, e.g. CN)")] = "",
    digits: Annotated[int | None, typer.Option("--digits", min=1, max=18,
                                                  help="Zero-padded width (plain; default 12)")] = None,
    scheme: Annotated[str, typer.Option("--scheme", help="plain, or s10 (UPU, with check digit)")] = "plain",
    database: DatabaseOpt = None,
) -> None:
    """Load a purchased range of tracking numbers; an overlapping range is refused."""
    from wms.adapters.db.uow import UnitOfWork
    from wms.domain.errors import DomainError
    from wms.services.shipping import carrier_setup

    with UnitOfWork(_engine(database)) as uow:
        try:
            pool = carrier_setup.add_pool(uow, carrier, prefix, suffix, digits, start, end, scheme)
        except DomainError as exc:
            raise fail(exc.message) from None
        uow.commit()
        view = next(p for p in carrier_setup.pool_status(uow, 0)["pools"] if p["id"] == pool.id)
    typer.echo(f"pool {view['id']} for {view['carrier']}: {view['first_number']} .. {view['last_number']} "
               f"({view['size']} numbers)")


@pools_app.command("status")
def pools_status(database: DatabaseOpt = None) -> None:
    """Numbers left per pool and carrier; warns where a carrier is below the low-water mark."""
    from wms.adapters.db.uow import UnitOfWork
    from wms.config import get_settings
    from wms.services.shipping import carrier_setup

    with UnitOfWork(_engine(database)) as uow:
        status = carrier_setup.pool_status(uow, get_settings().tracking_pool_low_water)
    for p in status["pools"]:
        typer.echo(f"pool {p['id']:<4} {p['carrier']:6s} {p['first_number']} .. {p['last_number']}  "
                   f"used {p['used']}, left {p['remaining']}{'  LOW' if p['low'] else ''}")
    for c in status["carriers"]:
        typer.echo(f"{c['carrier']:6s} {c['remaining']} left in {c['pools']} pool(s)")
    for w in status["warnings"]:
        typer.secho(f"warning: {w}", err=True, fg=typer.colors.YELLOW)


@handover_app.command("open")
def handover_open(
    carrier: Annotated[str, typer.Option("--carrier", help="Carrier whose courier is loading, e.g. SF")],
    database: DatabaseOpt = None,
) -> None:
    """Start a scan-out (扫描交接): parcels are then scanned onto it one by one."""
    from wms.services.shipping import scan_out

    batch = committed(database, lambda uow: scan_out.open_batch(uow, carrier))
    typer.echo(f"handover {batch.id} open for {batch.carrier}: wms handover scan {batch.id} TRACKING_NO ...")


@handover_app.command("scan")
def handover_scan(
    handover_id: Annotated[int, typer.Argument(help="The open handover's id")],
    codes: Annotated[list[str], typer.Argument(help="Tracking numbers, as the labels' barcodes read")],
    database: DatabaseOpt = None,
) -> None:
    """Scan parcels onto an open handover; one that must not go (intercepted, voided, another
    carrier's) is refused loudly and the rest still count."""
    from wms.adapters.db.uow import UnitOfWork
    from wms.domain.errors import DomainError
    from wms.services.shipping import scan_out

    refused = 0
    for code in codes:
        with UnitOfWork(_engine(database)) as uow:
            try:
                answer = scan_out.scan(uow, handover_id, code)
                uow.commit()
            except DomainError as exc:
                refused += 1
                typer.secho(f"{code}: {exc.message}", err=True, fg=typer.colors.RED)
                continue
        typer.echo(f"{code}: {'scanned before' if answer['already_scanned'] else 'on'} handover {handover_id} "
                   f"({answer['scanned']} scanned)")
    if refused:
        raise typer.Exit(1)


@handover_app.command("close")
def handover_close(
    handover_id: Annotated[int | None, typer.Argument(help="A scan-out handover to close (ships what was scanned)")] = None,
    carrier: Annotated[str | None, typer.Option("--carrier", help="Without an id: ship ALL of this carrier's packed parcels")] = None,
    database: DatabaseOpt = None,
    actor: ActorOpt = "cli",
) -> None:
    """Close a scan-out handover (its scanned parcels are shipped; the unscanned are listed), or,
    with --carrier and no id, hand over every packed parcel of the carrier at once."""
    from wms.services.shipping import handover, scan_out

    if (handover_id is None) == (carrier is None):
        raise fail("give a handover id (scan-out) or --carrier (take all), one of the two")
    if handover_id is not None:
        batch, left = committed(database, lambda uow: scan_out.close(uow, handover_id, actor))
    else:
        batch, left = committed(database, lambda uow: handover.close_handover(uow, carrier or "", actor)), []
    if left:
        typer.secho(f"not scanned, staying here: {', '.join(left)}", err=True, fg=typer.colors.YELLOW)
    typer.echo(f"handover batch {batch.id}: {batch.parcels} parcels, {batch.total_weight_g} g, to {batch.carrier}; "
               f"manifest: wms handover manifest {batch.id} --format pdf -o handover-{batch.id}.pdf")


@handover_app.command("list")
def handover_list(
    carrier: Annotated[str | None, typer.Option("--carrier", help="Only this carrier")] = None,
    day: Annotated[str | None, typer.Option("--date", help="Warehouse day YYYY-MM-DD (China time)")] = None,
    database: DatabaseOpt = None,
) -> None:
    """List handover batches, newest first."""
    from datetime import date

    from wms.adapters.db.uow import UnitOfWork
    from wms.services.shipping import handover

    try:
        when = date.fromisoformat(day) if day else None
    except ValueError:
        raise fail(f"--date {day!r} is not YYYY-MM-DD") from None
    with UnitOfWork(_engine(database)) as uow:
        rows = handover.list_handovers(uow, carrier, when)
    if not rows:
        typer.echo("no handover batches")
    for r in rows:
        typer.echo(f"#{r['id']:<5} {r['carrier']:6s} {r['closed_at_local']}  {r['parcels']} parcels  "
                   f"{r['total_weight_g']} g  by {r['closed_by']}")


@handover_app.command("manifest")
def handover_manifest(
    handover_id: Annotated[int, typer.Argument(help="Handover batch id")],
    fmt: Annotated[str, typer.Option("--format", help="csv or pdf")] = "pdf",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="File to write (default: stdout for csv)")] = None,
    database: DatabaseOpt = None,
) -> None:
    """Write a batch's manifest (快递交接清单) as CSV or a signable A4 PDF."""
    from wms.adapters.db.uow import UnitOfWork
    from wms.domain.errors import DomainError
    from wms.services.shipping import handover

    if fmt not in ("csv", "pdf"):
        raise fail(f"--format {fmt!r}: choose csv or pdf")
    if fmt == "pdf" and output is None:
        raise fail("a PDF needs a file: add -o FILE")
    with UnitOfWork(_engine(database)) as uow:
        try:
            view = handover.handover_view(uow, handover_id)
        except DomainError as exc:
            raise fail(exc.message) from None
    if fmt == "csv":
        text = handover.manifest_csv(view)
        if output is None:
            typer.echo(text.lstrip("\ufeff"), nl=False)
            return
        data = text.encode("utf-8")
    else:
        from printing.fonts import FontNotFound
        from wms.adapters.reports.manifest_pdf import render_manifest_pdf

        try:
            data = render_manifest_pdf(view)
        except FontNotFound as exc:
            raise fail(str(exc)) from None
    try:
        output.write_bytes(data)
    except OSError as exc:
        raise fail(f"cannot write {output}: {exc.strerror}") from None
    typer.echo(f"manifest of batch {handover_id} ({view['parcels']} parcels) written to {output}")
