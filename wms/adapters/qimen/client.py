"""Calls from the warehouse back to a seller's ERP over 奇门: the same query parameters and
signature as the calls in (`protocol.sign`), signed with the ERP's secret.

`QimenConnector` is what the tracking-upload outbox (wms.services.tracking_upload) sends
through for an ERP: a shipment leaving at handover becomes one `deliveryorder.confirm`, with the
tracking number (expressCode), the logistics code and the weight in kilograms per package. Every
fault is a `PlatformError`, so the outbox retries what is worth retrying and a `success` is
recorded once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import httpx

from wms.adapters.platforms.base import PlatformError
from wms.adapters.qimen import protocol

CONFIRM = "taobao.qimen.deliveryorder.confirm"


class QimenClient:
    def __init__(self, url: str, app_key: str, secret: str, customer_id: str, timeout: float = 10.0,
                 fmt: str = "xml") -> None:
        self.url, self.app_key, self.secret, self.customer_id, self.fmt = url, app_key, secret, customer_id, fmt
        self.http = httpx.Client(timeout=timeout)

    def signed_query(self, method: str, body: bytes) -> dict[str, str]:
        params = {"method": method, "app_key": self.app_key, "customerId": self.customer_id,
                  "timestamp": protocol.timestamp(), "v": "2.0", "sign_method": "md5", "format": self.fmt}
        params["sign"] = protocol.sign(self.secret, params, body)
        return params

    def call(self, method: str, fields: dict[str, Any]) -> dict[str, Any]:
        """Send `fields` as the `<request>`; the answer's fields on success, else PlatformError."""
        body = protocol.render("request", fields, self.fmt)
        query = self.signed_query(method, body)
        who = f"the ERP at {self.url}"
        content_type = "application/json" if self.fmt == "json" else "text/xml; charset=utf-8"
        try:
            response = self.http.post(f"{self.url}?{urlencode(query)}", content=body,
                                      headers={"Content-Type": content_type})
        except httpx.TimeoutException:
            raise PlatformError("timeout", f"{who} did not answer; will try again", retryable=True) from None
        except httpx.HTTPError as exc:
            raise PlatformError("unreachable", f"{who} could not be reached ({type(exc).__name__}); "
                                "will try again", retryable=True) from None
        if response.status_code >= 500:
            raise PlatformError("platform_down", f"{who} answered HTTP {response.status_code}; will try again",
                                retryable=True)
        try:
            answer = protocol.read_answer(response.content, self.fmt)
        except protocol.QimenFailure:
            raise PlatformError("bad_answer", f"{who} sent an answer that is not a Qimen response "
                                f"(HTTP {response.status_code}); will try again", retryable=True) from None
        if str(answer.get("flag", "")).lower() != "success":
            code = str(answer.get("code") or "failure")
            raise PlatformError("refused", f"{who} answered failure {code}: {answer.get('message') or ''}".strip(),
                                retryable=True, platform_code=code)
        return answer

    def close(self) -> None:
        self.http.close()


class QimenConnector:
    """The outbox's connector for an ERP (a `platform` row of kind `qimen`)."""

    kind = "qimen"

    def __init__(self, client: QimenClient, warehouse_code: str = "WH01", owner_code: str = "") -> None:
        self.client, self.warehouse_code, self.owner_code = client, warehouse_code, owner_code

    def upload_tracking(self, order_code: str, carrier: str, tracking_no: str, sub_orders: list[str],
                        extra: dict[str, Any]) -> dict[str, Any]:
        grams = int(extra.get("weight_g") or 0)
        shipment: dict[str, Any] = {"deliveryOrderCode": order_code, "warehouseCode": self.warehouse_code,
                                    "orderType": extra.get("order_type") or "JYCK", "status": "DELIVERED",
                                    "orderConfirmTime": protocol.timestamp(), "operateTime": protocol.timestamp()}
        if extra.get("operator"):
            shipment["operatorName"] = extra["operator"]
        if extra.get("packed_at"):  # when it was packed and weighed; orderConfirmTime is when it left
            shipment["operateTime"] = protocol.timestamp(datetime.fromisoformat(extra["packed_at"]))
        package: dict[str, Any] = {"logisticsCode": carrier, "expressCode": tracking_no, "weight": f"{grams / 1000:.3f}"}
        if extra.get("items"):
            package["items"] = [{"itemCode": i["sku"], "quantity": i["qty"]} for i in extra["items"]]
        fields = {"deliveryOrder": shipment, "packages": [package],
                  "orderLines": [{"itemCode": i["sku"], "actualQty": i["qty"]} for i in extra.get("items") or []]}
        if self.owner_code:
            fields["deliveryOrder"]["ownerCode"] = self.owner_code
        self.client.call(CONFIRM, fields)
        return {"already_sent": False}

    def close(self) -> None:
        self.client.close()
