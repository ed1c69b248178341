"""An incoming order read into plain values, the one way every door in (the API, an order
file, a shop platform's pull, an ERP's 奇门 shipment) reads one: each field checked and named
when it is wrong, nothing stored. Reviewing it against the catalog and the carriers is the
order desk's (`wms.services.orders.intake`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from wms.domain import orders as rules
from wms.domain.errors import Invalid

BEIJING = timezone(timedelta(hours=8))


def parse_time(value: Any, field_name: str) -> datetime | None:
    """An ISO time from a file or a platform; a time without a zone is taken as Beijing time,
    which is what the shops' exports mean."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            raise Invalid(f"{field_name}: {value!r} is not an ISO date-time", "invalid_time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=BEIJING)
    return moment.astimezone(UTC)


def _text(value: Any, limit: int) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text[:limit] or None


def _cipher(value: Any) -> dict[str, str] | None:
    """A platform's encrypted buyer fields (name, phone, address -> cipher text), kept as sent."""
    if not isinstance(value, dict):
        return None
    kept = {str(k)[:20]: str(v)[:1000] for k, v in value.items() if v}
    return kept or None


@dataclass
class DraftOrder:
    """An order as it arrived, checked field by field but not stored: the columns of its
    row (plain values: building an OrderRow costs more than storing it) and its lines."""

    values: dict[str, Any]
    lines: list[rules.DraftLine]
    notes: list[str] = field(default_factory=list)  # what the desk did to it, for its history

    @property
    def order_no(self) -> str:
        return self.values["order_no"]

    @property
    def recipient(self) -> rules.Recipient:
        v = self.values
        return rules.Recipient(v["recipient_name"], v["recipient_phone"], v["province"], v["city"],
                               v["district"], v["address"])


def order_no_of(data: dict[str, Any]) -> str:
    return str(data.get("order_no") or "").strip()


def draft_order(data: dict[str, Any]) -> DraftOrder:
    """Read an incoming order (API body, file row); raises Invalid naming the bad field."""
    order_no = order_no_of(data)
    if not order_no:
        raise Invalid("order_no: is required", "missing_field")
    recipient = data.get("recipient") or {}
    lines = [rules.DraftLine(str(l.get("sku", "")).strip(), int(l.get("qty", 0))) for l in data.get("lines") or []]
    order_type = str(data.get("order_type") or ("cod" if data.get("cod_amount") not in (None, "", "0", "0.00", 0) else "normal"))
    if order_type not in ("normal", "presale", "cod"):
        raise Invalid(f"order_type: {order_type!r} is not one of normal, presale, cod", "invalid_order_type")
    cod = rules.parse_money(data.get("cod_amount"))
    paid_at = parse_time(data.get("paid_at"), "paid_at")
    values = dict(
        order_no=order_no,
        channel=str(data.get("channel") or "api"),
        shop=_text(data.get("shop"), 64),
        buyer_message=_text(data.get("buyer_message"), 1000),
        seller_memo=_text(data.get("seller_memo"), 1000),
        seller_flag=rules.normalise_flag(data.get("seller_flag")),
        ship_by=parse_time(data.get("ship_by"), "ship_by"),
        order_type=order_type,
        recipient_name=str(recipient.get("name") or ""),
        recipient_phone=rules.normalise_phone(str(recipient.get("phone") or "")),
        province=str(recipient.get("province") or ""),
        city=str(recipient.get("city") or ""),
        district=str(recipient.get("district") or ""),
        address=str(recipient.get("address") or ""),
        oaid=_text(recipient.get("oaid") or data.get("oaid"), 128),
        buyer_cipher=_cipher(recipient.get("cipher")),
        trade_no=_text(data.get("trade_no"), 64),
        waybill_no=_text(data.get("waybill_no"), 40),
        cod_amount=cod,
        paid_amount=(rules.parse_money(data["paid_amount"], "paid_amount")
                     if data.get("paid_amount") not in (None, "") else None),
        carrier=data.get("carrier") or None,
        merge_consent=bool(data.get("merge_consent", False)),
        remark=data.get("remark"),
        paid_at=paid_at or datetime.now(UTC),
    )
    return DraftOrder(values, lines)


def explode_combos(lines: list[rules.DraftLine], parts: dict[str, list[tuple[str, int]]]
                   ) -> tuple[list[rules.DraftLine], list[str]]:
    """Order lines with each combo (组合装) replaced by its parts (`parts`: combo -> (sku, qty)),
    quantities multiplied and the same SKU summed, in the order first seen; and what was
    exploded, in words, for the order's history."""
    if not any(line.sku in parts for line in lines):
        return lines, []
    out: dict[str, list[int]] = {}  # sku -> [units, of them gifts]
    said = []
    for line in lines:
        if line.sku in parts:
            said.append(f"{line.qty} × combo {line.sku} = " + " + ".join(
                f"{line.qty * q} × {s}" for s, q in sorted(parts[line.sku])))
            for sku, qty in parts[line.sku]:
                got = out.setdefault(sku, [0, 0])
                got[0] += line.qty * qty
                got[1] += line.gift * qty
        else:
            got = out.setdefault(line.sku, [0, 0])
            got[0] += line.qty
            got[1] += line.gift
    return [rules.DraftLine(s, q, g) for s, (q, g) in out.items()], said
