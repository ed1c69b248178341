"""Shop platforms: their state and errors, pulls, alerts, the tracking outbox; orders that breach soon."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from wms.api.deps import Caller
from wms.api.schemas import RowId
from wms.http import UowDep
from wms.services.orders import ship_clock
from wms.services.platforms import shops, sync, uploads

router = APIRouter(tags=["platforms"])


@router.get("/platforms")
def list_platforms(uow: UowDep, who: Caller) -> dict:
    """Every shop platform with its cursor, last pull and last error; alerts and outbox counts."""
    return {"platforms": [shops.platform_view(r) for r in shops.list_platforms(uow)],
            "open_alerts": len(shops.list_alerts(uow)), "outbox": uploads.counts(uow)}


@router.post("/platforms/{name}/pull")
async def pull_now(name: str, request: Request, who: Caller) -> dict:
    """Pull the platform's changed orders now; a platform's refusal comes back in `error`."""
    engine = request.app.state.engine
    report = await run_in_threadpool(sync.pull, engine, name, actor=who.name)
    return report.as_dict()


@router.get("/platforms/alerts")
def alerts(uow: UowDep, who: Caller, all: bool = False) -> dict:
    """Changes a person must act on (after packing), newest first."""
    return {"alerts": [shops.alert_view(a) for a in shops.list_alerts(uow, open_only=not all)]}


@router.post("/platforms/alerts/{alert_id}/resolve")
def resolve(alert_id: RowId, uow: UowDep, who: Caller) -> dict:
    """Mark an alert dealt with."""
    alert = shops.resolve_alert(uow, alert_id, who.name)
    uow.commit()
    return shops.alert_view(alert)


@router.get("/platforms/outbox")
def outbox(uow: UowDep, who: Caller, status: str | None = None, limit: int = Query(50, ge=1, le=500)) -> dict:
    """Tracking uploads (发货回传) with their attempts and last errors."""
    return {"counts": uploads.counts(uow),
            "uploads": [uploads.upload_view(u) for u in uploads.list_uploads(uow, status, limit)]}


@router.post("/platforms/outbox/{upload_id}/retry")
def retry(upload_id: RowId, uow: UowDep, who: Caller) -> dict:
    """Queue a failed upload again."""
    uploads.retry(uow, upload_id)
    uow.commit()
    return {"id": upload_id, "status": "queued"}


@router.get("/orders/late")
def late(uow: UowDep, who: Caller, hours: float = Query(4, ge=0, le=24 * 30), shop: str | None = None) -> dict:
    """Open orders whose ship-by time (发货时效) falls within `hours` (overdue first), most urgent first."""
    rows = ship_clock.due_within(uow, hours, shop=shop)
    return {"hours": hours, "overdue": sum(1 for r in rows if r["overdue"]), "orders": rows}
