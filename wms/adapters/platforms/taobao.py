"""Taobao / Tmall through the TOP gateway (淘宝开放平台): signed form posts to `/router/rest`.

Signing, as the TOP documentation gives it: every parameter except `sign` (and empty
ones), sorted by name in ASCII order, name and value run together (`bar2foo1`), then
- `sign_method=md5`: MD5 of secret + that string + secret,
- `sign_method=hmac`: HMAC-MD5 of that string keyed with the secret,
- `sign_method=hmac-sha256`: HMAC-SHA256 likewise,
written as upper-case hex. `timestamp` is `yyyy-MM-dd HH:mm:ss` in GMT+8 (the gateway
refuses one more than 10 minutes off); `session` is the shop's authorisation.

Orders come from `taobao.trades.sold.increment.get` (start_modified/end_modified, at most
one day apart, page_no/page_size up to 100, total_results); tracking numbers go back with
`taobao.logistics.offline.send` (tid, out_sid, company_code; `is_split=1` + `sub_tid` for
a parcel that carries only some lines). Errors come as
`{"error_response": {"code", "msg", "sub_code", "sub_msg"}}`: 7 call limit, 25 invalid
signature, 27 invalid session (expired authorisation), 15 remote service error, 41 bad
arguments. Field names follow the public API pages; the emulator in
`emulators/taobao.py` answers the same shapes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from wms.adapters.platforms.base import (
    CLOSED,
    SHIPPED,
    TAOBAO_COMPANIES,
    TO_SHIP,
    UNPAID,
    Page,
    PlatformError,
    RemoteOrder,
    beijing_text,
    page_of,
    parse_beijing,
    refusal,
)
from wms.adapters.platforms.http import post_form

FIELDS = ("tid,status,type,modified,pay_time,payment,receiver_name,receiver_mobile,receiver_phone,"
          "receiver_state,receiver_city,receiver_district,receiver_town,receiver_address,buyer_message,"
          "seller_memo,seller_flag,step_trade_status,est_con_time,oaid,orders")
STATES = {"WAIT_BUYER_PAY": UNPAID, "TRADE_NO_CREATE_PAY": UNPAID, "PAID_FORBID_CONSIGN": UNPAID,
          "WAIT_SELLER_SEND_GOODS": TO_SHIP, "SELLER_CONSIGNED_PART": TO_SHIP,
          "WAIT_BUYER_CONFIRM_GOODS": SHIPPED, "TRADE_BUYER_SIGNED": SHIPPED, "TRADE_FINISHED": SHIPPED,
          "TRADE_CLOSED": CLOSED, "TRADE_CLOSED_BY_TAOBAO": CLOSED}
REFUNDING = {"WAIT_SELLER_AGREE", "WAIT_BUYER_RETURN_GOODS", "WAIT_SELLER_CONFIRM_GOODS", "SUCCESS"}
# TOP error codes -> our stable codes (and whether trying again later can help).
ERRORS = {"7": ("rate_limited", True), "25": ("bad_signature", False), "26": ("token_missing", False),
          "27": ("token_expired", False), "28": ("token_expired", False), "29": ("bad_app_key", False),
          "15": ("platform_error", True), "41": ("bad_request", False), "11": ("no_permission", False)}


def sign(params: dict[str, str], secret: str, method: str = "md5") -> str:
    text = "".join(f"{k}{v}" for k, v in sorted(params.items()) if k != "sign" and v not in (None, ""))
    if method == "md5":
        digest = hashlib.md5((secret + text + secret).encode("utf-8")).hexdigest()
    elif method == "hmac":
        digest = hmac.new(secret.encode("utf-8"), text.encode("utf-8"), hashlib.md5).hexdigest()
    elif method == "hmac-sha256":
        digest = hmac.new(secret.encode("utf-8"), text.encode("utf-8"), hashlib.sha256).hexdigest()
    else:
        raise ValueError(f"sign_method {method!r} is not md5, hmac or hmac-sha256")
    return digest.upper()


class TaobaoConnector:
    kind = "taobao"
    max_window = timedelta(days=1)

    def __init__(self, url: str, app_key: str, app_secret: str, session: str, sign_method: str = "md5",
                 timeout: float = 10.0, transport: httpx.BaseTransport | None = None) -> None:
        self.url, self.app_key, self.secret, self.session = url, app_key, app_secret, session
        self.sign_method = sign_method
        self.client = httpx.Client(timeout=timeout, transport=transport)

    def close(self) -> None:
        self.client.close()

    def call(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        data = {"method": method, "app_key": self.app_key, "session": self.session,
                "timestamp": beijing_text(datetime.now(UTC)), "format": "json", "v": "2.0",
                "sign_method": self.sign_method, "simplify": "false",
                **{k: str(v) for k, v in params.items() if v is not None}}
        data["sign"] = sign(data, self.secret, self.sign_method)
        answer = post_form(self.client, self.url, data, "Taobao TOP")
        if not isinstance(answer, dict):
            raise PlatformError("bad_answer", "Taobao TOP answered something that is not a JSON object", True)
        if "error_response" in answer:
            err = answer["error_response"] or {}
            raise self._error(err)
        key = method.replace("taobao.", "", 1).replace(".", "_") + "_response"
        if key not in answer:
            raise PlatformError("bad_answer", f"Taobao TOP's answer to {method} lacks {key}", True)
        return answer[key] or {}

    @staticmethod
    def _error(err: dict[str, Any]) -> PlatformError:
        code = str(err.get("code", ""))
        ours, retry = ERRORS.get(code, ("platform_error", False))
        if str(err.get("sub_code") or "").startswith("isv."):  # the call's own fault: retrying cannot help
            ours, retry = ("refused" if ours == "platform_error" else ours), False
        wait = re.search(r"last for (\d+) more second", str(err.get("sub_msg") or ""))
        return refusal("TOP", ours, retry, {
            "token_expired": "the shop's authorisation (session) expired or is invalid: "
                             "authorise the shop again and set the new token",
            "token_missing": "no session was sent: set the shop's access token",
            "bad_app_key": "the app key is not known to the gateway"}, code,
            (err.get("msg"), err.get("sub_code"), err.get("sub_msg")), err.get("sub_code"),
            float(wait.group(1)) if wait else None)

    def pull(self, start: datetime, end: datetime, page_no: int, page_size: int) -> Page:
        answer = self.call("taobao.trades.sold.increment.get", {
            "fields": FIELDS, "start_modified": beijing_text(start), "end_modified": beijing_text(end),
            "page_no": page_no, "page_size": page_size})
        trades = ((answer.get("trades") or {}).get("trade")) or []
        return page_of(trades, answer.get("total_results", 0), to_remote, "Taobao TOP", page_no, page_size)

    def upload_tracking(self, platform_order_no: str, carrier: str, tracking_no: str,
                        sub_orders: list[str], extra: dict[str, Any]) -> dict[str, Any]:
        """`online.send` for a cash-on-delivery trade (offline.send refuses those), else
        `offline.send`. B150 is "busy, try later". B04 ("already shipped or closed") says no
        number, so the trade is read: our number on it means a send before a crash went through."""
        params: dict[str, Any] = {"tid": platform_order_no, "out_sid": tracking_no,
                                  "company_code": TAOBAO_COMPANIES.get(carrier, carrier)}
        if sub_orders:
            params.update(is_split=1, sub_tid=",".join(sub_orders))
        method = "taobao.logistics.online.send" if extra.get("cod") else "taobao.logistics.offline.send"
        try:
            answer = self.call(method, params)
        except PlatformError as exc:
            code = exc.platform_code or ""
            if code.endswith(":B150"):
                raise PlatformError("platform_busy", f"Taobao is busy (B150); will try again ({exc.message})", True,
                                    platform_code=code) from None
            if code.endswith(":B04"):
                return self._confirm_sent(platform_order_no, tracking_no, sub_orders)
            raise
        shipping = answer.get("shipping") or {}
        if not shipping.get("is_success"):
            raise PlatformError("upload_refused", f"Taobao did not accept {tracking_no} for {platform_order_no}")
        return {"already_sent": False}

    def _confirm_sent(self, tid: str, tracking_no: str, sub_orders: list[str]) -> dict[str, Any]:
        """After B04: the trade as Taobao has it. Our number on its lines: sent already (a resend
        after a crash). Closed, or another number: a person must look."""
        trade = self.call("taobao.trade.fullinfo.get", {"tid": tid, "fields": "tid,status,orders"}).get("trade") or {}
        lines = ((trade.get("orders") or {}).get("order")) or []
        mine = [l for l in lines if not sub_orders or str(l.get("oid")) in sub_orders]
        numbers = sorted({str(l.get("invoice_no")) for l in mine if l.get("invoice_no")})
        if tracking_no in numbers:
            return {"already_sent": True}
        if STATES.get(str(trade.get("status"))) == CLOSED:
            raise PlatformError("trade_closed", f"Taobao trade {tid} was closed before {tracking_no} was sent: "
                                "stop the parcel with the carrier (拦截) or arrange its return")
        raise PlatformError("shipped_elsewhere", f"Taobao trade {tid} is consigned with "
                            f"{', '.join(numbers) or 'another number'}, not {tracking_no}: find out which parcel "
                            "the buyer gets before sending anything")

    def reveal_buyer(self, platform_order_no: str, oaid: str, scene: str, cipher: dict[str, str],
                     fields: tuple[str, ...] = ()) -> dict[str, str]:
        """The receiver of a trade in the clear, as far as `scene` allows (`taobao.top.oaid.decrypt`:
        Taobao itself gives only the scene's fields; no cipher text is needed). For showing, never
        for storing."""
        answer = self.call("taobao.top.oaid.decrypt", {"query_list": json.dumps(
            [{"oaid": oaid, "tid": platform_order_no, "scene": scene}], separators=(",", ":"))})
        found = ((answer.get("receiver_list") or {}).get("receiver")) or []
        if not found or not found[0].get("matched", True):
            raise PlatformError("not_matched", f"Taobao does not know OAID {oaid} on trade {platform_order_no}: "
                                "the buyer may have changed the address; pull the shop again")
        r = found[0]
        return {k: str(r.get(src) or "") for k, src in (
            ("name", "name"), ("mobile", "mobile"), ("phone", "phone"), ("province", "state"), ("city", "city"),
            ("district", "district"), ("town", "town"), ("address", "address_detail"))}


_DAYS = re.compile(r"付款后\s*(\d+)\s*天")


def ship_by_from(est_con_time: Any, paid_at: datetime | None) -> datetime | None:
    """`est_con_time` is a time, or words like 付款后2天内 (within 2 days of payment)."""
    moment = parse_beijing(est_con_time)
    if moment:
        return moment
    match = _DAYS.search(str(est_con_time or ""))
    if match and paid_at:
        return paid_at + timedelta(days=int(match.group(1)))
    return None


def to_remote(t: dict[str, Any]) -> RemoteOrder:
    tid = str(t["tid"])
    lines = ((t.get("orders") or {}).get("order")) or []
    paid_at = parse_beijing(t.get("pay_time"))
    modified = parse_beijing(t.get("modified"))
    if modified is None:
        raise ValueError(f"trade {tid} has no readable modified time")
    presale = t.get("type") == "step" or bool(t.get("step_trade_status"))
    cod = t.get("type") == "cod"
    ship_by = ship_by_from(t.get("est_con_time"), paid_at)
    order = {
        "order_no": tid, "channel": "taobao",
        "order_type": "cod" if cod else "presale" if presale else "normal",
        "cod_amount": t.get("payment") if cod else None,
        "paid_amount": t.get("payment") or None,
        "recipient": {"name": t.get("receiver_name") or "", "phone": t.get("receiver_mobile") or t.get("receiver_phone") or "",
                      "province": t.get("receiver_state") or "", "city": t.get("receiver_city") or "",
                      "district": t.get("receiver_district") or "",
                      "address": " ".join(x for x in (t.get("receiver_town"), t.get("receiver_address")) if x),
                      "oaid": t.get("oaid") or None},
        "lines": [{"sku": str(l.get("outer_sku_id") or l.get("outer_iid") or ""), "qty": int(l.get("num", 0))}
                  for l in lines if l.get("refund_status") != "SUCCESS"],
        "paid_at": paid_at, "ship_by": ship_by,
        "buyer_message": t.get("buyer_message"), "seller_memo": t.get("seller_memo"),
        "seller_flag": t.get("seller_flag") or None,
    }
    return RemoteOrder(
        platform_order_no=tid, state=STATES.get(str(t.get("status")), UNPAID), raw_status=str(t.get("status")),
        modified=modified, refund=any(l.get("refund_status") in REFUNDING for l in lines),
        order=order, sub_orders=[str(l.get("oid")) for l in lines if l.get("oid") is not None],
        line_skus={str(l["oid"]): {"sku": str(l.get("outer_sku_id") or l.get("outer_iid") or ""),
                                   "qty": int(l.get("num") or 0)} for l in lines if l.get("oid") is not None},
        ship_by_hint=str(t.get("est_con_time")) if t.get("est_con_time") else None)
