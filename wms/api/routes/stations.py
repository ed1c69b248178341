"""Station agents: heartbeats, device status, and fetching their print jobs."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import Field

from wms.api.answers import json_answer
from wms.api.deps import Caller
from wms.api.schemas import Body, RowId
from wms.domain.errors import Invalid, NotFound
from wms.http import UowDep
from wms.services.labels import component_jobs, print_queue
from wms.services.packing import flash_lane, heartbeats, session, station_events

router = APIRouter(tags=["stations"])


class HeartbeatIn(Body):
    devices: dict[str, Any] = Field(default_factory=dict)
    weight_g: int | None = Field(default=None, ge=-100_000, le=1_000_000)
    stable: bool | None = None


class StationEventIn(Body):
    event_id: str | None = Field(default=None, max_length=80)
    kind: Literal["scan", "weight"]
    code: str | None = Field(default=None, max_length=200)
    grams: int | None = Field(default=None, ge=0, le=1_000_000, strict=True)
    stable: bool = True
    scale_id: str | None = Field(default=None, max_length=60)
    at: str | None = None  # when it happened (older agents' name for scanned_at)
    scanned_at: str | None = None  # a scan: the device's own time of the read
    source: str | None = Field(default=None, max_length=40)  # "scanner" (timed by the device), "manual"
    confirm_repeat: bool = False  # the packer's "yes, a second unit" after a double_read


class JobResultIn(Body):
    ok: bool
    error: str | None = Field(default=None, max_length=500)
    give_up: bool = False  # the label cannot be printed at all (bad data), not a printer problem


class ReprintIn(Body):
    reason: str = Field(min_length=2, max_length=300)
    printer: str | None = None


def job_view(job: Any) -> dict[str, Any]:
    return {"job_id": job.id, "printer": job.printer, "tracking_no": job.tracking_no, "status": job.status,
            "attempts": job.attempts, "waybill": job.waybill, "reprint_of": job.reprint_of,
            "requested_by": job.requested_by, "reason": job.reason, "last_error": job.last_error,
            "warning": job.warning,
            "created_at": job.created_at.isoformat(),
            "printed_at": job.printed_at.isoformat() if job.printed_at else None}


@router.post("/stations/{code}/events")
def station_event(code: str, body: StationEventIn, request: Request, uow: UowDep, who: Caller) -> dict:
    """A scan or a stable weight from a station agent; resending the same event_id is harmless."""
    if body.kind == "scan" and not body.code:
        raise Invalid("code: a scan event needs the scanned code", "missing_field")
    if body.kind == "weight" and body.grams is None:
        raise Invalid("grams: a weight event needs the grams", "missing_field")
    answer = station_events.station_event(uow, code, body.model_dump(), session.Actor(who.name, who.role),
                                          request.app.state.settings)
    uow.commit()
    return json_answer(answer)  # type: ignore[return-value]


class FlashScanIn(Body):
    code: str = Field(min_length=1, max_length=200, description="the item's barcode")


@router.post("/stations/{code}/flash-scans")
def flash_scan(code: str, body: FlashScanIn, request: Request, uow: UowDep, who: Caller) -> dict:
    """The flash-sale lane (爆款): the item scanned opens the next single-item order of it here,
    counted; weigh it as any parcel. 404 no_flash_order when none is waiting."""
    answer = flash_lane.flash_scan(uow, code, body.code, session.Actor(who.name, who.role), request.app.state.settings)
    uow.commit()
    return answer


@router.post("/stations/{code}/heartbeat")
def heartbeat(code: str, body: HeartbeatIn, uow: UowDep, who: Caller) -> dict:
    """A station agent says it is alive, which devices are up, and the scale's live reading."""
    row = heartbeats.heartbeat(uow, code, body.devices, body.weight_g, body.stable)
    uow.commit()
    return heartbeats.station_view(row)


@router.get("/stations")
def list_stations(uow: UowDep, who: Caller) -> list[dict]:
    """Every station with its devices' status and last heartbeat."""
    return [heartbeats.station_view(s) for s in heartbeats.all_stations(uow)]


@router.get("/stations/{code}")
def get_station(code: str, uow: UowDep, who: Caller) -> dict:
    """One station's status and live scale reading."""
    row = next((s for s in heartbeats.all_stations(uow) if s.code == code), None)
    if row is None:
        raise NotFound(f"no station {code}", "unknown_station")
    return heartbeats.station_view(row)


class StationSettingsIn(Body):
    typed_weights: bool = Field(description="false: a weight must come from the station's scale")


@router.patch("/stations/{code}")
def station_settings(code: str, body: StationSettingsIn, uow: UowDep, who: Caller) -> dict:
    """A station's settings (supervisor): `typed_weights: false` refuses a typed weight there
    (409 typed_weight_forbidden); the scale's readings still count."""
    row = heartbeats.set_typed_weights(uow, code, body.typed_weights)
    uow.commit()
    return heartbeats.station_view(row)


@router.post("/stations/{code}/print-jobs/claim")
def claim_job(code: str, uow: UowDep, who: Caller) -> dict:
    """Take the station's next label to print; {"job": null} when there is none. A Douyin
    e-waybill comes with a freshly signed key call for the print component (`print_data.params`)."""
    job = print_queue.claim_next(uow, heartbeats.station_printers(uow, code), f"agent:{code}")
    if job is None:
        return {"job": None}
    return {"job": {**job_view(job), "waybill": component_jobs.as_relayed(uow, job.waybill)}}


@router.post("/print-jobs/{job_id}/result")
def job_result(job_id: RowId, body: JobResultIn, uow: UowDep, who: Caller) -> dict:
    """The agent reports whether the printer took the label."""
    from wms.adapters.db.tables import PrintJob

    job = uow.session.get(PrintJob, job_id)
    if job is None:
        raise NotFound(f"no print job {job_id}", "unknown_job")
    worker = job.claimed_by or ""
    if body.ok:
        print_queue.mark_printed(uow, job_id, worker)
    else:
        print_queue.mark_failed(uow, job_id, worker, body.error or "printer error", body.give_up)
    return job_view(uow.session.get(PrintJob, job_id))


@router.get("/print-jobs")
def list_jobs(uow: UowDep, who: Caller, status: str | None = None, tracking_no: str | None = None) -> list[dict]:
    """Print jobs, newest first (filter by status or tracking number)."""
    return [job_view(j) for j in print_queue.list_jobs(uow, status, tracking_no)]


@router.post("/parcels/{tracking_no}/reprint", status_code=201)
def reprint(tracking_no: str, body: ReprintIn, uow: UowDep, who: Caller) -> dict:
    """Print a parcel's label again; the job records who asked and why. A packer: a label they
    packed in the last two hours, to its station's printer (403 not_your_label otherwise)."""
    job = print_queue.reprint(uow, tracking_no, who.name, body.reason, body.printer, who.role)
    uow.commit()
    return job_view(job)
