"""Returns receiving (/returns): scan the parcel, weigh it, inspect each item, choose where
it goes, print the put-away slip.

Every step is a call to the returns API from the page (receive, weigh, inspect), so the
receipt, the `return` weighing and the stock moves are recorded exactly as the API does."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from wms.http import UowDep
from wms.web.common import gate, render

router = APIRouter(include_in_schema=False)


@router.get("/returns", response_class=HTMLResponse)
def returns_page(request: Request, uow: UowDep, bench: str = "RETURNS") -> Response:
    """The page is a shell; returns.js drives the returns API (/api/returns/receipts...)."""
    who = gate(request, uow, "returns")
    if isinstance(who, Response):
        return who
    return render(request, "returns.html", who, active="returns", bench=bench.strip()[:40] or "RETURNS")
