"""The shop platforms on record: adding one, its view, and the alerts its pulls raised for a
person (a change after packing)."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from wms.adapters.db.tables import PlatformAlert, PlatformOrder, PlatformRow
from wms.adapters.db.types import utcnow
from wms.adapters.db.uow import UnitOfWork
from wms.adapters.platforms import KINDS, WAYBILL_KINDS
from wms.domain.errors import Invalid, NotFound

UPLOAD_ON = ("handover", "packed", "never")


def add_platform(uow: UnitOfWork, name: str, kind: str, *, url: str = "", shop: str | None = None,
                 app_key: str | None = None, app_secret: str | None = None, access_token: str | None = None,
                 upload_on: str | None = None, ship_by_hours: int | None = None,
                 pull_interval_s: int | None = None, enabled: bool | None = None,
                 ship_available: bool | None = None) -> tuple[PlatformRow, bool]:
    """Add a shop account, or change the settings given (the others stay)."""
    name = name.strip()
    if not name or len(name) > 40:
        raise Invalid("name: 1 to 40 characters", "invalid_name")
    if kind not in KINDS + WAYBILL_KINDS:
        raise Invalid(f"kind: {kind!r} is not one of {', '.join(KINDS + WAYBILL_KINDS)}", "invalid_kind")
    if upload_on is not None and upload_on not in UPLOAD_ON:
        raise Invalid(f"upload_on: {upload_on!r} is not one of {', '.join(UPLOAD_ON)}", "invalid_upload_on")
    if ship_by_hours is not None and not 1 <= ship_by_hours <= 24 * 60:
        raise Invalid("ship_by_hours: 1 to 1440", "invalid_ship_by")
    row = uow.session.get(PlatformRow, name)
    created = row is None
    if row is None:
        row = PlatformRow(name=name, kind=kind)
    elif row.kind != kind:
        raise Invalid(f"platform {name} is of kind {row.kind}; give it a new name for {kind}", "kind_mismatch")
    for key, value in dict(url=url or None, shop=shop, app_key=app_key, app_secret=app_secret,
                           access_token=access_token, upload_on=upload_on, ship_by_hours=ship_by_hours,
                           pull_interval_s=pull_interval_s, enabled=enabled, ship_available=ship_available).items():
        if value is not None:
            setattr(row, key, value)
    if kind != "file" and kind not in WAYBILL_KINDS and not row.url:
        raise Invalid("url: the platform's API address is required (the emulator's for a trial)", "missing_url")
    if kind == "file" and not row.url:
        raise Invalid("url: the folder (or file) the shop's order files land in", "missing_url")
    uow.session.add(row)
    return row, created


def get_platform(uow: UnitOfWork, name: str) -> PlatformRow:
    row = uow.session.get(PlatformRow, name)
    if row is None:
        raise NotFound(f"no platform {name}; wms platforms list shows them", "unknown_platform")
    return row


def list_platforms(uow: UnitOfWork) -> list[PlatformRow]:
    return list(uow.session.exec(select(PlatformRow).order_by(PlatformRow.name)).all())


def platform_view(row: PlatformRow) -> dict[str, Any]:
    return {"name": row.name, "kind": row.kind, "shop": row.shop, "url": row.url,
            "app_key": row.app_key, "secret_set": bool(row.app_secret), "token_set": bool(row.access_token),
            "token_expires_at": row.token_expires_at.isoformat() if row.token_expires_at else None,
            "upload_on": row.upload_on, "ship_by_hours": row.ship_by_hours,
            "pull_interval_s": row.pull_interval_s, "enabled": row.enabled, "ship_available": row.ship_available,
            "cursor": row.cursor.isoformat() if row.cursor else None,
            "last_pull_at": row.last_pull_at.isoformat() if row.last_pull_at else None,
            "last_error": row.last_error, "last_error_code": row.last_error_code,
            "last_error_at": row.last_error_at.isoformat() if row.last_error_at else None}


def list_alerts(uow: UnitOfWork, open_only: bool = True, limit: int = 200) -> list[PlatformAlert]:
    stmt = select(PlatformAlert)
    if open_only:
        stmt = stmt.where(PlatformAlert.resolved_at.is_(None))  # type: ignore[union-attr]
    return list(uow.session.exec(stmt.order_by(PlatformAlert.id.desc()).limit(limit)).all())  # type: ignore[union-attr]


def alert_view(a: PlatformAlert) -> dict[str, Any]:
    return {"id": a.id, "platform": a.platform, "order_no": a.order_no, "kind": a.kind, "message": a.message,
            "created_at": a.created_at.isoformat(), "resolved_by": a.resolved_by,
            "resolved_at": a.resolved_at.isoformat() if a.resolved_at else None}


def resolve_alert(uow: UnitOfWork, alert_id: int, who: str) -> PlatformAlert:
    alert = uow.session.get(PlatformAlert, alert_id)
    if alert is None:
        raise NotFound(f"no platform alert {alert_id}", "unknown_alert")
    if alert.resolved_at is None:
        alert.resolved_by, alert.resolved_at = who, utcnow()
        uow.session.add(alert)
    return alert


def platform_orders(uow: UnitOfWork, order_no: str) -> list[PlatformOrder]:
    return list(uow.session.exec(select(PlatformOrder).where(PlatformOrder.order_no == order_no)).all())
