"""Migrations: an empty database upgrades to head, and the models match the migrations."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from wms.adapters.db.migrate import current_revision, head_revision, upgrade


def test_an_empty_database_is_upgraded_to_the_newest_revision(engine):
    assert current_revision(engine) == head_revision(engine)
    tables = set(inspect(engine).get_table_names())
    for expected in ("orders", "stock", "stock_ledger", "weighing", "print_job", "trackingpool",
                     "after_sales_case", "return_receipt", "api_token", "pack_session", "bin"):
        assert expected in tables


def test_upgrading_twice_changes_nothing(engine):
    upgrade(engine)
    assert current_revision(engine) == head_revision(engine)


def test_the_tables_in_code_match_the_migrations(engine):
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diffs == []
