"""Order intake: an incoming order drafted, reviewed against the catalog and the carriers,
saved, reserved and merged with its buyer's other open orders when they consented (合并发货);
orders waiting for stock retried."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from printing.layout import recipient_print_problems
from wms.adapters.db.tables import OrderEvent, OrderLine, OrderRow
from wms.adapters.db.uow import UnitOfWork
from wms.config import get_settings
from wms.domain import orders as rules
from wms.domain.carriers import carrier_problems
from wms.domain.errors import Invalid
from wms.domain.incoming import DraftOrder, draft_order, explode_combos, order_no_of
from wms.services.orders import gifts
from wms.services.orders.records import add_note, order_lines, transition
from wms.services.shipping.carriers import carrier_rules
from wms.services.stock import catalog, ledger


class Lookups:
    """What reviewing an order reads from the database, asked once per batch of orders:
    create_order makes one for its one order, the bulk intake one for a chunk of them."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        self._skus: dict[str, int | None] = {}  # unit weight, None for an unknown SKU
        self._carriers: list[Any] | None = None

    def known_skus(self, codes: set[str]) -> set[str]:
        missing = {c for c in codes if c not in self._skus}
        if missing:
            found = catalog.skus_by_code(self.uow, missing)
            self._skus.update({c: found[c].unit_weight_g if c in found else None for c in missing})
        return {c for c in codes if self._skus[c] is not None}

    def weight_g(self, lines: list[rules.DraftLine]) -> int:
        """The items' weight from the master data: what a carrier's weight limit is checked against."""
        self.known_skus({l.sku for l in lines})
        return sum((self._skus.get(l.sku) or 0) * max(0, l.qty) for l in lines)

    def carriers(self) -> list[Any]:
        if self._carriers is None:
            self._carriers = carrier_rules(self.uow)
        return self._carriers


def review_draft(draft: DraftOrder, lookups: Lookups) -> rules.Review:
    """The desk's review of an arriving order (wms.domain.orders.review_order), the one both
    create_order and the bulk intake (wms.services.bulk_intake) apply."""
    v = draft.values
    return _review(draft.recipient, draft.lines, v["order_type"], v["cod_amount"], v.get("carrier"), lookups,
                   bool(v.get("oaid")))


def review(uow: UnitOfWork, order: OrderRow, lines: list[rules.DraftLine]) -> rules.Review:
    """The same review of an order as it now stands, after an edit or before a hold is lifted."""
    recipient = rules.Recipient(order.recipient_name, order.recipient_phone, order.province, order.city,
                                order.district, order.address)
    return _review(recipient, lines, order.order_type, order.cod_amount, order.carrier, Lookups(uow),
                   bool(order.oaid))


def _review(recipient: rules.Recipient, lines: list[rules.DraftLine], order_type: str, cod_amount: Any,
            carrier: str | None, lookups: Lookups, masked: bool = False) -> rules.Review:
    """Address, phone, lines, COD, and whether the carrier asked for (or any carrier, for COD)
    can carry it (wms.domain.carriers.carrier_problems)."""
    review = rules.review_order(
        recipient, lines, lookups.known_skus({l.sku for l in lines}), order_type, cod_amount,
        carrier_problems(lookups.carriers(), recipient.province, cod_amount > 0, lookups.weight_g(lines), carrier),
        masked,
    )
    # A recipient the label cannot hold would be found by the printer, after the stock and a
    # tracking number were spent: the order desk fixes it first (PATCH /api/orders/{no}).
    review.problems.extend(recipient_print_problems(recipient, get_settings().label_size))
    return review


def create_order(uow: UnitOfWork, data: dict[str, Any], actor: str, hold: str | None = None,
                 give_gifts: bool = True, merge: bool = True) -> tuple[OrderRow, bool]:
    """Take an order in (idempotent by order_no) and review it; returns (order, created).

    `hold`: a reviewed order stays on hold with this reason and reserves nothing (a replacement
    waiting for its after-sales case's decision). `give_gifts`: the gift rules apply (not to
    what an ERP sends, nor to a replacement). `merge`: it may join its buyer's other open orders
    (not a back-order, which waits apart from the order it was split from)."""
    order_no = order_no_of(data)
    if not order_no:
        raise Invalid("order_no: is required", "missing_field")
    existing = uow.session.exec(select(OrderRow).where(OrderRow.order_no == order_no)).first()
    if existing is not None:
        return existing, False
    draft = draft_order(data)
    given = gifts.give(gifts.active_rules(uow), draft) if give_gifts else []
    if given:
        draft.notes.append("赠品 gifts added: " + "; ".join(given))
    draft.lines, exploded = explode_combos(draft.lines, catalog.combo_parts(uow, {line.sku for line in draft.lines}))
    order, lines = OrderRow(**draft.values), draft.lines
    uow.session.add(order)
    uow.session.flush()
    for line in lines:
        uow.session.add(OrderLine(order_id=order.id, sku=line.sku, qty=line.qty, gift_qty=line.gift))  # type: ignore[arg-type]
    uow.session.add(OrderEvent(order_id=order.id, from_status=None, to_status=rules.RECEIVED, actor=actor))  # type: ignore[arg-type]
    for said in draft.notes:
        add_note(uow, order, actor, said)
    if exploded:
        add_note(uow, order, actor, "combos exploded into their parts: " + "; ".join(exploded))
    uow.session.flush()
    found = review_draft(draft, Lookups(uow))
    if not found.ok:
        transition(uow, order, rules.ON_HOLD, "review", found.reason())
        return order, True
    transition(uow, order, rules.REVIEWED, "review")
    if hold:
        transition(uow, order, rules.ON_HOLD, actor, hold)
        return order, True
    try_reserve(uow, order, "review")
    if merge:
        merge_if_consented(uow, order, "review")
    return order, True


def stock_hold_reason(order_type: str, shortfalls: list[str]) -> str:
    return ("presale: waiting for stock; " if order_type == "presale" else "stock short: ") + ", ".join(shortfalls)


def try_reserve(uow: UnitOfWork, order: OrderRow, actor: str) -> bool:
    shortfalls = ledger.reserve_order(uow, order)
    if shortfalls:
        why = stock_hold_reason(order.order_type, shortfalls)
        if order.status != rules.ON_HOLD:
            transition(uow, order, rules.ON_HOLD, actor, why)
        else:
            order.hold_reason = why
            uow.session.add(order)
        return False
    transition(uow, order, rules.RESERVED, actor)
    return True


STOCK_HOLDS = ("presale: waiting for stock", "stock short")


def retry_waiting_orders(uow: UnitOfWork, skus: set[str], actor: str) -> list[str]:
    """Stock arrived: orders held for it are reserved again, oldest paid first (presales too)."""
    held = uow.session.exec(
        select(OrderRow).where(OrderRow.status == rules.ON_HOLD)
        .order_by(OrderRow.paid_at, OrderRow.id)  # type: ignore[arg-type]
    ).all()
    released = []
    for order in held:
        if not (order.hold_reason or "").startswith(STOCK_HOLDS):
            continue
        if not skus & {line.sku for line in order_lines(uow, order)}:
            continue
        if try_reserve(uow, order, actor):
            released.append(order.order_no)
    return released


MERGEABLE = (rules.REVIEWED, rules.RESERVED, rules.RELEASED, rules.PICKED)


def merge_candidates(uow: UnitOfWork, order: OrderRow) -> list[OrderRow]:
    """Other open orders of the same recipient at the same address (合并发货): the same OAID
    for a platform's masked buyer, else the same name, number and address (rules.merge_key)."""
    same = [OrderRow.oaid == order.oaid] if order.oaid else [
        OrderRow.recipient_name == order.recipient_name, OrderRow.recipient_phone == order.recipient_phone,
        OrderRow.province == order.province, OrderRow.city == order.city, OrderRow.district == order.district,
        OrderRow.address == order.address, OrderRow.oaid.is_(None)]  # type: ignore[union-attr]
    return list(uow.session.exec(
        select(OrderRow).where(
            OrderRow.id != order.id, *same,
            OrderRow.status.in_(MERGEABLE),  # type: ignore[attr-defined]
        ).order_by(OrderRow.id)  # type: ignore[arg-type]
    ).all())


def merge_if_consented(uow: UnitOfWork, order: OrderRow, actor: str) -> str | None:
    """Join an order to the recipient's other open orders when the buyer agreed to one parcel."""
    others = merge_candidates(uow, order)
    if not others or not (order.merge_consent or any(o.merge_consent for o in others)):
        return None
    group = next((o.merge_group for o in others if o.merge_group), None) or others[0].order_no
    for o in [order, *others]:
        if o.merge_group != group:
            o.merge_group = group
            uow.session.add(o)
            add_note(uow, o, actor, f"合并发货: packed as one parcel with group {group} (buyer consented)")
    uow.session.flush()
    return group
