"""Cainiao cloud e-waybill (电子面单取号) through the TOP gateway: take a number, cancel (回收) it.

Same signed form posts as `taobao.py` (one signing, one error mapping). `cainiao.waybill.ii.get`
takes `param_waybill_cloud_print_apply_new_request` (JSON: cp_code, sender, trade_order_info_dtos
with object_id, order_info, package_info, recipient) and answers `modules.waybill_cloud_print_response`
with waybill_code and print_data, whose `data.routingInfo` carries the sort code (三段码,
`sortation.name`) and the bag hub (集包地, `consolidation.name`). `object_id` makes a repeat
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
                   extra: dict[str, Any] | None = None) -> IssuedNumber:
        """`extra`: further request fields as the account needs them (customer_code, product_code...)."""
        request = {"cp_code": cp_code, **(extra or {}), "sender": sender, "trade_order_info_dtos": [{
            "object_id": object_id, "order_info": {"order_channels_type": "OTHERS", "trade_order_list": [order_no]},
            "package_info": {"id": object_id, "items": items, "weight": weight_g},
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
        routing = ((data.get("data") or {}).get("routingInfo")) or {}
        return IssuedNumber(str(mine[0]["waybill_code"]), (routing.get("sortation") or {}).get("name"),
                            (routing.get("consolidation") or {}).get("name"), data)

    def cancel(self, cp_code: str, waybill_code: str) -> bool:
        """True once the number is returned; a number already cancelled counts as returned."""
        try:
            answer = self._call("cainiao.waybill.ii.cancel", {"cp_code": cp_code, "waybill_code": waybill_code})
        except PlatformError as exc:
            if exc.platform_code == ALREADY_CANCELLED:
                return True
            raise
        return bool(answer.get("cancel_result"))
