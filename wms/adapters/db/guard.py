"""The one guard between the service and the database: every value bound to a statement is
checked against the type of the column (or bind parameter) it goes to, before the driver sees it.

Why here: SQLite stores a 5,000-character name in a 200-character column, a NUL byte, or an
integer beyond 32 bits without a word, while PostgreSQL refuses them with a driver error. The
limits come from the table definitions themselves (`String(200)`, `Integer`, `Numeric(12, 2)`),
so a new column cannot forget them, and JSON bodies, query and path values, file rows and
platform data all meet the same rule with the same answer on both databases.

What is refused (422 `bad_value`, naming the field; nothing of the transaction is saved):
- text longer than its column;
- NUL and the C0 control characters, except tab, line feed and carriage return (typed text)
  and the separators a barcode scanner sends inside GS1 / ISO 15434 codes: EOT (0x04), FS,
  GS, RS, US (0x1c-0x1f);
- integers beyond their column (Integer: 32 bits on PostgreSQL, so on both; BigInteger: 64);
- decimals with more whole digits than their column holds, and NaN or Infinity.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.types import JSON, BigInteger, Float, Integer, Numeric, SmallInteger, String, TypeDecorator

from wms.domain.errors import UnstorableValue

# C0 controls a person or a scanner never means to store: all but \t \n \r, EOT and FS..US.
_CONTROL = re.compile("[\x00-\x03\x05-\x08\x0b\x0c\x0e-\x1b]")
_INT_RANGES = {SmallInteger: 2**15, BigInteger: 2**63, Integer: 2**31}


def _limit_of(type_: Any) -> tuple[str, Any] | None:
    """What a bind type allows: ("text", max length or None), ("int", bound), ("num", whole digits)."""
    if isinstance(type_, TypeDecorator):
        type_ = type_.impl_instance if hasattr(type_, "impl_instance") else type_.impl
    if isinstance(type_, JSON):
        return None
    if isinstance(type_, String):
        return ("text", type_.length)
    for kind, bound in _INT_RANGES.items():  # SmallInteger and BigInteger before their base class
        if isinstance(type_, kind):
            return ("int", bound)
    if isinstance(type_, Float):
        return ("float", None)
    if isinstance(type_, Numeric):
        precision, scale = type_.precision, type_.scale or 0
        return ("num", None if precision is None else precision - scale)
    return None


def problem_with(value: Any, limit: tuple[str, Any], stored: bool = True) -> str | None:
    """Why `value` cannot go into a column with `limit`, in words, or None. A value that is only
    compared (`stored` False: a look-up) may be longer than the column: it matches nothing."""
    kind, bound = limit
    if isinstance(value, str):
        found = _CONTROL.search(value)
        if found:
            return f"contains the control character U+{ord(found.group()):04X}, which no field may hold"
        if stored and kind == "text" and bound is not None and len(value) > bound:
            return f"is {len(value)} characters long; at most {bound} fit"
        return None
    if isinstance(value, bool):
        return None
    if kind == "int" and isinstance(value, int):
        if not -bound <= value < bound:
            return f"{value} is out of range (at most {bound - 1})"
        return None
    if kind == "float" and isinstance(value, float) and not math.isfinite(value):
        return "is not a finite number"
    if kind == "num" and isinstance(value, (int, float, Decimal)):
        if isinstance(value, float) and not math.isfinite(value) or \
                isinstance(value, Decimal) and not value.is_finite():
            return "is not a finite number"
        if bound is not None and value != 0 and abs(Decimal(value)).adjusted() + 1 > bound:
            return f"{value} is too large (at most {bound} digits before the point)"
    return None


def _field_name(statement: Any, key: str) -> str:
    """The column a bind parameter goes to: `orders.remark` for a write; for a look-up the
    parameter's name less the number SQLAlchemy adds (`order_no_1` -> `order_no`)."""
    table = getattr(statement, "table", None)
    name = getattr(table, "name", None)
    columns = getattr(table, "c", {})
    column = key if key in columns else re.sub(r"_m?\d+$", "", key)
    return f"{name}.{column}" if name else column


def check_parameters(compiled: Any, parameters: list[dict[str, Any]], stored: bool = True) -> None:
    """Raise UnstorableValue for the first bound value its column cannot hold (`stored`: the
    statement writes them; a look-up's text may be longer than the column)."""
    binds = compiled.binds
    limits: dict[str, Any] = {}
    for params in parameters:
        for key, value in params.items():
            if value is None or not isinstance(value, (str, int, float, Decimal)):
                continue
            limit = limits.get(key, False)
            if limit is False:
                bind = binds.get(key)
                limit = limits[key] = _limit_of(bind.type) if bind is not None else ("text", None)
            if limit is None:
                continue
            problem = problem_with(value, limit, stored)
            if problem:
                field = _field_name(getattr(compiled, "statement", None), key)
                raise UnstorableValue(f"{field} {problem}; nothing was saved", field=field)


def install(engine: Engine) -> None:
    """Check every statement's values before the driver sees them."""

    @event.listens_for(engine, "before_cursor_execute")
    def _guard(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        compiled = getattr(context, "compiled", None)
        if compiled is None or not context.compiled_parameters:
            return
        check_parameters(compiled, context.compiled_parameters, bool(context.isinsert or context.isupdate))
