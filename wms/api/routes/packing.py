"""Pack station and weight-history routes, as in shared/specs/station-api.md."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request, Response

from wms.api.answers import json_answer
from wms.api.deps import Caller
from wms.api.schemas import BadgeOverrideIn, DeliveryIn, OverrideIn, PackSessionIn, ReweighIn, RowId, ScanIn, VoidIn, WeighingIn
from wms.http import UowDep, client_address
from wms.services.packing import finish, weight_history
from wms.services.packing import scan as packing_scan
from wms.services.packing import session as packing_session
from wms.services.packing import weigh as packing_weigh
from wms.services.people import login_guard
from wms.services.people.auth import Principal

router = APIRouter(tags=["packing"])


def _actor(p: Principal) -> packing_session.Actor:
    return packing_session.Actor(p.name, p.role)


@router.post("/pack/sessions", status_code=201, responses={200: {"description": "resumed: the order's open session"}})
def open_session(body: PackSessionIn, request: Request, response: Response, uow: UowDep, who: Caller) -> dict:
    """Open (or resume) packing of an order at a station by its order number or tote code."""
    session, created = packing_session.open_session(uow, body.order_no, body.station, _actor(who), body.packaging)
    uow.commit()
    if not created:
        response.status_code = 200
    return packing_session.session_view(uow, session)


@router.post("/pack/sessions/{session_id}/notes/ack")
def acknowledge_notes(session_id: RowId, uow: UowDep, who: Caller) -> dict:
    """The packer confirms reading the buyer's message / the seller's flagged memo; until then a
    weighing of this parcel answers 409 notes_unacknowledged and counts nothing."""
    view = packing_session.acknowledge_notes(uow, session_id, _actor(who))
    uow.commit()
    return view


@router.post("/pack/sessions/{session_id}/close-parcel")
def close_parcel(session_id: RowId, uow: UowDep, who: Caller) -> dict:
    """一单多包: this parcel holds what is scanned so far; weigh it, and the rest of the order goes
    in the next parcel (its session opens when this one passes, at the same station)."""
    view = packing_session.close_parcel(uow, session_id, _actor(who))
    uow.commit()
    return view


@router.get("/pack/sessions/{session_id}")
def get_session(session_id: RowId, uow: UowDep, who: Caller) -> dict:
    """The session's lines with scanned counts."""
    return packing_session.session_view(uow, packing_session.get_session(uow, session_id))


@router.post("/pack/sessions/{session_id}/scans")
def scan(session_id: RowId, body: ScanIn, request: Request, uow: UowDep, who: Caller) -> dict:
    """Check one scanned item; wrong_item / over_scan / double_read (409) and unknown_code (404) change nothing."""
    return json_answer(packing_scan.scan(uow, session_id, body.code, _actor(who), request.app.state.settings,  # type: ignore[return-value]
                                    body.event_id, body.scanned_at, body.source, body.confirm_repeat))


@router.post("/pack/sessions/{session_id}/weighings")
def weigh(session_id: RowId, body: WeighingIn, request: Request, uow: UowDep, who: Caller) -> dict:
    """Judge the parcel weight; a pass gets its tracking number and its waybill queued."""
    return json_answer(packing_weigh.weigh(uow, session_id, body.grams, _actor(who), request.app.state.settings,  # type: ignore[return-value]
                                     body.scale_id, body.stable, body.event_id))


@router.post("/pack/sessions/{session_id}/override")
def override(session_id: RowId, body: OverrideIn, request: Request, uow: UowDep, who: Caller) -> dict:
    """Ship despite a weight mismatch (supervisor); the record keeps who and why."""
    return finish.override(uow, session_id, body.reason, _actor(who), request.app.state.settings)


@router.post("/pack/sessions/{session_id}/badge-override")
def badge_override(session_id: RowId, body: BadgeOverrideIn, request: Request, uow: UowDep, who: Caller) -> dict:
    """The same override from a packer's screen: the supervisor scans their badge, the record
    names the supervisor, and the packer stays signed in. 403 bad_badge (counted like a failed
    sign-in) or badge_not_allowed (not a supervisor's)."""
    settings = request.app.state.settings
    supervisor = login_guard.vouch_by_badge(uow, body.badge, client_address(request),
                                            login_guard.Limits.of(settings), "supervisor")
    return finish.override(uow, session_id, body.reason, _actor(supervisor), settings)


@router.get("/parcels/{tracking_no}/weighings")
def parcel_weighings(tracking_no: str, uow: UowDep, who: Caller) -> list[dict]:
    """Every weighing of a parcel, oldest first, its failed pack-session weighings included."""
    parcel = weight_history.get_parcel(uow, tracking_no)
    return weight_history.parcel_record(uow, parcel)


@router.post("/parcels/{tracking_no}/void")
def void_parcel(tracking_no: str, body: VoidIn, request: Request, uow: UowDep, who: Caller) -> dict:
    """Void a packed parcel before handover (supervisor): its orders go back to picked (stock
    untouched: the units are in the parcel), its e-waybill number goes back to Cainiao (回收) or
    its pool number is retired. After handover: 409 already_handed_over."""
    from wms.services.shipping.parcel_void import void_parcel as void

    return void(uow, tracking_no, who.name, body.reason, request.app.state.settings.waybill_timeout_s)


@router.post("/parcels/{tracking_no}/delivery")
def record_delivery(tracking_no: str, body: DeliveryIn, uow: UowDep, who: Caller) -> dict:
    """Record when the buyer received the parcel (platform tracking or by hand): the no-reason
    return window runs from it."""
    parcel = weight_history.record_delivery(uow, weight_history.get_parcel(uow, tracking_no),
                                            body.delivered_at, body.source, who.name)
    uow.commit()
    return {"tracking_no": parcel.tracking_no, "delivered_at": parcel.delivered_at.isoformat(),  # type: ignore[union-attr]
            "source": parcel.delivered_source}


@router.get("/parcels/{tracking_no}/evidence.pdf", response_class=Response)
def evidence_pdf(tracking_no: str, uow: UowDep, who: Caller) -> Response:
    """The one-page weight evidence sheet (称重证据单) for a dispute, in Chinese."""
    from wms.adapters.reports.evidence_pdf import render_evidence_pdf

    data = weight_history.evidence(uow, weight_history.get_parcel(uow, tracking_no))
    return Response(render_evidence_pdf(data), media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="evidence-{tracking_no}.pdf"'})


@router.post("/parcels/{tracking_no}/reweighings", status_code=201)
def reweigh(tracking_no: str, body: ReweighIn, uow: UowDep, who: Caller) -> dict:
    """Weigh a shipped parcel again (kept as `reweigh` beside its outbound record)."""
    parcel = weight_history.get_parcel(uow, tracking_no)
    row = weight_history.reweigh(uow, parcel, body.grams, "reweigh", body.station, who.name,
                                 body.scale_id, body.stable)
    uow.commit()
    return weight_history.weighing_record(row)


@router.get("/parcels")
def search_parcels(q: str, uow: UowDep, who: Caller) -> list[dict]:
    """Find parcels by tracking number, order number, or recipient phone suffix."""
    return [{"tracking_no": p.tracking_no, "order_id": p.order_id, "carrier": p.carrier,
             "weight_g": p.weight_g, "status": p.status, "items": p.items, "created_at": p.created_at.isoformat()}
            for p in weight_history.find_parcels(uow, q)]


@router.get("/reports/sku-weights")
def sku_weight_report(uow: UowDep, who: Caller, min_samples: int = Query(default=20, ge=1, le=1_000_000)) -> list[dict]:
    """SKUs whose weight learned from passed parcels differs from the master (never auto-changed)."""
    from wms.services.packing.learning import off_master_report

    return off_master_report(uow, min_samples)
