"""A platform e-waybill as the station takes it to the platform's print component.

Douyin's component fetches the shop's decryption key itself, with a signed
`logistics.getShopKey` call that the label carries (`params`). Only the service holds the app
secret, and Douyin's gateway takes a call only within 5 minutes of its timestamp, so the call
is signed here, when the station claims the job, and never stored with it.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from wms.adapters.db.tables import PlatformOrder, PlatformRow
from wms.adapters.db.uow import UnitOfWork
from wms.adapters.platforms import order_source_for
from wms.adapters.platforms.base import PlatformError


def as_relayed(uow: UnitOfWork, waybill: dict[str, Any]) -> dict[str, Any]:
    """The job's waybill as the station relays it; for Douyin with a fresh signed key call.
    A shop that cannot sign (its account is gone or lacks its keys) leaves the label without
    one, and the component's refusal says so, in its words, on the print job."""
    if waybill.get("component") != "douyin":
        return waybill
    shop = uow.session.exec(select(PlatformRow).join(PlatformOrder, PlatformOrder.platform == PlatformRow.name)  # type: ignore[arg-type]
                            .where(PlatformOrder.order_no == waybill.get("order_no"),
                                   PlatformRow.kind == "douyin")).first()
    if shop is None:
        return waybill
    try:
        client = order_source_for(shop)
    except PlatformError:
        return waybill
    try:
        params = client.shop_key_params()  # type: ignore[attr-defined]
    finally:
        client.close()
    return {**waybill, "print_data": {**(waybill.get("print_data") or {}), "params": params}}
