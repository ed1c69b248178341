"""Shipping what is there (拆单 / 缺货先发): an order held for stock short is split in two. The order
keeps what the shelves can give now and ships; a back-order (`<order>-B<n>`, `split_from` the
order) takes the rest and waits for stock like any held order. Both go to the same buyer, and
the platform hears of each parcel as a split shipment of the one platform order.

A supervisor asks for it per order (`wms orders ship-available NO`, `POST
/api/orders/{no}/ship-available`); a shop that allows it (`ship_available` on its platform) has
it done when its order goes on hold for stock at intake or on a later stock check."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from wms.adapters.db.tables import OrderLine, OrderRow
from wms.adapters.db.uow import UnitOfWork
from wms.domain import orders as rules
from wms.domain.errors import Conflict
from wms.services.orders import intake
from wms.services.orders.records import add_note, order_lines
from wms.services.stock import ledger


def _free(uow: UnitOfWork, sku: str) -> int:
    return sum(stock.on_hand - stock.reserved for _, stock in ledger.available_by_bin(uow, sku))


def ship_available(uow: UnitOfWork, order: OrderRow, actor: str) -> dict[str, Any]:
    """Split a stock-held order into what ships now and a back-order for the rest (see module)."""
    if order.status != rules.ON_HOLD or not (order.hold_reason or "").startswith(intake.STOCK_HOLDS):
        raise Conflict(f"order {order.order_no} is {order.status}"
                       f"{': ' + order.hold_reason if order.hold_reason else ''}; only an order held for stock "
                       "is split to ship what is there", "not_stock_held")
    lines = [line for line in order_lines(uow, order) if line.qty > 0]
    free = {sku: _free(uow, sku) for sku in sorted({line.sku for line in lines})}
    now: list[tuple[OrderLine, int]] = []
    for line in lines:
        take = min(line.qty, free[line.sku])
        free[line.sku] -= take
        now.append((line, take))
    if not any(take for _, take in now):
        raise Conflict(f"order {order.order_no}: nothing of it is in stock yet; it waits whole", "nothing_in_stock")
    if all(take == line.qty for line, take in now):
        intake.try_reserve(uow, order, actor)  # the stock came meanwhile: it ships whole
        return {"order_no": order.order_no, "status": order.status, "back_order": None}
    rest = [(line.sku, line.qty - take, max(0, line.gift_qty - take)) for line, take in now if line.qty > take]
    for line, take in now:
        line.qty, line.gift_qty = take, min(line.gift_qty, take)
        uow.session.add(line)
    uow.session.flush()
    intake.try_reserve(uow, order, actor)  # first: what is on the shelves is this order's
    back = _back_order(uow, order, rest, actor)
    shipped = ", ".join(f"{take} × {line.sku}" for line, take in now if take)
    add_note(uow, order, actor, f"拆单 split to ship what is there: {shipped} now; the rest waits as {back.order_no}")
    return {"order_no": order.order_no, "status": order.status, "back_order": back.order_no,
            "back_order_status": back.status, "hold_reason": back.hold_reason}


def _back_order(uow: UnitOfWork, order: OrderRow, rest: list[tuple[str, int, int]], actor: str) -> OrderRow:
    """The rest of `order` ((sku, units, of them gifts)) as an order of its own, to the same
    buyer, held for its stock; never merged with the order it came from."""
    n = 1 + len(uow.session.exec(select(OrderRow.id).where(
        OrderRow.order_no.startswith(f"{order.order_no}-B"))).all())  # type: ignore[attr-defined]
    back, _ = intake.create_order(uow, {
        "order_no": f"{order.order_no}-B{n}", "channel": order.channel, "shop": order.shop,
        "order_type": order.order_type if order.order_type != "cod" else "normal",  # the COD goes with the first
        "carrier": order.carrier, "paid_at": order.paid_at, "ship_by": order.ship_by,
        "buyer_message": order.buyer_message, "seller_memo": order.seller_memo, "seller_flag": order.seller_flag,
        "remark": f"back-order of {order.order_no} (拆单)",
        "trade_no": order.trade_no or order.order_no,  # the platform's trade: its e-waybill is asked with it
        "recipient": {"name": order.recipient_name, "phone": order.recipient_phone, "province": order.province,
                      "city": order.city, "district": order.district, "address": order.address,
                      "oaid": order.oaid, "cipher": order.buyer_cipher},
        "lines": [{"sku": sku, "qty": qty} for sku, qty, _ in rest]}, actor, give_gifts=False, merge=False)
    back.split_from = order.order_no
    uow.session.add(back)
    gifts = {sku: g for sku, _, g in rest if g}
    for line in order_lines(uow, back):
        if gifts.get(line.sku):
            line.gift_qty = min(gifts[line.sku], line.qty)
            uow.session.add(line)
    uow.session.flush()
    return back
