"""What every shop-platform connector offers: pull changed orders by modified time, push tracking numbers.

A connector turns a platform's answers into `RemoteOrder`s (order fields in the shape
`orders.create_order` takes) and every failure into a `PlatformError` with a stable code,
so the service never shows a traceback for a platform's bad answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from wms.domain.incoming import BEIJING

# Our normalised platform states.
UNPAID, TO_SHIP, SHIPPED, CLOSED = "unpaid", "to_ship", "shipped", "closed"


@dataclass
class RemoteOrder:
    platform_order_no: str
    state: str  # unpaid to_ship shipped closed
    raw_status: str
    modified: datetime  # aware
    refund: bool  # a cancel or refund request is open on the order or one of its lines
    order: dict[str, Any]  # create_order's keys
    sub_orders: list[str] = field(default_factory=list)
    ship_by_hint: str | None = None  # the platform's promise in words (付款后2天内), kept for the note


@dataclass
class Page:
    orders: list[RemoteOrder]
    total: int
    page_no: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


class PlatformError(Exception):
    """A platform said no or did not answer. `retryable`: worth trying again later."""

    def __init__(self, code: str, message: str, retryable: bool = False, retry_after: float | None = None,
                 platform_code: str | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.retryable = code, message, retryable
        self.retry_after, self.platform_code = retry_after, platform_code

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class TrackingSink(Protocol):
    """Where a parcel's tracking number goes back: a shop platform (发货回传) or a seller's ERP
    (奇门 deliveryorder.confirm). The tracking-upload outbox sends through one."""

    def upload_tracking(self, platform_order_no: str, carrier: str, tracking_no: str,
                        sub_orders: list[str], extra: dict[str, Any]) -> dict[str, Any]: ...

    def close(self) -> None: ...


class Connector(TrackingSink, Protocol):
    """A shop platform: its orders read a modified-time window and a page at a time, and its
    parcels' tracking numbers sent back."""

    kind: str
    max_window: timedelta  # the longest modified-time range one query may span

    def pull(self, start: datetime, end: datetime, page_no: int, page_size: int) -> Page: ...


@runtime_checkable
class BuyerRevealer(Protocol):
    """A platform that shows a masked buyer in the clear for a declared scene (OAID decryption)."""

    def reveal_buyer(self, platform_order_no: str, oaid: str, scene: str, cipher: dict[str, str],
                     fields: tuple[str, ...] = ()) -> dict[str, str]:
        """`cipher`: the order's encrypted fields as the platform sent them; `fields`: what the
        scene may show (name, mobile, phone, address)."""
        ...

    def close(self) -> None: ...


@runtime_checkable
class FileDrop(Connector, Protocol):
    """A folder the shop's order exports are dropped in: read file by file, not by time window."""

    def files(self) -> list[Path]: ...


def beijing_text(moment: datetime) -> str:
    """`yyyy-MM-dd HH:mm:ss` in GMT+8, the time format both platforms speak."""
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def parse_beijing(text: Any) -> datetime | None:
    if text in (None, "", 0, "0"):
        return None
    if isinstance(text, (int, float)):  # Douyin: unix seconds
        return datetime.fromtimestamp(int(text), UTC)
    try:
        moment = datetime.strptime(str(text).strip()[:19], "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None
    return moment.replace(tzinfo=BEIJING).astimezone(UTC)


# Our carrier codes -> the platforms' logistics company codes (unknown codes go as they are).
TAOBAO_COMPANIES = {"SF": "SF", "ZTO": "ZTO", "YTO": "YTO", "STO": "STO", "YD": "YUNDA", "YUNDA": "YUNDA",
                    "JD": "JD", "EMS": "EMS", "JT": "HTKY", "DBL": "DBL"}
DOUYIN_COMPANIES = {"SF": "shunfeng", "ZTO": "zhongtong", "YTO": "yuantong", "STO": "shentong",
                    "YD": "yunda", "YUNDA": "yunda", "JD": "jd", "EMS": "ems", "JT": "jtexpress"}
