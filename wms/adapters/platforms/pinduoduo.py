"""Pinduoduo shops (拼多多开放平台, gw-api.pinduoduo.com/api/router): signed form posts.

Signing, as the platform's integration guide gives it: every parameter except `sign`, sorted by
name, name and value run together, between the client secret on both ends, MD5, upper-case
hex. Common parameters: `type` (the method), `client_id`, `access_token`, `timestamp` (unix
seconds, at most 10 minutes off), `data_type=JSON`, `version=V1`. Errors come as
`{"error_response": {"error_code", "error_msg", "sub_code", "sub_msg"}}`.

Orders: `pdd.order.number.list.increment.get` (start_updated_at/end_updated_at in unix seconds,
at most 30 minutes apart, pages from 1 read from the last, `page_size` up to 100), whose
`order_sn_list` holds each order whole. The guide's advice against missed orders is followed:
windows end 3 minutes before now (`lag`). The buyer comes encrypted (`receiver_name`,
`receiver_phone`, `address`) with masked copies (`*_mask`) and `open_address_id`; we keep the
masked copies, the id (merged by) and the cipher text as sent; `pdd.open.decrypt.batch` shows
it for a scene. Tracking: `pdd.logistics.online.send` (order_sn, logistics_id, tracking_number).
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from datetime import datetime, timedelta
from typing import Any

import httpx

from wms.adapters.platforms.base import (
    CLOSED,
    SHIPPED,
    TO_SHIP,
    Page,
    PlatformError,
    RemoteOrder,
    ciphers_to_reveal,
    page_of,
    parse_beijing,
    refusal,
    revealed,
)
from wms.adapters.platforms.cainiao import IssuedNumber
from wms.adapters.platforms.http import post_form

# order_status: 1 待发货, 2 已发货待签收, 3 已签收; refund_status: 1 none, 2 售后处理中, 3 退款中, 4 退款成功
STATES = {1: TO_SHIP, 2: SHIPPED, 3: SHIPPED}
ERRORS = {10019: ("token_expired", False), 10016: ("bad_signature", False), 10017: ("bad_app_key", False),
          70031: ("rate_limited", True), 50001: ("platform_error", True), 10000: ("bad_request", False),
          50000: ("refused", False)}
# Our carrier codes -> Pinduoduo's logistics_id (pdd.logistics.companies.get lists the account's own;
# these are the common couriers' ids as that list gives them).
PDD_COMPANIES = {"SF": 44, "ZTO": 115, "YTO": 85, "STO": 1, "YD": 121, "YUNDA": 121, "JD": 120, "EMS": 118,
                 "JT": 384}
TAGS = {1: "red", 2: "yellow", 3: "green", 4: "blue", 5: "purple"}  # remark_tag colours
_SENT_WITH = re.compile(r"运单号\s*([A-Za-z0-9]+)")


def sign(params: dict[str, str], secret: str) -> str:
    text = "".join(f"{k}{v}" for k, v in sorted(params.items()) if k != "sign")
    return hashlib.md5(f"{secret}{text}{secret}".encode()).hexdigest().upper()


class PinduoduoConnector:
    kind = "pinduoduo"
    max_window = timedelta(minutes=30)
    lag = timedelta(minutes=3)

    def __init__(self, url: str, client_id: str, client_secret: str, access_token: str, timeout: float = 10.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.url, self.client_id, self.secret, self.token = url, client_id, client_secret, access_token
        self.client = httpx.Client(timeout=timeout, transport=transport)

    def close(self) -> None:
        self.client.close()

    def call(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        data = {"type": method, "client_id": self.client_id, "access_token": self.token,
                "timestamp": str(int(time.time())), "data_type": "JSON", "version": "V1",
                **{k: (v if isinstance(v, str) else json.dumps(v, separators=(",", ":"), ensure_ascii=False))
                   for k, v in params.items() if v is not None}}
        data["sign"] = sign(data, self.secret)
        answer = post_form(self.client, self.url, data, "Pinduoduo")
        if not isinstance(answer, dict):
            raise PlatformError("bad_answer", "Pinduoduo answered something that is not a JSON object", True)
        if "error_response" in answer:
            raise self._error(answer["error_response"] or {})
        found = [v for k, v in answer.items() if k.endswith("_response")]
        if not found or not isinstance(found[0], dict):
            raise PlatformError("bad_answer", f"Pinduoduo's answer to {method} has no *_response", True)
        return found[0]

    @staticmethod
    def _error(err: dict[str, Any]) -> PlatformError:
        code = int(err.get("error_code") or 0)
        ours, retry = ERRORS.get(code, ("platform_error", False))
        return refusal("拼多多", ours, retry, {
            "bad_signature": "the signature was refused: check the client id and secret",
            "token_expired": "the shop's access token expired: authorise the shop again and set the new one",
            "bad_app_key": "the client id is not known to Pinduoduo"}, code,
            (err.get("error_msg"), err.get("sub_code"), err.get("sub_msg")), err.get("sub_code"),
            1.0 if retry else None)

    def pull(self, start: datetime, end: datetime, page_no: int, page_size: int) -> Page:
        answer = self.call("pdd.order.number.list.increment.get", {
            "start_updated_at": str(int(start.timestamp())), "end_updated_at": str(int(end.timestamp())),
            "order_status": "5", "refund_status": "5", "is_lucky_flag": "0", "page": str(page_no),
            "page_size": str(page_size)})
        return page_of(answer.get("order_sn_list"), answer.get("total_count", 0), to_remote, "Pinduoduo", page_no, page_size)

    def upload_tracking(self, platform_order_no: str, carrier: str, tracking_no: str,
                        sub_orders: list[str], extra: dict[str, Any]) -> dict[str, Any]:
        company = PDD_COMPANIES.get(carrier)
        if company is None:
            raise PlatformError("unknown_carrier", f"Pinduoduo has no logistics_id on record for carrier {carrier}: "
                                "add it to the carrier table (pdd.logistics.companies.get lists them)")
        if extra.get("additional_package"):  # 一单多包: the order went with its first parcel's number
            return self._extra_parcel(platform_order_no, company, tracking_no)
        try:
            self.call("pdd.logistics.online.send", {"order_sn": platform_order_no, "logistics_id": str(company),
                                                    "tracking_number": tracking_no})
        except PlatformError as exc:
            sent = _SENT_WITH.search(exc.message)
            if exc.platform_code == "isv.order-shipped" and sent and sent.group(1) == tracking_no:
                return {"already_sent": True}
            raise
        return {"already_sent": False}

    def _extra_parcel(self, order_sn: str, company: int, tracking_no: str) -> dict[str, Any]:
        """`pdd.order.upload.extra.logistics` (extra_track_type 1, 分包发货): a further parcel's
        number, shown to the buyer beside the first. The number on record already: sent before."""
        try:
            self.call("pdd.order.upload.extra.logistics", {
                "order_sn": order_sn, "extra_track_type": "1",
                "extra_track_list": json.dumps([{"shipping_id": company, "tracking_number": tracking_no}])})
        except PlatformError as exc:
            if exc.platform_code == "isv.tracking-number-exists" and tracking_no in exc.message:
                return {"already_sent": True}
            if exc.platform_code == "isv.order-not-shipped":  # the first parcel's send is still to come
                raise PlatformError("first_parcel_pending", f"Pinduoduo order {order_sn} is not shipped yet: its "
                                    f"first parcel's number goes first, then {tracking_no} (will try again)", True,
                                    platform_code=exc.platform_code) from None
            raise
        return {"already_sent": False}

    def get_waybill(self, wp_code: str, sender: dict[str, Any], recipient: dict[str, Any], object_id: str,
                    order_sn: str, items: list[dict[str, Any]], package_id: str) -> IssuedNumber:
        """`pdd.waybill.get`: a number for one of the shop's orders; `recipient` holds the order's
        cipher text as it came. The print data comes back encrypted (Pinduoduo's print component)."""
        request = {"wp_code": wp_code, "sender": sender, "need_encrypt": True, "trade_order_info_dtos": [{
            "object_id": object_id, "order_info": {"order_channels_type": "PDD", "trade_order_list": [order_sn]},
            "package_info": {"id": package_id, "items": items}, "recipient": recipient, "template_url": "",
            "user_id": 0}]}
        answer = self.call("pdd.waybill.get", {"param_waybill_get_request": request})
        modules = answer.get("modules") or []
        mine = [m for m in modules if str(m.get("object_id")) == object_id] or modules
        if not mine or not mine[0].get("waybill_code"):
            raise PlatformError("bad_answer", "Pinduoduo's answer holds no waybill_code", True)
        try:
            data = json.loads(mine[0].get("print_data") or "{}")
        except ValueError:
            data = {}
        return IssuedNumber(str(mine[0]["waybill_code"]), None, None, data)

    def cancel_waybill(self, wp_code: str, waybill_code: str) -> bool:
        answer = self.call("pdd.waybill.cancel", {"wp_code": wp_code, "waybill_code": waybill_code})
        return bool(answer.get("cancel_result"))

    def reveal_buyer(self, platform_order_no: str, oaid: str, scene: str, cipher: dict[str, str],
                     fields: tuple[str, ...] = ("name", "mobile", "phone", "address")) -> dict[str, str]:
        """The fields asked for in the clear (`pdd.open.decrypt.batch`); for showing, never storing."""
        wanted = ciphers_to_reveal(cipher, fields, platform_order_no)
        answer = self.call("pdd.open.decrypt.batch", {"data_list": [
            {"data_tag": platform_order_no, "encrypted_data": c} for c in wanted.values()]})
        answers = {i.get("encrypted_data"): i for i in answer.get("data_decrypt_list") or []}
        return revealed(wanted, answers, "decrypted_data", "error_code", "Pinduoduo", platform_order_no)


def to_remote(o: dict[str, Any]) -> RemoteOrder:
    sn = str(o["order_sn"])
    modified = parse_beijing(o.get("updated_at"))
    if modified is None:
        raise ValueError(f"order {sn} has no updated_at")
    refund = int(o.get("refund_status") or 1)
    status = int(o.get("order_status") or 1)
    state = CLOSED if refund == 4 else STATES.get(status, TO_SHIP)
    data = {
        "order_no": sn, "channel": "pinduoduo",
        "order_type": "presale" if int(o.get("trade_type") or 0) == 1 or o.get("is_pre_sale") else "normal",
        "paid_amount": str(o["pay_amount"]) if o.get("pay_amount") is not None else None,
        "recipient": {"name": o.get("receiver_name_mask") or "", "phone": o.get("receiver_phone_mask") or "",
                      "province": o.get("province") or "", "city": o.get("city") or "",
                      "district": o.get("town") or "", "address": o.get("address_mask") or "",
                      "oaid": o.get("open_address_id") or None,
                      "cipher": {"name": o.get("receiver_name"), "phone": o.get("receiver_phone"),
                                 "address": o.get("address")}},
        "lines": [{"sku": str(i.get("outer_id") or i.get("outer_goods_id") or ""), "qty": int(i.get("goods_count", 0))}
                  for i in o.get("item_list") or []],
        "paid_at": parse_beijing(o.get("confirm_time")), "ship_by": parse_beijing(o.get("last_ship_time")),
        "buyer_message": o.get("buyer_memo") or None, "seller_memo": o.get("remark") or None,
        "seller_flag": TAGS.get(int(o.get("remark_tag") or 0)),
    }
    return RemoteOrder(platform_order_no=sn, state=state, raw_status=f"{status}/{refund}", modified=modified,
                       refund=refund in (2, 3), order=data)
