"""A Taobao TOP gateway (`/router/rest`) for one shop: trades to pull, consignments to receive.

Follows the public TOP pages: the signature is checked exactly as the gateway does
(md5 / hmac / hmac-sha256 over the sorted parameters, upper-case hex); errors come as
`error_response` with the gateway's codes (7 call limit, 25 invalid signature, 27 invalid
session, 15 remote service error, 41 invalid arguments). `taobao.trades.sold.increment.get`
serves trades modified in [start_modified, end_modified] (at most one day apart), oldest
first, `page_size` at most 100, with `total_results`; `taobao.logistics.offline.send` ships a
trade (or some of its lines with `is_split`/`sub_tid`) and refuses a second consignment of
what has already left.

Run alone: `python -m emulators.taobao --port 8701 --orders 200` prints the URL and keys.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import hmac
import itertools
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
            self.trades[tid] = trade
        return tid

    def _touch(self, tid: str, at: datetime | None) -> dict[str, Any]:
        trade = self.trades[tid]
        trade["modified"] = beijing_text(at or beijing_now())
        return trade

    def change_address(self, tid: str, address: str, at: datetime | None = None) -> None:
        with self.lock:
            self._touch(tid, at)["receiver_address"] = address

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
        if method == "taobao.logistics.offline.send":
            return 200, self._offline_send(params)
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

    def _offline_send(self, p: dict[str, str]) -> dict[str, Any]:
        tid, out_sid, company = p.get("tid", ""), p.get("out_sid", ""), p.get("company_code", "")
        if not (tid and out_sid and company):
            raise Answer(_error(41, "Invalid arguments", "isv.missing-parameter", "tid, out_sid, company_code"))
        trade = self.trades.get(tid)
        if trade is None:
            raise Answer(_error(15, "Remote service error", "isv.logistics-offline-service-error:P01",
                                f"交易{tid}不存在"))
        if trade["status"] in ("TRADE_CLOSED", "TRADE_CLOSED_BY_TAOBAO"):
            raise Answer(_error(15, "Remote service error", "isv.logistics-offline-service-error:B01",
                                f"交易{tid}已关闭，不能发货"))
        lines = trade["orders"]["order"]
        wanted = set(p["sub_tid"].split(",")) if p.get("is_split") in ("1", "true") and p.get("sub_tid") else \
            {str(l["oid"]) for l in lines}
        already = [l for l in lines if str(l["oid"]) in wanted and l.get("out_sid")]
        if already:
            raise Answer(_error(15, "Remote service error", "isv.logistics-offline-service-error:B04",
                                f"订单已发货，不能重复发货 (out_sid {already[0]['out_sid']})"))
        for line in lines:
            if str(line["oid"]) in wanted:
                line["out_sid"], line["company_code"], line["status"] = out_sid, company, "WAIT_BUYER_CONFIRM_GOODS"
        trade["status"] = ("WAIT_BUYER_CONFIRM_GOODS" if all(l.get("out_sid") for l in lines)
                           else "SELLER_CONSIGNED_PART")
        self._touch(tid, None)
        self.consignments.append({"tid": tid, "out_sid": out_sid, "company_code": company,
                                  "sub_tid": sorted(wanted)})
        return {"logistics_offline_send_response": {"shipping": {"is_success": True}}}


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
