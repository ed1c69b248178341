"""The pack station's hottest statements, written out once.

A packer waits on every scan. Building an ORM query costs about four times what SQLite
takes to answer it, so the few statements that run on every scan and weighing (and the
carrier and tracking-number steps of a passing parcel) are kept here as prepared text,
the same SQL on SQLite and PostgreSQL, returning plain rows. Everything else keeps using
the ORM models; these read and write the same tables.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import bindparam, text
from sqlalchemy.types import JSON, Boolean, Integer, String

from wms.adapters.db.types import UTCDateTime
from wms.adapters.db.uow import UnitOfWork


class OpenSession(NamedTuple):
    """The columns of a pack session that a scan needs."""

    id: int
    order_id: int
    station: str
    status: str


class ScanRow(NamedTuple):
    code: str
    sku: str | None
    outcome: str
    at: datetime
    source: str | None


class SkuName(NamedTuple):
    sku: str
    name: str


_SCAN_EVENT = text("SELECT session_id FROM pack_scan WHERE event_id = :event_id")
_WEIGHING_EVENT = text("SELECT id FROM weighing WHERE event_id = :event_id")
_CURRENT = "SELECT id, order_id, station, status FROM pack_session " \
           "WHERE station = :station AND status = 'open' ORDER BY id DESC LIMIT 1"
_CURRENT_SESSION = text(_CURRENT)
_CURRENT_SESSION_LOCKED = text(_CURRENT + " FOR UPDATE")
_SKU_FOR_GTIN = text("SELECT s.sku, s.name FROM skubarcode b JOIN sku s ON s.sku = b.sku WHERE b.gtin = :gtin")
_ORDER_LINES = text(
    "SELECT o.merge_group, l.sku, l.qty - l.packed FROM orders o LEFT JOIN order_line l ON l.order_id = o.id "
    "WHERE o.id = :order_id ORDER BY l.id"
)
_SCANS = text(
    "SELECT code, sku, outcome, at, source FROM pack_scan WHERE session_id = :session_id ORDER BY id"
).columns(code=String, sku=String, outcome=String, at=UTCDateTime, source=String)
_ADD_SCAN = text(
    "INSERT INTO pack_scan (session_id, at, code, sku, outcome, station, operator, event_id, source) "
    "VALUES (:session_id, :at, :code, :sku, :outcome, :station, :operator, :event_id, :source)"
).bindparams(bindparam("at", type_=UTCDateTime), bindparam("session_id", type_=Integer))


def scan_event_session(uow: UnitOfWork, event_id: str) -> int | None:
    """The session an already-recorded scan event went to, if this event id was seen."""
    return uow.session.execute(_SCAN_EVENT, {"event_id": event_id}).scalar()


def weighing_for_event(uow: UnitOfWork, event_id: str) -> int | None:
    return uow.session.execute(_WEIGHING_EVENT, {"event_id": event_id}).scalar()


def current_session_unlocked(uow: UnitOfWork, station: str) -> OpenSession | None:
    """The station's newest open session as last committed, no lock taken."""
    row = uow.session.execute(_CURRENT_SESSION, {"station": station}).first()
    return OpenSession(*row) if row else None


def current_session(uow: UnitOfWork, station: str) -> OpenSession | None:
    """The station's newest open session, row-locked on PostgreSQL (SQLite locked at BEGIN)."""
    stmt = _CURRENT_SESSION_LOCKED if uow.is_postgres else _CURRENT_SESSION
    row = uow.session.execute(stmt, {"station": station}).first()
    return OpenSession(*row) if row else None


def sku_for_gtin(uow: UnitOfWork, gtin: str) -> SkuName | None:
    row = uow.session.execute(_SKU_FOR_GTIN, {"gtin": gtin}).first()
    return SkuName(*row) if row else None


def order_lines(uow: UnitOfWork, order_id: int) -> tuple[str | None, list[tuple[str, int]]]:
    """The order's merge group, and (sku, units still to pack) of its own lines in line order:
    all of them, unless an earlier parcel of the order (一单多包) took some. One read: a scan
    makes it for every item."""
    rows = uow.session.execute(_ORDER_LINES, {"order_id": order_id}).all()
    group = rows[0][0] if rows else None
    return group, [(sku, qty) for _, sku, qty in rows if sku is not None]


def scans(uow: UnitOfWork, session_id: int) -> list[ScanRow]:
    """Every scan of a session, oldest first, whatever its outcome."""
    return [ScanRow(*r) for r in uow.session.execute(_SCANS, {"session_id": session_id}).all()]


def add_scan(uow: UnitOfWork, session_id: int, at: datetime, code: str, sku: str | None, outcome: str,
             station: str, operator: str, event_id: str | None, source: str | None = None) -> None:
    uow.session.execute(_ADD_SCAN, {"session_id": session_id, "at": at, "code": code, "sku": sku,
                                    "outcome": outcome, "station": station, "operator": operator,
                                    "event_id": event_id, "source": source})


class SkuWeight(NamedTuple):
    """What a weighing needs of a SKU: its name for the packer, its weight and spread."""

    sku: str
    name: str
    unit_weight_g: int
    weight_tolerance_g: int


class LineQty(NamedTuple):
    order_id: int
    sku: str
    qty: int
    gift_qty: int = 0
    packed: int = 0  # in an earlier parcel of the order (一单多包)
    id: int | None = None


_SKU_WEIGHTS = text(
    "SELECT sku, name, unit_weight_g, weight_tolerance_g FROM sku WHERE sku IN :skus"
).bindparams(bindparam("skus", expanding=True))
_LINES_OF = text(
    "SELECT order_id, sku, qty, gift_qty, packed, id FROM order_line WHERE order_id IN :ids ORDER BY id"
).bindparams(bindparam("ids", expanding=True))
_PACK_LINES = text("UPDATE order_line SET packed = qty WHERE order_id = :order_id")
_PACK_UNITS = text("UPDATE order_line SET packed = packed + :units WHERE id = :id AND packed + :units <= qty")
_WRONG_SCANS = text(
    "SELECT DISTINCT sku FROM pack_scan WHERE station = :station AND outcome = 'wrong_item' "
    "AND at >= :since AND sku IS NOT NULL"
).bindparams(bindparam("since", type_=UTCDateTime))


def sku_weights(uow: UnitOfWork, skus: set[str]) -> dict[str, SkuWeight]:
    if not skus:
        return {}
    rows = uow.session.execute(_SKU_WEIGHTS, {"skus": sorted(skus)}).all()
    return {r[0]: SkuWeight(*r) for r in rows}


def lines_of(uow: UnitOfWork, order_ids: list[int]) -> list[LineQty]:
    """The lines of these orders (a merge group), in the order they were taken."""
    return [LineQty(*r) for r in uow.session.execute(_LINES_OF, {"ids": order_ids}).all()]


def mark_lines_packed(uow: UnitOfWork, order_id: int) -> None:
    uow.session.execute(_PACK_LINES, {"order_id": order_id})


def add_packed(uow: UnitOfWork, line_id: int, units: int) -> bool:
    """Count `units` more of a line as packed (a parcel holding part of it); False if that is
    more than the line has left."""
    return uow.session.execute(_PACK_UNITS, {"id": line_id, "units": units}).rowcount == 1  # type: ignore[attr-defined]


_STATION_SETTINGS = text("SELECT typed_weights, printer_name FROM station WHERE code = :code")


def _station_settings(uow: UnitOfWork, station: str) -> tuple[bool, str | None]:
    """(typed weights allowed, its printer) of a station, read once per transaction: a
    weighing asks for both (no row: typed weights allowed, no printer of its own)."""
    key = ("station", station)
    if key not in uow.memo:
        row = uow.session.execute(_STATION_SETTINGS, {"code": station}).first()
        uow.memo[key] = (True, None) if row is None else (row[0] is None or bool(row[0]), row[1])
    return uow.memo[key]  # type: ignore[no-any-return]


def station_takes_typed_weights(uow: UnitOfWork, station: str) -> bool:
    """May a person type a weight at this station (no row: yes)?"""
    return _station_settings(uow, station)[0]


def wrong_scans_since(uow: UnitOfWork, station: str, since: datetime) -> set[str]:
    """SKUs the station scanned that their order did not want, since `since`."""
    return {r[0] for r in uow.session.execute(_WRONG_SCANS, {"station": station, "since": since}).all()}


def station_printer(uow: UnitOfWork, station: str) -> str | None:
    return _station_settings(uow, station)[1]


_CARRIERS = text(
    "SELECT code, regions, excluded_regions, cod, max_weight_g, is_default, is_fallback, provider FROM carrier "
    "ORDER BY code"
).columns(code=String, regions=JSON, excluded_regions=JSON, cod=Boolean, max_weight_g=Integer,
          is_default=Boolean, is_fallback=Boolean, provider=String)
_OPEN_POOLS = text(
    'SELECT id, prefix, suffix, digits, scheme FROM trackingpool WHERE carrier = :carrier AND next_value <= "end" '
    "ORDER BY id"
)
_TAKE_NUMBER = text(
    'UPDATE trackingpool SET next_value = next_value + 1 WHERE id = :id AND next_value <= "end" '
    "RETURNING next_value"
)


def carriers(uow: UnitOfWork) -> list[tuple]:  # type: ignore[type-arg]
    """(code, regions, excluded_regions, cod, max_weight_g, is_default, is_fallback, provider) by
    code, read once per transaction (choosing the carrier and asking whether its numbers are
    remote both need it); `forget_carriers` after changing one in the same transaction."""
    if "carriers" not in uow.memo:
        uow.memo["carriers"] = [tuple(r) for r in uow.session.execute(_CARRIERS).all()]
    return uow.memo["carriers"]  # type: ignore[no-any-return]


def forget_carriers(uow: UnitOfWork) -> None:
    uow.memo.pop("carriers", None)


def open_pools(uow: UnitOfWork, carrier: str) -> list[tuple[int, str, str, int, str]]:
    """(id, prefix, suffix, digits, scheme) of the carrier's pools with numbers left, oldest first."""
    return [tuple(r) for r in uow.session.execute(_OPEN_POOLS, {"carrier": carrier}).all()]  # type: ignore[misc]


def take_number(uow: UnitOfWork, pool_id: int) -> int | None:
    """Bump the pool's counter if a number is left; the value taken, or None. Atomic per row."""
    after = uow.session.execute(_TAKE_NUMBER, {"id": pool_id}).scalar()
    return None if after is None else after - 1


_ESTIMATES_SQL = "SELECT sku, n, mean_g, m2 FROM skuweightestimate WHERE sku IN :skus"
_ESTIMATES = text(_ESTIMATES_SQL).bindparams(bindparam("skus", expanding=True))
_ESTIMATES_LOCKED = text(_ESTIMATES_SQL + " FOR UPDATE").bindparams(bindparam("skus", expanding=True))
_NEW_ESTIMATE = text(
    "INSERT INTO skuweightestimate (sku, n, mean_g, m2, updated_at) VALUES (:sku, :n, :mean_g, :m2, :at) "
    "ON CONFLICT (sku) DO NOTHING"
).bindparams(bindparam("at", type_=UTCDateTime))
_SET_ESTIMATE = text(
    "UPDATE skuweightestimate SET n = :n, mean_g = :mean_g, m2 = :m2, updated_at = :at WHERE sku = :sku"
).bindparams(bindparam("at", type_=UTCDateTime))


def weight_estimates(uow: UnitOfWork, skus: set[str]) -> dict[str, tuple[int, float, float]]:
    """{sku: (n, mean_g, m2)} of the SKUs that have one yet, row-locked on PostgreSQL for the update."""
    if not skus:
        return {}
    stmt = _ESTIMATES_LOCKED if uow.is_postgres else _ESTIMATES
    return {r[0]: (r[1], r[2], r[3]) for r in uow.session.execute(stmt, {"skus": sorted(skus)}).all()}


def save_weight_estimates(uow: UnitOfWork, known: list[dict[str, object]], new: list[dict[str, object]]) -> None:
    """Write estimates back: `known` rows were read (and locked) above; `new` ones had none.

    Two stations learning a SKU's very first sample at once: one insert wins, the other
    sample is dropped rather than failing a passed parcel. An estimate can spare one sample.
    """
    if known:
        uow.session.execute(_SET_ESTIMATE, known)
    if new:
        uow.session.execute(_NEW_ESTIMATE, new)


class OpenReservation(NamedTuple):
    stock_id: int
    bin_id: int
    sku: str
    open_qty: int  # reserved and not yet picked


_OPEN_RESERVATIONS = text(
    "SELECT r.stock_id, s.bin_id, r.sku, r.qty - r.picked FROM reservation r "
    "JOIN stock s ON s.id = r.stock_id WHERE r.order_id = :order_id AND r.status = 'active' ORDER BY r.stock_id"
)
_TAKE_RESERVED = text(
    "UPDATE stock SET reserved = reserved - :qty, on_hand = on_hand - :qty "
    "WHERE id = :stock_id AND on_hand >= :qty AND reserved >= :qty"
)
_RESERVATIONS_PICKED = text(
    "UPDATE reservation SET picked = qty, status = 'picked' WHERE order_id = :order_id AND status = 'active'"
)


def open_reservations(uow: UnitOfWork, order_id: int) -> list[OpenReservation]:
    """The order's active reservations with their bins, in stock-row order (one lock order for all)."""
    return [OpenReservation(*r) for r in uow.session.execute(_OPEN_RESERVATIONS, {"order_id": order_id}).all()]


def take_reserved(uow: UnitOfWork, stock_id: int, qty: int) -> bool:
    """Move `qty` out of a stock row's reserved and on-hand together; False if either is short."""
    return take_reserved_many(uow, [(stock_id, qty)])


def take_reserved_many(uow: UnitOfWork, takes: list[tuple[int, int]]) -> bool:
    """`take_reserved` for several stock rows in one statement (executemany); False if any
    row was short (the caller rolls the transaction back: none of them counts then)."""
    if not takes:
        return True
    params = [{"stock_id": s, "qty": q} for s, q in takes]
    result = uow.session.execute(_TAKE_RESERVED, params if len(params) > 1 else params[0])
    return result.rowcount == len(takes)  # type: ignore[attr-defined]


def mark_reservations_picked(uow: UnitOfWork, order_id: int) -> None:
    uow.session.execute(_RESERVATIONS_PICKED, {"order_id": order_id})
