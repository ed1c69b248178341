"""Waves and pick tasks: turning released orders into cart trips (see wms.domain.routing)."""

from __future__ import annotations

from sqlmodel import select

from wms.adapters.db.tables import OrderRow, PickTask, Wave
from wms.adapters.db.uow import UnitOfWork


def tote_code(wave_code: str, trip: int, tote: int) -> str:
    return f"TOTE-{wave_code}-{trip:02d}-{tote:02d}"


def order_in_tote(uow: UnitOfWork, code: str) -> OrderRow | None:
    """A tote label `TOTE-<wave>-<trip>-<tote>` names the order picked into it."""
    parts = code.split("-")
    if len(parts) < 4 or not (parts[-1].isdigit() and parts[-2].isdigit()):
        return None
    wave_code = "-".join(parts[1:-2])
    wave = uow.session.exec(select(Wave).where(Wave.code == wave_code)).first()
    if wave is None:
        return None
    task = uow.session.exec(
        select(PickTask).where(PickTask.wave_id == wave.id, PickTask.trip == int(parts[-2]),
                               PickTask.tote == int(parts[-1]))
    ).first()
    return uow.session.get(OrderRow, task.order_id) if task else None
