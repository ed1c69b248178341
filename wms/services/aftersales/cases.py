"""After-sales cases (售后单): one record per problem, linked to its order, with the outcome."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import select

from wms.adapters.db.tables import AfterSalesCase, CaseLine, OrderRow, PackSessionRow, Parcel, ReturnItem, ReturnReceipt, SkuRow
from wms.adapters.db.types import utcnow
from wms.adapters.db.uow import UnitOfWork
from wms.domain import return_policy as policy
from wms.domain.errors import Conflict, Invalid, NotFound
from wms.services.orders import edits, intake, records
from wms.services.packing import weight_history
from wms.services.stock import catalog

DELIVERY_GUESS = timedelta(days=3)


def get_case(uow: UnitOfWork, code: str) -> AfterSalesCase:
    row = uow.session.exec(select(AfterSalesCase).where(AfterSalesCase.code == code.strip().upper())).first()
    if row is None:
        raise NotFound(f"no after-sales case {code}", "unknown_case")
    return row


def _parcel(uow: UnitOfWork, order: OrderRow) -> Parcel | None:
    return uow.session.exec(select(Parcel).where(Parcel.order_id == order.id).order_by(Parcel.id.desc())).first()  # type: ignore[union-attr]


def _items(uow: UnitOfWork, lines: list[dict[str, Any]]) -> list[policy.CaseItem]:
    skus = catalog.skus_by_code(uow, {l["sku"] for l in lines})
    out = []
    for l in lines:
        sku = skus.get(l["sku"])
        if sku is None:
            raise NotFound(f"unknown SKU {l['sku']}", "unknown_sku")
        out.append(policy.CaseItem(sku.sku, int(l["qty"]), sku.category, sku.special_price, sku.returnable,
                                   l.get("condition"), sku.price))
    return out


def create_case(uow: UnitOfWork, data: dict[str, Any], actor: str, now: datetime | None = None) -> AfterSalesCase:
    """Open a case; a policy refusal is recorded as a refused case with the reason, not dropped."""
    now = now or utcnow()
    case_type, reason = data["case_type"], data["reason"]
    if case_type not in policy.CASE_TYPES:
        raise Invalid(f"case_type: choose one of {', '.join(policy.CASE_TYPES)}", "invalid_case_type")
    if reason not in policy.REASONS:
        raise Invalid(f"reason: choose one of {', '.join(policy.REASONS)}", "invalid_reason")
    order = records.get_order(uow, data["order_no"])
    ordered = {l.sku: l.qty for l in records.order_lines(uow, order)}
    lines = data.get("lines") or []
    for l in lines:
        if l["sku"] not in ordered:
            raise Conflict(f"{l['sku']} was not on order {order.order_no}", "not_on_order")
        if int(l["qty"]) <= 0 or int(l["qty"]) > ordered[l["sku"]]:
            raise Invalid(f"qty of {l['sku']} must be 1..{ordered[l['sku']]}", "invalid_qty")
    if case_type != "lost_claim" and not lines:
        raise Invalid("lines: say which items the case is about", "missing_field")
    items = _items(uow, lines)
    parcel = _parcel(uow, order)
    # The window runs from the recorded delivery; with none on record, from a guess after shipping.
    delivered = (parcel.delivered_at or (parcel.shipped_at + DELIVERY_GUESS if parcel.shipped_at else None)) if parcel else None
    decision = policy.evaluate_case(case_type, reason, items, delivered, now)
    row = AfterSalesCase(
        code="AS-PENDING", order_id=order.id, case_type=case_type, reason=reason,  # type: ignore[arg-type]
        status=("awaiting_return" if case_type in policy.RETURNING_TYPES else "open") if decision.allowed else "refused",
        responsibility=decision.responsibility, return_shipping_payer=decision.shipping_payer,
        refund_amount=policy.refund_amount(items, case_type, decision.shipping_payer) if decision.allowed else 0,
        outcome=None if decision.allowed else f"refused: {decision.reason}",
        tracking_no=parcel.tracking_no if parcel else None, created_by=actor, notes=data.get("notes"),
        claimed_sku=lines[0]["sku"] if lines else None, claimed_qty=int(lines[0]["qty"]) if lines else 0,
    )
    uow.session.add(row)
    uow.session.flush()
    row.code = f"AS{row.id:06d}"
    for l in lines:
        uow.session.add(CaseLine(case_id=row.id, sku=l["sku"], qty=int(l["qty"]), condition=l.get("condition")))  # type: ignore[arg-type]
    if decision.allowed and case_type in ("reship", "exchange"):
        _replacement(uow, row, order, data.get("replacement_lines") or lines, actor)
    if decision.allowed and case_type == "lost_claim":
        row.compensation_amount = data.get("compensation_amount") or 0
    uow.session.add(row)
    uow.session.flush()
    return row


def _replacement(uow: UnitOfWork, case: AfterSalesCase, order: OrderRow, lines: list[dict[str, Any]], actor: str) -> None:
    """Reship (补发) and exchange send goods out again as an order of their own, linked to the case."""
    suffix = "RS" if case.case_type == "reship" else "EX"
    n = 1 + len(uow.session.exec(select(OrderRow).where(OrderRow.order_no.startswith(f"{order.order_no}-{suffix}"))).all())  # type: ignore[attr-defined]
    new, _ = intake.create_order(uow, {
        "order_no": f"{order.order_no}-{suffix}{n}", "channel": "after_sales", "shop": order.shop,
        "remark": f"{case.code} {case.reason}",
        "recipient": {"name": order.recipient_name, "phone": order.recipient_phone, "province": order.province,
                      "city": order.city, "district": order.district, "address": order.address},
        "lines": [{"sku": l["sku"], "qty": int(l["qty"])} for l in lines]}, actor,
        hold=_waiting_reason(case, policy.WAIT_DECISION), give_gifts=False)
    case.replacement_order_id = new.id


def _waiting_reason(case: AfterSalesCase, gate: str) -> str:
    if gate == policy.WAIT_RETURN:
        return f"{AFTER_SALES_HOLD} {case.code} ships once the return is received and inspected"
    return f"{AFTER_SALES_HOLD} {case.code} waits for the case decision"


AFTER_SALES_HOLD = records.rules.AFTER_SALES_HOLD


def apply_replacement_gate(uow: UnitOfWork, case: AfterSalesCase, actor: str) -> str | None:
    """Release, keep waiting or cancel the case's replacement order, as the case now stands."""
    if not case.replacement_order_id:
        return None
    order = uow.session.get(OrderRow, case.replacement_order_id)
    if order is None or order.status in (records.rules.CANCELLED, records.rules.PACKED, records.rules.SHIPPED):
        return None
    gate = policy.replacement_gate(case.case_type, case.responsibility, case.decision,
                                   case.status in ("inspected",) or _inspected(uow, case))
    held_by_case = order.status == records.rules.ON_HOLD and (order.hold_reason or "").startswith(AFTER_SALES_HOLD)
    if gate == policy.CANCEL:
        edits.cancel(uow, order, actor, f"{case.code} declined: nothing to send")
    elif gate == policy.RELEASE and held_by_case:
        edits.release_hold(uow, order, actor, f"{case.code} {case.decision}", by_case=True)
    elif gate in (policy.WAIT_DECISION, policy.WAIT_RETURN) and held_by_case:
        order.hold_reason = _waiting_reason(case, gate)
        uow.session.add(order)
    return gate


def _inspected(uow: UnitOfWork, case: AfterSalesCase) -> bool:
    """Every claimed unit has come back and been given a disposition."""
    claimed = {l.sku: l.qty for l in uow.session.exec(select(CaseLine).where(CaseLine.case_id == case.id)).all()}
    if not claimed:
        return False
    done = dict(uow.session.exec(
        select(ReturnItem.sku, func.sum(ReturnItem.qty)).join(ReturnReceipt, ReturnReceipt.id == ReturnItem.receipt_id)  # type: ignore[arg-type]
        .where(ReturnReceipt.case_id == case.id).group_by(ReturnItem.sku)).all())
    return all(int(done.get(sku, 0)) >= qty for sku, qty in claimed.items())


def decide(uow: UnitOfWork, case: AfterSalesCase, decision: str, reason: str, actor: str) -> None:
    """Uphold or decline a case (a declined short-shipment claim keeps the weight evidence as its why)."""
    if decision not in policy.DECISIONS:
        raise Invalid(f"decision: choose one of {', '.join(policy.DECISIONS)}", "invalid_decision")
    if case.status in ("refused", "closed"):
        raise Conflict(f"case {case.code} is {case.status}; it cannot be decided now", "case_closed")
    if case.decision is not None:
        raise Conflict(f"case {case.code} was {case.decision} by {case.decided_by} already", "already_decided")
    case.decision, case.decided_by, case.decided_at = decision, actor, utcnow()
    if decision == "declined":
        case.status, case.closed_at = "closed", utcnow()
        case.outcome = f"declined: {reason} ({actor})"
    else:
        case.outcome = f"upheld: {reason} ({actor})"
    uow.session.add(case)
    uow.session.flush()
    apply_replacement_gate(uow, case, actor)


def case_view(uow: UnitOfWork, case: AfterSalesCase) -> dict[str, Any]:
    order = uow.session.get(OrderRow, case.order_id)
    lines = uow.session.exec(select(CaseLine).where(CaseLine.case_id == case.id)).all()
    view: dict[str, Any] = {
        "code": case.code, "order_no": order.order_no if order else None, "case_type": case.case_type,
        "reason": case.reason, "status": case.status, "responsibility": case.responsibility,
        "return_shipping_payer": case.return_shipping_payer, "refund_amount": str(case.refund_amount),
        "compensation_amount": str(case.compensation_amount), "outcome": case.outcome,
        "tracking_no": case.tracking_no, "created_by": case.created_by, "created_at": case.created_at.isoformat(),
        "decision": case.decision, "decided_by": case.decided_by,
        "decided_at": case.decided_at.isoformat() if case.decided_at else None,
        "lines": [{"sku": l.sku, "qty": l.qty, "condition": l.condition} for l in lines], "notes": case.notes,
    }
    if case.replacement_order_id:
        replacement = uow.session.get(OrderRow, case.replacement_order_id)
        view["replacement_order_no"] = replacement.order_no  # type: ignore[union-attr]
        view["replacement"] = {"order_no": replacement.order_no, "status": replacement.status,  # type: ignore[union-attr]
                               "hold_reason": replacement.hold_reason}  # type: ignore[union-attr]
    if case.tracking_no:
        parcel = weight_history.get_parcel(uow, case.tracking_no)
        weighings = weight_history.parcel_record(uow, parcel)
        view["weighings"] = weighings
        if case.reason == "short_shipment" and case.claimed_sku:
            sku = uow.session.get(SkuRow, case.claimed_sku)
            claimed = (sku.unit_weight_g if sku else 0) * max(1, case.claimed_qty)
            outbound = [w for w in weighings if w["kind"] == "outbound" and w["expected_g"] is not None]
            a = policy.assess_short_shipment(outbound, claimed)
            view["weight_evidence"] = {"verdict": a.verdict, "recommendation": a.recommendation,
                                       "claimed_item_g": claimed, **a.details}
    return view


def close_case(uow: UnitOfWork, case: AfterSalesCase, outcome: str, actor: str) -> None:
    """Close with the outcome; a replacement that was never released is cancelled with the case."""
    if case.status == "closed":
        raise Conflict(f"case {case.code} is closed already", "case_closed")
    case.status, case.outcome, case.closed_at = "closed", f"{outcome} ({actor})", utcnow()
    uow.session.add(case)
    if case.replacement_order_id:
        order = uow.session.get(OrderRow, case.replacement_order_id)
        if order is not None and order.status == records.rules.ON_HOLD and (order.hold_reason or "").startswith(AFTER_SALES_HOLD):
            edits.cancel(uow, order, actor, f"{case.code} closed before its replacement was released: {outcome}")


def misshipment_register(uow: UnitOfWork) -> list[dict[str, Any]]:
    """Wrong or missing items, with the station, packer and time of the pack session, and the case's
    decision: `counts_against_packing` is true only for a claim that was upheld (or shown light by
    the outbound weight and not yet decided); a claim declined on full weight blames nobody."""
    out = []
    for case in uow.session.exec(select(AfterSalesCase).where(
            AfterSalesCase.reason.in_(("wrong_item", "short_shipment"))).order_by(AfterSalesCase.id)).all():  # type: ignore[attr-defined]
        parcel = uow.session.exec(select(Parcel).where(Parcel.tracking_no == case.tracking_no)).first() if case.tracking_no else None
        session = uow.session.get(PackSessionRow, parcel.session_id) if parcel and parcel.session_id else None
        decision = case.decision or ("refused" if case.status == "refused" else "pending")
        out.append({"case": case.code, "reason": case.reason, "tracking_no": case.tracking_no,
                    "station": session.station if session else None, "packer": session.operator if session else None,
                    "packed_at": parcel.created_at.isoformat() if parcel else None, "status": case.status,
                    "decision": decision, "decided_by": case.decided_by, "outcome": case.outcome,
                    "counts_against_packing": decision == "upheld"})
    return out


def quality_alerts(uow: UnitOfWork, now: datetime | None = None) -> list[dict[str, Any]]:
    rows = uow.session.exec(select(CaseLine.sku, AfterSalesCase.reason, AfterSalesCase.created_at)
                            .join(AfterSalesCase, AfterSalesCase.id == CaseLine.case_id)).all()  # type: ignore[arg-type]
    return policy.quality_alerts([(s, r, a) for s, r, a in rows], now or utcnow())


def lost_parcel_register(uow: UnitOfWork) -> list[dict[str, Any]]:
    """Compensation claimed per carrier per month."""
    totals: dict[tuple[str, str], list] = {}
    for case in uow.session.exec(select(AfterSalesCase).where(AfterSalesCase.case_type == "lost_claim")).all():
        parcel = uow.session.exec(select(Parcel).where(Parcel.tracking_no == case.tracking_no)).first() if case.tracking_no else None
        key = (parcel.carrier if parcel else "?", case.created_at.strftime("%Y-%m"))
        entry = totals.setdefault(key, [0, 0])
        entry[0] += 1
        entry[1] += case.compensation_amount
    return [{"carrier": c, "month": m, "claims": n, "compensation": str(total)} for (c, m), (n, total) in sorted(totals.items())]
