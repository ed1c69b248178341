"""Shared fixtures: a migrated database per test, on SQLite by default or PostgreSQL.

Set WMS_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test to run the same
tests against PostgreSQL; each test then starts from empty tables.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from wms.adapters.db.engine import make_engine
from wms.adapters.db.migrate import upgrade

PG_BASE = os.environ.get("WMS_TEST_DATABASE_URL", "")
# Each test run works in a schema of its own, so runs sharing one PostgreSQL never meet.
PG_SCHEMA = f"wms_test_{os.getpid()}"
PG_URL = f"{PG_BASE}{'&' if '?' in PG_BASE else '?'}options=-csearch_path%3D{PG_SCHEMA}" if PG_BASE else ""
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def _template_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if PG_URL:
        admin = make_engine(PG_BASE)
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {PG_SCHEMA}"))
        engine = make_engine(PG_URL)
        upgrade(engine)
        engine.dispose()
        yield PG_URL
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE"))
        admin.dispose()
        return
    path = tmp_path_factory.mktemp("template") / "wms.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    yield str(path)


@pytest.fixture
def engine(_template_db: str, tmp_path: Path) -> Iterator[Engine]:
    """A freshly migrated, empty database for one test."""
    if PG_URL:
        eng = make_engine(PG_URL)
        with eng.begin() as conn:
            tables = conn.execute(text(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'alembic_version'"
            )).scalars().all()
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        yield eng
        eng.dispose()
        return
    path = tmp_path / "wms.db"
    shutil.copy(_template_db, path)
    eng = make_engine(f"sqlite:///{path}")
    yield eng
    eng.dispose()


@pytest.fixture
def database_url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


@pytest.fixture
def tokens(engine: Engine) -> dict[str, str]:
    """A bearer token per role on the test database."""
    from wms.adapters.db.uow import UnitOfWork
    from wms.services.people.auth import ROLES, create_token

    with UnitOfWork(engine) as uow:
        tokens = {role: create_token(uow, role, f"test-{role}", lifetime_s=3600) for role in ROLES}
        uow.commit()
    return tokens
