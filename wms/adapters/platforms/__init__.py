"""Shop-platform connectors: one per platform style, built from a `platform` row."""

from __future__ import annotations

import os
from typing import Any

from wms.adapters.platforms.base import BuyerRevealer, Connector, FileDrop, Page, PlatformError, RemoteOrder, TrackingSink

KINDS = ("taobao", "douyin", "pinduoduo", "file")
WAYBILL_KINDS = ("cainiao",)


def order_source_for(row: Any, timeout: float = 10.0) -> Connector:
    """The connector a shop platform's orders are pulled through (`row` is a `PlatformRow`)."""
    if row.kind == "taobao":
        from wms.adapters.platforms.taobao import TaobaoConnector

        _need(row, "app_key", "app_secret", "access_token")
        return TaobaoConnector(row.url, row.app_key, row.app_secret, row.access_token, timeout=timeout)
    if row.kind == "douyin":
        from wms.adapters.platforms.douyin import DouyinConnector

        _need(row, "app_key", "app_secret", "access_token")
        return DouyinConnector(row.url, row.app_key, row.app_secret, row.access_token, timeout=timeout)
    if row.kind == "pinduoduo":
        from wms.adapters.platforms.pinduoduo import PinduoduoConnector

        _need(row, "app_key", "app_secret", "access_token")
        return PinduoduoConnector(row.url, row.app_key, row.app_secret, row.access_token, timeout=timeout)
    if row.kind == "file":
        from wms.adapters.platforms.file import FileConnector

        return FileConnector(row.url)
    if row.kind == "qimen":
        raise PlatformError("bad_kind", f"{row.name} is an ERP: its shipments arrive at POST /qimen, nothing is pulled")
    raise PlatformError("bad_kind", f"platform {row.name} is of kind {row.kind}, which takes no orders")


def token_keeper_for(row: Any, timeout: float = 10.0) -> Any:
    """The client that creates and renews a shop's access token (抖店 token.create/refresh)."""
    if row.kind != "douyin":
        raise PlatformError("no_token_refresh", f"{row.name} ({row.kind}): its authorisation is set by hand "
                            f"(wms platforms add {row.name} --kind {row.kind} --token ...)")
    from wms.adapters.platforms.douyin import DouyinConnector

    _need(row, "app_key", "app_secret")
    return DouyinConnector(row.url, row.app_key, row.app_secret, row.access_token or "", timeout=timeout)


def tracking_sink_for(row: Any, timeout: float = 10.0) -> TrackingSink:
    """Where a platform row's tracking numbers go back: a shop platform's connector, or an ERP's
    奇门 client, which confirms the shipment (deliveryorder.confirm)."""
    if row.kind != "qimen":
        return order_source_for(row, timeout)
    from wms.adapters.qimen.client import QimenConnector

    return QimenConnector(erp_client_for(row, timeout))


def erp_client_for(row: Any, timeout: float = 10.0) -> Any:
    """The 奇门 client calling an ERP back (a `platform` row of kind `qimen`); its secret may be
    `env:NAME`, read from the service's environment now."""
    from wms.adapters.qimen.client import QimenClient

    if row is None or row.kind != "qimen":
        raise PlatformError("bad_kind", f"{getattr(row, 'name', '?')} is not an ERP")
    _need(row, "app_key", "app_secret", "shop", "url")
    secret = row.app_secret
    if secret.startswith("env:"):
        secret = os.environ.get(secret[4:], "")
        if not secret:
            raise PlatformError("not_configured", f"ERP {row.name}: the environment variable "
                                f"{row.app_secret[4:]} holding its secret is not set")
    return QimenClient(row.url, row.app_key, secret, row.shop, timeout=timeout)


def _need(row: Any, *names: str) -> None:
    missing = [n for n in names if not getattr(row, n)]
    if missing:
        raise PlatformError("not_configured", f"platform {row.name} lacks {', '.join(missing)}: "
                            f"set them with wms platforms add {row.name} --kind {row.kind} ...")


__all__ = ["BuyerRevealer", "Connector", "FileDrop", "KINDS", "Page", "PlatformError", "RemoteOrder", "TrackingSink", "WAYBILL_KINDS",
           "erp_client_for", "order_source_for", "token_keeper_for", "tracking_sink_for"]
