"""Order intake, look-up, notes and cancellation."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from wms.access import FULL_RECIPIENT
from wms.adapters.db.tables import OrderRow
from wms.adapters.db.uow import UnitOfWork
from wms.api.deps import Caller
from wms.api.schemas import CancelIn, ChangeLinesIn, HoldIn, NoteIn, OrderEditIn, OrderIn, RevealIn
from wms.domain import incoming
from wms.domain.orders import mask_phone
from wms.http import UowDep
from wms.services.orders import edits, files, intake, records, split
from wms.services.platforms import buyer_reveal

router = APIRouter(tags=["orders"])


def order_view(uow: UnitOfWork, order: OrderRow) -> dict:
    return {
        "order_no": order.order_no, "status": order.status, "hold_reason": order.hold_reason,
        "order_type": order.order_type, "channel": order.channel, "carrier": order.carrier,
        "cod_amount": str(order.cod_amount), "split_from": order.split_from, "trade_no": order.trade_no,
        "paid_amount": str(order.paid_amount) if order.paid_amount is not None else None, "merge_group": order.merge_group, "shop": order.shop,
        "buyer_message": order.buyer_message, "seller_memo": order.seller_memo, "seller_flag": order.seller_flag,
        "paid_at": order.paid_at.isoformat() if order.paid_at else None,
        "ship_by": order.ship_by.isoformat() if order.ship_by else None,
        "recipient": {"name": order.recipient_name, "phone": order.recipient_phone,
                      "province": order.province, "city": order.city, "district": order.district,
                      "address": order.address, "oaid": order.oaid},
        "lines": [{"sku": l.sku, "qty": l.qty, "picked": l.picked, "packed": l.packed, "gift_qty": l.gift_qty}
                  for l in records.order_lines(uow, order)],
        "history": [{"from": e.from_status, "to": e.to_status, "actor": e.actor, "reason": e.reason,
                     "at": e.at.isoformat()} for e in records.history(uow, order)],
        "notes": [{"author": n.author, "text": n.text, "at": n.at.isoformat()}
                  for n in records.notes(uow, order)],
    }


@router.post("/orders", status_code=201, responses={200: {"description": "already present (same order_no): the order as it is"}})
def create_order(body: OrderIn, uow: UowDep, who: Caller, response: Response) -> dict:
    """Take in an order; it is reviewed and reserved at once, or put on hold with the reason."""
    order, created = intake.create_order(uow, body.model_dump(mode="json"), who.name)
    uow.commit()
    if not created:
        response.status_code = 200
    return order_view(uow, order)


@router.post("/orders/import")
async def import_orders(request: Request, who: Caller, filename: str = "orders.csv") -> dict:
    """Import a CSV (one row per order line) or JSON order file sent as the request body.

    Bad rows are reported with their row number; every good order still imports, and
    orders already present (same order_no) are left as they are.
    """
    raw = await request.body()
    as_json = "json" in request.headers.get("content-type", "")
    with UnitOfWork(request.app.state.engine) as uow:
        return files.import_file(uow, raw, filename, who.name, as_json).as_dict()


@router.get("/orders")
def list_orders(uow: UowDep, who: Caller, status: str | None = None, hold_reason: str | None = None,
                shop: str | None = None, ship_by_before: str | None = None, sort: str = "ship_by",
                limit: int = Query(default=200, ge=1, le=10_000)) -> list[dict]:
    """Orders filtered by status, words in the hold reason, shop, and ship-by (most urgent first)."""
    before = incoming.parse_time(ship_by_before, "ship_by_before") if ship_by_before else None
    rows = records.list_orders(uow, status, hold_reason, shop, before, sort, limit)
    mask = who.role not in FULL_RECIPIENT
    return [records.summary(o, mask) for o in rows]


@router.patch("/orders/{order_no}")
def edit_order(order_no: str, body: OrderEditIn, uow: UowDep, who: Caller) -> dict:
    """Fix the recipient or the carrier before packing; the order is reviewed again (a fixed
    review hold is released). Lines change through PUT /orders/{no}/lines."""
    order = records.get_order(uow, order_no, lock=True)
    edits.edit(uow, order, who.name, body.reason,
                body.recipient.model_dump(exclude_none=True) if body.recipient else None,
                body.carrier, body.clear_carrier)
    uow.commit()
    return order_view(uow, order)


@router.post("/orders/{order_no}/hold")
def hold_order(order_no: str, body: HoldIn, uow: UowDep, who: Caller) -> dict:
    """Stop an order by hand with a reason; its stock stays booked for it."""
    order = records.get_order(uow, order_no, lock=True)
    edits.hold(uow, order, who.name, body.reason)
    uow.commit()
    return order_view(uow, order)


@router.post("/orders/{order_no}/release")
def release_order(order_no: str, body: HoldIn, uow: UowDep, who: Caller) -> dict:
    """Lift a hold: review runs again; the answer says whether the order went on or what still holds it."""
    order = records.get_order(uow, order_no, lock=True)
    found = edits.release_hold(uow, order, who.name, body.reason)
    uow.commit()
    return {**order_view(uow, order), "released": found.ok, "problems": found.problems}


@router.post("/orders/{order_no}/ship-available")
def ship_available(order_no: str, uow: UowDep, who: Caller) -> dict:
    """拆单: an order held for stock ships what the shelves hold now; the rest becomes a back-order
    (`<order>-B<n>`) that waits for stock. The answer is the order, with the back-order named."""
    order = records.get_order(uow, order_no, lock=True)
    done = split.ship_available(uow, order, who.name)
    uow.commit()
    return {**order_view(uow, order), "back_order": done["back_order"]}


@router.get("/orders/{order_no}")
def get_order(order_no: str, uow: UowDep, who: Caller) -> dict:
    """An order with its lines, status history and notes (packers see the phone masked)."""
    view = order_view(uow, records.get_order(uow, order_no))
    if who.role not in FULL_RECIPIENT:
        view["recipient"]["phone"] = mask_phone(view["recipient"]["phone"])
    return view


@router.post("/orders/{order_no}/recipient/reveal")
async def reveal_recipient(order_no: str, body: RevealIn, request: Request, who: Caller) -> dict:
    """A platform's masked buyer in the clear, for one documented scene (2001 after-sales: the
    number; 1006 a hand-written parcel: everything...), logged with who and why; never stored."""
    return await run_in_threadpool(buyer_reveal.reveal, request.app.state.engine, order_no, body.scene,
                                   body.reason, who.name, who.role)


@router.get("/recipient-reveals")
def reveal_log(uow: UowDep, who: Caller, order_no: str | None = None,
               limit: int = Query(default=200, ge=1, le=2000)) -> dict:
    """Who asked to see which masked buyer, for which scene and why, and what came of it."""
    return {"reveals": buyer_reveal.reveal_log(uow, order_no, limit)}


@router.post("/orders/{order_no}/notes", status_code=201)
def add_note(order_no: str, body: NoteIn, uow: UowDep, who: Caller) -> dict:
    """Append a note (备注); notes are never edited. `for_warehouse`: the packer sees it at the
    station and must confirm reading it before the parcel's weighing counts."""
    note = records.add_note(uow, records.get_order(uow, order_no, lock=True), who.name, body.text, body.for_warehouse)
    uow.commit()
    return {"author": note.author, "text": note.text, "at": note.at.isoformat(), "for_warehouse": body.for_warehouse}


@router.put("/orders/{order_no}/lines")
def change_lines(order_no: str, body: ChangeLinesIn, uow: UowDep, who: Caller) -> dict:
    """Change an order's lines before packing: reservations are redone, picked units go back."""
    order = records.get_order(uow, order_no, lock=True)
    edits.change_lines(uow, order, [l.model_dump() for l in body.lines], who.name, body.reason)
    uow.commit()
    return order_view(uow, order)


@router.post("/orders/{order_no}/cancel")
def cancel_order(order_no: str, body: CancelIn, uow: UowDep, who: Caller) -> dict:
    """Cancel before packing: reservations are released, picked units go back to their bins."""
    order = records.get_order(uow, order_no, lock=True)
    edits.cancel(uow, order, who.name, body.reason)
    uow.commit()
    return order_view(uow, order)
