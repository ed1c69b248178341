"""Where a parcel's tracking number comes from: a provider (the pre-bought pool, or a courier's
cloud e-waybill service such as Cainiao 电子面单) and what it must be told and gives back.

A provider is asked once per parcel with a request key (`object_id`) built from the order and
the pack session, so asking again after a crash or a lost answer gets the same number back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Protocol

from wms.domain.errors import Conflict

PROVIDERS = ("pool", "cainiao")


@dataclass(frozen=True)
class ParcelFacts:
    """What a provider needs to give a number: who sends, who receives, what is inside."""

    carrier: str
    object_id: str
    order_id: int
    order_no: str
    sender: dict[str, str]  # name phone address (one line)
    recipient: dict[str, str]  # name phone province city district address
    items: tuple[tuple[str, int], ...]  # (name, qty)
    weight_g: int
    package_id: str = ""  # letters, digits and underscore: what e-waybill services accept
    trade: PlatformTrade | None = None  # a platform order whose buyer is masked: named by its OAID


@dataclass(frozen=True)
class PlatformTrade:
    """The platform order a masked buyer belongs to: an e-waybill must be asked with its OAID and
    trade number, on the platform's own e-waybill service (Cainiao for Taobao and Tmall)."""

    platform: str  # taobao tmall douyin pinduoduo ...
    tid: str
    oaid: str
    cipher: dict[str, str] = field(default_factory=dict, compare=False)  # the buyer's cipher text, as sent

    @property
    def cainiao_channel(self) -> str | None:
        """Cainiao's order channel for the trade, or None: Cainiao cannot print this buyer."""
        return {"taobao": "TB", "tb": "TB", "tmall": "TM", "tm": "TM"}.get(self.platform.lower())


@dataclass(frozen=True)
class WaybillNumber:
    """A number and what the label prints beside it; the pool has no sort code or bag hub."""

    tracking_no: str
    sort_code: str | None = None  # 三段码
    bag_hub: str | None = None  # 集包地
    print_data: dict[str, Any] = field(default_factory=dict)


class WaybillProvider(Protocol):
    """`remote`: it is a service over the network, asked outside any database transaction."""

    kind: str
    remote: bool

    def issue(self, facts: ParcelFacts) -> WaybillNumber: ...

    def cancel(self, tracking_no: str) -> None: ...


class WaybillUnavailable(Conflict):
    """The provider would not give (or take back) a number; `provider_code` says why."""

    code = "waybill_unavailable"

    def __init__(self, message: str, provider_code: str, retryable: bool, **details: object) -> None:
        super().__init__(message, None, provider_code=provider_code, retryable=retryable, **details)
        self.provider_code, self.retryable = provider_code, retryable


def package_id(order_id: int, session_id: int) -> str:
    """The parcel's id for an e-waybill service (only letters, digits and underscore are taken;
    an order number may hold anything): the order's row and the pack session, unique."""
    return f"P{order_id}_S{session_id}"


def object_id(order_no: str, session_id: int) -> str:
    """The request key of a parcel's number: one per order and pack session (a re-pack after a
    void is a new session, so it gets a new number)."""
    return f"{order_no[:64]}-S{session_id}"


_PROVINCE = re.compile(r"^(北京市|天津市|上海市|重庆市|.+?(?:省|自治区|特别行政区))")
_CITY = re.compile(r"^(.+?(?:自治州|地区|盟|市))")
_DISTRICT = re.compile(r"^(.+?(?:区|县|旗|市))")


def split_address(text: str) -> dict[str, str]:
    """A one-line Chinese address (浙江省杭州市余杭区良睦路1399号) as province / city / district /
    detail, for services that want them apart; what cannot be told apart stays in detail."""
    rest = " ".join(text.split())
    out = {"province": "", "city": "", "district": "", "detail": ""}
    for key, pattern in (("province", _PROVINCE), ("city", _CITY), ("district", _DISTRICT)):
        m = pattern.match(rest)
        if m and len(m.group(1)) < len(rest):
            out[key], rest = m.group(1), rest[len(m.group(1)):]
    if out["province"] in ("北京市", "天津市", "上海市", "重庆市") and not out["city"]:
        out["city"] = out["province"]
    out["detail"] = rest.strip()
    return out
