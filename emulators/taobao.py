"""A Taobao TOP gateway (`/router/rest`) for one shop: trades to pull, consignments to receive.

Follows the public TOP pages: the signature is checked exactly as the gateway does
(md5 / hmac / hmac-sha256 over the sorted parameters, upper-case hex); errors come as
`error_response` with the gateway's codes (7 call limit, 25 invalid signature, 27 invalid
session, 15 remote service error, 41 invalid arguments). `taobao.trades.sold.increment.get`
serves trades modified in [start_modified, end_modified] (at most one day apart), oldest
first, `page_size` at most 100, with `total_results`; `taobao.logistics.offline.send` ships a
trade (or some of its lines with `is_split`/`sub_tid`), `online.send` likewise and is the only
way for a cash-on-delivery trade; both refuse a trade already consigned or closed with B04
("已经发货或者已关闭", no tracking number in it), and answer B150 when busy.
`taobao.trade.fullinfo.get` shows a trade with each line's `invoice_no`.

Buyers arrive as the platform hands them out since its privacy upgrade: receiver name, mobile,
phone and street address masked (张**, *******5678, 文三路 90***), province to town in the clear,
and an `oaid` (Open Addressee ID), the same for the same receiver, new for a new address. The
plaintext is kept aside and given only by `taobao.top.oaid.decrypt` (query_list of oaid, tid and
scene, at most 20; a scene reveals only its fields: 1001-1007 shipping and 3001 奇门 everything,
1008 the address, 1009 the name, 2001/2002 after-sales the number; an unknown scene is refused;
`decrypt_quota` a day, then refused as limited). The refusals' sub-codes are ours, in the
gateway's style; the public page names the scenes and fields, not the error codes.

Run alone: `python -m emulators.taobao --port 8701 --orders 200` prints the URL and keys.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import hmac
import itertools
import json
import random
from datetime import datetime, timedelta
from typing import Any

from emulators.base import BEIJING, Answer, EmulatorServer, beijing_now, beijing_text, serve_forever

PROVINCES = [("浙江省", "杭州市", "余杭区"), ("广东省", "深圳市", "南山区"), ("上海市", "上海市", "浦东新区"),
             ("北京市", "北京市", "朝阳区"), ("江苏省", "南京市", "鼓楼区"), ("四川省", "成都市", "武侯区")]


def top_sign(params: dict[str, str], secret: str, method: str) -> str:
    text = "".join(f"{k}{v}" for k, v in sorted(params.items()) if k != "sign" and v != "")
    if method == "hmac":
        return hmac.new(secret.encode(), text.encode(), hashlib.md5).hexdigest().upper()
    if method == "hmac-sha256":
        return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest().upper()
    return hashlib.md5((secret + text + secret).encode()).hexdigest().upper()


def sent_at(timestamp: str) -> datetime | None:
    """The gateway takes `yyyy-MM-dd HH:mm:ss` in GMT+8, or milliseconds since the epoch (what
    the official SDKs, `topsdk` among them, send)."""
    if timestamp.isdigit():
        return datetime.fromtimestamp(int(timestamp) / 1000, BEIJING)
    try:
        return datetime.strptime(timestamp, "%Y-%m-%d %H:%M:%S").replace(tzinfo=BEIJING)
    except ValueError:
        return None


RECEIVER_KEYS = ("name", "mobile", "phone", "state", "city", "district", "town", "address", "zip")
# taobao.top.oaid.decrypt: the scenes (场景编号) and what each one reveals.
SCENES = {**{str(c): ("name", "mobile", "phone", "address") for c in range(1001, 1008)},
          "1008": ("address",), "1009": ("name",), "2001": ("mobile", "phone"), "2002": ("mobile", "phone"),
          "3001": ("name", "mobile", "phone", "address")}


def mask_name(name: str) -> str:
    """张** : the first character kept."""
    return name[:1] + "*" * max(1, len(name) - 1) if name else ""


def mask_mobile(number: str) -> str:
    """*******5678 : only the last four digits."""
    return "*" * max(0, len(number) - 4) + number[-4:] if number else ""


def mask_address(detail: str) -> str:
    """文三路 90*** : the street kept, the house number and room hidden."""
    head = detail[:max(2, len(detail) // 2)]
    return head + "***" if detail else ""


def oaid_of(receiver: dict[str, str]) -> str:
    """One OAID per receiver (name, number and full address): orders with the same OAID may go
    in one parcel; any change of address gives a new one."""
    key = "|".join(receiver.get(k, "") for k in RECEIVER_KEYS)
    return "1" + hashlib.sha256(key.encode()).hexdigest()[:31].upper()


def _error(code: int, msg: str, sub_code: str = "", sub_msg: str = "") -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "msg": msg, "request_id": "emu"}
    if sub_code:
        body.update(sub_code=sub_code, sub_msg=sub_msg)
    return {"error_response": body}


class TaobaoEmulator(EmulatorServer):
    def __init__(self, app_key: str = "12345678", secret: str = "emu-secret", session: str = "emu-session",
                 host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(host, port)
        self.app_key, self.secret, self.session = app_key, secret, session
        self.trades: dict[str, dict[str, Any]] = {}
        self.consignments: list[dict[str, Any]] = []  # every accepted offline.send, in order
        self.receivers: dict[str, dict[str, str]] = {}  # tid -> the buyer in the clear (never sent in a trade)
        self.ever_plain: set[str] = set()
        self.busy_next = 0  # consignments answered B150 (busy) before one goes through
        self.decrypt_quota = 1000  # OAID decryptions a day, as the platform grants an app
        self.decrypted: list[dict[str, str]] = []  # every granted decryption: tid, oaid, scene
        self._tids = itertools.count(3_800_000_000_000_000)
        self._oids = itertools.count(4_900_000_000_000_000)

    # ---------------------------------------------------------------- the shop's side
    def add_trade(self, lines: list[tuple[str, int]], *, tid: str | None = None, modified: datetime | None = None,
                  paid: datetime | None = None, rnd: random.Random | None = None, **fields: Any) -> str:
        rnd = rnd or random.Random(len(self.trades))
        tid = tid or str(next(self._tids))
        now = modified or beijing_now()
        prov, city, dist = rnd.choice(PROVINCES)
        trade = {
            "tid": int(tid), "status": "WAIT_SELLER_SEND_GOODS", "type": "fixed",
            "modified": beijing_text(now), "pay_time": beijing_text(paid or now - timedelta(minutes=5)),
            "payment": "99.00", "receiver_name": rnd.choice(["王小明", "李娜", "张伟", "刘洋", "陈静"]),
            "receiver_mobile": f"13{rnd.randint(100000000, 999999999)}", "receiver_state": prov,
            "receiver_city": city, "receiver_district": dist, "receiver_town": "",
            "receiver_address": f"文一西路{rnd.randint(1, 999)}号{rnd.randint(1, 30)}幢{rnd.randint(101, 2999)}室",
            "buyer_message": "", "seller_memo": "", "seller_flag": 0,
            "orders": {"order": [{"oid": next(self._oids), "outer_sku_id": sku, "num": qty, "title": sku,
                                  "refund_status": "NO_REFUND", "status": "WAIT_SELLER_SEND_GOODS"}
                                 for sku, qty in lines]},
        }
        trade.update(fields)
        with self.lock:
            self.receivers[tid] = {k: trade.pop(f"receiver_{k}", "") or "" for k in RECEIVER_KEYS}
            self.trades[tid] = trade
            self._show_receiver(tid)
        return tid

    def _show_receiver(self, tid: str) -> None:
        """What the trade shows of its receiver: masked text and the OAID (the plaintext stays
        in `receivers`, for `taobao.top.oaid.decrypt` alone)."""
        plain = self.receivers[tid]
        self.ever_plain.update(v for k, v in plain.items() if k in ("name", "mobile", "phone", "address") and v)
        trade = self.trades[tid]
        for key in ("state", "city", "district", "town", "zip"):
            trade[f"receiver_{key}"] = plain.get(key, "")
        trade["receiver_name"] = mask_name(plain["name"])
        trade["receiver_mobile"] = mask_mobile(plain["mobile"])
        trade["receiver_phone"] = mask_mobile(plain["phone"]) if plain["phone"] else ""
        trade["receiver_address"] = mask_address(plain["address"])
        trade["oaid"] = oaid_of(plain)

    def plaintext(self) -> list[str]:
        """Every buyer name, number and street address this shop holds in the clear: what must
        never be found in the warehouse's database."""
        with self.lock:
            return sorted(self.ever_plain)  # an address a buyer changed away from included

    def _touch(self, tid: str, at: datetime | None) -> dict[str, Any]:
        trade = self.trades[tid]
        trade["modified"] = beijing_text(at or beijing_now())
        return trade

    def change_address(self, tid: str, address: str, at: datetime | None = None) -> None:
        with self.lock:
            self._touch(tid, at)
            self.receivers[tid]["address"] = address
            self._show_receiver(tid)

    def request_refund(self, tid: str, at: datetime | None = None) -> None:
        """The buyer asks to cancel before shipping (仅退款): every line waits for the seller."""
        with self.lock:
            for line in self._touch(tid, at)["orders"]["order"]:
                line["refund_status"] = "WAIT_SELLER_AGREE"

    def close_trade(self, tid: str, at: datetime | None = None) -> None:
        with self.lock:
            trade = self._touch(tid, at)
            trade["status"] = "TRADE_CLOSED"
            for line in trade["orders"]["order"]:
                line["refund_status"], line["status"] = "SUCCESS", "TRADE_CLOSED"

    def set_memo(self, tid: str, memo: str, flag: int, at: datetime | None = None) -> None:
        with self.lock:
            trade = self._touch(tid, at)
            trade["seller_memo"], trade["seller_flag"] = memo, flag

    def expire_session(self) -> None:
        self.session = "expired-" + self.session

    # ---------------------------------------------------------------- the gateway
    def failure_answer(self, failure: str, path: str, params: dict[str, str]) -> Any:
        if failure == "rate_limit":
            return _error(7, "App Call Limited", "accesscontrol.limited-by-app-access-count",
                          "This ban will last for 1 more seconds")
        if failure == "remote_error":
            return _error(15, "Remote service error", "isp.top-remote-connection-timeout", "后端服务超时")
        return None

    def handle(self, path: str, params: dict[str, str]) -> tuple[int, Any]:
        if path not in ("/router/rest", "/"):
            return 404, _error(22, "Invalid method")
        method = params.get("method")
        if not method:
            return 200, _error(21, "Missing method")
        if params.get("app_key") != self.app_key:
            return 200, _error(29, "Invalid app Key")
        sign_method = params.get("sign_method", "md5")
        if params.get("sign") != top_sign(params, self.secret, sign_method):
            return 200, _error(25, "Invalid signature")
        sent = sent_at(params.get("timestamp", ""))
        if sent is None:
            return 200, _error(41, "Invalid arguments:timestamp")
        if abs((sent - beijing_now()).total_seconds()) > 600:
            return 200, _error(41, "Invalid timestamp", "isv.invalid-parameter:timestamp",
                               "时间戳与服务器时间相差超过10分钟")
        if not params.get("session"):
            return 200, _error(26, "Missing session")
        if params["session"] != self.session:
            return 200, _error(27, "Invalid session", "invalid-sessionkey", "SessionKey非法或已过期")
        if method == "taobao.trades.sold.increment.get":
            return 200, self._increment(params)
        if method in ("taobao.logistics.offline.send", "taobao.logistics.online.send"):
            return 200, self._send(params, online=method.endswith("online.send"))
        if method == "taobao.trade.fullinfo.get":
            return 200, self._fullinfo(params)
        if method == "taobao.top.oaid.decrypt":
            return 200, self._decrypt(params)
        return 200, _error(22, "Invalid method")

    def _increment(self, p: dict[str, str]) -> dict[str, Any]:
        try:
            start = datetime.strptime(p["start_modified"], "%Y-%m-%d %H:%M:%S")
            end = datetime.strptime(p["end_modified"], "%Y-%m-%d %H:%M:%S")
            page_no, page_size = int(p.get("page_no", 1)), int(p.get("page_size", 40))
        except (KeyError, ValueError):
            raise Answer(_error(41, "Invalid arguments", "isv.missing-parameter",
                                "start_modified, end_modified are required")) from None
        if end < start or end - start > timedelta(days=1):
            raise Answer(_error(41, "Invalid arguments", "isv.invalid-parameter",
                                "start_modified与end_modified相差不能超过一天"))
        if not 1 <= page_size <= 100 or page_no < 1:
            raise Answer(_error(41, "Invalid arguments", "isv.invalid-parameter", "page_size 1-100"))
        lo, hi = p["start_modified"], p["end_modified"]
        matching = sorted((t for t in self.trades.values() if lo <= t["modified"] <= hi),
                          key=lambda t: (t["modified"], t["tid"]))
        chunk = matching[(page_no - 1) * page_size: page_no * page_size]
        return {"trades_sold_increment_get_response": {
            "total_results": len(matching), "has_next": page_no * page_size < len(matching),
            "trades": {"trade": copy.deepcopy(chunk)}}}

    def _decrypt(self, p: dict[str, str]) -> dict[str, Any]:
        """`taobao.top.oaid.decrypt`: query_list of {oaid, tid, scene}, at most 20; each one is
        answered only with what its scene reveals, and counts against the day's quota."""
        try:
            queries = json.loads(p.get("query_list") or "")
            assert isinstance(queries, list) and all(isinstance(q, dict) for q in queries)
        except (ValueError, AssertionError):
            raise Answer(_error(41, "Invalid arguments", "isv.missing-parameter", "query_list")) from None
        if not 1 <= len(queries) <= 20:
            raise Answer(_error(41, "Invalid arguments", "isv.invalid-parameter", "解密请求列表最多支持20个"))
        receivers = []
        for q in queries:
            tid, oaid, scene = str(q.get("tid") or ""), str(q.get("oaid") or ""), str(q.get("scene") or "")
            if scene not in SCENES:
                raise Answer(_error(15, "Remote service error", "isv.oaid-decrypt-scene-invalid",
                                    f"解密场景{scene or '(空)'}不存在或未授权"))
            if self.decrypt_quota <= 0:
                raise Answer(_error(7, "App Call Limited", "isv.oaid-decrypt-limit",
                                    "解密次数已超过当日额度"))
            trade = self.trades.get(tid)
            if trade is None or trade["oaid"] != oaid:
                receivers.append({"oaid": oaid, "tid": tid, "matched": False})
                continue
            self.decrypt_quota -= 1
            self.decrypted.append({"tid": tid, "oaid": oaid, "scene": scene})
            plain = self.receivers[tid]
            shown = {"name": plain["name"], "mobile": plain["mobile"], "phone": plain["phone"],
                     "address_detail": plain["address"]}
            allowed = {"address" if k == "address_detail" else k for k in shown} & set(SCENES[scene])
            receivers.append({"oaid": oaid, "tid": tid, "matched": True, "privacy_protection": False,
                              "state": plain["state"], "city": plain["city"], "district": plain["district"],
                              "town": plain["town"], "country": "中国",
                              **{k: v for k, v in shown.items()
                                 if ("address" if k == "address_detail" else k) in allowed}})
        return {"top_oaid_decrypt_response": {"receiver_list": {"receiver": receivers}}}

    def _send(self, p: dict[str, str], online: bool) -> dict[str, Any]:
        """`offline.send` (自己联系物流) or `online.send` (在线下单, which cash-on-delivery trades
        must use). A trade already consigned or closed is refused with B04, whose words carry
        no tracking number; `busy_next` answers B150 (busy: try again later) first."""
        tid, out_sid, company = p.get("tid", ""), p.get("out_sid", ""), p.get("company_code", "")
        kind = "online" if online else "offline"
        if not (tid and out_sid and company):
            raise Answer(_error(41, "Invalid arguments", "isv.missing-parameter", "tid, out_sid, company_code"))
        if self.busy_next > 0:
            self.busy_next -= 1
            raise Answer(_error(15, "Remote service error", f"isv.logistics-{kind}-service-error:B150",
                                "系统繁忙，请稍后重试"))
        trade = self.trades.get(tid)
        if trade is None:
            raise Answer(_error(15, "Remote service error", f"isv.logistics-{kind}-service-error:P01",
                                f"交易{tid}不存在"))
        if trade.get("type") == "cod" and not online:
            raise Answer(_error(15, "Remote service error", "isv.logistics-offline-service-error:B27",
                                "货到付款订单请使用在线下单发货 (taobao.logistics.online.send)"))
        lines = trade["orders"]["order"]
        wanted = set(p["sub_tid"].split(",")) if p.get("is_split") in ("1", "true") and p.get("sub_tid") else \
            {str(l["oid"]) for l in lines}
        closed = trade["status"] in ("TRADE_CLOSED", "TRADE_CLOSED_BY_TAOBAO")
        if closed or any(l.get("out_sid") for l in lines if str(l["oid"]) in wanted):
            raise Answer(_error(15, "Remote service error", f"isv.logistics-{kind}-service-error:B04",
                                "该交易已经发货或者已关闭，不能重复发货"))
        for line in lines:
            if str(line["oid"]) in wanted:
                line["out_sid"], line["company_code"], line["status"] = out_sid, company, "WAIT_BUYER_CONFIRM_GOODS"
        trade["status"] = ("WAIT_BUYER_CONFIRM_GOODS" if all(l.get("out_sid") for l in lines)
                           else "SELLER_CONSIGNED_PART")
        self._touch(tid, None)
        self.consignments.append({"tid": tid, "out_sid": out_sid, "company_code": company,
                                  "sub_tid": sorted(wanted), "via": kind})
        return {f"logistics_{kind}_send_response": {"shipping": {"is_success": True}}}

    def _fullinfo(self, p: dict[str, str]) -> dict[str, Any]:
        """`taobao.trade.fullinfo.get`: one trade; its lines carry the number they left with
        (`invoice_no`) and the company (`logistics_company`)."""
        trade = self.trades.get(p.get("tid", ""))
        if trade is None:
            raise Answer(_error(15, "Remote service error", "isv.trade-not-exist", "交易不存在"))
        shown = copy.deepcopy(trade)
        for line in shown["orders"]["order"]:
            if line.get("out_sid"):
                line["invoice_no"], line["logistics_company"] = line.pop("out_sid"), line.pop("company_code")
        return {"trade_fullinfo_get_response": {"trade": shown}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8701)
    ap.add_argument("--orders", type=int, default=50, help="trades to start with")
    ap.add_argument("--skus", default="TS-BLU-L,MUG-WHT", help="SKUs the trades use")
    ap.add_argument("--app-key", default="12345678")
    ap.add_argument("--secret", default="emu-secret")
    ap.add_argument("--session", default="emu-session")
    a = ap.parse_args()
    emu = TaobaoEmulator(a.app_key, a.secret, a.session, a.host, a.port)
    rnd, skus = random.Random(1), a.skus.split(",")
    for _ in range(a.orders):
        emu.add_trade([(rnd.choice(skus), rnd.randint(1, 2))], rnd=rnd)
    serve_forever(emu, lambda: f"Taobao TOP emulator at {emu.url}/router/rest  app key {a.app_key}  "
                               f"secret {a.secret}  session {a.session}  ({a.orders} trades)")


if __name__ == "__main__":
    main()
