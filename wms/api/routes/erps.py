"""Sellers' ERPs that drive the warehouse over 奇门 (the API side of `wms erp`): register one,
list them, and the confirmations waiting to go back to them."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query
from pydantic import Field

from wms.api.deps import Caller
from wms.api.schemas import Body
from wms.http import UowDep
from wms.services.platforms import erps, uploads

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
def erp_outbox(uow: UowDep, who: Caller, status: str | None = None, limit: int = Query(50, ge=1, le=500)) -> dict:
    """Confirmations (deliveryorder.confirm) waiting for, sent to or refused by the ERPs."""
    return {"confirmations": [uploads.upload_view(u)
                              for u in uploads.list_uploads(uow, status, limit, kind=erps.KIND)]}
