"""The HTTP API under /api: every route module's router, and the overview counts.

The application that serves it beside the pages is `wms.app.create_app`.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends

from wms.access import API_PREFIX
from wms.api.deps import Caller, authorize
from wms.api.routes import (
    auth,
    bills,
    board,
    cases,
    erps,
    master,
    orders,
    packing,
    picking,
    platforms,
    shipping,
    stations,
    stock_ops,
)
from wms.api.schemas import ERROR_RESPONSES
from wms.http import UowDep
from wms.services.board.overview import warehouse_counts


def api_router() -> APIRouter:
    api = APIRouter(prefix=API_PREFIX, dependencies=[Depends(authorize)], responses=ERROR_RESPONSES)  # who may: wms.access.API
    api.include_router(auth.router)
    api.include_router(platforms.router)  # first: /orders/late before /orders/{order_no}
    api.include_router(master.router)
    api.include_router(orders.router)
    api.include_router(packing.router)
    api.include_router(stations.router)
    api.include_router(picking.router)
    api.include_router(cases.router)
    api.include_router(shipping.router)
    api.include_router(bills.router)
    api.include_router(stock_ops.router)
    api.include_router(erps.router)
    api.include_router(board.router)

    @api.get("/overview", tags=["overview"])
    def overview(uow: UowDep, who: Caller) -> dict:
        """Counts of bins, SKUs, stock and orders by status."""
        return warehouse_counts(uow)

    return api
