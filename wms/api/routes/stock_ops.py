"""Stock moves, cycle counts, bin contents, the low-stock report and the ledger."""

from __future__ import annotations

from fastapi import APIRouter, Query
from pydantic import Field

from wms.api.deps import Caller
from wms.api.schemas import Body
from wms.http import UowDep
from wms.services.stock import moves

router = APIRouter(tags=["stock"])


class MoveIn(Body):
    sku: str = Field(min_length=1, max_length=64)
    from_bin: str = Field(min_length=1, max_length=40)
    to_bin: str = Field(min_length=1, max_length=40)
    qty: int = Field(gt=0, le=1_000_000, strict=True)
    reason: str | None = Field(default=None, max_length=300)


class CountIn(Body):
    sku: str = Field(min_length=1, max_length=64)
    bin: str = Field(min_length=1, max_length=40)
    counted_qty: int = Field(ge=0, le=1_000_000, strict=True)
    reason: str = Field(min_length=1, max_length=300)


@router.post("/stock/moves", status_code=201)
def move_stock(body: MoveIn, uow: UowDep, who: Caller) -> dict:
    """Move available (unreserved) units between bins; two `move` ledger rows with one ref."""
    result = moves.move_stock(uow, body.sku, body.from_bin, body.to_bin, body.qty, who.name, body.reason)
    uow.commit()
    return result


@router.post("/stock/adjustments", status_code=201)
def count_bin(body: CountIn, uow: UowDep, who: Caller) -> dict:
    """Record a cycle count; a count below what is reserved comes back with a `warning`."""
    result = moves.count_bin(uow, body.sku, body.bin, body.counted_qty, body.reason, who.name)
    uow.commit()
    return result


@router.get("/stock/bins/{bin_code}")
def bin_contents(bin_code: str, uow: UowDep, who: Caller) -> dict:
    """What one bin holds per SKU, with its latest ledger rows."""
    return moves.bin_contents(uow, bin_code)


@router.get("/stock/report")
def stock_report(uow: UowDep, who: Caller, low: int = Query(default=5, ge=0, le=1_000_000_000)) -> list[dict]:
    """On hand / reserved / available per SKU with ok, low (<= `low`) or out; out first."""
    return moves.stock_report(uow, low)


@router.get("/stock/ledger")
def stock_ledger(uow: UowDep, who: Caller, sku: str | None = None, bin: str | None = None,
                 limit: int = Query(default=200, ge=1, le=5000)) -> list[dict]:
    """The append-only stock history, newest first."""
    return moves.ledger(uow, sku, bin, limit)
