"""`wms serve`, `wms demo`, `wms db upgrade`, `wms token create`: running and setting up the service."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from wms.cli.app import app

db_app = typer.Typer(help="Database schema commands.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens for stations, staff and integrations.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(token_app, name="token")

DatabaseOpt = Annotated[
    str | None,
    typer.Option("--database", help="Database URL (sqlite:///path.db or postgresql://...); default from WMS_DATABASE_URL."),
]


def fail(message: str, code: int = 2) -> typer.Exit:
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(code)


T = TypeVar("T")


def committed(database: str | None, step: Callable[[Any], T]) -> T:
    """Run `step(uow)` in one unit of work on the database and commit it; a domain refusal is
    the command's error message (exit 2) and nothing is saved."""
    from wms.adapters.db.uow import UnitOfWork
    from wms.domain.errors import DomainError

    with UnitOfWork(_engine(database)) as uow:
        try:
            result = step(uow)
            uow.commit()
        except DomainError as exc:
            raise fail(exc.message) from None
    return result


def _engine(database: str | None):  # type: ignore[no-untyped-def]
    from sqlalchemy.exc import SQLAlchemyError

    from wms.adapters.db.engine import make_engine
    from wms.adapters.db.migrate import upgrade
    from wms.config import get_settings

    url = database or get_settings().database_url
    try:
        engine = make_engine(url, get_settings().db_busy_timeout_s)
        upgrade(engine)
    except (SQLAlchemyError, OSError, ValueError) as exc:
        raise fail(f"cannot open or upgrade the database {url}: {str(exc).splitlines()[0]}") from None
    return engine


@db_app.command("upgrade")
def db_upgrade(database: DatabaseOpt = None) -> None:
    """Create the schema or upgrade it to the newest revision."""
    from wms.adapters.db.migrate import current_revision

    engine = _engine(database)
    typer.echo(f"database at revision {current_revision(engine)}")


@token_app.command("create")
def token_create(
    role: Annotated[str, typer.Option("--role", help="packer, supervisor, after_sales or admin")],
    name: Annotated[str, typer.Option("--name", help="Who or what uses the token")],
    lifetime: Annotated[float | None, typer.Option(
        "--lifetime", help="Seconds the token works (default WMS_TOKEN_LIFETIME_S); a station agent refreshes its own")] = None,
    database: DatabaseOpt = None,
) -> None:
    """Print a new bearer token for ROLE (creates the schema if the database is new)."""
    from wms.adapters.db.uow import UnitOfWork
    from wms.config import get_settings
    from wms.domain.errors import DomainError
    from wms.services.people.auth import create_token

    engine = _engine(database)
    with UnitOfWork(engine) as uow:
        try:
            token = create_token(uow, role, name, lifetime_s=lifetime or get_settings().token_lifetime_s)
            uow.commit()
            typer.echo(token)
        except DomainError as exc:
            raise fail(exc.message) from None


def _run(engine, host: str, port: int, print_worker: bool = True, station=None,  # type: ignore[no-untyped-def]
         workers: int = 1) -> None:
    """Serve until stopped: one process, or `workers` that each build the app from the environment."""
    import os

    import uvicorn

    from wms.app import serving_app
    from wms.config import get_settings
    from wms.services.labels.print_worker import print_worker_thread

    worker = print_worker_thread(engine) if print_worker else None
    if worker:
        worker.start()
    from wms.services.platforms.erp_outbox import erp_outbox_thread
    from wms.services.platforms.scheduler import PullScheduler
    from wms.services.platforms.upload_worker import upload_worker_thread

    platform_threads = ([PullScheduler(engine), upload_worker_thread(engine), erp_outbox_thread(engine)]
                        if get_settings().platform_sync else [])
    for thread in platform_threads:
        thread.start()
    try:
        options = dict(host=host, port=port, log_level="warning" if station else "info",
                       access_log=get_settings().access_log)
        if workers > 1:  # each worker process builds its own app and engine from the environment
            os.environ["WMS_DATABASE_URL"] = engine.url.render_as_string(hide_password=False)
            uvicorn.run("wms.app:serving_app", factory=True, workers=workers, **options)  # type: ignore[arg-type]
        else:
            uvicorn.run(serving_app(engine), **options)  # type: ignore[arg-type]
    finally:
        if worker:
            worker.stop()
        for thread in platform_threads:
            thread.stop()
        if station:
            station.stop()


@app.command("serve")
def serve(
    database: DatabaseOpt = None,
    host: Annotated[str | None, typer.Option("--host", help="Address to listen on")] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port to listen on")] = None,
    print_worker: Annotated[bool, typer.Option("--print-worker/--no-print-worker",
                                               help="Send queued labels to network/serial printers")] = True,
    workers: Annotated[int | None, typer.Option("--workers", min=1, max=64,
                                                   help="Service processes (default WMS_WORKERS, 1)")] = None,
) -> None:
    """Run the service, creating or upgrading the database schema first."""
    from wms.config import get_settings

    settings = get_settings()
    engine = _engine(database)
    _run(engine, host or settings.host, port or settings.port, print_worker, workers=workers or settings.workers)


DEMO_PASSWORD = "demo1234"
DEMO_USERS = (("admin", "admin"), ("supervisor", "supervisor"), ("packer", "packer"), ("aftersales", "after_sales"))


def _demo_users(uow) -> None:  # type: ignore[no-untyped-def]
    from wms.domain.errors import Conflict
    from wms.services.people.auth import create_user

    for username, role in DEMO_USERS:
        try:
            create_user(uow, username, DEMO_PASSWORD, role)
            uow.commit()
        except Conflict:
            uow.rollback()


@app.command("demo")
def demo(
    database: Annotated[str, typer.Option("--database", help="Database URL for the demo")] = "sqlite:///./var/demo.db",
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port")] = 8000,
    fixtures: Annotated[Path | None, typer.Option("--fixtures", help="Fixture folder")] = None,
    load_only: Annotated[bool, typer.Option("--load-only", help="Load the demo data and exit")] = False,
    station: Annotated[bool, typer.Option("--station/--no-station",
                                          help="Run emulated scanner, scale and printer with a station agent as PK-01")] = True,
) -> None:
    """Run the service on an embedded SQLite file loaded with the demo warehouse."""
    from wms.adapters.db.uow import UnitOfWork
    from wms.config import get_settings
    from wms.services.fixtures import load_demo
    from wms.services.people.auth import create_token

    directory = fixtures or get_settings().fixtures_dir
    if not (directory / "layout.json").exists():
        raise fail(f"no demo fixtures in {directory}; pass --fixtures DIR")
    engine = _engine(database)
    with UnitOfWork(engine) as uow:
        counts = load_demo(uow, directory)
        lifetime = get_settings().token_lifetime_s
        tokens = {role: create_token(uow, role, f"demo-{role}", lifetime_s=lifetime) for role in ("admin", "supervisor", "packer", "after_sales")}
        uow.commit()
        _demo_users(uow)
    typer.echo(f"demo data loaded: {counts}")
    typer.echo(f"page logins (password {DEMO_PASSWORD}): " + ", ".join(u for u, _ in DEMO_USERS))
    for role, token in tokens.items():
        typer.echo(f"  {role:12s} token: {token}")
    typer.echo(f"WMS demo running at http://{host}:{port}/  (API docs: http://{host}:{port}/docs)")
    if load_only:
        return
    demo_station = None
    if station:
        from scanners.agent.demo import DemoStation
        from wms.adapters.db.tables import Printer

        with UnitOfWork(engine) as uow:  # PK-01's labels go to the agent's emulated printer
            printer = uow.session.get(Printer, "PRN-PK-01")
            if printer is not None:
                printer.url = "agent://PK-01"
                uow.session.add(printer)
                uow.commit()
        outbox = Path(database.split("///", 1)[-1]).parent / "station-PK-01.db" if database.startswith("sqlite") else Path("var/station-PK-01.db")
        demo_station = DemoStation("PK-01", f"http://{host}:{port}", tokens["packer"], outbox)
        demo_station.feed_from_stdin()
        typer.echo("station PK-01 is emulated: type an order number or a barcode and Enter to scan; "
                   "'w 512' puts 512 g on the scale.")
    _run(engine, host, port, station=demo_station)


user_app = typer.Typer(help="People who log in to the pages.", no_args_is_help=True)
app.add_typer(user_app, name="user")


@user_app.command("create")
def user_create(
    username: Annotated[str, typer.Option("--username", help="Login name")],
    role: Annotated[str, typer.Option("--role", help="packer, supervisor, after_sales or admin")],
    password: Annotated[str, typer.Option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
                                          help="At least 8 characters (prompted when left out)")],
    database: DatabaseOpt = None,
) -> None:
    """Create a user who logs in to the pages with a password."""
    from wms.adapters.db.uow import UnitOfWork
    from wms.domain.errors import DomainError
    from wms.services.people.auth import create_user

    with UnitOfWork(_engine(database)) as uow:
        try:
            create_user(uow, username, password, role)
            uow.commit()
        except DomainError as exc:
            raise fail(exc.message) from None
    typer.echo(f"user {username} ({role}) created")


@user_app.command("badge")
def user_badge(
    username: Annotated[str, typer.Option("--username", help="Login name")],
    card: Annotated[Path | None, typer.Option("--card", help="Write a printable badge card (PDF) here")] = None,
    revoke: Annotated[bool, typer.Option("--revoke", help="The badge was lost: stop it working")] = False,
    database: DatabaseOpt = None,
) -> None:
    """Give a user a new badge to sign in (and, for a supervisor, to override at a packer's
    station) by scanning it; the old one stops working."""
    from sqlmodel import select

    from wms.adapters.db.tables import UserAccount
    from wms.adapters.db.uow import UnitOfWork
    from wms.domain.errors import DomainError
    from wms.services.people.auth import issue_badge, revoke_badge

    with UnitOfWork(_engine(database)) as uow:
        try:
            if revoke:
                had = revoke_badge(uow, username)
                uow.commit()
                typer.echo(f"{username}'s badge no longer works" if had else f"{username} had no badge")
                return
            code = issue_badge(uow, username)
            role = uow.session.exec(select(UserAccount.role).where(UserAccount.username == username)).one()
            uow.commit()
        except DomainError as exc:
            raise fail(exc.message) from None
    if card is not None:
        from wms.adapters.reports.badge_card import badge_card_pdf

        card.write_bytes(badge_card_pdf(username, role, code))
        typer.echo(f"badge card for {username} ({role}) written to {card}")
    typer.echo(f"badge {code}")
