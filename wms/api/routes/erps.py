"""Sellers' ERPs that drive the warehouse over 奇门 (the API side of `wms erp`): register one,
list them, and the confirmations waiting to go back to them."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query
from pydantic import Field

from wms.api.deps import Caller
from wms.api.schemas import Body
from wms.http import UowDep
from wms.services.platforms import entry_orders, erp_outbox, erps, uploads

router = APIRouter(tags=["erps"])


class ErpIn(Body):
    name: str = Field(min_length=1, max_length=40)
    kind: Literal["qimen"] = "qimen"
    app_key: str = Field(min_length=1, max_length=100)
    secret: str = Field(min_length=1, max_length=200, description="the app secret, or env:NAME")
    customer_id: str = Field(min_length=1, max_length=64)
    callback_url: str = Field(default="", max_length=300, description="where deliveryorder.confirm goes")


@router.post("/erps")
def add_erp(body: ErpIn, uow: UowDep, who: Caller) -> dict:
    """Register an ERP (or change it); the secret is never shown again."""
    row = erps.add_erp(uow, body.name, body.app_key, body.secret, body.customer_id, body.callback_url)
    uow.commit()
    return erps.erp_view(row)


@router.get("/erps")
def list_erps(uow: UowDep, who: Caller) -> dict:
    """Every ERP with its app key, customer id and callback URL (secrets only as set / from env)."""
    return {"erps": [erps.erp_view(r) for r in erps.erps(uow)]}


@router.get("/erps/outbox")
def outbox(uow: UowDep, who: Caller, status: str | None = None, limit: int = Query(50, ge=1, le=500)) -> dict:
    """Confirmations (deliveryorder.confirm) waiting for, sent to or refused by the ERPs."""
    return {"confirmations": [uploads.upload_view(u)
                              for u in uploads.list_uploads(uow, status, limit, kind=erps.KIND)],
            "messages": [erp_outbox.message_view(m) for m in erp_outbox.list_messages(uow, status, limit)],
            "counts": erp_outbox.counts(uow)}


class EntryReceiptIn(Body):
    sku: str = Field(min_length=1, max_length=64)
    bin: str = Field(min_length=1, max_length=40)
    qty: int = Field(gt=0, le=1_000_000, strict=True)


@router.get("/entry-orders")
def list_entry_orders(uow: UowDep, who: Caller, all: bool = False) -> dict:
    """Expected receipts (入库单) the ERPs announced, open ones first-come (all: closed ones too)."""
    return {"entry_orders": [entry_orders.entry_view(r) for r in entry_orders.list_entries(uow, open_only=not all)]}


@router.get("/entry-orders/{code}")
def get_entry_order(code: str, uow: UowDep, who: Caller) -> dict:
    """One expected receipt: each item planned and received so far."""
    return entry_orders.entry_view(entry_orders.get(uow, code))


@router.post("/entry-orders/{code}/receipts", status_code=201)
def receive_entry(code: str, body: EntryReceiptIn, uow: UowDep, who: Caller) -> dict:
    """Units of an announced item put into a bin; 409 not_on_entry_order for an item it does not list."""
    row = entry_orders.receive(uow, code, body.sku.strip(), body.bin.strip(), body.qty, who.name)
    uow.commit()
    return entry_orders.entry_view(row)


@router.post("/entry-orders/{code}/close")
def close_entry(code: str, uow: UowDep, who: Caller) -> dict:
    """The receipt is done: entryorder.confirm with the units that came goes back to the ERP."""
    row = entry_orders.close(uow, code, who.name)
    uow.commit()
    return entry_orders.entry_view(row)
