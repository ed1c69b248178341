"""The ERPs that may call the 奇门 endpoint (`wms erp add`): their keys, and the check of a
call's signature, customerId and timestamp."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import select

from wms.adapters.db.tables import PlatformRow
from wms.adapters.db.types import utcnow
from wms.adapters.db.uow import UnitOfWork
from wms.adapters.qimen import protocol
from wms.adapters.qimen.protocol import QimenFailure
from wms.domain.errors import Invalid

KIND = "qimen"


STALE_AFTER = timedelta(minutes=10)  # a timestamp further than this from our clock is refused


REQUIRED_PARAMS = ("method", "app_key", "customerId", "timestamp", "sign")


def add_erp(uow: UnitOfWork, name: str, app_key: str, secret: str, customer_id: str, callback_url: str) -> PlatformRow:
    """Register (or change) an ERP; its secret may be `env:NAME`, read at each call."""
    name, app_key, customer_id = name.strip(), app_key.strip(), customer_id.strip()
    for label, value in (("name", name), ("app key", app_key), ("secret", secret), ("customer id", customer_id)):
        if not value.strip():
            raise Invalid(f"an ERP needs its {label}", "missing_field")
    if callback_url and not callback_url.startswith(("http://", "https://")):
        raise Invalid(f"callback URL {callback_url!r} is not http(s)", "invalid_url")
    clash = uow.session.exec(select(PlatformRow).where(
        PlatformRow.kind == KIND, PlatformRow.app_key == app_key, PlatformRow.shop == customer_id,
        PlatformRow.name != name)).first()
    if clash is not None:
        raise Invalid(f"ERP {clash.name} has app key {app_key} and customer {customer_id} already", "duplicate_erp")
    row = uow.session.get(PlatformRow, name) or PlatformRow(name=name, kind=KIND)
    if row.kind != KIND:
        raise Invalid(f"{name} is a {row.kind} platform, not an ERP", "name_taken")
    row.app_key, row.app_secret, row.shop, row.url = app_key, secret.strip(), customer_id, callback_url.strip()
    row.upload_on, row.pull_interval_s = "handover", 0  # an ERP is never pulled; it calls us
    uow.session.add(row)
    uow.session.flush()
    return row


def erps(uow: UnitOfWork) -> list[PlatformRow]:
    return list(uow.session.exec(select(PlatformRow).where(PlatformRow.kind == KIND).order_by(PlatformRow.name)).all())


def erp_view(row: PlatformRow) -> dict[str, Any]:
    return {"name": row.name, "app_key": row.app_key, "customer_id": row.shop, "callback_url": row.url,
            "secret": "from env " + row.app_secret[4:] if (row.app_secret or "").startswith("env:") else "set",
            "last_error": row.last_error}


def secret_of(row: PlatformRow) -> str:
    value = row.app_secret or ""
    if value.startswith("env:"):
        found = os.environ.get(value[4:], "")
        if not found:
            raise QimenFailure("not_configured", f"ERP {row.name}: the secret is to come from the environment "
                               f"variable {value[4:]}, which is not set on the warehouse's side")
        return found
    return value


def authenticate(uow: UnitOfWork, params: dict[str, str], body: bytes, now: datetime | None = None) -> PlatformRow:
    """The ERP this call comes from, after every check; QimenFailure naming the first that fails."""
    missing = [p for p in REQUIRED_PARAMS if not (params.get(p) or "").strip()]
    if missing:
        raise QimenFailure("missing_parameter", f"the query lacks {', '.join(missing)}")
    row = uow.session.exec(select(PlatformRow).where(
        PlatformRow.kind == KIND, PlatformRow.app_key == params["app_key"],
        PlatformRow.shop == params["customerId"])).first()
    if row is None:
        raise QimenFailure("unknown_customer", f"no ERP is registered here with app_key {params['app_key']} "
                           f"and customerId {params['customerId']}")
    sent = protocol.parse_timestamp(params["timestamp"])
    drift = abs((now or utcnow()) - sent)
    if drift > STALE_AFTER:
        raise QimenFailure("stale_timestamp", f"timestamp {params['timestamp']} is {int(drift.total_seconds())} s "
                           f"from the warehouse's clock; calls are taken within {int(STALE_AFTER.total_seconds() / 60)} "
                           "minutes (Beijing time)")
    if protocol.sign(secret_of(row), params, body) != params["sign"].strip().upper():
        raise QimenFailure("invalid_signature", "the signature does not match: MD5 of secret + sorted query "
                           "parameters (without sign) + body + secret, upper-case hex")
    return row
