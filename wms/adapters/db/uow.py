"""Unit of work: one database transaction per use case, rolled back unless committed."""

from __future__ import annotations

from types import TracebackType
from typing import Any

from pydantic_core import PydanticUndefined
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, select

_INSERTS: dict[Any, Any] = {}
_PLAIN_INSERTS: dict[Any, Any] = {}
_DEFAULTS: dict[Any, list[tuple[str, Any, Any]]] = {}


class UnitOfWork:
    """`with UnitOfWork(engine) as uow: ...; uow.commit()` — services receive one."""

    def __init__(self, engine: Engine, read_only: bool = False) -> None:
        self.engine = engine
        self.read_only = read_only
        self.session: Session
        # What this transaction read of the warehouse's settings (carriers, a station's row),
        # read once however many steps ask: it ends with the transaction (commit, rollback).
        self.memo: dict[Any, Any] = {}

    def __enter__(self) -> UnitOfWork:
        bind = self.engine.execution_options(read_only=True) if self.read_only else self.engine
        self.session = Session(bind, expire_on_commit=False)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        # close() rolls back anything uncommitted; unlike rollback() it leaves loaded
        # objects readable (detached, not expired) for the caller.
        self.session.close()

    def commit(self) -> None:
        self.memo.clear()
        self.session.commit()

    def rollback(self) -> None:
        self.memo.clear()
        self.session.rollback()

    def insert_many(self, model: type, rows: list[dict[str, Any]]) -> None:
        """`insert_values` for several rows of one table in one statement (executemany)."""
        if len(rows) == 1:
            self.insert_values(model, **rows[0])
            return
        if rows:
            filled = [self._with_defaults(model, row) for row in rows]
            self.session.execute(self._plain_insert(model), filled)

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def locked(self, statement: Any) -> Any:
        """Row-lock what we read and then change (PostgreSQL); SQLite locks the file at BEGIN.

        The locked read refreshes a row this session loaded before: without that the ORM keeps
        the copy it has, and a change another instance committed while we waited for the lock
        (the order just packed) would go unseen."""
        if not self.is_postgres:
            return statement
        return statement.with_for_update().execution_options(populate_existing=True)

    def insert(self, row: Any) -> Any:
        """Write a new append-only row at once, past the ORM's unit of work; returns its key.

        For the pack station's pass path, where flushing half a dozen new objects through the
        unit of work costs more than the statements themselves. A generated `id` is set on the
        row. The row is not added to the session: change it afterwards and nothing is saved.
        """
        table = type(row).__table__
        generated = "id" in table.c and table.c.id.primary_key
        stmt = _INSERTS.get(table)
        if stmt is None:
            stmt = _INSERTS[table] = table.insert().returning(table.c.id) if generated else table.insert()
        values = {c.name: getattr(row, c.name) for c in table.columns if not (generated and c.name == "id")}
        result = self.session.execute(stmt, values)
        if generated:
            row.id = result.scalar_one()
            return row.id
        return tuple(values[c.name] for c in table.primary_key.columns)

    def insert_values(self, model: type, **values: Any) -> None:
        """`insert` for an append-only row given as column values, its model's defaults filled in:
        building a SQLModel object costs more than the INSERT (the pass path writes several)."""
        self.session.execute(self._plain_insert(model), self._with_defaults(model, values))

    @staticmethod
    def _with_defaults(model: type, values: dict[str, Any]) -> dict[str, Any]:
        table = model.__table__  # type: ignore[attr-defined]
        defaults = _DEFAULTS.get(table)
        if defaults is None:
            defaults = _DEFAULTS[table] = [
                (name, f.default_factory, f.default) for name, f in model.model_fields.items()  # type: ignore[attr-defined]
                if name in table.c and not table.c[name].primary_key
                and (f.default_factory is not None or f.default is not PydanticUndefined)]
        row = {name: factory() if factory is not None else default for name, factory, default in defaults
               if name not in values}
        row.update(values)
        return row

    @staticmethod
    def _plain_insert(model: type) -> Any:
        table = model.__table__  # type: ignore[attr-defined]
        stmt = _PLAIN_INSERTS.get(table)
        if stmt is None:
            stmt = _PLAIN_INSERTS[table] = table.insert()
        return stmt

    def update(self, row: Any, **values: Any) -> None:
        """Change columns of a loaded row at once, past the ORM's unit of work, like `insert`.

        The row object then holds the new values as if it had been loaded with them, so
        nothing is flushed for them later: on the pass path a flush of two changed rows cost
        more than all the statements around it.
        """
        table = type(row).__table__
        key = [c == getattr(row, c.name) for c in table.primary_key.columns]
        self.session.execute(table.update().where(*key).values(**values))
        for name, value in values.items():
            set_committed_value(row, name, value)

    def get_locked(self, model: type, key: Any) -> Any:
        pk = model.__table__.primary_key.columns.values()[0]  # type: ignore[attr-defined]
        return self.session.exec(self.locked(select(model).where(pk == key))).first()


def is_retryable(exc: BaseException) -> bool:
    """Serialisation failures and SQLite lock timeouts are worth one more try."""
    if isinstance(exc, OperationalError):
        text = str(exc).lower()
        return "locked" in text or "deadlock" in text or "could not serialize" in text
    return False
