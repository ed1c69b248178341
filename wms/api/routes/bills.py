"""Carriers' rate tables and couriers' bills (对账单) checked against our outbound weighings."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request, Response
from pydantic import Field

from wms.adapters.db.uow import UnitOfWork
from wms.api.deps import Caller
from wms.api.schemas import Body, RowId
from wms.http import UowDep
from wms.services.shipping import bills, rate_cache

router = APIRouter(tags=["bills"])


class RateIn(Body):
    region: str = Field(default="*", max_length=40)  # a province, or "*" for the rest
    first_g: int = Field(default=1000, ge=1, le=1_000_000)
    first_fee: str = Field(max_length=20)
    step_g: int = Field(default=1000, ge=1, le=1_000_000)
    step_fee: str = Field(max_length=20)


@router.put("/carriers/{code}/rates")
def set_rate(code: str, body: RateIn, uow: UowDep, who: Caller) -> dict:
    """A carrier's rate (首重 + 续重) for a region; bills are checked against it."""
    bills.set_rate(uow, code, body.region, body.first_g, body.first_fee, body.step_g, body.step_fee)
    uow.commit()
    return {"carrier": code.upper(), "rates": [r.__dict__ | {"first_fee": str(r.first_fee), "step_fee": str(r.step_fee)}
                                               for r in rate_cache.read_rates(uow, code.upper())]}


@router.post("/bills/import", status_code=201)
async def import_bill(request: Request, who: Caller, carrier: str = Query(min_length=1, max_length=20),
                      filename: str = Query(default="bill.csv", max_length=200)) -> dict:
    """A courier's bill (CSV or Excel, the file as the body): every row judged against the parcel's
    outbound weighing and the rate table; overcharges listed with their evidence."""
    raw = await request.body()
    with UnitOfWork(request.app.state.engine) as uow:
        bill = bills.import_bill(uow, carrier, raw, filename, who.name)
        uow.commit()
        return bills.bill_view(uow, bill)


@router.get("/bills/{bill_id}")
def get_bill(bill_id: RowId, uow: UowDep, who: Caller, claims_only: bool = False) -> dict:
    """A bill with its verdicts and lines (claims only, if asked)."""
    return bills.bill_view(uow, bills.get_bill(uow, bill_id), claims_only)


@router.get("/bills/{bill_id}/claims.csv")
def claims_csv(bill_id: RowId, uow: UowDep, who: Caller) -> Response:
    """The claim sheet (索赔单) as CSV for Excel (UTF-8 with BOM)."""
    view = bills.bill_view(uow, bills.get_bill(uow, bill_id), claims_only=True)
    return Response("\ufeff" + bills.claims_csv(view), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="claims-{bill_id}.csv"'})
