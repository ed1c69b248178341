"""Pick waves, pick lists and pick confirmation.

Supervisors release orders and plan waves; floor staff (packer role) read pick lists
and confirm picks by scanning bin then item, or report a bin that holds too little.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from wms.api.deps import Caller
from wms.api.schemas import RowId
from wms.domain.batching import Cart
from wms.http import UowDep
from wms.services.picking import lists, short_picks, tasks, waves

router = APIRouter(tags=["picking"])


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class ReleaseIn(_Body):
    order_nos: list[str] | None = None
    all_reserved: bool = False
    limit: int | None = Field(default=None, ge=1, le=waves.MAX_RELEASE)


class CartIn(_Body):
    totes: int = Field(default=waves.DEFAULT_CART.totes, ge=1, le=100)
    max_weight_g: int = Field(default=waves.DEFAULT_CART.max_weight_g, gt=0, le=10_000_000)
    max_volume_cm3: int = Field(default=waves.DEFAULT_CART.max_volume_cm3, gt=0, le=100_000_000)


class WaveIn(_Body):
    order_nos: list[str] | None = None
    cart: CartIn = Field(default_factory=CartIn)
    method: str = "auto"
    limit: int = Field(default=waves.DEFAULT_WAVE_LIMIT, ge=1, le=waves.MAX_WAVE_ORDERS)
    rebin: bool = True


class PickIn(_Body):
    bin: str = Field(min_length=1, max_length=40)
    code: str = Field(min_length=1, max_length=200)
    qty: int = Field(default=1, ge=1, le=100_000, strict=True)
    tote: int | None = Field(default=None, ge=1, le=10_000)


class ShortIn(_Body):
    bin: str = Field(min_length=1, max_length=40)
    sku: str = Field(min_length=1, max_length=200)
    found_qty: int = Field(ge=0, le=10_000_000, strict=True)


@router.post("/orders/release")
def release_orders(body: ReleaseIn, uow: UowDep, who: Caller) -> dict[str, Any]:
    """Reserved orders become released for picking: the listed ones, or all (oldest paid first)."""
    result = waves.release_orders(uow, who.name, body.order_nos, body.all_reserved, body.limit)
    uow.commit()
    return result


@router.post("/waves", status_code=201)
def create_wave(body: WaveIn, uow: UowDep, who: Caller) -> dict[str, Any]:
    """Batch released orders into cart trips (one tote per order) and route each trip.

    The answer has every trip's stops in walking order, and the wave's walking
    distance next to picking one order per trip.
    """
    cart = Cart(totes=body.cart.totes, max_weight_g=body.cart.max_weight_g,
                max_volume_cm3=body.cart.max_volume_cm3)
    view = waves.create_wave(uow, who.name, cart, body.order_nos, body.method, body.limit, body.rebin)
    uow.commit()
    return view


@router.get("/waves")
def list_waves(uow: UowDep, who: Caller, limit: int = Query(default=50, ge=1, le=500)) -> list[dict[str, Any]]:
    """Recent waves, newest first, with how many tasks are still open."""
    return waves.list_waves(uow, limit)


@router.get("/waves/{code}")
def get_wave(code: str, uow: UowDep, who: Caller) -> dict[str, Any]:
    """A wave with its trips and distances."""
    return lists.wave_view(uow, tasks.get_wave(uow, code))


@router.get("/waves/{code}/picklists")
def picklists(code: str, uow: UowDep, who: Caller) -> list[dict[str, Any]]:
    """Every trip's pick list: stops in walking order with tote labels, the walk, and what the
    buyers and the seller wrote for its orders (`notes`)."""
    from wms.services.orders.records import picklist_notes

    views = lists.picklists(uow, tasks.get_wave(uow, code))
    for view in views:
        view["notes"] = picklist_notes(uow, view["orders"])
    return views


@router.get("/waves/{code}/trips/{trip}/picklist.pdf")
def picklist_pdf(
    code: str, trip: RowId, uow: UowDep, who: Caller,
    size: Literal["A4", "100x150"] = Query(default="A4", description="A4 sheet or 100x150 mm label"),
) -> Response:
    """The printable pick list of one trip, with its route on the warehouse map."""
    from printing.picklist import render_picklist_pdf
    from wms.services.orders.records import picklist_notes

    view, layout, route = lists.trip_picklist(uow, tasks.get_wave(uow, code), trip)
    pdf = render_picklist_pdf({"wave": view["wave"], "trip": trip, "stops": view["stops"],
                               "notes": picklist_notes(uow, view["orders"])}, layout, route, size)
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="picklist-{view["wave"]}-{trip:02d}.pdf"'})


@router.get("/waves/{code}/trips/{trip}/route.svg")
def route_svg(code: str, trip: RowId, uow: UowDep, who: Caller) -> Response:
    """The trip's walk drawn on the warehouse map (the polyline is in layout metres)."""
    from printing.picklist import render_route_svg

    _, layout, route = lists.trip_picklist(uow, tasks.get_wave(uow, code), trip)
    return Response(render_route_svg(layout, route), media_type="image/svg+xml")


@router.get("/waves/{code}/trips/{trip}/route.png")
def route_png(code: str, trip: RowId, uow: UowDep, who: Caller) -> Response:
    """The trip's walk on the warehouse map as a PNG, for handhelds."""
    from printing.picklist import render_route_png

    _, layout, route = lists.trip_picklist(uow, tasks.get_wave(uow, code), trip)
    return Response(render_route_png(layout, route), media_type="image/png")


@router.post("/waves/{code}/picks")
def confirm_pick(code: str, body: PickIn, uow: UowDep, who: Caller) -> dict[str, Any]:
    """Scan bin, then item: the units leave the bin for their totes (wrong bin/item refused)."""
    wave = tasks.get_wave(uow, code)
    result = tasks.confirm_pick(uow, wave, body.bin, body.code, body.qty, who.name, body.tote)
    uow.commit()
    return result


@router.post("/waves/{code}/shorts")
def short_pick(code: str, body: ShortIn, uow: UowDep, who: Caller) -> dict[str, Any]:
    """The bin holds fewer than expected: count it down and pick the rest elsewhere, or hold the order.

    `found_qty` is what is in the bin now (after any units already picked from it).
    """
    wave = tasks.get_wave(uow, code)
    result = short_picks.short_pick(uow, wave, body.bin, body.sku, body.found_qty, who.name)
    uow.commit()
    return result
