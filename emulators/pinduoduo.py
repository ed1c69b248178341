"""A Pinduoduo open-platform gateway (拼多多开放平台, `gw-api.pinduoduo.com/api/router`) for one shop.

As the public pages give it: every call is a form post of `type` (the method), `client_id`,
`access_token`, `timestamp` (unix seconds, at most 10 minutes off), `data_type=JSON`,
`version=V1` and the business parameters, signed with the upper-case MD5 of
client_secret + each parameter's name and value in name order + client_secret. Errors come as
`{"error_response": {"error_code", "error_msg", "sub_code", "sub_msg", "request_id"}}`; the codes
below are in that style (10019 an expired access token, 10016 a bad signature, 10017 an unknown
client_id, 70031 the call limit, 10000 bad parameters, 50000 a business refusal); the pages
name the fields, we picked the codes.

- `pdd.order.number.list.increment.get`: orders updated in [start_updated_at, end_updated_at]
  (unix seconds, at most 30 minutes apart), `page` from 1, `page_size` at most 100, oldest
  first, `total_count` and `has_next`; each order whole (`order_sn_list`).
- `pdd.order.information.get`: one order (`order_info`).
- `pdd.logistics.online.send`: order_sn, logistics_id (the courier's number in
  `pdd.logistics.companies.get`), tracking_number; a second send of a shipped order is refused
  and says the number it has.
- `pdd.order.upload.extra.logistics`: a further parcel of an order shipped already (一单多包):
  order_sn, `extra_track_type` (1 分包发货, 2 补发商品, 3 发放赠品) and `extra_track_list`, a JSON
  list of {shipping_id, tracking_number}; refused before the order's first send, and for a
  number the order has already.
- `pdd.open.decrypt.batch`: data_list of {data_tag: the order, encrypted_data}, at most 100,
  against `decrypt_quota`.
- `pdd.waybill.get` / `pdd.waybill.cancel` (拼多多电子面单): a number for one of the shop's
  orders, asked with the order's cipher text as the receiver; encrypted print_data (`templateUrl`,
  `userid`) only Pinduoduo's print component prints.

Buyers come encrypted: `receiver_name`, `receiver_phone` and `address` are cipher text (~...~),
with masked copies (`receiver_name_mask`, `receiver_phone_mask`, `address_mask`) and an
`open_address_id` for merging. `python -m emulators.pinduoduo --port 8704` runs one alone.
"""

from __future__ import annotations

import argparse
import base64
import copy
import hashlib
import itertools
import json
import random
import re
import secrets
import time
from datetime import datetime, timedelta
from typing import Any

from emulators.base import BEIJING, Answer, EmulatorServer, beijing_now, beijing_text, serve_forever
from emulators.taobao import PROVINCES, mask_address, mask_name, oaid_of

WINDOW_S = 30 * 60


def pdd_sign(params: dict[str, str], secret: str) -> str:
    text = "".join(f"{k}{v}" for k, v in sorted(params.items()) if k != "sign")
    return hashlib.md5(f"{secret}{text}{secret}".encode()).hexdigest().upper()


def _error(code: int, msg: str, sub_code: str = "", sub_msg: str = "") -> dict[str, Any]:
    return {"error_response": {"error_code": code, "error_msg": msg, "sub_code": sub_code, "sub_msg": sub_msg,
                               "request_id": "emu"}}


class PinduoduoEmulator(EmulatorServer):
    def __init__(self, client_id: str = "emu-client", secret: str = "emu-secret", token: str = "emu-token",
                 host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(host, port)
        self.client_id, self.secret, self.token = client_id, secret, token
        self.orders: dict[str, dict[str, Any]] = {}
        self.receivers: dict[str, dict[str, str]] = {}
        self.ciphers: dict[str, str] = {}
        self.ever_plain: set[str] = set()
        self.decrypt_quota = 1000
        self.decrypted: list[dict[str, str]] = []
        self.shipments: list[dict[str, Any]] = []
        self.waybills: dict[str, dict[str, Any]] = {}  # waybill code -> order, status
        self.waybills_by_object: dict[tuple[str, str], str] = {}
        self.sealed: dict[str, str] = {}  # encryptedData -> its waybill code (what the print component reads)
        self._sns = itertools.count(1)
        self._waybill_serial = itertools.count(7_300_000_000_001)

    # ---------------------------------------------------------------- the shop's side
    def add_order(self, lines: list[tuple[str, int]], *, modified: datetime | None = None,
                  paid: datetime | None = None, rnd: random.Random | None = None, name: str | None = None,
                  phone: str | None = None, detail: str | None = None, **fields: Any) -> str:
        rnd = rnd or random.Random(len(self.orders))
        now = modified or beijing_now()
        sn = f"{now.strftime('%y%m%d')}-{next(self._sns):015d}"
        prov, city, dist = rnd.choice(PROVINCES)
        order = {"order_sn": sn, "order_status": 1, "refund_status": 1, "trade_type": 0, "is_pre_sale": 0,
                 "updated_at": beijing_text(now), "confirm_time": beijing_text(paid or now - timedelta(minutes=5)),
                 "pay_amount": 39.9, "province": prov, "city": city, "town": dist,
                 "buyer_memo": "", "remark": "", "remark_tag": 0, "last_ship_time": "",
                 "item_list": [{"outer_id": sku, "outer_goods_id": sku, "goods_count": qty, "goods_name": sku}
                               for sku, qty in lines]}
        order.update(fields)
        with self.lock:
            self.orders[sn] = order
            self.receivers[sn] = {"name": name or rnd.choice(["钱多多", "孙小美", "阿土伯"]),
                                  "phone": phone or f"137{rnd.randint(10000000, 99999999)}",
                                  "detail": detail or f"人民路{rnd.randint(1, 999)}号{rnd.randint(1, 30)}室"}
            self._show_receiver(sn)
        return sn

    def _show_receiver(self, sn: str) -> None:
        plain, order = self.receivers[sn], self.orders[sn]
        self.ever_plain.update(v for v in plain.values() if v)
        for key, field in (("name", "receiver_name"), ("phone", "receiver_phone"), ("detail", "address")):
            cipher = f"~{base64.b64encode(secrets.token_bytes(24)).decode()}~"
            self.ciphers[cipher] = plain[key]
            order[field] = cipher
        order["receiver_name_mask"] = mask_name(plain["name"])
        order["receiver_phone_mask"] = plain["phone"][:3] + "****" + plain["phone"][-4:]
        order["address_mask"] = mask_address(plain["detail"])
        order["open_address_id"] = "P" + oaid_of({"name": plain["name"], "mobile": plain["phone"],
                                                  "address": plain["detail"]})[1:28]

    def _touch(self, sn: str) -> dict[str, Any]:
        order = self.orders[sn]
        order["updated_at"] = beijing_text(beijing_now())
        return order

    def change_address(self, sn: str, detail: str) -> None:
        with self.lock:
            self._touch(sn)
            self.receivers[sn]["detail"] = detail
            self._show_receiver(sn)

    def request_refund(self, sn: str) -> None:
        with self.lock:
            self._touch(sn)["refund_status"] = 2  # 售后处理中

    def plaintext(self) -> list[str]:
        with self.lock:
            return sorted(self.ever_plain)

    def expire_token(self) -> None:
        self.token = "expired-" + self.token

    # ---------------------------------------------------------------- the gateway
    def method_of(self, params: dict[str, str]) -> str | None:
        return params.get("type")

    def failure_answer(self, failure: str, path: str, params: dict[str, str]) -> Any:
        if failure == "rate_limit":
            return _error(70031, "调用过于频繁，请调整调用频率", "isv.call-limited", "请1秒后重试")
        if failure == "remote_error":
            return _error(50001, "业务服务错误", "isp.service-error", "服务繁忙，请稍后重试")
        return None

    def handle(self, path: str, params: dict[str, str]) -> tuple[int, Any]:
        if path.rstrip("/") != "/api/router":
            return 404, _error(10000, "参数错误：未知的地址")
        if params.get("client_id") != self.client_id:
            return 200, _error(10017, "client_id不存在", "isv.client-id-invalid")
        if params.get("sign") != pdd_sign(params, self.secret):
            return 200, _error(10016, "签名错误", "isv.sign-invalid", "sign 校验失败")
        try:
            sent = int(params.get("timestamp", ""))
        except ValueError:
            return 200, _error(10000, "参数错误：timestamp", "isv.parameter-invalid")
        if abs(sent - time.time()) > 600:
            return 200, _error(10000, "参数错误：timestamp与服务器时间相差超过10分钟", "isv.timestamp-invalid")
        if params.get("access_token") != self.token:
            return 200, _error(10019, "access_token已过期", "isv.access-token-expired", "请刷新access_token")
        method = params.get("type")
        handlers = {"pdd.order.number.list.increment.get": self._increment, "pdd.order.information.get": self._info,
                    "pdd.logistics.online.send": self._send, "pdd.open.decrypt.batch": self._decrypt,
                    "pdd.order.upload.extra.logistics": self._extra,
                    "pdd.waybill.get": self._waybill, "pdd.waybill.cancel": self._waybill_cancel}
        if method not in handlers:
            return 200, _error(10000, f"参数错误：不支持的接口 {method}", "isv.method-not-exist")
        return 200, handlers[method](params)

    def _increment(self, p: dict[str, str]) -> dict[str, Any]:
        try:
            lo, hi = int(p["start_updated_at"]), int(p["end_updated_at"])
            page, size = int(p.get("page", 1)), int(p.get("page_size", 100))
        except (KeyError, ValueError):
            raise Answer(_error(10000, "参数错误", "isv.parameter-invalid", "start_updated_at, end_updated_at")) from None
        if hi < lo or hi - lo > WINDOW_S:
            raise Answer(_error(10000, "参数错误", "isv.parameter-invalid", "开始时间结束时间间距不超过30分钟"))
        if not 1 <= size <= 100 or page < 1:
            raise Answer(_error(10000, "参数错误", "isv.parameter-invalid", "page_size 最大 100"))

        matching = sorted((o for o in self.orders.values() if lo <= _epoch(o["updated_at"]) <= hi),
                          key=lambda o: (o["updated_at"], o["order_sn"]))
        chunk = copy.deepcopy(matching[(page - 1) * size: page * size])
        return {"order_sn_increment_get_response": {"total_count": len(matching),
                                                    "has_next": page * size < len(matching),
                                                    "order_sn_list": chunk}}

    def _info(self, p: dict[str, str]) -> dict[str, Any]:
        order = self.orders.get(p.get("order_sn", ""))
        if order is None:
            raise Answer(_error(50000, "订单不存在", "isv.order-not-exist"))
        return {"order_info_get_response": {"order_info": copy.deepcopy(order)}}

    def _send(self, p: dict[str, str]) -> dict[str, Any]:
        sn, company, number = p.get("order_sn", ""), p.get("logistics_id", ""), p.get("tracking_number", "")
        order = self.orders.get(sn)
        if order is None or not company.isdigit() or not number:
            raise Answer(_error(10000, "参数错误", "isv.parameter-invalid", "order_sn, logistics_id, tracking_number"))
        if order["refund_status"] == 4:
            raise Answer(_error(50000, "订单已退款成功，不能发货", "isv.order-refunded"))
        if order.get("tracking_number"):
            raise Answer(_error(50000, "订单已发货，不能重复发货", "isv.order-shipped",
                                f"订单{sn}已使用运单号{order['tracking_number']}发货"))
        order["tracking_number"], order["logistics_id"], order["order_status"] = number, int(company), 2
        self._touch(sn)
        self.shipments.append({"order_sn": sn, "logistics_id": int(company), "tracking_number": number})
        return {"logistics_online_send_response": {"is_success": True}}

    def _extra(self, p: dict[str, str]) -> dict[str, Any]:
        sn = p.get("order_sn", "")
        order = self.orders.get(sn)
        try:
            tracks = json.loads(p.get("extra_track_list") or "")
            assert isinstance(tracks, list) and tracks
            assert all(str(t["shipping_id"]).isdigit() and t["tracking_number"] for t in tracks)
            kind = int(p.get("extra_track_type", ""))
            assert kind in (1, 2, 3)
        except (ValueError, AssertionError, KeyError, TypeError):
            raise Answer(_error(10000, "参数错误", "isv.parameter-invalid",
                                "order_sn, extra_track_type (1/2/3), extra_track_list")) from None
        if order is None:
            raise Answer(_error(50000, "订单不存在", "isv.order-not-exist"))
        if not order.get("tracking_number"):
            raise Answer(_error(50000, "订单未发货，请先发货", "isv.order-not-shipped"))
        extra = order.setdefault("extra_tracks", [])
        for t in tracks:
            number = str(t["tracking_number"])
            if number == order["tracking_number"] or number in [e["tracking_number"] for e in extra]:
                raise Answer(_error(50000, "运单号已上传", "isv.tracking-number-exists", f"运单号{number}已上传"))
        for t in tracks:
            extra.append({"shipping_id": int(t["shipping_id"]), "tracking_number": str(t["tracking_number"]),
                          "extra_track_type": kind})
        self.shipments.append({"order_sn": sn, "extra": [dict(e) for e in extra[-len(tracks):]]})
        return {"upload_extra_logistics_response": {"is_success": True}}

    def _decrypt(self, p: dict[str, str]) -> dict[str, Any]:
        try:
            items = json.loads(p.get("data_list") or "")
            assert isinstance(items, list) and 1 <= len(items) <= 100
        except (ValueError, AssertionError):
            raise Answer(_error(10000, "参数错误", "isv.parameter-invalid", "data_list: 1 到 100 条")) from None
        if self.decrypt_quota < len(items):
            raise Answer(_error(50000, "解密额度不足", "isv.decrypt-quota-exceeded", "今日解密次数已用完"))
        out = []
        for item in items:
            sn, cipher = str(item.get("data_tag") or ""), str(item.get("encrypted_data") or "")
            plain = self.ciphers.get(cipher)
            if sn not in self.receivers or plain not in self.receivers[sn].values():
                out.append({"data_tag": sn, "encrypted_data": cipher, "decrypted_data": "", "error_code": 10000})
                continue
            self.decrypt_quota -= 1
            field = next(k for k, v in self.receivers[sn].items() if v == plain)
            self.decrypted.append({"order_sn": sn, "field": field})
            out.append({"data_tag": sn, "encrypted_data": cipher, "decrypted_data": plain, "error_code": 0})
        return {"open_decrypt_batch_response": {"data_decrypt_list": out}}


    def _waybill(self, p: dict[str, str]) -> dict[str, Any]:
        """`pdd.waybill.get` (拼多多电子面单): param_waybill_get_request with wp_code, sender and
        trade_order_info_dtos, whose recipient is the order's cipher text as the order gave it
        (a plain receiver is refused for a Pinduoduo order); the same object_id gives the same
        number; print_data is encrypted, for Pinduoduo's print component."""
        try:
            req = json.loads(p.get("param_waybill_get_request") or "")
            wp, dtos = str(req["wp_code"]), list(req["trade_order_info_dtos"])
        except (ValueError, KeyError, TypeError):
            raise Answer(_error(10000, "参数错误", "isv.parameter-invalid", "param_waybill_get_request")) from None
        modules = []
        for dto in dtos:
            key = (wp, str(dto.get("object_id")))
            if key not in self.waybills_by_object:
                package = str((dto.get("package_info") or {}).get("id") or "")
                if not re.fullmatch(r"[A-Za-z0-9_]{1,64}", package):
                    raise Answer(_error(50000, "包裹ID只能包含数字、字母和下划线", "isv.package-id-invalid"))
                sns = [str(t) for t in (dto.get("order_info") or {}).get("trade_order_list") or []]
                recipient = dto.get("recipient") or {}
                given = [recipient.get("name"), recipient.get("mobile"), (recipient.get("address") or {}).get("detail")]
                if not sns or sns[0] not in self.orders or any(self.ciphers.get(str(g)) not in
                                                               self.receivers[sns[0]].values() for g in given):
                    raise Answer(_error(50000, "收件人信息须为订单的密文", "isv.receiver-not-match",
                                        "拼多多订单取号须使用订单返回的加密收件人信息"))
                code = f"{wp[:2]}{next(self._waybill_serial)}"
                self.waybills_by_object[key] = code
                self.waybills[code] = {"wp_code": wp, "order_sn": sns[0], "status": "issued", "package_id": package}
            code = self.waybills_by_object[key]
            sealed = "PDD:" + base64.b64encode(secrets.token_bytes(48)).decode()
            self.sealed[sealed] = code
            print_data = {"encryptedData": sealed, "signature": secrets.token_hex(16), "ver": "3",
                          "templateUrl": "https://file-link.pinduoduo.com/kdtm_zto_one", "userid": "9001"}
            modules.append({"object_id": key[1], "waybill_code": code, "print_data": json.dumps(print_data)})
        return {"pdd_waybill_get_response": {"modules": modules}}

    def _waybill_cancel(self, p: dict[str, str]) -> dict[str, Any]:
        got = self.waybills.get(p.get("waybill_code", ""))
        if got is None or got["wp_code"] != p.get("wp_code"):
            raise Answer(_error(50000, "面单号不存在", "isv.waybill-not-exist"))
        got["status"] = "cancelled"
        return {"pdd_waybill_cancel_response": {"cancel_result": True}}


def _epoch(beijing: str) -> int:
    return int(datetime.strptime(beijing, "%Y-%m-%d %H:%M:%S").replace(tzinfo=BEIJING).timestamp())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8704)
    ap.add_argument("--orders", type=int, default=50)
    ap.add_argument("--skus", default="TS-BLU-L,MUG-WHT")
    a = ap.parse_args()
    emu = PinduoduoEmulator(host=a.host, port=a.port)
    rnd, skus = random.Random(3), a.skus.split(",")
    for _ in range(a.orders):
        emu.add_order([(rnd.choice(skus), rnd.randint(1, 2))], rnd=rnd,
                      modified=beijing_now() - timedelta(minutes=rnd.randint(5, 600)))
    serve_forever(emu, lambda: f"拼多多 emulator at {emu.url}/api/router  client_id {emu.client_id}  "
                               f"secret {emu.secret}  token {emu.token}  ({a.orders} orders)")


if __name__ == "__main__":
    main()
