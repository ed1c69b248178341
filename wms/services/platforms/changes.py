"""One platform order applied here: first sight creates the order; a later change (address,
cancel, refund, closed) holds it before packing or raises an alert after."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlmodel import select

from wms.adapters.db.tables import OrderRow, PlatformAlert, PlatformOrder, PlatformRow
from wms.adapters.db.uow import UnitOfWork
from wms.adapters.platforms import RemoteOrder
from wms.adapters.platforms.base import CLOSED, SHIPPED, TO_SHIP
from wms.domain import orders as rules
from wms.domain.errors import Conflict
from wms.services.orders import intake, records, split


@dataclass
class PullReport:
    platform: str
    imported: int = 0
    already_present: int = 0
    unchanged: int = 0
    changed: int = 0
    held: list[str] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)
    skipped: int = 0
    rejected: list[str] = field(default_factory=list)
    pages: int = 0
    cursor: str | None = None
    error: dict[str, str] | None = None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def fingerprint(recipient: dict[str, Any]) -> str:
    """The recipient as last seen. A platform's OAID counts too (a new room number at the same
    street keeps the masked text and changes the OAID); recipients without one keep the
    fingerprint they had before OAIDs were read."""
    keys = ("name", "phone", "province", "city", "district", "address") + (("oaid",) if recipient.get("oaid") else ())
    text = "|".join(str(recipient.get(k) or "").strip() for k in keys)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def recipient_changed(seen_print: str, recipient: dict[str, Any]) -> bool:
    """Not the recipient last seen; an order seen before its OAID was read is the same one when
    everything else is."""
    return seen_print not in ("", fingerprint(recipient), fingerprint({**recipient, "oaid": None}))


def seen_order(uow: UnitOfWork, platform: str, platform_order_no: str, lock: bool = False) -> PlatformOrder | None:
    stmt = select(PlatformOrder).where(PlatformOrder.platform == platform,
                                       PlatformOrder.platform_order_no == platform_order_no)
    return uow.session.exec(uow.locked(stmt) if lock else stmt).first()


def apply_remote(uow: UnitOfWork, row: PlatformRow, remote: RemoteOrder, report: PullReport, actor: str) -> str:
    """Take one platform order in, or apply what changed since we last saw it. Caller commits."""
    seen = seen_order(uow, row.name, remote.platform_order_no, lock=True)
    if seen is not None and seen.modified is not None and remote.modified <= seen.modified:
        report.unchanged += 1
        return "unchanged"
    if seen is None or seen.order_no is None:
        return _first_sight(uow, row, remote, seen, report, actor)
    return _changed(uow, row, remote, seen, report, actor)


def _first_sight(uow: UnitOfWork, row: PlatformRow, remote: RemoteOrder, seen: PlatformOrder | None,
                 report: PullReport, actor: str) -> str:
    if remote.state != TO_SHIP:  # unpaid: it comes again when paid; closed or shipped: not ours to do
        if remote.state in (CLOSED, SHIPPED):
            seen = seen or PlatformOrder(platform=row.name, platform_order_no=remote.platform_order_no)
            seen.platform_status, seen.modified = f"{remote.state}/{remote.raw_status}"[:40], remote.modified
            uow.session.add(seen)
        report.skipped += 1
        return "skipped"
    data = dict(remote.order)
    data["shop"] = data.get("shop") or row.shop
    if not data.get("ship_by") and data.get("paid_at"):
        data["ship_by"] = data["paid_at"] + timedelta(hours=row.ship_by_hours)
    order, created = intake.create_order(uow, data, actor)
    seen = seen or PlatformOrder(platform=row.name, platform_order_no=remote.platform_order_no)
    seen.order_no, seen.platform_status, seen.modified = order.order_no, f"{remote.state}/{remote.raw_status}"[:40], remote.modified
    seen.fingerprint, seen.refund = fingerprint(data.get("recipient") or {}), remote.refund
    seen.sub_orders, seen.line_skus = remote.sub_orders, remote.line_skus
    uow.session.add(seen)
    if created:
        report.imported += 1
    else:
        report.already_present += 1
    if created and not remote.refund and row.ship_available and order.status == rules.ON_HOLD \
            and (order.hold_reason or "").startswith(intake.STOCK_HOLDS):
        uow.session.flush()
        try:
            with uow.session.begin_nested():
                split.ship_available(uow, order, actor)  # the shop ships what is there (缺货先发)
        except Conflict:
            pass  # nothing of it in stock: it waits whole, as held
    if remote.refund:
        _hold(uow, order, actor, f"platform {row.name}: the buyer asked to cancel or refund "
                                 f"before shipping ({remote.raw_status})", report, row, "refund_requested")
    elif order.status == rules.ON_HOLD and created:
        report.held.append(f"{order.order_no}: {order.hold_reason}")
    return "imported" if created else "already_present"


def _changed(uow: UnitOfWork, row: PlatformRow, remote: RemoteOrder, seen: PlatformOrder,
             report: PullReport, actor: str) -> str:
    recipient = remote.order.get("recipient") or {}
    new_print = fingerprint(recipient)
    reasons: list[tuple[str, str]] = []
    if remote.state == CLOSED and seen.platform_status.split("/")[0] != CLOSED:
        reasons.append(("closed", f"the trade was closed on {row.name} ({remote.raw_status}): cancel the order"))
    elif remote.refund and not seen.refund:
        reasons.append(("refund_requested", f"the buyer asked to cancel or refund on {row.name}"))
    if recipient_changed(seen.fingerprint, recipient):
        where = " ".join(str(recipient.get(k) or "") for k in ("province", "city", "district", "address"))
        reasons.append(("address_changed", f"the buyer changed the address to {recipient.get('name', '')} "
                                           f"{recipient.get('phone', '')} {where}"))
    seen.platform_status, seen.modified, seen.refund = f"{remote.state}/{remote.raw_status}"[:40], remote.modified, remote.refund
    seen.fingerprint, seen.sub_orders = new_print, remote.sub_orders or seen.sub_orders
    seen.line_skus = remote.line_skus or seen.line_skus
    uow.session.add(seen)
    order = records.get_order(uow, seen.order_no or "", lock=True)
    _take_memo(uow, order, remote, actor)
    _take_oaid(uow, order, recipient, reasons)
    if not reasons:
        report.unchanged += 1
        return "unchanged"
    report.changed += 1
    address_changed = any(kind == "address_changed" for kind, _ in reasons)
    text = f"platform {row.name}: " + "; ".join(words for _, words in reasons)
    kind = reasons[0][0]
    if order.status in (rules.PACKED, rules.SHIPPED):
        _alert(uow, row, order, kind, f"order {order.order_no} is already {order.status}: {text} — "
                                      f"stop the parcel with the carrier (拦截) or arrange a return", report)
        return "alert"
    if order.status == rules.CANCELLED:
        return "unchanged"
    if address_changed:
        uow.update(order, recipient_name=str(recipient.get("name") or ""),
                   recipient_phone=rules.normalise_phone(str(recipient.get("phone") or "")),
                   province=str(recipient.get("province") or ""), city=str(recipient.get("city") or ""),
                   district=str(recipient.get("district") or ""), address=str(recipient.get("address") or ""),
                   oaid=recipient.get("oaid") or None)
    _hold(uow, order, actor, text, report, row, kind)
    return "held"


def _take_oaid(uow: UnitOfWork, order: OrderRow, recipient: dict[str, Any], reasons: list[tuple[str, str]]) -> None:
    """An order taken in before its OAID was read (the same buyer, masked): it gets it now, and
    with it the platform's e-waybill and merging by OAID; its encrypted fields likewise."""
    if reasons or order.oaid or not recipient.get("oaid") or order.status in (rules.PACKED, rules.SHIPPED,
                                                                               rules.CANCELLED):
        return
    cipher = {k: v for k, v in (recipient.get("cipher") or {}).items() if v}
    uow.update(order, oaid=recipient["oaid"], buyer_cipher=cipher or order.buyer_cipher)


def _take_memo(uow: UnitOfWork, order: OrderRow, remote: RemoteOrder, actor: str) -> None:
    """The seller edited the memo or its flag: the order shows the new one (the packer sees it)."""
    memo = remote.order.get("seller_memo") or None
    flag = rules.normalise_flag(remote.order.get("seller_flag"))
    if (memo or None) != (order.seller_memo or None) or flag != order.seller_flag:
        uow.update(order, seller_memo=memo, seller_flag=flag)
        records.add_note(uow, order, actor, f"卖家备注 changed on the platform: [{flag or '-'}] {memo or ''}")


def _hold(uow: UnitOfWork, order: OrderRow, actor: str, reason: str, report: PullReport, row: PlatformRow,
          kind: str) -> None:
    reason = reason[:500]
    if order.status == rules.ON_HOLD:  # held already (stock, review): the platform's reason wins
        uow.update(order, hold_reason=reason)
        records.add_note(uow, order, actor, reason)
    else:
        records.transition(uow, order, rules.ON_HOLD, actor, reason)
    report.held.append(f"{order.order_no}: {reason}")


def _alert(uow: UnitOfWork, row: PlatformRow, order: OrderRow, kind: str, message: str, report: PullReport) -> None:
    uow.session.add(PlatformAlert(platform=row.name, order_no=order.order_no, kind=kind, message=message[:1000]))
    records.add_note(uow, order, f"platform:{row.name}", message[:2000])
    report.alerts.append(f"{order.order_no}: {message}")
