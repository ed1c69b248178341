"""Every place in the database a piece of text is stored: what a privacy audit runs to prove that
no platform buyer's plaintext (name, number, street address) was kept anywhere."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine


def find_texts(engine: Engine, texts: list[str]) -> list[tuple[str, str]]:
    """(table, text) for each text found in any column of any row of any table. One pass over
    the rows with one pattern (a trie of the texts), so tens of thousands of texts over a
    warehouse's tables take seconds, not hours."""
    wanted = sorted({t for t in texts if t})
    if not wanted:
        return []
    pattern = re.compile(f"(?=({_trie(wanted)}))")  # at every place, overlapping matches too
    found: set[tuple[str, str]] = set()
    with engine.connect() as conn:
        preparer = conn.dialect.identifier_preparer
        for table in inspect(conn).get_table_names():
            for row in conn.execute(text(f"SELECT * FROM {preparer.quote(table)}")):
                cells = "\x00".join(map(str, row))
                found.update((table, t) for t in _all_matches(pattern, cells, wanted))
    return sorted(found)


def _all_matches(pattern: re.Pattern[str], cells: str, wanted: list[str]) -> set[str]:
    """Every wanted text in `cells`: the pattern gives the longest starting at each place; the
    shorter ones starting there are its prefixes, checked directly."""
    out = set()
    for match in pattern.finditer(cells):
        hit = match.group(1)
        out.add(hit)
        out.update(t for t in wanted if t != hit and t in hit)
    return out


def _trie(words: list[str]) -> str:
    root: dict[str, Any] = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _pattern(root)


def _pattern(node: dict[str, Any]) -> str:
    ends = "" in node
    branches = [re.escape(ch) + _pattern(child) for ch, child in sorted(node.items()) if ch]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if ends else body
