"""A Cainiao e-waybill gateway (TOP `/router/rest`): numbers per cp_code with a balance, cancel (回收).

Signature, app key and session are checked as in `emulators/taobao.py`. `cainiao.waybill.ii.get`
answers one module per trade_order_info_dto (waybill_code, print_data with routingInfo
sortation 三段码 and consolidation 集包地); the same object_id gets the same number back.
Refusals: no balance (isv.BALANCE_NOT_ENOUGH, 余额不足), an address without province or detail
(isv.ADDRESS_ILLEGAL); `fail_next` adds rate limits and timeouts.

Run alone: `python -m emulators.cainiao --port 8703 --balance 1000`.
"""

from __future__ import annotations

import argparse
import itertools
import json
import zlib
from typing import Any

from emulators.base import EmulatorServer, serve_forever
from emulators.taobao import TaobaoEmulator, _error


class CainiaoEmulator(TaobaoEmulator):
    def __init__(self, balance: int = 1000, **kw: Any) -> None:
        super().__init__(**kw)
        self.balance: dict[str, int] = {}  # cp_code -> numbers left; absent: `default_balance`
        self.default_balance = balance
        self.issued: dict[str, dict[str, Any]] = {}  # waybill_code -> what was asked, status
        self.by_object: dict[tuple[str, str], str] = {}
        self._serial = itertools.count(773_000_000_001)

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
            if key in self.by_object:
                code = self.by_object[key]
            else:
                addr = (dto.get("recipient") or {}).get("address") or {}
                if not addr.get("province") or not addr.get("detail"):
                    return _error(15, "Remote service error", "isv.ADDRESS_ILLEGAL", "收件人地址不合法")
                if self.balance.get(cp, self.default_balance) <= 0:
                    return _error(15, "Remote service error", "isv.BALANCE_NOT_ENOUGH", "电子面单余额不足")
                self.balance[cp] = self.balance.get(cp, self.default_balance) - 1
                code = f"{cp[:2]}{next(self._serial)}"
                area = zlib.crc32(f"{addr.get('province')}{addr.get('city')}".encode()) % 900 + 100
                self.issued[code] = {"cp_code": cp, "object_id": key[1], "status": "issued",
                                     "sort": f"{area}-{zlib.crc32(str(addr.get('district')).encode()) % 90 + 10}-01",
                                     "hub": f"{addr.get('city') or addr.get('province')}转运中心"}
                self.by_object[key] = code
            got = self.issued[code]
            print_data = {"data": {"waybillCode": code, "routingInfo": {
                "sortation": {"name": got["sort"]}, "consolidation": {"name": got["hub"], "code": "H1"}}},
                "templateURL": "", "signature": "emu"}
            modules.append({"object_id": key[1], "waybill_code": code,
                            "print_data": json.dumps(print_data, ensure_ascii=False)})
        return {"cainiao_waybill_ii_get_response": {"modules": {"waybill_cloud_print_response": modules}}}

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
