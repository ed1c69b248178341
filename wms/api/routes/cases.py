"""After-sales cases, returns receiving and the registers the manuals keep by hand."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Response
from pydantic import Field
from sqlalchemy import func
from sqlmodel import select

from wms.adapters.db.tables import AfterSalesCase, OrderRow, ReturnItem, ReturnReceipt
from wms.api.deps import Caller
from wms.api.schemas import Body, RowId
from wms.http import UowDep
from wms.services.aftersales import cases, returns

router = APIRouter(tags=["after-sales"])


class CaseLineIn(Body):
    sku: str
    qty: int = Field(gt=0, le=10_000, strict=True)
    condition: str | None = None


class CaseIn(Body):
    order_no: str
    case_type: str
    reason: str
    lines: list[CaseLineIn] = Field(default_factory=list)
    replacement_lines: list[CaseLineIn] | None = None
    compensation_amount: Decimal | None = Field(default=None, ge=0)
    notes: str | None = Field(default=None, max_length=2000)


class CloseIn(Body):
    outcome: str = Field(min_length=2, max_length=400)


class DecisionIn(Body):
    decision: str  # upheld declined
    reason: str = Field(min_length=2, max_length=400)


class ReceiveIn(Body):
    code: str = Field(min_length=1, max_length=80)
    notes: str | None = Field(default=None, max_length=1000)


class WeighIn(Body):
    grams: int = Field(ge=0, le=1_000_000, strict=True)
    station: str | None = None


class InspectItemIn(Body):
    sku: str
    qty: int = Field(gt=0, le=100_000, strict=True)
    disposition: str
    bin: str | None = None
    condition: str | None = None


class InspectIn(Body):
    items: list[InspectItemIn] = Field(min_length=1)


class MatchIn(Body):
    case: str


def receipt_view(uow: Any, r: ReturnReceipt) -> dict[str, Any]:
    case = uow.session.get(AfterSalesCase, r.case_id) if r.case_id else None
    items = uow.session.exec(select(ReturnItem).where(ReturnItem.receipt_id == r.id)).all()
    return {"receipt_id": r.id, "case": case.code if case else None, "unidentified": r.unidentified,
            "tracking_no": r.tracking_no, "scanned_code": r.scanned_code, "weight_g": r.weight_g, "notes": r.notes,
            "received_by": r.received_by, "received_at": r.received_at.isoformat(),
            "items": [{"sku": i.sku, "qty": i.qty, "disposition": i.disposition, "condition": i.condition} for i in items]}


@router.post("/cases", status_code=201)
def create_case(body: CaseIn, uow: UowDep, who: Caller) -> dict:
    """Open a case; one the policy refuses is kept as `refused` with the reason."""
    data = body.model_dump(mode="json")
    data["lines"] = [l for l in data["lines"]]
    case = cases.create_case(uow, data, who.name)
    uow.commit()
    return cases.case_view(uow, case)


@router.get("/cases")
def list_cases(uow: UowDep, who: Caller, order_no: str | None = None, status: str | None = None) -> list[dict]:
    """Cases, newest first (filter by order or status)."""
    stmt = select(AfterSalesCase)
    if order_no:
        stmt = stmt.join(OrderRow, OrderRow.id == AfterSalesCase.order_id).where(OrderRow.order_no == order_no)  # type: ignore[arg-type]
    if status:
        stmt = stmt.where(AfterSalesCase.status == status)
    return [cases.case_view(uow, c) for c in uow.session.exec(stmt.order_by(AfterSalesCase.id.desc()).limit(200)).all()]  # type: ignore[union-attr]


@router.get("/cases/{code}")
def get_case(code: str, uow: UowDep, who: Caller) -> dict:
    """A case with the parcel's weighings and, for a short-shipment claim, the weight evidence."""
    return cases.case_view(uow, cases.get_case(uow, code))


@router.post("/cases/{code}/close")
def close_case(code: str, body: CloseIn, uow: UowDep, who: Caller) -> dict:
    """Close with the outcome (refunded, reshipped, declined with evidence, compensated ...)."""
    case = cases.get_case(uow, code)
    cases.close_case(uow, case, body.outcome, who.name)
    uow.commit()
    return cases.case_view(uow, case)


@router.post("/cases/{code}/decision")
def decide_case(code: str, body: DecisionIn, uow: UowDep, who: Caller) -> dict:
    """Uphold or decline: a reship or exchange order leaves only after an upheld decision (a
    buyer-fault exchange also waits for its return); a declined case cancels it."""
    case = cases.get_case(uow, code)
    cases.decide(uow, case, body.decision, body.reason, who.name)
    uow.commit()
    return cases.case_view(uow, case)


@router.post("/returns/receipts", status_code=201)
def receive_return(body: ReceiveIn, uow: UowDep, who: Caller) -> dict:
    """Scan a returned parcel's tracking number or case code; unknown ones are kept as unidentified."""
    receipt = returns.receive(uow, body.code, who.name, body.notes)
    uow.commit()
    return receipt_view(uow, receipt)


@router.post("/returns/receipts/{receipt_id}/weigh")
def weigh_return(receipt_id: RowId, body: WeighIn, uow: UowDep, who: Caller) -> dict:
    """Weigh the returned parcel: stored as a `return` weighing, compared with the claimed items."""
    result = returns.weigh(uow, returns.get_receipt(uow, receipt_id), body.grams, body.station, who.name)
    uow.commit()
    return result


@router.post("/returns/receipts/{receipt_id}/inspect")
def inspect_return(receipt_id: RowId, body: InspectIn, uow: UowDep, who: Caller) -> dict:
    """Restock, quarantine, scrap or send back to the supplier, item by item; returns put-away slips."""
    receipt = returns.get_receipt(uow, receipt_id)
    slips = returns.inspect(uow, receipt, [i.model_dump() for i in body.items], who.name)
    uow.commit()
    return {"put_away": slips, "receipt": receipt_view(uow, receipt)}


@router.post("/returns/receipts/{receipt_id}/match")
def match_return(receipt_id: RowId, body: MatchIn, uow: UowDep, who: Caller) -> dict:
    """Tie an unidentified return to its case."""
    receipt = returns.get_receipt(uow, receipt_id)
    returns.match(uow, receipt, body.case, who.name)
    uow.commit()
    return receipt_view(uow, receipt)


@router.get("/reports/returns")
def return_rates(uow: UowDep, who: Caller) -> dict:
    """Return rate by SKU, by reason and by carrier."""
    return returns.return_rates(uow)


@router.get("/reports/misshipments")
def misshipments(uow: UowDep, who: Caller, format: str = "json") -> Any:
    """Wrong and missing items with the packing station, packer and time; `?format=csv` to export."""
    rows = cases.misshipment_register(uow)
    if format == "csv":
        return Response(returns.to_csv(rows), media_type="text/csv; charset=utf-8")
    return rows


@router.get("/reports/quality-alerts")
def quality_alerts(uow: UowDep, who: Caller) -> list[dict]:
    """SKUs with several quality cases within a week."""
    return cases.quality_alerts(uow)


@router.get("/reports/lost-parcels")
def lost_parcels(uow: UowDep, who: Caller) -> list[dict]:
    """Lost-parcel compensation per carrier per month."""
    return cases.lost_parcel_register(uow)


@router.get("/reports/monthly")
def monthly(month: str, uow: UowDep, who: Caller) -> dict:
    """One month of after-sales: cases by type and reason, refunds, and where returned units went."""
    rows = [c for c in uow.session.exec(select(AfterSalesCase)).all() if c.created_at.strftime("%Y-%m") == month]
    by_type: dict[str, int] = {}
    by_reason: dict[str, int] = {}
    for c in rows:
        by_type[c.case_type] = by_type.get(c.case_type, 0) + 1
        by_reason[c.reason] = by_reason.get(c.reason, 0) + 1
    units = dict(uow.session.exec(select(ReturnItem.disposition, func.sum(ReturnItem.qty)).group_by(ReturnItem.disposition)).all())
    return {"month": month, "cases": len(rows), "by_type": by_type, "by_reason": by_reason,
            "refunds": str(sum((c.refund_amount for c in rows if c.status != "refused"), Decimal("0"))),
            "refused": sum(1 for c in rows if c.status == "refused"),
            "returned_units": {k: int(v) for k, v in units.items()}}
