"""The pack station page (/station): pick the bench once, then the scanner drives it.

The page itself only reads. Every change goes through the station API the agents use
(POST /api/stations/{code}/events with a page-made event id, so a retried request is
never counted twice); the page polls /station/state to show what the service now
holds, which is also how scans and weights from a station agent appear on screen.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy import func
from sqlmodel import select

from wms.adapters.db.tables import Override, PackSessionRow, Parcel, Printer, PrintJob, Station, Weighing
from wms.adapters.db.types import utcnow
from wms.adapters.db.uow import UnitOfWork
from wms.http import UowDep
from wms.services import local_time
from wms.services.packing import finish
from wms.services.packing import session as packing_session
from wms.services.packing.heartbeats import all_stations, station_view
from wms.services.stock import catalog
from wms.web.common import gate, gate_json, render

router = APIRouter(include_in_schema=False)

STATION_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
LIVE_READING_FOR = timedelta(seconds=10)  # an older scale reading is not "live"


@router.get("/station", response_class=HTMLResponse)
def station_page(request: Request, uow: UowDep, station: str | None = None) -> Response:
    who = gate(request, uow, "station")
    if isinstance(who, Response):
        return who
    known = [station_view(s) for s in all_stations(uow)]
    code = (station or "").strip()
    problem = None
    if code and not STATION_CODE.match(code):
        problem, code = f"“{code[:40]}” is not a station code.", ""
    elif code and known and code not in {s["code"] for s in known}:
        problem, code = f"There is no station {code}. 没有这个打包台。", ""
    if not code:
        return render(request, "station_pick.html", who, active="station", stations=known, problem=problem)
    current = next((s for s in known if s["code"] == code), None)
    return render(request, "station.html", who, active="station", station=code,
                  station_name=current["name"] if current else code,
                  supervisor=who.may("supervisor"))


@router.get("/station/state")
def station_state(request: Request, uow: UowDep, station: str) -> Response:
    """Everything the station screen shows, in one read: the bench's latest pack session,
    its last weighing, the label's print job and the scale's live reading."""
    who = gate_json(request, uow)
    if isinstance(who, Response):
        return who
    state = screen_state(uow, station.strip())
    state["mine"] = {"parcels": parcels_today(uow, who.name)}
    return JSONResponse(state, headers={"Cache-Control": "no-store"})


def parcels_today(uow: UnitOfWork, person: str) -> int:
    """The parcels `person` packed since midnight in the warehouse's time zone, voided ones left out."""
    midnight = datetime.now(local_time.zone()).replace(hour=0, minute=0, second=0, microsecond=0)
    return int(uow.session.exec(
        select(func.count()).select_from(Parcel).join(PackSessionRow, PackSessionRow.id == Parcel.session_id)  # type: ignore[arg-type]
        .where(PackSessionRow.operator == person, Parcel.created_at >= midnight, Parcel.status != "voided")).one())


def screen_state(uow: UnitOfWork, code: str) -> dict[str, Any]:
    row = uow.session.get(Station, code)
    view = station_view(row) if row is not None else None
    scale = None
    if row is not None and view and view["online"] and row.last_weight_g is not None and row.last_weight_at:
        age = utcnow() - row.last_weight_at
        scale = {"grams": row.last_weight_g, "stable": bool(row.last_weight_stable),
                 "at": row.last_weight_at.isoformat(), "age_s": round(age.total_seconds(), 1),
                 "stale": age >= LIVE_READING_FOR}  # shown as old, never put in the weight box
    session = uow.session.exec(
        select(PackSessionRow).where(PackSessionRow.station == code)
        .order_by(PackSessionRow.id.desc())  # type: ignore[union-attr]
    ).first()
    state: dict[str, Any] = {"station": code, "agent": view, "scale": scale, "session": None,
                             "weighing": None, "weighings": 0, "override": None, "label": None}
    if session is None:
        return state
    state["session"] = packing_session.session_view(uow, session)
    codes = catalog.first_barcodes(uow, {line["sku"] for line in state["session"]["lines"]})
    for line in state["session"]["lines"]:  # the printed code beside the line, to compare with the item's
        line["barcode"] = codes.get(line["sku"])
    weighings = list(uow.session.exec(
        select(Weighing).where(Weighing.session_id == session.id).order_by(Weighing.id)  # type: ignore[arg-type]
    ).all())
    state["weighings"] = len(weighings)
    if weighings:
        state["weighing"] = finish.weighing_answer(uow, weighings[-1])
    over = uow.session.exec(select(Override).where(Override.session_id == session.id)).first()
    if over is not None:
        state["override"] = {"by": over.by, "reason": over.reason, "at": over.at.isoformat()}
    tracking_no = state["session"]["tracking_no"]
    if tracking_no:
        state["label"] = label_state(uow, tracking_no)
    return state


def label_state(uow: UnitOfWork, tracking_no: str) -> dict[str, Any]:
    """The newest print job of the label (a reprint is newer than the first print)."""
    jobs = list(uow.session.exec(
        select(PrintJob).where(PrintJob.tracking_no == tracking_no).order_by(PrintJob.id.desc())  # type: ignore[union-attr]
    ).all())
    if not jobs:
        return {"tracking_no": tracking_no, "status": "not queued", "printer": None, "job_id": None,
                "last_error": None, "reprints": 0}
    last = jobs[0]
    return {"tracking_no": tracking_no, "status": last.status, "printer": last.printer, "job_id": last.id,
            "last_error": last.last_error, "reprints": sum(1 for j in jobs if j.reprint_of is not None),
            "printed_at": last.printed_at.isoformat() if last.printed_at else None}


@router.get("/station/label/{tracking_no}.png")
def label_png(tracking_no: str, request: Request, uow: UowDep) -> Response:
    """The label exactly as the printer gets it (the 1-bit bitmap), from the queued waybill."""
    who = gate_json(request, uow)
    if isinstance(who, Response):
        return who
    job = uow.session.exec(
        select(PrintJob).where(PrintJob.tracking_no == tracking_no.strip())
        .order_by(PrintJob.reprint_of.is_not(None), PrintJob.id)  # type: ignore[union-attr]
    ).first()
    if job is None:
        return JSONResponse({"error": "unknown_parcel", "message": f"no label was queued for {tracking_no}"},
                            status_code=404)
    settings = request.app.state.settings
    printer = uow.session.get(Printer, job.printer)
    size = printer.label_size if printer else settings.label_size
    dpi = printer.dpi if printer else settings.label_dpi
    from printing.render import render as render_label
    from printing.waybill import Waybill, WaybillError

    try:
        png = render_label(Waybill.from_dict(job.waybill), "png", size, dpi,
                           printed_at=(job.printed_at or job.created_at).astimezone())
    except WaybillError as exc:
        return JSONResponse({"error": "bad_waybill", "message": str(exc)}, status_code=422)
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=300"})
