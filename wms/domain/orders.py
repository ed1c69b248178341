"""Order life cycle, the review rules an order desk applies on arrival, and the recipient
(with the phone mask) that screens and waybills show."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from wms.domain.errors import Conflict

RECEIVED, REVIEWED, RESERVED, RELEASED = "received", "reviewed", "reserved", "released"
PICKED, PACKED, SHIPPED = "picked", "packed", "shipped"
ON_HOLD, CANCELLED = "on_hold", "cancelled"

STATUSES = (RECEIVED, REVIEWED, RESERVED, RELEASED, PICKED, PACKED, SHIPPED, ON_HOLD, CANCELLED)

# Which status may follow which; everything not listed is refused.
TRANSITIONS: dict[str, frozenset[str]] = {
    RECEIVED: frozenset({REVIEWED, ON_HOLD, CANCELLED}),
    REVIEWED: frozenset({RESERVED, ON_HOLD, CANCELLED}),
    RESERVED: frozenset({RELEASED, PACKED, ON_HOLD, CANCELLED}),
    RELEASED: frozenset({PICKED, PACKED, ON_HOLD, CANCELLED}),
    PICKED: frozenset({PACKED, ON_HOLD, CANCELLED}),
    PACKED: frozenset({SHIPPED, PICKED}),  # picked again: its parcel was voided before handover
    SHIPPED: frozenset(),
    ON_HOLD: frozenset({REVIEWED, RESERVED, RELEASED, PICKED, CANCELLED}),
    CANCELLED: frozenset(),
}

PACKABLE = frozenset({RESERVED, RELEASED, PICKED})

# Why an order is on hold, when it is not review's doing: a person held it, or an after-sales
# case holds a replacement until its decision (or the return) comes. Review never releases these.
MANUAL_HOLD = "held by hand:"
AFTER_SALES_HOLD = "after-sales:"
EDITABLE = frozenset({RECEIVED, REVIEWED, RESERVED, RELEASED, PICKED, ON_HOLD})  # not yet packed, not cancelled

# Mainland mobile numbers: 1, then 3-9, then nine digits (13x 14x 15x 16x 17x 18x 19x).
_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def check_transition(current: str, new: str) -> None:
    if new not in TRANSITIONS.get(current, frozenset()):
        raise Conflict(f"an order that is {current} cannot become {new}", "bad_transition")


def normalise_phone(phone: str) -> str:
    """Drop spaces, dashes and a +86 / 0086 country prefix, as sellers' exports vary."""
    digits = re.sub(r"[\s\-()]", "", phone or "")
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix):]
    return digits


def is_mainland_mobile(phone: str) -> bool:
    return bool(_MOBILE.match(normalise_phone(phone)))


_MASKED_MOBILE = re.compile(r"^(1[3-9]\d)?\*{4,}\d{4}$")


def is_masked_mobile(phone: str) -> bool:
    """138****1234 or *******1234: how a platform hands out a buyer's number with an OAID."""
    return bool(_MASKED_MOBILE.match(normalise_phone(phone)))


def mask_phone(phone: str) -> str:
    """138****5678: what a label and a screen may show."""
    p = normalise_phone(phone)
    if len(p) >= 11:
        return p[:3] + "****" + p[-4:]
    if len(p) >= 8:  # too short for 3 + 4 to hide anything: keep only the last four
        return "****" + p[-4:]
    return "****"


# Seller-memo flags as the platforms number them (Taobao's 旗帜 1-5 and Douyin's the same colours).
SELLER_FLAGS = ("red", "yellow", "green", "blue", "purple")


def normalise_flag(value: object) -> str | None:
    """A flag colour by name or by the platforms' number (1 red .. 5 purple); 0 / empty is no flag."""
    from wms.domain.errors import Invalid

    text = str(value if value is not None else "").strip().lower()
    if text in ("", "0", "none", "grey", "gray"):
        return None
    if text.isdigit() and 1 <= int(text) <= len(SELLER_FLAGS):
        return SELLER_FLAGS[int(text) - 1]
    if text not in SELLER_FLAGS:
        raise Invalid(f"seller_flag: {value!r} is not one of {', '.join(SELLER_FLAGS)} (or 1-5)", "invalid_flag")
    return text


def needs_acknowledgement(buyer_message: str | None, seller_flag: str | None,
                          warehouse_note: str | None = None, seller_memo: str | None = None) -> bool:
    """What the buyer wrote, a memo the seller flagged, or a note customer service marked for the
    warehouse must be seen by the packer before the parcel closes ("送人的，不要放发票"): an
    unflagged memo is for the office only, and a flag with no memo has nothing to read."""
    flagged_memo = seller_flag is not None and bool((seller_memo or "").strip())
    return bool((buyer_message or "").strip()) or flagged_memo or bool((warehouse_note or "").strip())


@dataclass(frozen=True)
class Recipient:
    """Who a parcel goes to: what the order desk reviews and what a waybill prints."""

    name: str
    phone: str
    province: str
    city: str
    district: str
    address: str

    @property
    def full_address(self) -> str:
        """Province city district address, as sorters read it (no separators in Chinese)."""
        return "".join(p for p in (self.province, self.city, self.district, self.address) if p)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


def merge_key(recipient: Recipient, oaid: str | None) -> tuple[str, ...]:
    """Whose orders may go in one parcel (合并发货): a platform's OAID names its buyer at one
    address, since the masked name and number two buyers share prove nothing; else the
    recipient in the clear, field by field."""
    if oaid:
        return ("oaid", oaid)
    r = recipient
    return (r.name, r.phone, r.province, r.city, r.district, r.address)


@dataclass(frozen=True)
class DraftLine:
    sku: str
    qty: int
    gift: int = 0  # how many of the units are gifts (赠品, wms.domain.gifts): never sold


@dataclass
class Review:
    """What the desk found wrong; an order with problems goes on hold, never gets dropped."""

    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def reason(self) -> str:
        return "; ".join(self.problems)


def review_order(
    recipient: Recipient,
    lines: list[DraftLine],
    known_skus: set[str],
    order_type: str = "normal",
    cod_amount: Decimal = Decimal("0"),
    carrier_problems: list[str] | None = None,
    masked: bool = False,
) -> Review:
    """`carrier_problems` comes from `carriers.carrier_problems` (reach, COD, weight of the asked-for carrier).
    `masked`: the platform gave the buyer masked, with an OAID (Open Addressee ID) to ship and print
    by; a masked mobile number is then what is expected, not a mistake."""
    review = Review()
    for label, value in (
        ("recipient name", recipient.name),
        ("phone", recipient.phone),
        ("province", recipient.province),
        ("city", recipient.city),
        ("district", recipient.district),
        ("address", recipient.address),
    ):
        if not (value or "").strip():
            review.problems.append(f"{label} is missing")
    if recipient.phone and not is_mainland_mobile(recipient.phone) and not (masked and is_masked_mobile(recipient.phone)):
        review.problems.append(f"phone {recipient.phone!r} is not a mainland mobile number")
    if not lines:
        review.problems.append("the order has no lines")
    for line in lines:
        if line.sku not in known_skus:
            review.problems.append(f"unknown SKU {line.sku}")
        if line.qty <= 0:
            review.problems.append(f"quantity of {line.sku} must be at least 1")
    if order_type == "cod" and cod_amount <= 0:
        review.problems.append("a cash-on-delivery order needs a COD amount")
    review.problems.extend(carrier_problems or ())
    return review


# Money columns hold 12 digits, 2 after the point.
MONEY_LIMIT = Decimal("10000000000")


def parse_money(value: object, field_name: str = "cod_amount") -> Decimal:
    """Money arrives as strings or numbers; keep it exact, two places, never negative."""
    from wms.domain.errors import Invalid

    try:
        amount = Decimal(str(value if value not in (None, "") else "0"))
    except InvalidOperation as exc:
        raise Invalid(f"{field_name} must be a decimal amount", "invalid_amount") from exc
    if not amount.is_finite() or amount < 0:
        raise Invalid(f"{field_name} must be a finite amount, not negative", "invalid_amount")
    if amount >= MONEY_LIMIT:
        raise Invalid(f"{field_name} {value} is beyond what an order can carry (less than {MONEY_LIMIT})",
                      "invalid_amount")
    return amount.quantize(Decimal("0.01"))
