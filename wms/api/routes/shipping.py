"""Carriers and tracking pools (admin), and the daily handover to couriers with its manifest."""

from __future__ import annotations

from datetime import date
from typing import Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import Field

from wms.api.deps import Caller
from wms.api.schemas import Body, RowId
from wms.http import UowDep
from wms.services.shipping import carrier_setup, handover, scan_out

router = APIRouter(tags=["shipping"])


class CarrierIn(Body):
    code: str = Field(min_length=1, max_length=20)
    name: str = Field(default="", max_length=100)
    regions: list[str] = Field(default_factory=lambda: ["*"])
    excluded_regions: list[str] = Field(default_factory=list)
    cod: bool = False
    max_weight_g: int = Field(default=0, ge=0, le=10_000_000)
    default: bool = False
    fallback: bool = False


class PoolIn(Body):
    prefix: str = Field(default="", max_length=10)
    suffix: str = Field(default="", max_length=10)
    digits: int | None = Field(default=None, ge=1, le=18)
    start: int = Field(ge=0, le=10**18)
    end: int = Field(ge=0, le=10**18)
    scheme: Literal["plain", "s10"] = "plain"


class ProviderIn(Body):
    provider: Literal["pool", "cainiao"]
    account: str | None = Field(default=None, min_length=1, max_length=40)
    url: str | None = Field(default=None, max_length=300)
    app_key: str | None = Field(default=None, max_length=100)
    secret: str | None = Field(default=None, max_length=200)
    token: str | None = Field(default=None, max_length=300)
    cp_code: str | None = Field(default=None, max_length=20)
    customer_code: str | None = Field(default=None, max_length=60)


class NumberIn(Body):
    tracking_no: str = Field(min_length=1, max_length=40)


class HandoverIn(Body):
    carrier: str = Field(min_length=1, max_length=20)


@router.get("/carriers")
def list_carriers(uow: UowDep, who: Caller) -> list[dict]:
    """Carriers with their reach, COD, weight limit and default/fallback flags."""
    return [carrier_setup.carrier_view(c) for c in carrier_setup.list_carriers(uow)]


@router.post("/carriers", status_code=201, responses={200: {"description": "the carrier existed: the fields sent are changed"}})
def save_carrier(body: CarrierIn, uow: UowDep, who: Caller, response: Response) -> dict:
    """Create a carrier, or change the fields sent (200) if the code exists.

    Making a carrier the default clears the old default.
    """
    row, created = carrier_setup.save_carrier(uow, body.model_dump(exclude_unset=True))
    uow.commit()
    if not created:
        response.status_code = 200
    return carrier_setup.carrier_view(row)


@router.post("/carriers/{code}/provider")
def set_provider(code: str, body: ProviderIn, uow: UowDep, who: Caller) -> dict:
    """Where the carrier's numbers come from: `pool` or `cainiao` (with its account); the answer
    says whether the secret and token are set, never what they are."""
    from wms.services.shipping.waybill_numbers import provider_view
    from wms.services.shipping.waybill_numbers import set_provider as set_it

    row = set_it(uow, code, body.provider, account=body.account, url=body.url, app_key=body.app_key,
                 secret=body.secret, token=body.token, cp_code=body.cp_code, customer_code=body.customer_code)
    uow.commit()
    return {**carrier_setup.carrier_view(row), **provider_view(uow, row)}


@router.post("/carriers/{code}/pools", status_code=201)
def add_pool(code: str, body: PoolIn, request: Request, uow: UowDep, who: Caller) -> dict:
    """Load a purchased range of tracking numbers; overlapping ranges are refused (409)."""
    pool = carrier_setup.add_pool(uow, code, body.prefix, body.suffix, body.digits, body.start, body.end, body.scheme)
    uow.commit()
    status = carrier_setup.pool_status(uow, request.app.state.settings.tracking_pool_low_water)
    return next(p for p in status["pools"] if p["id"] == pool.id)


@router.post("/carriers/{code}/check-number")
def check_number(code: str, body: NumberIn, uow: UowDep, who: Caller) -> dict:
    """Does a tracking number fit the carrier's format (S10 check digit too), and is it ours?"""
    return carrier_setup.check_number(uow, code, body.tracking_no)


@router.get("/tracking-pools")
def tracking_pools(request: Request, uow: UowDep, who: Caller) -> dict:
    """Numbers left per pool and per carrier; `low` below settings.tracking_pool_low_water."""
    return carrier_setup.pool_status(uow, request.app.state.settings.tracking_pool_low_water)


@router.post("/handovers", status_code=201)
def close_handover(body: HandoverIn, uow: UowDep, who: Caller) -> dict:
    """Close the carrier's batch at pickup: its packed parcels and their orders become shipped."""
    batch = handover.close_handover(uow, body.carrier, who.name)
    uow.commit()
    return handover.handover_view(uow, batch.id)  # type: ignore[arg-type]


class ScanOutIn(Body):
    code: str = Field(min_length=1, max_length=80, description="the parcel's tracking number, as its label's barcode reads")


@router.post("/handovers/open", status_code=201)
def open_scan_out(body: HandoverIn, uow: UowDep, who: Caller) -> dict:
    """Start handing a carrier's parcels over by scanning each (扫描交接); its open batch if one is."""
    batch = scan_out.open_batch(uow, body.carrier)
    uow.commit()
    return handover.handover_view(uow, batch.id)  # type: ignore[arg-type]


@router.post("/handovers/{handover_id}/scans")
def scan_out_parcel(handover_id: RowId, body: ScanOutIn, uow: UowDep, who: Caller) -> dict:
    """A parcel onto the open batch; 409 parcel_intercepted / parcel_voided / wrong_carrier /
    already_handed_over say loudly why it must not go; scanning it again is harmless."""
    answer = scan_out.scan(uow, handover_id, body.code)
    uow.commit()
    return answer


@router.post("/handovers/{handover_id}/close")
def close_scan_out(handover_id: RowId, uow: UowDep, who: Caller) -> dict:
    """Ship what was scanned; `left_behind` lists the carrier's packed parcels that were not."""
    batch, left = scan_out.close(uow, handover_id, who.name)
    uow.commit()
    return {**handover.handover_view(uow, batch.id), "left_behind": left}  # type: ignore[arg-type]


@router.get("/handovers")
def list_handovers(uow: UowDep, who: Caller, carrier: str | None = None,
                   day: date | None = Query(default=None, alias="date")) -> list[dict]:
    """Batches, newest first; `date` (YYYY-MM-DD) is the warehouse day in China Standard Time."""
    return handover.list_handovers(uow, carrier, day)


@router.get("/handovers/{handover_id}")
def get_handover(handover_id: RowId, uow: UowDep, who: Caller) -> dict:
    """One batch with its parcels (phones masked) and totals."""
    return handover.handover_view(uow, handover_id)


@router.get("/handovers/{handover_id}/manifest.csv", response_class=Response)
def manifest_csv(handover_id: RowId, uow: UowDep, who: Caller) -> Response:
    """The manifest as CSV (UTF-8 with BOM) with a totals row."""
    view = handover.handover_view(uow, handover_id)
    return Response(handover.manifest_csv(view), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="handover-{view["carrier"]}-{handover_id}.csv"'})


@router.get("/handovers/{handover_id}/manifest.pdf", response_class=Response)
def manifest_pdf(handover_id: RowId, uow: UowDep, who: Caller) -> Response:
    """The signed-at-pickup manifest (快递交接清单), A4, in Chinese."""
    from wms.adapters.reports.manifest_pdf import render_manifest_pdf

    view = handover.handover_view(uow, handover_id)
    return Response(render_manifest_pdf(view), media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="handover-{view["carrier"]}-{handover_id}.pdf"'})
