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
    # sub-order id -> {"sku": our SKU, "qty": units}: which lines a split parcel carries, and how many
    line_skus: dict[str, dict[str, Any]] = field(default_factory=dict)
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


ALIKE_WORDS = {"bad_signature": "the signature was refused: check the app key and secret",
               "rate_limited": "the app's call limit was reached; will try again"}


def refusal(platform: str, ours: str, retry: bool, words: dict[str, str], code: Any, said: tuple[Any, ...],
            platform_code: Any, retry_after: float | None = None) -> PlatformError:
    """A platform's error answer as our PlatformError: our code, our words for it (`words` over
    the ones every platform shares), and the platform's own code and words in brackets."""
    text = {**ALIKE_WORDS, **words}.get(ours, f"{platform} refused the call")
    detail = " ".join(str(x) for x in said if x)
    return PlatformError(ours, f"{text} ({platform} {code}: {detail})", retry, retry_after=retry_after,
                         platform_code=str(platform_code or code))


def page_of(raw_orders: Any, total: Any, convert: Any, who: str, page_no: int, page_size: int) -> Page:
    """One page of a platform's orders read through `convert` (to RemoteOrder); an order that
    cannot be read stops the pull with a clear error instead of a traceback."""
    try:
        return Page([convert(o) for o in raw_orders or []], int(total or 0), page_no, page_size)
    except (KeyError, TypeError, ValueError) as exc:
        raise PlatformError("bad_answer", f"{who} sent an order we cannot read ({exc!r})", True) from None


def ciphers_to_reveal(cipher: dict[str, str], fields: tuple[str, ...], order_no: str) -> dict[str, str]:
    """The order's cipher texts for the fields a scene may show (name, mobile, address), as a
    platform that decrypts field by field (抖店, 拼多多) is asked for them."""
    wanted = {k: v for k, v in {"name": cipher.get("name"), "mobile": cipher.get("phone"),
                                "address": cipher.get("address")}.items() if v and k in fields}
    if not wanted:
        raise PlatformError("nothing_to_reveal", f"order {order_no} holds no encrypted buyer fields for this "
                            "scene: pull the shop again")
    return wanted


def revealed(wanted: dict[str, str], answers: dict[str, dict[str, Any]], text_key: str, error_key: str,
             who: str, order_no: str) -> dict[str, str]:
    """The plaintext of each wanted field from a decryption's answers (by cipher text); a field
    the platform would not decrypt is a refusal."""
    out = {}
    for key, cipher_text in wanted.items():
        info = answers.get(cipher_text) or {}
        if info.get(error_key):
            raise PlatformError("not_matched", f"{who} would not decrypt the {key} of {order_no}: "
                                f"{info.get('err_msg') or ''} (error {info.get(error_key)})")
        out[key] = str(info.get(text_key) or "")
    return out


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
