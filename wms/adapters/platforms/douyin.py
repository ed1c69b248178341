"""Douyin shops (抖店开放平台, openapi-fxg.jinritemai.com): signed JSON calls with an access token.

Signing, as the 抖店 API guide gives it (checked against our memory of the public page; the
search here found the guide's parameter table but not its sign example): the business
parameters are `param_json`, a JSON object with its keys sorted and no spaces; the string
    app_secret + "app_key" + app_key + "method" + method + "param_json" + param_json
               + "timestamp" + timestamp + "v" + v + app_secret
is signed with HMAC-SHA256 keyed with the app secret (`sign_method=hmac-sha256`; `md5`
takes the MD5 of the same string), lower-case hex. Common parameters travel in the query
string (`app_key`, `method`, `access_token`, `timestamp` yyyy-MM-dd HH:mm:ss GMT+8, `v=2`,
`sign`, `sign_method`), `param_json` as the JSON body, to `/{method with dots as slashes}`.
Answers are `{"code": 10000, "msg": "success", "sub_code", "sub_msg", "data", "log_id"}`; any
other `code` is an error (we map the token, signature and call-limit codes below).

Orders: `order.searchList` (update_time_start/update_time_end in unix seconds, page from 0,
size up to 100, total); tracking: `order.logisticsAdd` (order_id, company_code, logistics_code).

抖音电子面单, as the official SDKs' request and response types give it (doudian sdk_golang
`logistics_newCreateOrder`, `logistics_waybillApply`, `logistics_templateList`;
`logistics_cancelOrder`): `newCreateOrder` takes sender_info, logistics_code and order_infos
[{order_id, pack_id, receiver_info {address, contact}, items}] and answers ebill_infos [{order_id,
pack_id, track_no, sort_code 三段码, package_center_code/name 集包地, short_address_code/name
大头笔}] and err_infos [{order_id, pack_id, err_code, err_msg}]; the same order and pack_id give
the old number. `waybillApply` (waybill_applies [{logistics_code, track_no}]) answers
waybill_infos [{order_id, track_no, print_data (encrypted), sign}]. The print component takes
them as encryptedData and signature with the template's URL, and a signed `logistics.getShopKey`
query (`params`) with which it fetches the key itself.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx

from wms.adapters.platforms.base import (
    CLOSED,
    DOUYIN_COMPANIES,
    SHIPPED,
    TO_SHIP,
    UNPAID,
    Page,
    PlatformError,
    RemoteOrder,
    beijing_text,
    ciphers_to_reveal,
    page_of,
    parse_beijing,
    refusal,
    revealed,
)
from wms.adapters.platforms.cainiao import IssuedNumber

# order_status: 1 待确认/待支付, 105 已支付, 2 备货中, 101 部分发货, 3 已发货, 4 已取消, 5 已完成
STATES = {1: UNPAID, 105: TO_SHIP, 2: TO_SHIP, 101: TO_SHIP, 3: SHIPPED, 5: SHIPPED, 4: CLOSED}
ERRORS = {30001: ("token_missing", False), 30002: ("token_expired", False), 30003: ("reauthorise", False),
          90001: ("quota_spent", False), 30004: ("bad_app_key", False),
          40004: ("bad_signature", False), 50002: ("refused", False), 90000: ("rate_limited", True),
          20000: ("platform_error", True)}
# 插旗 colours: 0 grey, 1 purple, 2 cyan, 3 green, 4 orange, 5 red -> our nearest flag
STARS = {1: "purple", 2: "blue", 3: "green", 4: "yellow", 5: "red"}
ALREADY_SENT_SUB = "isv.order-already-shipped"
TOKEN_METHODS = ("token.create", "token.refresh")


def param_json(params: dict[str, Any]) -> str:
    return json.dumps(params, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sign(app_key: str, secret: str, method: str, body: str, timestamp: str, v: str = "2",
         sign_method: str = "hmac-sha256") -> str:
    text = f"{secret}app_key{app_key}method{method}param_json{body}timestamp{timestamp}v{v}{secret}"
    if sign_method == "md5":
        return hashlib.md5(text.encode("utf-8")).hexdigest()
    return hmac.new(secret.encode("utf-8"), text.encode("utf-8"), hashlib.sha256).hexdigest()


class DouyinConnector:
    kind = "douyin"
    max_window = timedelta(days=1)

    def __init__(self, url: str, app_key: str, app_secret: str, access_token: str, timeout: float = 10.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.url, self.app_key, self.secret, self.token = url.rstrip("/"), app_key, app_secret, access_token
        self.client = httpx.Client(timeout=timeout, transport=transport)

    def close(self) -> None:
        self.client.close()

    def call(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        body = param_json(params)
        ts = beijing_text(datetime.now(UTC))
        query = {"app_key": self.app_key, "method": method, "timestamp": ts,
                 "v": "2", "sign_method": "hmac-sha256", "sign": sign(self.app_key, self.secret, method, body, ts)}
        if method not in TOKEN_METHODS:  # a token is what those calls ask for
            query["access_token"] = self.token
        url = f"{self.url}/{method.replace('.', '/')}"
        try:
            response = self.client.post(url, params=query, content=body.encode("utf-8"),
                                        headers={"Content-Type": "application/json"})
            raw = response.content
        except httpx.TimeoutException:
            raise PlatformError("timeout", f"Douyin did not answer in {self.client.timeout.read or 0:g} s; "
                                "will try again", retryable=True) from None
        except httpx.HTTPError as exc:
            raise PlatformError("unreachable", f"Douyin could not be reached or broke off its answer "
                                f"({type(exc).__name__}: {exc}); will try again", retryable=True) from None
        if response.status_code >= 500:
            raise PlatformError("platform_down", f"Douyin answered HTTP {response.status_code}; will try again", True)
        try:
            answer = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise PlatformError("bad_answer", f"Douyin sent an answer that is not complete JSON "
                                f"({len(raw)} bytes); will try again", True) from None
        if not isinstance(answer, dict) or "code" not in answer:
            raise PlatformError("bad_answer", "Douyin's answer has no code", True)
        if answer["code"] != 10000:
            raise self._error(answer)
        return answer.get("data") or {}

    @staticmethod
    def _error(answer: dict[str, Any]) -> PlatformError:
        code = int(answer.get("code") or 0)
        ours, retry = ERRORS.get(code, ("platform_error", False))
        return refusal("抖店", ours, retry, {
            "token_expired": "the shop's access token expired: refresh it (token.refresh) and set the new one",
            "token_missing": "the access token is not known: authorise the shop again",
            "reauthorise": "the refresh token is unknown or expired (14 days): the shop must authorise "
                           "the app again (wms platforms authorise NAME --code CODE)",
            "quota_spent": "the day's decryption quota is spent",
            "bad_app_key": "the app key is not known to Douyin"}, code,
            (answer.get("msg"), answer.get("sub_code"), answer.get("sub_msg")), answer.get("sub_code"),
            1.0 if retry else None)

    # ------------------------------------------------------------------ 抖音电子面单
    def get_waybill(self, logistics_code: str, sender: dict[str, Any], receiver: dict[str, Any], order_id: str,
                    pack_id: str, items: list[dict[str, Any]]) -> IssuedNumber:
        """A number for one of the shop's orders (`logistics.newCreateOrder`), then its encrypted
        print data (`logistics.waybillApply`) for Douyin's print component. `receiver` holds the
        order's cipher text as it came (`{"address": {...}, "contact": {...}}`); the same order
        and pack_id give the same number again (a resend after a lost answer)."""
        data = self.call("logistics.newCreateOrder", {
            "logistics_code": logistics_code, "sender_info": sender,
            "order_infos": [{"order_id": order_id, "pack_id": pack_id, "receiver_info": receiver, "items": items}]})
        refused = [e for e in data.get("err_infos") or [] if str(e.get("pack_id") or pack_id) == pack_id]
        if refused:
            e = refused[0]
            raise PlatformError("refused", f"抖店 gave no number: {e.get('err_msg') or 'refused'} "
                                f"(err_code {e.get('err_code')})", False, platform_code=str(e.get("err_code") or ""))
        bills = [b for b in data.get("ebill_infos") or [] if str(b.get("pack_id")) == pack_id] \
            or data.get("ebill_infos") or []
        if not bills or not bills[0].get("track_no"):
            raise PlatformError("bad_answer", "抖店's answer to logistics.newCreateOrder holds no track_no", True)
        bill = bills[0]
        track_no = str(bill["track_no"])
        applied = self.call("logistics.waybillApply", {
            "waybill_applies": [{"logistics_code": logistics_code, "track_no": track_no}]})
        errors = applied.get("err_infos") or []
        infos = [w for w in applied.get("waybill_infos") or [] if str(w.get("track_no")) == track_no]
        if not infos:
            words = errors[0].get("err_msg") if errors else "no waybill_infos"
            raise PlatformError("bad_answer", f"抖店 gave number {track_no} but not its print data ({words}); "
                                "will try again", True)
        print_data = {"encryptedData": str(infos[0].get("print_data") or ""),
                      "signature": str(infos[0].get("sign") or ""),
                      "templateURL": self.template_url(logistics_code)}
        return IssuedNumber(track_no, bill.get("sort_code") or None, bill.get("package_center_name") or None,
                            print_data, place_name=bill.get("short_address_name") or None)

    def template_url(self, logistics_code: str) -> str:
        """The standard template of the carrier (`logistics.templateList`): the component prints
        the encrypted data into it. The first one-part (一联单) template, else the first."""
        for group in self.call("logistics.templateList", {}).get("template_data") or []:
            if group.get("logistics_code") == logistics_code:
                infos = group.get("template_infos") or []
                one_part = [t for t in infos if int(t.get("template_type") or 0) == 1] or infos
                if one_part and one_part[0].get("template_url"):
                    return str(one_part[0]["template_url"])
        raise PlatformError("refused", f"抖店 has no standard template for {logistics_code}: the shop has not "
                            "subscribed to that carrier's e-waybill (电子面单服务)", False)

    def cancel_waybill(self, logistics_code: str, track_no: str) -> bool:
        """`logistics.cancelOrder`: a number not used (the parcel was voided) goes back."""
        data = self.call("logistics.cancelOrder", {"logistics_code": logistics_code, "track_no": track_no})
        return bool(data.get("cancel_result", True))

    def shop_key_params(self, timestamp: datetime | None = None) -> str:
        """What Douyin's print component needs to decrypt a label: a fully signed
        `logistics.getShopKey` call (param_json `{}`), as a query string. The component makes
        the call itself, within the gateway's 5 minutes of `timestamp`, so it is built when the
        station takes the job, never stored."""
        ts = beijing_text(timestamp or datetime.now(UTC))
        signature = sign(self.app_key, self.secret, "logistics.getShopKey", "{}", ts)
        return (f"access_token={self.token}&app_key={self.app_key}&method=logistics.getShopKey&param_json={{}}"
                f"&timestamp={ts}&v=2&sign={signature}&sign_method=hmac-sha256")

    def create_token(self, code: str) -> Token:
        """`token.create`: the shop's authorisation code (工具型应用) exchanged for its tokens."""
        return _token(self.call("token.create", {"code": code, "grant_type": "authorization_code"}))

    def refresh_token(self, refresh_token: str) -> Token:
        """`token.refresh`: in the access token's last hour (or after it ran out) a new pair;
        earlier, the same pair back, unchanged."""
        return _token(self.call("token.refresh", {"grant_type": "refresh_token", "refresh_token": refresh_token}))

    def reveal_buyer(self, platform_order_no: str, oaid: str, scene: str, cipher: dict[str, str],
                     fields: tuple[str, ...] = ("name", "mobile", "phone", "address")) -> dict[str, str]:
        """The fields asked for in the clear (`order.batchDecrypt` of the order's encrypted ones).
        For showing, never for storing."""
        wanted = ciphers_to_reveal(cipher, fields, platform_order_no)
        data = self.call("order.batchDecrypt", {"cipher_infos": [
            {"auth_id": platform_order_no, "cipher_text": c} for c in wanted.values()]})
        answers = {i.get("cipher_text"): i for i in data.get("decrypt_infos") or []}
        return revealed(wanted, answers, "decrypt_text", "err_no", "Douyin", platform_order_no)

    def pull(self, start: datetime, end: datetime, page_no: int, page_size: int) -> Page:
        data = self.call("order.searchList", {
            "update_time_start": int(start.timestamp()), "update_time_end": int(end.timestamp()),
            "page": page_no - 1, "size": page_size, "order_by": "update_time", "order_asc": True})
        return page_of(data.get("shop_order_list"), data.get("total", 0), to_remote, "Douyin", page_no, page_size)

    def upload_tracking(self, platform_order_no: str, carrier: str, tracking_no: str,
                        sub_orders: list[str], extra: dict[str, Any]) -> dict[str, Any]:
        if sub_orders:  # 拆包发货: this parcel carries these lines of the order
            return self._ship_lines(platform_order_no, carrier, tracking_no, sub_orders, extra)
        try:
            self.call("order.logisticsAdd", {"order_id": platform_order_no,
                                             "company_code": DOUYIN_COMPANIES.get(carrier, carrier.lower()),
                                             "logistics_code": tracking_no})
        except PlatformError as exc:
            if exc.platform_code == ALREADY_SENT_SUB and tracking_no in exc.message:
                return {"already_sent": True}
            raise
        return {"already_sent": False}


    def _ship_lines(self, order_id: str, carrier: str, tracking_no: str, sub_orders: list[str],
                    extra: dict[str, Any]) -> dict[str, Any]:
        """`order.logisticsAddSinglePack`: the lines (sku orders) one parcel carries, each whole; the
        request_id is the order and the number, so a resend after a lost answer ships nothing twice."""
        shipped = extra.get("shipped") or {}
        try:
            self.call("order.logisticsAddSinglePack", {
                "order_id_list": [order_id], "logistics_code": tracking_no,
                "company_code": DOUYIN_COMPANIES.get(carrier, carrier.lower()),
                "request_id": f"{order_id}-{tracking_no}",
                "shipped_order_info": [{"shipped_order_id": sub, "shipped_num": int(shipped.get(sub) or 1)}
                                       for sub in sub_orders]})
        except PlatformError as exc:
            if (exc.platform_code or "").endswith(":60110") and tracking_no in exc.message:
                return {"already_sent": True}
            raise
        return {"already_sent": False}


@dataclass
class Token:
    access_token: str
    refresh_token: str
    expires_at: datetime


def _token(data: dict[str, Any]) -> Token:
    try:
        return Token(str(data["access_token"]), str(data["refresh_token"]),
                     datetime.now(UTC) + timedelta(seconds=int(data["expires_in"])))
    except (KeyError, TypeError, ValueError):
        raise PlatformError("bad_answer", "Douyin's token answer lacks access_token, refresh_token or expires_in",
                            True) from None


def _name(part: Any) -> str:
    return str((part or {}).get("name") or "") if isinstance(part, dict) else str(part or "")


def _recipient(o: dict[str, Any], addr: dict[str, Any]) -> dict[str, Any]:
    """The buyer as 抖店 gives it: masked copies (mask_*) to keep and show, the encrypted
    fields kept as sent (for the e-waybill and decryption), the open_address_id to merge by.
    An order with no masked copies is one from before encryption: its fields are plain."""
    masked = o.get("mask_post_addr") or {}
    encrypted = bool(o.get("encrypt_post_tel") or o.get("encrypt_post_receiver"))
    detail = str((masked.get("detail") if encrypted else addr.get("detail")) or "")
    return {"name": (o.get("mask_post_receiver") if encrypted else o.get("post_receiver")) or "",
            "phone": (o.get("mask_post_tel") if encrypted else o.get("post_tel")) or "",
            "province": _name(addr.get("province")), "city": _name(addr.get("city")),
            "district": _name(addr.get("town")),
            "address": " ".join(x for x in (_name(addr.get("street")), detail) if x),
            "oaid": o.get("open_address_id") or None,
            "cipher": {"name": o.get("encrypt_post_receiver"), "phone": o.get("encrypt_post_tel"),
                       "address": addr.get("encrypt_detail")} if encrypted else None}


def to_remote(o: dict[str, Any]) -> RemoteOrder:
    order_id = str(o["order_id"])
    addr = o.get("post_addr") or {}
    lines = o.get("sku_order_list") or []
    paid_at = parse_beijing(o.get("pay_time"))
    cod = o.get("pay_type") == 0
    refund = any(((l.get("after_sale_info") or {}).get("after_sale_status") or 0) > 0 for l in lines)
    modified = parse_beijing(o.get("update_time"))
    if modified is None:
        raise ValueError(f"order {order_id} has no update_time")
    data = {
        "order_no": order_id, "channel": "douyin",
        "order_type": "cod" if cod else "presale" if o.get("pre_sale_type") else "normal",
        "cod_amount": str(Decimal(int(o.get("order_amount") or 0)) / 100) if cod else None,
        "paid_amount": str(Decimal(int(o.get("pay_amount") or o.get("order_amount") or 0)) / 100),  # 分 -> 元
        "recipient": _recipient(o, addr),
        "lines": [{"sku": str(l.get("code") or ""), "qty": int(l.get("item_num", 0))} for l in lines],
        "paid_at": paid_at, "ship_by": parse_beijing(o.get("exp_ship_time")),
        "buyer_message": o.get("buyer_words") or None, "seller_memo": o.get("seller_words") or None,
        "seller_flag": STARS.get(int(o.get("seller_remark_stars") or 0)),
    }
    status = int(o.get("order_status") or 1)
    return RemoteOrder(platform_order_no=order_id, state=STATES.get(status, UNPAID), raw_status=str(status),
                       modified=modified, refund=refund, order=data,
                       sub_orders=[str(l.get("order_id")) for l in lines if l.get("order_id")],
                       line_skus={str(l["order_id"]): {"sku": str(l.get("code") or ""), "qty": int(l.get("item_num") or 0)}
                                  for l in lines if l.get("order_id")})
