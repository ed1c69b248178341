"""A Cainiao e-waybill gateway (TOP `/router/rest`): numbers per cp_code with a balance, cancel (回收).

Signature, app key and session are checked as in `emulators/taobao.py`. `cainiao.waybill.ii.get`
answers one module per trade_order_info_dto (waybill_code, print_data); the same object_id gets
the same number back. A Taobao/Tmall trade's receiver goes as its OAID with the tid (order
channel TB or TM, the tid in trade_order_list), and its print_data comes encrypted
(encryptedData, signature, templateURL, ver): only Cainiao's print component can print it. A
plain receiver gets plain print_data, whose `data.routingInfo` holds the 三段码 (`routeCode`),
the 大头笔 place name (`sortation.name`) and the 集包地 (`consolidation.name`).
Refusals: no balance (isv.BALANCE_NOT_ENOUGH, 余额不足), an address without province or detail,
or masked (isv.ADDRESS_ILLEGAL), a package id outside letters, digits and underscore
(isv.PACKAGE_ID_ILLEGAL), an OAID without its trade (isv.OAID_PARAM_ILLEGAL / OAID_NOT_MATCH);
`fail_next` adds rate limits and timeouts. The refusal codes are in Cainiao's style; its public
page names the fields, not these codes.

Run alone: `python -m emulators.cainiao --port 8703 --balance 1000`.
"""

from __future__ import annotations

import argparse
import base64
import itertools
import json
import re
import secrets
import zlib
from typing import Any

from emulators.base import EmulatorServer, serve_forever
from emulators.taobao import TaobaoEmulator, _error

TEMPLATE_URL = "http://cloudprint.cainiao.com/template/standard/101/123"


PACKAGE_ID = re.compile(r"^[A-Za-z0-9_]{1,64}$")
OAID_CHANNELS = ("TB", "TM")  # Taobao and Tmall trades: the receiver goes as an OAID


class CainiaoEmulator(TaobaoEmulator):
    def __init__(self, balance: int = 1000, shop: TaobaoEmulator | None = None, **kw: Any) -> None:
        """`shop`: the Taobao shop whose trades' OAIDs this account may print (unchecked if None)."""
        super().__init__(**kw)
        self.shop = shop
        self.balance: dict[str, int] = {}  # cp_code -> numbers left; absent: `default_balance`
        self.default_balance = balance
        self.issued: dict[str, dict[str, Any]] = {}  # waybill_code -> what was asked, status
        self.by_object: dict[tuple[str, str], str] = {}
        self._serial = itertools.count(773_000_000_001)
        self.sealed: dict[str, str] = {}  # encryptedData -> its waybill code (what the print component reads)

    def handle(self, path: str, params: dict[str, str]) -> tuple[int, Any]:
        method = params.get("method")
        if method not in ("cainiao.waybill.ii.get", "cainiao.waybill.ii.cancel"):
            return super().handle(path, params)
        status, checked = super().handle(path, params)  # the gateway checks; 22: they passed
        if "error_response" in checked and checked["error_response"]["code"] != 22:
            return status, checked
        with self.lock:
            return 200, (self._get(params) if method == "cainiao.waybill.ii.get" else self._cancel(params))

    def _get(self, p: dict[str, str]) -> dict[str, Any]:
        try:
            req = json.loads(p.get("param_waybill_cloud_print_apply_new_request") or "")
            cp, dtos = req["cp_code"], req["trade_order_info_dtos"]
        except (ValueError, KeyError, TypeError):
            return _error(41, "Invalid arguments", "isv.missing-parameter", "param_waybill_cloud_print_apply_new_request")
        modules = []
        for dto in dtos:
            key = (cp, str(dto.get("object_id")))
            recipient = dto.get("recipient") or {}
            oaid = str(recipient.get("oaid") or "")
            if key in self.by_object:
                code = self.by_object[key]
            else:
                addr = recipient.get("address") or {}
                refused = self._check(dto, recipient, addr, oaid)
                if refused:
                    return refused
                if self.balance.get(cp, self.default_balance) <= 0:
                    return _error(15, "Remote service error", "isv.BALANCE_NOT_ENOUGH", "电子面单余额不足")
                self.balance[cp] = self.balance.get(cp, self.default_balance) - 1
                code = f"{cp[:2]}{next(self._serial)}"
                area = zlib.crc32(f"{addr.get('province')}{addr.get('city')}".encode()) % 900 + 100
                self.issued[code] = {"cp_code": cp, "object_id": key[1], "status": "issued", "oaid": oaid,
                                     "package_id": (dto.get("package_info") or {}).get("id"),
                                     "route": f"{area}-{zlib.crc32(str(addr.get('district')).encode()) % 90 + 10}-01",
                                     "place": f"{addr.get('city') or addr.get('province')}{addr.get('district') or ''}",
                                     "hub": f"{addr.get('city') or addr.get('province')}转运中心"}
                self.by_object[key] = code
            got = self.issued[code]
            data = {"waybillCode": code, "routingInfo": {
                "routeCode": got["route"], "sortation": {"name": got["place"]},
                "consolidation": {"name": got["hub"], "code": "H1"}}}
            if got["oaid"]:  # the receiver only Cainiao knows: printable only by its print component
                print_data: dict[str, Any] = {
                    "encryptedData": "AES:" + base64.b64encode(secrets.token_bytes(48)).decode(),
                    "signature": secrets.token_hex(16), "templateURL": TEMPLATE_URL,
                    "ver": "waybill_print_secret_version_1"}
                self.sealed[print_data["encryptedData"]] = code
            else:
                print_data = {"data": data, "templateURL": TEMPLATE_URL, "signature": "emu"}
            modules.append({"object_id": key[1], "waybill_code": code,
                            "print_data": json.dumps(print_data, ensure_ascii=False)})
        return {"cainiao_waybill_ii_get_response": {"modules": {"waybill_cloud_print_response": modules}}}

    def _check(self, dto: dict[str, Any], recipient: dict[str, Any], addr: dict[str, Any], oaid: str) -> Any:
        """A request Cainiao would refuse, as its refusal; None when it may have a number."""
        package = str((dto.get("package_info") or {}).get("id") or "")
        if package and not PACKAGE_ID.match(package):
            return _error(15, "Remote service error", "isv.PACKAGE_ID_ILLEGAL", "包裹ID只能包含数字、字母和下划线")
        info = dto.get("order_info") or {}
        if oaid:
            tids = [str(t) for t in info.get("trade_order_list") or []]
            if info.get("order_channels_type") not in OAID_CHANNELS or str(recipient.get("tid") or "") not in tids:
                return _error(15, "Remote service error", "isv.OAID_PARAM_ILLEGAL",
                              "使用OAID取号时，订单渠道须为淘宝/天猫，且tid须在trade_order_list中")
            trade = self.shop.trades.get(str(recipient.get("tid"))) if self.shop else None
            if self.shop is not None and (trade is None or trade.get("oaid") != oaid):
                return _error(15, "Remote service error", "isv.OAID_NOT_MATCH", "OAID与订单不匹配")
            return None
        if "*" in "".join(str(v) for v in (recipient.get("name"), recipient.get("mobile"), addr.get("detail"))):
            return _error(15, "Remote service error", "isv.ADDRESS_ILLEGAL",
                          "收件人信息为脱敏数据，请使用OAID取号")
        if not addr.get("province") or not addr.get("detail"):
            return _error(15, "Remote service error", "isv.ADDRESS_ILLEGAL", "收件人地址不合法")
        return None

    def _cancel(self, p: dict[str, str]) -> dict[str, Any]:
        got = self.issued.get(p.get("waybill_code", ""))
        if got is None or got["cp_code"] != p.get("cp_code"):
            return _error(15, "Remote service error", "isv.WAYBILL_NOT_EXIST", "面单号不存在")
        if got["status"] == "cancelled":
            return _error(15, "Remote service error", "isv.WAYBILL_ALREADY_CANCELLED", "面单已回收")
        got["status"] = "cancelled"
        self.balance[got["cp_code"]] = self.balance.get(got["cp_code"], self.default_balance) + 1
        return {"cainiao_waybill_ii_cancel_response": {"cancel_result": True}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8703)
    ap.add_argument("--balance", type=int, default=1000)
    a = ap.parse_args()
    emu: EmulatorServer = CainiaoEmulator(balance=a.balance, host=a.host, port=a.port)
    serve_forever(emu, lambda: f"Cainiao e-waybill emulator at {emu.url}/router/rest  app key 12345678  "
                               "secret emu-secret  session emu-session")


if __name__ == "__main__":
    main()
