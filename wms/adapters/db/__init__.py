"""The database: `tables` (every SQLModel table), `engine` (SQLite WAL / PostgreSQL), `uow`
(one transaction per use case), `prepared` (the pack station's hottest statements),
`types`, and `migrate` with the Alembic `migrations`."""
