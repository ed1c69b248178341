"""The electronic waybill (电子面单) as data, validated once so every output can trust it.

`Waybill.from_dict` is the single gate: whatever comes from a JSON file, the API or
the print queue passes through it, and any problem is reported as a `WaybillError`
naming the offending field (``recipient.phone is required``) so a packer can fix it.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from printing.sizes import WaybillError, check_tracking_fits_somewhere
from wms.domain.orders import Recipient

MAX_TRACKING_LEN = 40  # the print queue stores at most 40 characters

_TRACKING_CHARS = re.compile(r"^[\x20-\x7e]+$")
_MONEY = re.compile(r"^\d{1,9}(\.\d{1,2})?$")


@dataclass(frozen=True)
class Sender:
    name: str
    phone: str
    address: str


@dataclass(frozen=True)
class Item:
    name: str
    qty: int
    sku: str = ""


@dataclass(frozen=True)
class Waybill:
    tracking_no: str
    carrier: str
    sort_code: str
    order_no: str
    sender: Sender
    recipient: Recipient
    weight_g: int
    service: str = ""
    cod_amount: Decimal = Decimal("0.00")
    pieces: int = 1
    items: tuple[Item, ...] = field(default_factory=tuple)
    remark: str = ""
    bag_hub: str = ""  # 集包地, given with an e-waybill number (Cainiao); printed beside the sort code

    @classmethod
    def from_dict(cls, data: Any) -> Waybill:
        """Validate a waybill dict (the spec's JSON shape); raise WaybillError naming the field."""
        if not isinstance(data, dict):
            raise WaybillError("waybill", "must be a JSON object")
        tracking_no = _tracking_no(data)
        sender_d = _section(data, "sender")
        recipient_d = _section(data, "recipient")
        sender = Sender(
            name=_text(sender_d, "name", "sender"),
            phone=_text(sender_d, "phone", "sender"),
            address=_text(sender_d, "address", "sender"),
        )
        recipient = Recipient(
            name=_text(recipient_d, "name", "recipient"),
            phone=_text(recipient_d, "phone", "recipient"),
            province=_text(recipient_d, "province", "recipient"),
            city=_text(recipient_d, "city", "recipient"),
            # Some prefecture cities (东莞, 中山, 儋州, 嘉峪关) have no district.
            district=_text(recipient_d, "district", "recipient", required=False),
            address=_text(recipient_d, "address", "recipient"),
        )
        return cls(
            tracking_no=tracking_no,
            carrier=_text(data, "carrier"),
            sort_code=_text(data, "sort_code"),
            order_no=_text(data, "order_no"),
            sender=sender,
            recipient=recipient,
            weight_g=_int(data, "weight_g", minimum=0, required=True),
            service=_text(data, "service", required=False),
            cod_amount=_money(data, "cod_amount"),
            pieces=_int(data, "pieces", minimum=1, required=False, default=1),
            items=_items(data),
            remark=_text(data, "remark", required=False),
            bag_hub=_text(data, "bag_hub", required=False),
        )

    def to_dict(self) -> dict[str, Any]:
        """The spec's JSON shape again (cod_amount as a decimal string; bag_hub only when there
        is one, as a pool number has none)."""
        d = asdict(self)
        d["cod_amount"] = f"{self.cod_amount:.2f}"
        d["items"] = [asdict(i) for i in self.items]
        if not self.bag_hub:
            del d["bag_hub"]
        return d


def _section(data: dict, name: str) -> dict:
    value = data.get(name)
    if value is None:
        raise WaybillError(name, "is required")
    if not isinstance(value, dict):
        raise WaybillError(name, "must be an object")
    return value


def _text(data: dict, key: str, prefix: str = "", *, required: bool = True) -> str:
    name = f"{prefix}.{key}" if prefix else key
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise WaybillError(name, "is required")
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise WaybillError(name, "must be a string")
    return " ".join(str(value).split())  # newlines/tabs would break single-line fields


def _int(
    data: dict, key: str, prefix: str = "", *, minimum: int, required: bool, default: int = 0
) -> int:
    name = f"{prefix}.{key}" if prefix else key
    value = data.get(key)
    if value is None:
        if required:
            raise WaybillError(name, "is required")
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        else:
            raise WaybillError(name, f"must be a whole number (got {value!r})")
    if value < minimum:
        raise WaybillError(name, f"must be at least {minimum} (got {value})")
    return value


def _money(data: dict, key: str) -> Decimal:
    value = data.get(key, "0.00")
    if value is None or value == "":
        return Decimal("0.00")
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise WaybillError(key, f"must be a decimal string like \"12.50\" (got {value!r})")
    text = str(value).strip()
    if not _MONEY.match(text):
        raise WaybillError(
            key, f"must be a non-negative amount with at most 2 decimals (got {value!r})")
    try:
        return Decimal(text).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise WaybillError(key, f"is not a valid amount (got {value!r})") from None


def _items(data: dict) -> tuple[Item, ...]:
    raw = data.get("items") or []
    if not isinstance(raw, list):
        raise WaybillError("items", "must be a list")
    items = []
    for i, entry in enumerate(raw):
        prefix = f"items[{i}]"
        if not isinstance(entry, dict):
            raise WaybillError(prefix, "must be an object")
        items.append(Item(
            name=_text(entry, "name", prefix),
            qty=_int(entry, "qty", prefix, minimum=1, required=False, default=1),
            sku=_text(entry, "sku", prefix, required=False),
        ))
    return tuple(items)


def _tracking_no(data: dict) -> str:
    """The tracking number must be encodable as Code 128 and fit on the widest label."""
    value = data.get("tracking_no")
    if value is None or (isinstance(value, str) and not value.strip()):
        raise WaybillError("tracking_no", "is required")
    if not isinstance(value, str):
        raise WaybillError("tracking_no", "must be a string")
    value = value.strip()
    if not _TRACKING_CHARS.match(value):
        bad = next(c for c in value if not ("\x20" <= c <= "\x7e"))
        raise WaybillError(
            "tracking_no", f"cannot be encoded as Code 128: {bad!r} is not printable ASCII"
        )
    if len(value) > MAX_TRACKING_LEN:
        raise WaybillError(
            "tracking_no", f"is too long ({len(value)} characters, at most {MAX_TRACKING_LEN})"
        )
    check_tracking_fits_somewhere(value)
    return value


SAMPLE_WAYBILL: dict[str, Any] = {
    "tracking_no": "SF1400012345678",
    "carrier": "SF", "service": "标准快递",
    "sort_code": "571-WH01-A12",
    "order_no": "TB20261122000123",
    "sender": {"name": "丝施品牌店", "phone": "0571-88886666",
               "address": "浙江省杭州市余杭区仓前街道良睦路1399号 3号仓"},
    "recipient": {"name": "张三", "phone": "13812345678",
                  "province": "广东省", "city": "深圳市", "district": "南山区",
                  "address": "科技园南区高新南七道 18 号 5 栋 1203"},
    "cod_amount": "0.00", "weight_g": 1240, "pieces": 1,
    "items": [{"sku": "TS-BLU-L", "name": "纯棉T恤 蓝色 L", "qty": 2}],
    "remark": "易碎轻放",
}
"""The contract's example waybill (shared/specs/waybill-printing.md), for `wms label sample`."""
