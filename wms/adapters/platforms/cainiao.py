"""Cainiao cloud e-waybill (电子面单取号) through the TOP gateway: take a number, cancel (回收) it.

Same signed form posts as `taobao.py` (one signing, one error mapping). `cainiao.waybill.ii.get`
takes `param_waybill_cloud_print_apply_new_request` (JSON: cp_code, sender, trade_order_info_dtos
with object_id, order_info, package_info, recipient) and answers `modules.waybill_cloud_print_response`
with waybill_code and print_data: plain, whose `data.routingInfo` carries the sort code (三段码,
`routeCode`), the place name (大头笔, `sortation.name`) and the bag hub (集包地,
`consolidation.name`); or, for a receiver named by OAID, encrypted (`encryptedData`,
`signature`, `templateURL`), which only Cainiao's print component can print. `object_id` makes a repeat
of the same request give back the same number. `cainiao.waybill.ii.cancel` takes cp_code and
waybill_code and answers `cancel_result`. The emulator in `emulators/cainiao.py` answers the same shapes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from wms.adapters.platforms.base import PlatformError
from wms.adapters.platforms.taobao import TaobaoConnector

# Cainiao's own refusals (sub_code) -> our stable codes.
REFUSALS = {"isv.BALANCE_NOT_ENOUGH": "no_balance", "isv.ADDRESS_ILLEGAL": "invalid_address"}
ALREADY_CANCELLED = "isv.WAYBILL_ALREADY_CANCELLED"


@dataclass
class IssuedNumber:
    waybill_code: str
    sort_code: str | None
    bag_hub: str | None
    print_data: dict[str, Any] = field(default_factory=dict)
    place_name: str | None = None  # 大头笔 (sortation.name)

    @property
    def encrypted(self) -> bool:
        return "encryptedData" in self.print_data


class CainiaoClient(TaobaoConnector):
    kind = "cainiao"

    def _call(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        try:
            return self.call(method, params)
        except PlatformError as exc:
            ours = REFUSALS.get(exc.platform_code or "")
            if ours:
                raise PlatformError(ours, f"Cainiao refused the number: {exc.message}", False,
                                    platform_code=exc.platform_code) from None
            raise

    def get_number(self, cp_code: str, sender: dict[str, Any], recipient: dict[str, Any], object_id: str,
                   order_no: str, items: list[dict[str, Any]], weight_g: int | None = None,
                   extra: dict[str, Any] | None = None, package_id: str | None = None,
                   trade: dict[str, str] | None = None) -> IssuedNumber:
        """`extra`: further request fields as the account needs them (customer_code, product_code...).
        `package_id`: letters, digits and underscore only. `trade`: a Taobao/Tmall trade's
        channel (TB, TM), tid and OAID: the receiver is then named by its OAID, and the print
        data comes back encrypted, for Cainiao's print component."""
        channel, trades = "OTHERS", [order_no]
        if trade and trade.get("oaid"):
            channel, trades = trade.get("channel") or "TB", [trade["tid"]]
            recipient = {**recipient, "oaid": trade["oaid"], "tid": trade["tid"]}
        request = {"cp_code": cp_code, **(extra or {}), "sender": sender, "trade_order_info_dtos": [{
            "object_id": object_id, "order_info": {"order_channels_type": channel, "trade_order_list": trades},
            "package_info": {"id": package_id or object_id, "items": items, "weight": weight_g},
            "recipient": recipient, "template_url": "", "user_id": 0}]}
        answer = self._call("cainiao.waybill.ii.get", {
            "param_waybill_cloud_print_apply_new_request": json.dumps(request, ensure_ascii=False)})
        modules = ((answer.get("modules") or {}).get("waybill_cloud_print_response")) or []
        mine = [m for m in modules if str(m.get("object_id")) == object_id] or modules
        if not mine or not mine[0].get("waybill_code"):
            raise PlatformError("bad_answer", "Cainiao's answer holds no waybill_code", True)
        try:
            data = json.loads(mine[0].get("print_data") or "{}")
        except ValueError:
            data = {}
        routing = ((data.get("data") or {}).get("routingInfo")) or {}  # none when encrypted
        return IssuedNumber(str(mine[0]["waybill_code"]), routing.get("routeCode") or None,
                            (routing.get("consolidation") or {}).get("name"), data,
                            (routing.get("sortation") or {}).get("name"))

    def cancel(self, cp_code: str, waybill_code: str) -> bool:
        """True once the number is returned; a number already cancelled counts as returned."""
        try:
            answer = self._call("cainiao.waybill.ii.cancel", {"cp_code": cp_code, "waybill_code": waybill_code})
        except PlatformError as exc:
            if exc.platform_code == ALREADY_CANCELLED:
                return True
            raise
        return bool(answer.get("cancel_result"))
