"""The after-sales desk (/after-sales): find a parcel, read its weight history, act on it.

Search and the parcel page are rendered on the server from the same services the API
uses; the evidence PDF is the API's own (/api/parcels/{no}/evidence.pdf, which accepts the
page's cookie).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import select

from wms.adapters.db.tables import AfterSalesCase, OrderRow, Parcel
from wms.adapters.db.uow import UnitOfWork
from wms.domain import return_policy
from wms.domain.errors import NotFound
from wms.http import UowDep
from wms.services import local_time
from wms.services.aftersales import cases
from wms.services.packing import weight_history
from wms.web.charts import weight_history_svg
from wms.web.common import gate, render

router = APIRouter(include_in_schema=False)

CASE_TYPES = {"refund_only": "refund only 仅退款", "return_refund": "return and refund 退货退款",
              "exchange": "exchange 换货", "reship": "reship 补发", "lost_claim": "lost parcel claim 丢件理赔"}
REASONS = {"quality": "quality 质量问题", "wrong_item": "wrong item 发错货", "short_shipment": "item missing 少发/漏发",
           "transit_damage": "damaged in transit 运输破损", "no_reason_7d": "7-day no reason 七天无理由",
           "changed_mind": "changed mind 不想要了"}


def parcel_row(uow: UnitOfWork, parcel: Parcel) -> dict[str, Any]:
    order = uow.session.get(OrderRow, parcel.order_id)
    return {"tracking_no": parcel.tracking_no, "order_no": order.order_no if order else "?",
            "carrier": parcel.carrier, "weight_g": parcel.weight_g, "status": parcel.status,
            "created_at": local_time.local(parcel.created_at, "%Y-%m-%d %H:%M")}


def parcel_detail(uow: UnitOfWork, parcel: Parcel) -> dict[str, Any]:
    """What the desk needs to answer "was it complete when it left?" in one place."""
    data = weight_history.evidence(uow, parcel)
    order = uow.session.get(OrderRow, parcel.order_id)
    data["order_status"] = order.status if order else None
    data["parcel_status"] = parcel.status
    data["chart"] = weight_history_svg(data["weighings"])
    data["cases"] = cases_of_order(uow, parcel.order_id)
    data["case_types"] = {k: CASE_TYPES.get(k, k) for k in return_policy.CASE_TYPES}
    data["reasons"] = {k: REASONS.get(k, k) for k in return_policy.REASONS}
    for w in data["weighings"]:
        w["when"] = local_time.local(w["at"], "%m-%d %H:%M:%S")
    return data


def cases_of_order(uow: UnitOfWork, order_id: int) -> list[dict[str, Any]]:
    """The order's after-sales cases, newest first, as the cases API shows them."""
    rows = uow.session.exec(select(AfterSalesCase).where(AfterSalesCase.order_id == order_id)
                            .order_by(AfterSalesCase.id.desc())).all()  # type: ignore[union-attr]
    return [cases.case_view(uow, c) for c in rows]


@router.get("/after-sales", response_class=HTMLResponse)
def after_sales_page(request: Request, uow: UowDep, q: str = "") -> Response:
    who = gate(request, uow, "after_sales")
    if isinstance(who, Response):
        return who
    q = q.strip()[:64]
    found = weight_history.find_parcels(uow, q) if q else []
    detail = parcel_detail(uow, found[0]) if len(found) == 1 else None
    return render(request, "after_sales.html", who, active="after_sales", q=q,
                  results=[parcel_row(uow, p) for p in found], detail=detail)


@router.get("/after-sales/parcels/{tracking_no}", response_class=HTMLResponse)
def parcel_page(tracking_no: str, request: Request, uow: UowDep) -> Response:
    who = gate(request, uow, "after_sales")
    if isinstance(who, Response):
        return who
    try:
        parcel = weight_history.get_parcel(uow, tracking_no)
    except NotFound as exc:
        return render(request, "after_sales.html", who, status_code=404, active="after_sales", q=tracking_no,
                      results=[], detail=None, problem=exc.message)
    return render(request, "after_sales.html", who, active="after_sales", q=tracking_no,
                  results=[parcel_row(uow, parcel)], detail=parcel_detail(uow, parcel))
