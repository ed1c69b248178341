"""A 抖店 open-platform gateway for one shop: `order.searchList` to pull, `order.logisticsAdd` to ship,
`order.logisticsAddSinglePack` to ship some of an order's lines in one parcel (拆包发货),
`token.create` / `token.refresh` for the shop's authorisation.

`order.logisticsAddSinglePack` as its public page gives it: order_id_list, shipped_order_info
[{shipped_order_id: a line (sku order) id, shipped_num}], logistics_code, company_code and a
request_id that makes a repeat answer the first call's pack_id without shipping again; a line
shipped already is refused (60110 订单已发货), an unknown one too (60102 商品单不存在). The order
is 已发货 (3) once every line has left, and its lines carry the number they left with.

Checks the signature the way `wms.adapters.platforms.douyin` documents it (HMAC-SHA256 over
secret + app_key.. method.. param_json.. timestamp.. v.. + secret), computed over `param_json`
exactly as it was sent (the `doudian` SDK escapes Chinese as \\uXXXX, our connector does not:
both sign what they send), the access token (30002 when expired), and answers
`{"code": 10000, "msg": "success", "err_no": 0, "data": ...}` or an error code with sub_code/sub_msg.

Tokens as the 抖店 token pages give them: `token.create` (grant_type authorization_self with
shop_id, or authorization_code with the code) gives an access token for 7 days (`expires_in`
in seconds) and a refresh token for 14. `token.refresh` more than an hour before expiry gives
the same pair back, unchanged; within the last hour a new pair, the old one still good for an
hour; after expiry a new pair and the old one dead. `advance(seconds)` moves the gateway's
clock, so a test can let a token run out.

Buyers come encrypted, as 抖店 has sent them since its privacy upgrade: `post_receiver`,
`post_tel` and `post_addr.detail` hold cipher text (also in `encrypt_post_receiver`,
`encrypt_post_tel`, `post_addr.encrypt_detail`; #...# for names and addresses, $...$ for
numbers), `mask_post_receiver`, `mask_post_tel` and `mask_post_addr` the masked copies, and
`open_address_id` names the receiver at that address. `order.batchDecrypt` (cipher_infos of
auth_id and cipher_text, at most 50) gives the plaintext against `decrypt_quota`; a cipher of
another order is refused item by item (err_no 300008). The quota's error code is ours.

抖音电子面单 as the official SDKs' types give it (see wms.adapters.platforms.douyin):
`logistics.newCreateOrder` (a number per order and pack_id; the receiver must be the order's
cipher text; a carrier without e-waybill service is refused in err_infos), `logistics.waybillApply`
(encrypted print_data and sign), `logistics.templateList`, `logistics.cancelOrder`,
`logistics.getShopKey`. `component_check(content)` is what Douyin's print component does with a
label: call getShopKey with the label's signed `params` (refused when the sign, token or the
5-minute timestamp window is wrong) and decrypt with the right signature.
`python -m emulators.douyin --port 8702` runs one alone.
"""

from __future__ import annotations

import argparse
import base64
import copy
import hashlib
import hmac
import itertools
import json
import random
import secrets
import time
from datetime import datetime, timedelta
from typing import Any

from emulators.base import BEIJING, Answer, EmulatorServer, beijing_now, serve_forever
from emulators.taobao import PROVINCES, mask_address, mask_name, oaid_of


def sign(app_key: str, secret: str, method: str, body: str, timestamp: str, v: str, sign_method: str) -> str:
    text = f"{secret}app_key{app_key}method{method}param_json{body}timestamp{timestamp}v{v}{secret}"
    if sign_method == "md5":
        return hashlib.md5(text.encode()).hexdigest()
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


ACCESS_S, REFRESH_S, OVERLAP_S = 7 * 86400, 14 * 86400, 3600
TOKEN_METHODS = ("token.create", "token.refresh")


def _err(code: int, msg: str, sub_code: str = "", sub_msg: str = "") -> dict[str, Any]:
    return {"code": code, "msg": msg, "sub_code": sub_code, "sub_msg": sub_msg, "data": {}, "log_id": "emu",
            "err_no": code, "message": msg}


def _ok(data: Any) -> dict[str, Any]:
    return {"code": 10000, "msg": "success", "sub_code": "", "sub_msg": "", "log_id": "emu", "err_no": 0,
            "message": "success", "data": data}


class DouyinEmulator(EmulatorServer):
    def __init__(self, app_key: str = "7000000000000000001", secret: str = "emu-secret",
                 token: str = "emu-token", host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(host, port)
        self.app_key, self.secret, self.token = app_key, secret, token
        self.shop_id = 4463798
        self.offset_s = 0.0  # `advance` moves the gateway's clock
        self.access: dict[str, float] = {}  # issued access token -> when it stops working
        self.refresh: dict[str, tuple[str, float]] = {}  # refresh token -> (its access token, expiry)
        self.token_calls: list[str] = []
        self.orders: dict[str, dict[str, Any]] = {}
        self.receivers: dict[str, dict[str, str]] = {}  # order -> name, tel, detail in the clear
        self.ciphers: dict[str, str] = {}  # cipher text -> plaintext
        self.ever_plain: set[str] = set()
        self.decrypt_quota = 1000  # decryptions a day, as the platform grants an app
        self.decrypted: list[dict[str, str]] = []  # every granted decryption: order, which field
        self.shipments: list[dict[str, Any]] = []
        self.packs: dict[str, str] = {}  # request_id -> pack_id: a repeat ships nothing again
        self._packs = itertools.count(1)
        # 抖音电子面单: carriers the shop has e-waybill service with -> their standard template
        self.templates = {code: f"https://lf3-cm.ecombdstatic.com/obj/logistics-template/{code}_76_130.xml"
                          for code in ("zhongtong", "yuantong", "shunfeng", "ems")}
        self.ebills: dict[tuple[str, str, str], str] = {}  # (logistics_code, order, pack_id) -> track_no
        self.ebill_status: dict[str, str] = {}  # track_no -> issued | cancelled
        self.sealed: dict[str, tuple[str, str]] = {}  # encryptedData -> (track_no, sign)
        self._tracks = itertools.count(73_100_000_000_001)
        self._ids = itertools.count(6_920_000_000_000_000_000)

    def add_order(self, lines: list[tuple[str, int]], *, modified: datetime | None = None,
                  paid: datetime | None = None, rnd: random.Random | None = None, **fields: Any) -> str:
        rnd = rnd or random.Random(len(self.orders))
        oid = str(next(self._ids))
        now = modified or beijing_now()
        prov, city, dist = rnd.choice(PROVINCES)
        order = {"order_id": oid, "order_status": 2, "order_status_desc": "备货中",
                 "update_time": int(now.timestamp()), "pay_time": int((paid or now - timedelta(minutes=5)).timestamp()),
                 "create_time": int(now.timestamp()), "exp_ship_time": None, "pay_type": 1, "order_amount": 9900,
                 "post_receiver": rnd.choice(["赵敏", "孙悟", "周杰"]), "post_tel": f"139{rnd.randint(10000000, 99999999)}",
                 "post_addr": {"province": {"name": prov}, "city": {"name": city}, "town": {"name": dist},
                               "street": {"name": ""}, "detail": f"科技路{rnd.randint(1, 999)}号"},
                 "buyer_words": "", "seller_words": "", "seller_remark_stars": 0,
                 "sku_order_list": [{"order_id": f"{oid}{i}", "code": sku, "item_num": qty,
                                     "after_sale_info": {"after_sale_status": 0, "refund_status": 0}}
                                    for i, (sku, qty) in enumerate(lines, start=1)]}
        order.update(fields)
        with self.lock:
            self.receivers[oid] = {"name": order.pop("post_receiver"), "tel": order.pop("post_tel"),
                                   "detail": order["post_addr"].pop("detail")}
            self.orders[oid] = order
            self._show_receiver(oid)
        return oid

    def _show_receiver(self, oid: str) -> None:
        """The order shows its receiver encrypted (encrypt_*, for decryption and the e-waybill)
        and masked (mask_*, for screens), with an open_address_id per receiver and address."""
        plain, order = self.receivers[oid], self.orders[oid]
        self.ever_plain.update(v for v in plain.values() if v)
        cipher = {k: self._encrypt(v, "$" if k == "tel" else "#") for k, v in plain.items()}
        order["post_receiver"] = order["encrypt_post_receiver"] = cipher["name"]
        order["post_tel"] = order["encrypt_post_tel"] = cipher["tel"]
        order["post_addr"]["detail"] = order["post_addr"]["encrypt_detail"] = cipher["detail"]
        order["mask_post_receiver"] = mask_name(plain["name"])
        order["mask_post_tel"] = plain["tel"][:3] + "****" + plain["tel"][-4:]
        order["mask_post_addr"] = {**{k: v for k, v in order["post_addr"].items() if k not in ("detail", "encrypt_detail")},
                                   "detail": mask_address(plain["detail"])}
        order["open_address_id"] = "#" + oaid_of({"name": plain["name"], "mobile": plain["tel"],
                                                 "address": plain["detail"]})[1:25]

    def _encrypt(self, text: str, mark: str) -> str:
        """Cipher text in the platform's style (#...# for names and addresses, $...$ for numbers);
        only `order.batchDecrypt` turns it back."""
        for cipher, plain in self.ciphers.items():
            if plain == text and cipher.startswith(mark):
                return cipher
        cipher = f"{mark}{base64.b64encode(secrets.token_bytes(24)).decode()}{mark}"
        self.ciphers[cipher] = text
        return cipher

    def plaintext(self) -> list[str]:
        """Every buyer name, number and street address in the clear, ever: never to be stored by us."""
        with self.lock:
            return sorted(self.ever_plain)

    def _touch(self, oid: str) -> dict[str, Any]:
        order = self.orders[oid]
        order["update_time"] = int(beijing_now().timestamp())
        return order

    def request_refund(self, oid: str) -> None:
        with self.lock:
            for line in self._touch(oid)["sku_order_list"]:
                line["after_sale_info"] = {"after_sale_status": 6, "refund_status": 1}  # 售后中

    def change_address(self, oid: str, detail: str) -> None:
        with self.lock:
            self._touch(oid)
            self.receivers[oid]["detail"] = detail
            self._show_receiver(oid)

    def cancel(self, oid: str) -> None:
        with self.lock:
            o = self._touch(oid)
            o["order_status"], o["order_status_desc"] = 4, "已取消"

    def expire_token(self) -> None:
        self.token = "expired-" + self.token

    def now(self) -> float:
        return time.time() + self.offset_s

    def advance(self, seconds: float) -> None:
        with self.lock:
            self.offset_s += seconds

    def _token_valid(self, token: str | None) -> bool:
        if not token:
            return False
        return token == self.token or self.access.get(token, 0) > self.now()

    def _issue(self) -> dict[str, Any]:
        access, refresh = f"act.{secrets.token_hex(16)}", f"rft.{secrets.token_hex(16)}"
        self.access[access] = self.now() + ACCESS_S
        self.refresh[refresh] = (access, self.now() + REFRESH_S)
        return self._pair(access, refresh)

    def _pair(self, access: str, refresh: str) -> dict[str, Any]:
        return {"access_token": access, "expires_in": round(self.access[access] - self.now()),
                "refresh_token": refresh, "scope": "SCOPE", "shop_id": self.shop_id, "shop_name": "模拟抖店",
                "authority_id": str(self.shop_id), "auth_subject_type": "MiniShop"}

    def _token(self, method: str, d: dict[str, Any]) -> dict[str, Any]:
        self.token_calls.append(method)
        if method == "token.create":
            grant = d.get("grant_type")
            if grant == "authorization_self" and str(d.get("shop_id") or "") in ("", str(self.shop_id)) or \
                    grant == "authorization_code" and d.get("code"):
                return _ok(self._issue())
            raise Answer(_err(30001, "授权无效", "isv.auth-invalid", "grant_type / shop_id / code 不对"))
        held = self.refresh.get(str(d.get("refresh_token") or ""))
        if d.get("grant_type") != "refresh_token" or held is None or held[1] <= self.now():
            raise Answer(_err(30003, "refresh_token无效或已过期", "isv.refresh-token-invalid",
                              "请商家重新授权"))
        access, _ = held
        left = self.access[access] - self.now()
        if left > OVERLAP_S:  # early: the same pair, unchanged
            return _ok(self._pair(access, str(d["refresh_token"])))
        old = str(d["refresh_token"])
        if left > 0:  # the last hour: both old tokens keep working for an hour
            self.access[access] = self.now() + OVERLAP_S
            self.refresh[old] = (access, self.now() + OVERLAP_S)
        else:
            del self.refresh[old]
        return _ok(self._issue())

    def method_of(self, params: dict[str, str]) -> str | None:
        return params.get("method")

    def failure_answer(self, failure: str, path: str, params: dict[str, str]) -> Any:
        if failure == "rate_limit":
            return _err(90000, "访问太频繁", "isv.flow-limit", "请求过于频繁，请稍后再试")
        if failure == "remote_error":
            return _err(20000, "系统错误", "isp.service-error", "服务繁忙")
        return None

    def handle(self, path: str, params: dict[str, str]) -> tuple[int, Any]:
        method = params.get("method", "")
        if path.strip("/").replace("/", ".") != method:
            return 200, _err(40002, "method 与路径不一致", "isv.method-mismatch")
        if params.get("app_key") != self.app_key:
            return 200, _err(30004, "app_key不存在", "isv.app-key-not-exist")
        body = params.get("__json__") or params.get("param_json") or "{}"
        try:
            data = json.loads(body)
        except ValueError:
            return 200, _err(40001, "param_json 不是 JSON", "isv.param-json-invalid")
        expected = sign(self.app_key, self.secret, method, body, params.get("timestamp", ""),
                        params.get("v", ""), params.get("sign_method", "hmac-sha256"))
        if params.get("sign") != expected:
            return 200, _err(40004, "签名错误", "isv.signature-invalid", "sign 校验失败")
        if method in TOKEN_METHODS:
            return 200, self._token(method, data)
        if not self._token_valid(params.get("access_token")):
            return 200, _err(30002, "access_token已过期", "isv.access-token-expired", "请刷新 access_token")
        if method == "order.searchList":
            return 200, self._search(data)
        if method == "order.logisticsAdd":
            return 200, self._ship(data)
        if method == "order.logisticsAddSinglePack":
            return 200, self._ship_pack(data)
        if method == "order.batchDecrypt":
            return 200, self._decrypt(data)
        if method == "order.addOrderRemark":
            return 200, self._remark(data)
        if method in self._waybill_methods:
            return 200, self._waybill_methods[method](self, data)
        return 200, _err(40002, "不支持的 method", "isv.method-not-exist")

    def _search(self, d: dict[str, Any]) -> dict[str, Any]:
        lo, hi = int(d.get("update_time_start", 0)), int(d.get("update_time_end", 0))
        page, size = int(d.get("page", 0)), int(d.get("size", 10))
        if hi - lo > 86400 or hi < lo:
            raise Answer(_err(40001, "参数错误", "isv.parameter-invalid", "update_time 区间不能超过 1 天"))
        if not 1 <= size <= 100:
            raise Answer(_err(40001, "参数错误", "isv.parameter-invalid", "size 1-100"))
        matching = sorted((o for o in self.orders.values() if lo <= o["update_time"] <= hi),
                          key=lambda o: (o["update_time"], o["order_id"]))
        chunk = copy.deepcopy(matching[page * size:(page + 1) * size])
        return _ok({"shop_order_list": chunk, "total": len(matching), "page": page, "size": size})

    def _decrypt(self, d: dict[str, Any]) -> dict[str, Any]:
        """`order.batchDecrypt`: cipher_infos [{auth_id: the order, cipher_text}], at most 50; each
        one counts against the day's quota; a cipher of another order is refused item by item."""
        infos = d.get("cipher_infos")
        if not isinstance(infos, list) or not 1 <= len(infos) <= 50:
            raise Answer(_err(40001, "参数错误", "isv.parameter-invalid", "cipher_infos: 1 到 50 条"))
        if self.decrypt_quota < len(infos):
            raise Answer(_err(90001, "解密额度不足", "isv.decrypt-quota-exceeded", "今日解密次数已用完"))
        out = []
        for info in infos:
            oid, cipher = str((info or {}).get("auth_id") or ""), str((info or {}).get("cipher_text") or "")
            plain = self.ciphers.get(cipher)
            if oid not in self.receivers or plain not in self.receivers[oid].values():
                out.append({"auth_id": oid, "cipher_text": cipher, "decrypt_text": "", "err_no": 300008,
                            "err_msg": "密文与订单不匹配"})
                continue
            self.decrypt_quota -= 1
            field = next(k for k, v in self.receivers[oid].items() if v == plain)
            self.decrypted.append({"order_id": oid, "field": field})
            out.append({"auth_id": oid, "cipher_text": cipher, "decrypt_text": plain, "err_no": 0, "err_msg": ""})
        return _ok({"decrypt_infos": out, "custom_err": {"err_code": 0, "err_msg": ""}})

    def _remark(self, d: dict[str, Any]) -> dict[str, Any]:
        """`order.addOrderRemark`: the seller's note (and 插旗 star) on an order."""
        order = self.orders.get(str(d.get("order_id", "")))
        if order is None or not isinstance(d.get("remark"), str):
            raise Answer(_err(40001, "参数错误", "isv.parameter-invalid", "order_id / remark"))
        order["seller_words"] = d["remark"]
        if str(d.get("is_add_star")).lower() in ("true", "1"):
            order["seller_remark_stars"] = int(d.get("star") or 0)
        self._touch(order["order_id"])
        return _ok({})

    def _ship(self, d: dict[str, Any]) -> dict[str, Any]:
        oid, company, code = str(d.get("order_id", "")), d.get("company_code"), d.get("logistics_code")
        order = self.orders.get(oid)
        if order is None or not company or not code:
            raise Answer(_err(40001, "参数错误", "isv.parameter-invalid", "order_id / company_code / logistics_code"))
        if order["order_status"] == 4:
            raise Answer(_err(50002, "业务处理失败", "isv.order-cancelled", "订单已取消，不能发货"))
        if order.get("logistics_code"):
            raise Answer(_err(50002, "业务处理失败", "isv.order-already-shipped",
                              f"订单已发货 (logistics_code {order['logistics_code']})"))
        order["logistics_code"], order["company_code"] = code, company
        order["order_status"], order["order_status_desc"] = 3, "已发货"
        self._touch(oid)
        self.shipments.append({"order_id": oid, "company_code": company, "logistics_code": code})
        return _ok({})


    def _ship_pack(self, d: dict[str, Any]) -> dict[str, Any]:
        request_id, code, company = str(d.get("request_id") or ""), d.get("logistics_code"), d.get("company_code")
        orders, shipped = d.get("order_id_list"), d.get("shipped_order_info")
        if not request_id or not code or not company or not isinstance(orders, list) or not orders \
                or not isinstance(shipped, list) or not shipped:
            raise Answer(_err(40002, "缺少必选参数", "isv.missing-parameter:50050",
                              "order_id_list, shipped_order_info, logistics_code, company_code, request_id"))
        if request_id in self.packs:
            return _ok({"pack_id": self.packs[request_id]})
        lines = {}
        for oid in map(str, orders):
            order = self.orders.get(oid)
            if order is None:
                raise Answer(_err(50002, "业务处理失败", "isv.business-failed:60033", "订单不存在，请仔细检查后重试。"))
            if order["order_status"] == 4:
                raise Answer(_err(50002, "业务处理失败", "isv.business-failed:60021", "订单已取消，禁止发货。"))
            lines.update({str(l["order_id"]): (order, l) for l in order["sku_order_list"]})
        for item in shipped:
            sub = str((item or {}).get("shipped_order_id") or "")
            if sub not in lines:
                raise Answer(_err(50002, "业务处理失败", "isv.business-failed:60102", "60102:商品单不存在，请仔细检查后重试"))
            if int((item or {}).get("shipped_num") or 0) <= 0:
                raise Answer(_err(50002, "业务处理失败", "isv.business-failed:60080", "60080:商品的发货数量不允许小于0"))
            if lines[sub][1].get("logistics_code"):
                raise Answer(_err(50002, "业务处理失败", "isv.business-failed:60110",
                                  f"订单已发货，不允许再次执行发货。(商品单 {sub}: {lines[sub][1]['logistics_code']})"))
        pack_id = f"PK{next(self._packs):08d}"
        for item in shipped:
            order, line = lines[str(item["shipped_order_id"])]
            line["logistics_code"], line["company_code"] = code, company
        for oid in map(str, orders):
            order = self.orders[oid]
            if all(l.get("logistics_code") for l in order["sku_order_list"]):
                order["order_status"], order["order_status_desc"] = 3, "已发货"
                order["logistics_code"], order["company_code"] = code, company
            self._touch(oid)
        self.packs[request_id] = pack_id
        self.shipments.append({"order_id": ",".join(map(str, orders)), "company_code": company, "logistics_code": code,
                               "pack_id": pack_id, "shipped": [(str(i["shipped_order_id"]), int(i["shipped_num"]))
                                                               for i in shipped]})
        return _ok({"pack_id": pack_id})


    # ------------------------------------------------------------------ 抖音电子面单
    def _new_order(self, d: dict[str, Any]) -> dict[str, Any]:
        """`logistics.newCreateOrder`: a number per order and pack_id (the same pair gives the old
        number); the receiver must be the order's cipher text (a plain one is refused, as for a
        privacy-protected order); a carrier the shop has no e-waybill with is refused per order."""
        code, sender, infos = d.get("logistics_code"), d.get("sender_info"), d.get("order_infos")
        if not code or not isinstance(sender, dict) or not isinstance(infos, list) or not infos or len(infos) > 50:
            raise Answer(_err(40002, "缺少必选参数", "isv.missing-parameter",
                              "logistics_code, sender_info, order_infos (1..50)"))
        bills, errors = [], []
        for info in infos:
            oid, pack = str(info.get("order_id") or ""), str(info.get("pack_id") or "")
            receiver = info.get("receiver_info") or {}
            contact, address = receiver.get("contact") or {}, receiver.get("address") or {}
            given = [contact.get("name"), contact.get("mobile") or contact.get("phone"), address.get("detail_address")]
            if code not in self.templates:
                errors.append({"order_id": oid, "pack_id": pack, "err_code": "100200", "err_msg": f"未开通{code}电子面单服务"})
            elif oid not in self.orders or any(self.ciphers.get(str(g)) not in self.receivers[oid].values()
                                               for g in given):
                errors.append({"order_id": oid, "pack_id": pack, "err_code": "200009",
                               "err_msg": "收件人信息须为订单返回的加密信息"})
            elif not pack:
                errors.append({"order_id": oid, "pack_id": pack, "err_code": "200001", "err_msg": "pack_id不能为空"})
            else:
                key = (code, oid, pack)
                if key not in self.ebills:
                    track = f"{code[:2].upper()}{next(self._tracks)}"
                    self.ebills[key] = track
                    self.ebill_status[track] = "issued"
                prov = str(address.get("province_name") or "")
                bills.append({"company": code, "order_id": oid, "pack_id": pack, "track_no": self.ebills[key],
                              "sort_code": f"{300 + len(prov)}-{len(oid) % 90 + 10} {len(pack) % 90 + 10}",
                              "package_center_code": "571", "package_center_name": f"{prov[:2]}集包",
                              "short_address_code": "571-A", "short_address_name": f"{prov[:2]}转{address.get('city_name', '')[:2]}",
                              "hint_msg": "", "extra_resp": "", "sub_waybill_codes": "", "order_channel": "1"})
        return _ok({"ebill_infos": bills, "err_infos": errors})

    def _apply(self, d: dict[str, Any]) -> dict[str, Any]:
        """`logistics.waybillApply`: the encrypted print data and its sign per number."""
        applies = d.get("waybill_applies")
        if not isinstance(applies, list) or not applies:
            raise Answer(_err(40002, "缺少必选参数", "isv.missing-parameter", "waybill_applies"))
        infos, errors = [], []
        owners = {track: key for key, track in self.ebills.items()}
        for item in applies:
            track = str(item.get("track_no") or "")
            if track not in owners or self.ebill_status.get(track) != "issued":
                errors.append({"track_no": track, "order_id": "", "err_code": 200004, "err_msg": "运单号不存在或已取消"})
                continue
            sealed = "DY:" + base64.b64encode(secrets.token_bytes(48)).decode()
            signature = secrets.token_hex(16)
            self.sealed[sealed] = (track, signature)
            infos.append({"order_id": owners[track][1], "track_no": track, "print_data": sealed, "sign": signature})
        return _ok({"waybill_infos": infos, "err_infos": errors})

    def _templates(self, d: dict[str, Any]) -> dict[str, Any]:
        return _ok({"template_data": [
            {"logistics_code": code, "template_infos": [
                {"template_id": 1, "template_code": f"{code}_76_130", "template_name": "一联单", "template_url": url,
                 "version": 2, "template_type": 1, "perview_url": url + ".png"}]}
            for code, url in self.templates.items()]})

    def _cancel_ebill(self, d: dict[str, Any]) -> dict[str, Any]:
        track = str(d.get("track_no") or "")
        if self.ebill_status.get(track) != "issued":
            raise Answer(_err(50002, "业务处理失败", "isv.business-failed", "运单号不存在或已取消"))
        self.ebill_status[track] = "cancelled"
        return _ok({"cancel_result": True})

    def _shop_key(self, d: dict[str, Any]) -> dict[str, Any]:
        return _ok({"shop_key": base64.b64encode(hashlib.sha256(f"{self.shop_id}".encode()).digest()).decode()})

    _waybill_methods = {"logistics.newCreateOrder": _new_order, "logistics.waybillApply": _apply,
                        "logistics.templateList": _templates, "logistics.cancelOrder": _cancel_ebill,
                        "logistics.getShopKey": _shop_key}

    def component_check(self, content: dict[str, Any]) -> str | None:
        """What Douyin's print component does with a label before printing: call
        `logistics.getShopKey` with the content's `params` (a signed query) and decrypt
        `encryptedData` with the key, checking `signature`. None if it can print, else its words."""
        from urllib.parse import parse_qsl

        params = dict(parse_qsl(str(content.get("params") or ""), keep_blank_values=True))
        if not params:
            return "缺少params参数, 无法获取密钥"
        if params.get("method") != "logistics.getShopKey" or params.get("param_json") != "{}":
            return "params 不是 logistics.getShopKey 调用"
        status, answer = self.handle("/logistics/getShopKey", params)
        if answer.get("code") != 10000:
            return f"获取密钥失败: {answer.get('msg')} {answer.get('sub_msg') or ''}".strip()
        try:
            sent = datetime.strptime(params.get("timestamp", ""), "%Y-%m-%d %H:%M:%S").replace(tzinfo=BEIJING)
        except ValueError:
            return "获取密钥失败: timestamp 格式错误"
        if abs(sent.timestamp() - self.now()) > 300:
            return "获取密钥失败: timestamp 已过期 (超过5分钟)"
        sealed = self.sealed.get(str(content.get("encryptedData") or ""))
        if sealed is None:
            return "解密失败: 面单数据无效"
        if sealed[1] != content.get("signature"):
            return "验签失败: signature 与面单数据不符"
        return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8702)
    ap.add_argument("--orders", type=int, default=50)
    ap.add_argument("--skus", default="TS-BLU-L,MUG-WHT")
    a = ap.parse_args()
    emu = DouyinEmulator(host=a.host, port=a.port)
    rnd, skus = random.Random(2), a.skus.split(",")
    for _ in range(a.orders):
        emu.add_order([(rnd.choice(skus), rnd.randint(1, 2))], rnd=rnd)
    serve_forever(emu, lambda: f"抖店 emulator at {emu.url}  app key {emu.app_key}  secret {emu.secret}  "
                               f"token {emu.token}  ({a.orders} orders)")


if __name__ == "__main__":
    main()
