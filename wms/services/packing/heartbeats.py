"""Stations report heartbeats, device status and live scale readings to the service."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import select

from wms.adapters.db.tables import Printer, Station
from wms.adapters.db.types import utcnow
from wms.adapters.db.uow import UnitOfWork
from wms.domain.errors import NotFound
from wms.services.labels import print_queue

STALE_AFTER = timedelta(seconds=30)


def heartbeat(uow: UnitOfWork, code: str, devices: dict[str, Any], weight_g: int | None = None,
              stable: bool | None = None) -> Station:
    row = uow.get_locked(Station, code) or Station(code=code, name=code)
    now = utcnow()
    row.last_heartbeat_at = now
    row.devices = {k: str(v)[:200] for k, v in devices.items()}
    if weight_g is not None:
        row.last_weight_g, row.last_weight_stable, row.last_weight_at = weight_g, stable, now
    uow.session.add(row)
    return row


def station_view(row: Station) -> dict[str, Any]:
    now = utcnow()
    online = bool(row.last_heartbeat_at and now - row.last_heartbeat_at < STALE_AFTER)
    return {
        "code": row.code, "name": row.name, "printer": row.printer_name, "scale_id": row.scale_id,
        "online": online, "typed_weights": row.typed_weights,
        "last_heartbeat_at": row.last_heartbeat_at.isoformat() if row.last_heartbeat_at else None,
        "devices": row.devices if online else {k: "unknown" for k in row.devices},
        "weight_g": row.last_weight_g, "weight_stable": row.last_weight_stable,
        "weight_at": row.last_weight_at.isoformat() if row.last_weight_at else None,
    }


def set_typed_weights(uow: UnitOfWork, code: str, allowed: bool) -> Station:
    """Whether a person may type a weight at the station, or it must come from its scale."""
    row = uow.get_locked(Station, code)
    if row is None:
        raise NotFound(f"no station {code}", "unknown_station")
    row.typed_weights = allowed
    uow.session.add(row)
    return row


def all_stations(uow: UnitOfWork) -> list[Station]:
    return list(uow.session.exec(select(Station).order_by(Station.code)).all())


def station_printers(uow: UnitOfWork, code: str) -> list[str]:
    """The queue names a station agent prints for: its configured printer(s), its own, and the
    platform e-waybills it relays to the print component."""
    names = {f"station:{code}", print_queue.component_queue(code)}  # its own printer; the platform's component
    row = uow.session.get(Station, code)
    if row is not None and row.printer_name:
        names.add(row.printer_name)
    names.update(p.name for p in uow.session.exec(select(Printer).where(Printer.station == code)).all())
    return sorted(names)
