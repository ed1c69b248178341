"""Alembic environment: the engine comes from the caller (see wms.adapters.db.migrate)."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import wms.adapters.db.tables  # noqa: F401  (fills SQLModel.metadata)

target_metadata = SQLModel.metadata
config = context.config


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        from wms.adapters.db.engine import make_engine
        from wms.config import get_settings

        engine = make_engine(get_settings().database_url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
