"""Every place in the database a piece of text is stored: what a privacy audit runs to prove that
no platform buyer's plaintext (name, number, street address) was kept anywhere."""

from __future__ import annotations

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine


def find_texts(engine: Engine, texts: list[str]) -> list[tuple[str, str]]:
    """(table, text) for each text found in any column of any row of any table."""
    found: list[tuple[str, str]] = []
    with engine.connect() as conn:
        preparer = conn.dialect.identifier_preparer
        for table in inspect(conn).get_table_names():
            for row in conn.execute(text(f"SELECT * FROM {preparer.quote(table)}")):
                cells = " ".join(map(str, row))
                found += [(table, t) for t in texts if t in cells]
    return found
