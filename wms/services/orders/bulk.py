"""Order intake in bulk: a file's orders reviewed and reserved a chunk at a time.

The same rules as `orders.create_order`, order by order: each order is read by
`orders.draft_order` and reviewed by `orders.review_order` (wms.domain.orders.review_order),
kept on hold with the reason when it fails, else reserved line by line in SKU order from its
bins in code order, all of it or none. Only the writing is batched: a chunk of orders goes in
as a few multi-row INSERTs, one UPDATE per stock row touched and one commit, instead of a
dozen statements and a commit per order.

What stays as it was:
- a bad row never blocks the good ones: it is reported and its order left out; if a chunk's
  writing fails at all (a concurrent import took an order number first, a value the database
  refuses), the chunk is rolled back and its orders go in one by one through
  `orders.create_order`, each in its own transaction, so only the bad one is refused;
- a second import creates nothing: order numbers already stored (or seen earlier in the file)
  are reported as already present;
- reservations never oversell under concurrent imports: the stock rows of the chunk's SKUs are
  read under lock (`FOR UPDATE` on PostgreSQL, in the order `stock.reserve_order` takes them,
  so the two paths cannot deadlock; SQLite's writer lock is taken at BEGIN) and every update
  is still conditional on the units being free;
- an order that could merge with another open order of its recipient (合并发货), i.e. one
  whose recipient (name, phone, address) another open order or another order of the chunk has, goes through
  `orders.create_order` in its place in the file, where the merge rules live.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import String, bindparam, text
from sqlalchemy.exc import SQLAlchemyError

from wms.adapters.db.tables import OrderEvent, OrderLine, OrderNote, OrderRow, Reservation
from wms.adapters.db.types import utcnow
from wms.adapters.db.uow import UnitOfWork, is_retryable
from wms.domain import incoming
from wms.domain import orders as rules
from wms.domain.errors import DomainError, UnstorableValue
from wms.services.orders import gifts, intake
from wms.services.stock import catalog

CHUNK = 250  # orders per transaction: SQLite's writer lock is held a few tens of ms at a time

Parsed = list[tuple[list[int], dict[str, Any]]]  # (file rows, order data), as the parsers give them
OnError = Callable[[list[int], dict[str, Any], str, str], None]  # rows, order, reason, stable code

_EXISTING = text("SELECT order_no FROM orders WHERE order_no IN :nos").bindparams(
    bindparam("nos", expanding=True))
_OPEN_RECIPIENTS = text(
    "SELECT DISTINCT recipient_name, recipient_phone, province, city, district, address, oaid, merge_consent "
    "FROM orders WHERE (recipient_phone IN :phones OR oaid IN :oaids) AND status IN :open"
).bindparams(bindparam("phones", expanding=True, type_=String), bindparam("oaids", expanding=True, type_=String),
             bindparam("open", expanding=True))  # typed: an empty list must compare as text on PostgreSQL
_STOCK_SQL = ("SELECT s.id, s.sku, s.on_hand, s.reserved FROM stock s JOIN bin b ON b.id = s.bin_id "
              "WHERE s.sku IN :skus AND b.kind = 'storage' AND s.on_hand > s.reserved ORDER BY s.sku, b.code")
_STOCK = text(_STOCK_SQL).bindparams(bindparam("skus", expanding=True))
_STOCK_LOCKED = text(_STOCK_SQL + " FOR UPDATE OF s").bindparams(bindparam("skus", expanding=True))
_RESERVE = text("UPDATE stock SET reserved = reserved + :qty WHERE id = :id AND on_hand - reserved >= :qty")
_ORDER_COLUMNS = [c.name for c in OrderRow.__table__.columns if c.name != "id"]  # type: ignore[attr-defined]


class Created(NamedTuple):
    order_no: str
    status: str
    hold_reason: str | None


@dataclass
class Outcome:
    """What became of the orders handed in, in file order."""

    created: list[Created] = field(default_factory=list)
    already_present: list[str] = field(default_factory=list)


class _Retry(Exception):
    """The chunk's batched writing cannot go on; its orders go in one by one instead."""


def take_in(uow: UnitOfWork, parsed: Parsed, actor: str, on_error: OnError) -> Outcome:
    """Create, review and reserve the orders in `parsed`; each bad one is reported to `on_error`."""
    outcome = Outcome()
    seen: set[str] = set()
    for start in range(0, len(parsed), CHUNK):
        drafts, reviews = _drafted(uow, parsed[start:start + CHUNK], on_error, outcome, seen)
        while drafts:
            drafts, reviews = _next_segment(uow, drafts, reviews, actor, on_error, outcome, seen)
    return outcome


Drafted = list[tuple[list[int], dict[str, Any], incoming.DraftOrder]]


def _drafted(uow: UnitOfWork, pending: Parsed, on_error: OnError, outcome: Outcome,
             seen: set[str]) -> tuple[Drafted, list[rules.Review]]:
    """Read and review a chunk's orders once: those already stored are reported as present,
    the unreadable ones to `on_error`."""
    nos = {incoming.order_no_of(d) for _, d in pending} - {""}
    stored = {r[0] for r in uow.session.execute(_EXISTING, {"nos": sorted(nos)})} if nos else set()
    drafts: Drafted = []
    in_batch: set[str] = set()
    for rows, data in pending:
        order_no = incoming.order_no_of(data)
        if order_no in stored or order_no in seen or order_no in in_batch:
            outcome.already_present.append(order_no)
            continue
        try:
            draft = incoming.draft_order(data)
        except DomainError as exc:
            on_error(rows, data, exc.message, exc.code)
            continue
        except (TypeError, ValueError, AttributeError) as exc:
            on_error(rows, data, str(exc), "invalid_order")
            continue
        drafts.append((rows, data, draft))
        in_batch.add(order_no)
    in_force = gifts.active_rules(uow)
    for _, _, draft in drafts:
        given = gifts.give(in_force, draft)
        if given:
            draft.notes.append("赠品 gifts added: " + "; ".join(given))
    parts = catalog.combo_parts(uow, {line.sku for _, _, d in drafts for line in d.lines})
    for _, _, draft in drafts:
        draft.lines, _said = incoming.explode_combos(draft.lines, parts)
    lookups = intake.Lookups(uow)
    lookups.known_skus({line.sku for _, _, d in drafts for line in d.lines})
    return drafts, [intake.review_draft(d, lookups) for _, _, d in drafts]


def _next_segment(uow: UnitOfWork, drafts: Drafted, reviews: list[rules.Review], actor: str, on_error: OnError,
                  outcome: Outcome, seen: set[str]) -> tuple[Drafted, list[rules.Review]]:
    """Write the leading orders that need nothing but the batch in one transaction, then one
    order that does through create_order; returns what is left, still drafted and reviewed
    (a chunk of repeat buyers is read once, not once per order)."""
    cut = _first_merge_candidate(uow, [d for _, _, d in drafts], reviews)
    batch, rest, rest_reviews = drafts[:cut], drafts[cut:], reviews[cut:]
    if batch:
        try:
            outcome.created += _write(uow, [d for _, _, d in batch], reviews[:cut], actor)
            uow.commit()
            seen.update(d.order_no for _, _, d in batch)
        except (_Retry, SQLAlchemyError, UnstorableValue):
            uow.rollback()  # one order of the batch is bad: each on its own, so only it is refused
            for rows, data, _ in batch:
                _one(uow, rows, data, actor, on_error, outcome, seen)
    if rest:
        rows, data, _ = rest[0]
        _one(uow, rows, data, actor, on_error, outcome, seen)
        return rest[1:], rest_reviews[1:]
    return [], []


def _first_merge_candidate(uow: UnitOfWork, drafts: list[incoming.DraftOrder], reviews: list[rules.Review]) -> int:
    """The index of the first order that might merge with another open order of its recipient
    (orders.merge_candidates: same name, phone and address), another passing order here or an
    open one in the database, where one of them has the buyer's consent to one parcel
    (orders.merge_if_consented merges nothing else); else len. An order that fails review is
    never merged, nor merged with. Repeat buyers who did not consent stay in the batch."""
    who = [rules.merge_key(d.recipient, d.values.get("oaid")) for d in drafts]
    here: Counter[tuple[Any, ...]] = Counter()
    consent_here: set[tuple[Any, ...]] = set()
    for w, d, r in zip(who, drafts, reviews):
        if r.ok:
            here[w] += 1
            if d.values.get("merge_consent"):
                consent_here.add(w)
    phones = sorted({w[1] for w in here if w[0] != "oaid"})
    oaids = sorted({w[1] for w in here if w[0] == "oaid"})
    stored: dict[tuple[Any, ...], bool] = {}
    if phones or oaids:
        for *recipient, oaid, consent in uow.session.execute(_OPEN_RECIPIENTS, {
                "phones": phones, "oaids": oaids, "open": sorted(intake.MERGEABLE)}):
            key = rules.merge_key(rules.Recipient(*recipient), oaid)
            stored[key] = stored.get(key, False) or bool(consent)
    for i, (w, r) in enumerate(zip(who, reviews)):
        if r.ok and (here[w] > 1 or w in stored) and (w in consent_here or stored.get(w, False)):
            return i
    return len(drafts)



def _one(uow: UnitOfWork, rows: list[int], data: dict[str, Any], actor: str, on_error: OnError,
         outcome: Outcome, seen: set[str]) -> None:
    """One order through create_order in its own transaction, as the import always did."""
    try:
        try:
            order, created = intake.create_order(uow, data, actor)
            uow.commit()
        except SQLAlchemyError as exc:
            if not is_retryable(exc):
                raise
            uow.rollback()  # a deadlock with a concurrent import: once more
            order, created = intake.create_order(uow, data, actor)
            uow.commit()
    except DomainError as exc:
        uow.rollback()
        on_error(rows, data, exc.message, exc.code)
        return
    except (TypeError, ValueError, AttributeError) as exc:
        uow.rollback()
        on_error(rows, data, str(exc), "invalid_order")
        return
    except SQLAlchemyError:  # a value the database refuses: this order only
        uow.rollback()
        on_error(rows, data, "a value of this order cannot be stored (out of range or not valid text)", "bad_value")
        return
    if created:
        outcome.created.append(Created(order.order_no, order.status, order.hold_reason))
        seen.add(order.order_no)
    else:
        outcome.already_present.append(order.order_no)


@dataclass
class _Plan:
    """One order of the batch: its review, the stock it takes, and its history to write."""

    draft: incoming.DraftOrder
    order_id: int = 0
    takes: list[tuple[int, int, int]] = field(default_factory=list)  # (line index, stock id, qty)
    events: list[tuple[str | None, str, str, str | None]] = field(default_factory=list)


def _write(uow: UnitOfWork, drafts: list[incoming.DraftOrder], reviews: list[rules.Review],
           actor: str) -> list[Created]:
    """Store the orders as create_order would leave them, in a few statements; no commit."""
    plans = [_Plan(d, events=[(None, rules.RECEIVED, actor, None)]) for d in drafts]
    reviewed = []
    for plan, review in zip(plans, reviews):
        if review.ok:
            plan.events.append((rules.RECEIVED, rules.REVIEWED, "review", None))
            reviewed.append(plan)
        else:
            plan.events.append((rules.RECEIVED, rules.ON_HOLD, "review", review.reason()))
    taken = _reserve(uow, reviewed)
    now = utcnow()
    rows = []
    for plan in plans:
        for before, after, _, _ in plan.events[1:]:
            rules.check_transition(before, after)  # type: ignore[arg-type]
        status, reason = plan.events[-1][1], plan.events[-1][3]
        row = {"status": status, "hold_reason": reason if status == rules.ON_HOLD else None, "merge_group": None,
               "created_at": now, **plan.draft.values}
        rows.append({name: row.get(name) for name in _ORDER_COLUMNS})
    conn = uow.session.connection()
    order_ids = _insert_returning(conn, OrderRow, rows)
    line_values, line_of = [], []
    for plan, order_id in zip(plans, order_ids):
        plan.order_id = order_id
        for i, line in enumerate(plan.draft.lines):
            line_values.append({"order_id": order_id, "sku": line.sku, "qty": line.qty, "picked": 0, "packed": 0,
                                "gift_qty": line.gift})
            line_of.append((order_id, i))
    line_ids = dict(zip(line_of, _insert_returning(conn, OrderLine, line_values))) if line_values else {}
    notes = [{"order_id": p.order_id, "at": now, "author": actor, "text": text}
             for p in plans for text in p.draft.notes]
    if notes:
        conn.execute(OrderNote.__table__.insert(), notes)  # type: ignore[attr-defined]
    conn.execute(OrderEvent.__table__.insert(), [  # type: ignore[attr-defined]
        {"order_id": p.order_id, "at": now, "from_status": before, "to_status": after, "actor": who,
         "reason": reason}
        for p in plans for before, after, who, reason in p.events])
    if taken:
        updates = [{"id": stock_id, "qty": qty} for stock_id, qty in sorted(taken.items())]
        if conn.execute(_RESERVE, updates).rowcount != len(updates):
            raise _Retry("a stock row changed under the import")
        conn.execute(Reservation.__table__.insert(), [  # type: ignore[attr-defined]
            {"order_id": p.order_id, "line_id": line_ids[(p.order_id, i)], "stock_id": stock_id,
             "sku": p.draft.lines[i].sku, "qty": qty, "picked": 0, "status": "active", "created_at": now}
            for p in reviewed for i, stock_id, qty in p.takes])
    return [Created(p.draft.order_no, r["status"], r["hold_reason"]) for p, r in zip(plans, rows)]


def _reserve(uow: UnitOfWork, plans: list[_Plan]) -> dict[int, int]:
    """Plan each reviewed order's reservation against the stock as locked now, in file order:
    every line or nothing, lines by SKU and bins by code as stock.reserve_order takes them.
    Returns the units taken per stock row; each plan gets its takes and its last event."""
    skus = sorted({line.sku for p in plans for line in p.draft.lines})
    free: dict[str, list[list[int]]] = defaultdict(list)  # sku -> [[stock id, free units], ...]
    if skus:
        stmt = _STOCK_LOCKED if uow.is_postgres else _STOCK
        for stock_id, sku, on_hand, reserved in uow.session.execute(stmt, {"skus": skus}):
            free[sku].append([stock_id, on_hand - reserved])
    taken: dict[int, int] = defaultdict(int)
    for plan in plans:
        takes: list[tuple[int, int, int]] = []
        shortfalls = []
        lines = sorted(enumerate(plan.draft.lines), key=lambda il: il[1].sku)
        for i, line in lines:
            need = line.qty
            for slot in free.get(line.sku, ()):
                if need <= 0:
                    break
                take = min(need, slot[1])
                if take > 0:
                    slot[1] -= take
                    takes.append((i, slot[0], take))
                    need -= take
            if need > 0:
                shortfalls.append(f"{line.sku} short by {need}")
        if shortfalls:
            for i, stock_id, qty in takes:  # all or nothing: give back what this order took
                next(slot for slot in free[plan.draft.lines[i].sku] if slot[0] == stock_id)[1] += qty
            reason = intake.stock_hold_reason(plan.draft.values["order_type"], shortfalls)
            plan.events.append((rules.REVIEWED, rules.ON_HOLD, "review", reason))
            continue
        plan.takes = takes
        for _, stock_id, qty in takes:
            taken[stock_id] += qty
        plan.events.append((rules.REVIEWED, rules.RESERVED, "review", None))
    return taken


def _insert_returning(conn: Any, model: Any, values: list[dict[str, Any]]) -> list[int]:
    """Multi-row INSERT ... RETURNING id: the ids in the order the rows were given."""
    table = model.__table__
    stmt = table.insert().returning(table.c.id, sort_by_parameter_order=True)
    return [r[0] for r in conn.execute(stmt, values)]
