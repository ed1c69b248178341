"""Receiving returned parcels: identify, weigh, inspect each item, and put it where it belongs."""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlalchemy import func
from sqlmodel import select

from wms.adapters.db.tables import (
    AfterSalesCase,
    BinRow,
    CaseLine,
    LedgerEntry,
    OrderLine,
    OrderRow,
    Parcel,
    ReturnItem,
    ReturnReceipt,
    StockRow,
)
from wms.adapters.db.uow import UnitOfWork
from wms.domain import weighing as weight_rules
from wms.domain.codes import interpret
from wms.domain.errors import Conflict, Invalid, NotFound
from wms.services.aftersales.cases import apply_replacement_gate, get_case
from wms.services.orders import intake
from wms.services.packing import weight_history
from wms.services.stock import catalog, ledger

DISPOSITIONS = {"restock": "return_restock", "quarantine": "quarantine", "scrap": "scrap", "supplier": "supplier_return"}
# What the slip and the pages say for each code, in both languages the floor reads.
DISPOSITION_LABELS = {"restock": "restock 上架可售", "quarantine": "quarantine 隔离待检", "scrap": "scrap 报废",
                      "supplier": "back to supplier 退供应商"}
CONDITION_LABELS = {"intact": "intact 完好", "opened": "opened 已拆封", "damaged": "damaged 破损",
                    "missing_parts": "missing parts 缺件", "worn": "worn 已穿戴", "washed": "washed 已洗涤",
                    "tag_missing": "tag missing 吊牌缺失"}


def receive(uow: UnitOfWork, scanned: str, actor: str, notes: str | None = None) -> ReturnReceipt:
    """A return's tracking number or case code; anything else becomes an unidentified return."""
    code = interpret(scanned)
    case = None
    if code.kind == "case":
        case = get_case(uow, code.value)
    else:
        parcel = uow.session.exec(select(Parcel).where(Parcel.tracking_no == scanned.strip())).first()
        if parcel is not None:
            case = uow.session.exec(select(AfterSalesCase).where(
                AfterSalesCase.order_id == parcel.order_id, AfterSalesCase.status == "awaiting_return")
                .order_by(AfterSalesCase.id.desc())).first()  # type: ignore[union-attr]
    receipt = ReturnReceipt(case_id=case.id if case else None, scanned_code=scanned.strip()[:80],  # type: ignore[union-attr]
                            tracking_no=case.tracking_no if case else None, unidentified=case is None,
                            notes=notes, received_by=actor)
    uow.session.add(receipt)
    if case is not None:
        case.status = "received"
        uow.session.add(case)
    uow.session.flush()
    return receipt


def match(uow: UnitOfWork, receipt: ReturnReceipt, case_code: str, actor: str) -> None:
    """Tie an unidentified return to its case once someone finds out whose it is."""
    if receipt.case_id is not None:
        raise Conflict("this return is matched already", "already_matched")
    case = get_case(uow, case_code)
    receipt.case_id, receipt.unidentified, receipt.tracking_no = case.id, False, case.tracking_no
    receipt.notes = ((receipt.notes or "") + f"\nmatched to {case.code} by {actor}").strip()
    case.status = "received"
    uow.session.add_all([receipt, case])


def get_receipt(uow: UnitOfWork, receipt_id: int) -> ReturnReceipt:
    row = uow.session.get(ReturnReceipt, receipt_id)
    if row is None:
        raise NotFound(f"no return receipt {receipt_id}", "unknown_receipt")
    return row


def weigh(uow: UnitOfWork, receipt: ReturnReceipt, grams: int, station: str | None, actor: str) -> dict[str, Any]:
    """Kept in the parcel's weight history as `return`; compared with what the case says is inside."""
    receipt.weight_g = grams
    uow.session.add(receipt)
    out: dict[str, Any] = {"grams": grams}
    band: tuple[int, int] | None = None
    if receipt.case_id:
        lines = uow.session.exec(select(CaseLine).where(CaseLine.case_id == receipt.case_id)).all()
        skus = catalog.skus_by_code(uow, {l.sku for l in lines})
        items = [(weight_rules.ItemWeight(s.sku, s.name, s.unit_weight_g, s.weight_tolerance_g), l.qty)
                 for l in lines for s in [skus.get(l.sku)] if s]
        e = weight_rules.expect(items, None, floor_g=20)  # returns come in the buyer's own packing
        band = (e.expected_g, e.tolerance_g)
        out.update({"expected_items_g": e.expected_g, "tolerance_g": e.tolerance_g,
                    "delta_g": grams - e.expected_g,
                    "check": "heavier than the claimed items, as expected with packing" if grams >= e.expected_g - e.tolerance_g
                    else "lighter than the claimed items: open and check what is missing"})
    if receipt.tracking_no:
        parcel = weight_history.get_parcel(uow, receipt.tracking_no)
        # judged against what the case says came back, not the whole outbound parcel
        weight_history.reweigh(uow, parcel, grams, "return", station, actor, expected=band)
    uow.session.flush()
    return out


def _old_bin(uow: UnitOfWork, order_no: str | None, sku: str) -> BinRow | None:
    """Where the unit was picked from (the ledger knows), else any storage bin holding the SKU."""
    if order_no:
        entry = uow.session.exec(select(LedgerEntry).where(
            LedgerEntry.sku == sku, LedgerEntry.kind == "pick", LedgerEntry.ref == f"order:{order_no}")
            .order_by(LedgerEntry.id.desc())).first()  # type: ignore[union-attr]
        if entry is not None:
            return uow.session.get(BinRow, entry.bin_id)
    return uow.session.exec(select(BinRow).join(StockRow, StockRow.bin_id == BinRow.id)  # type: ignore[arg-type]
                            .where(StockRow.sku == sku, BinRow.kind == "storage").order_by(BinRow.code)).first()


def inspect(uow: UnitOfWork, receipt: ReturnReceipt, items: list[dict[str, Any]], actor: str) -> list[dict[str, Any]]:
    """Each item's disposition lands in the stock ledger; returns put-away instructions."""
    case = uow.session.get(AfterSalesCase, receipt.case_id) if receipt.case_id else None
    order = uow.session.get(OrderRow, case.order_id) if case else None
    allowed: dict[str, int] = {}
    if case is not None:
        for l in uow.session.exec(select(CaseLine).where(CaseLine.case_id == case.id)).all():
            allowed[l.sku] = allowed.get(l.sku, 0) + l.qty
    done = dict(uow.session.exec(select(ReturnItem.sku, func.sum(ReturnItem.qty))
                                 .where(ReturnItem.receipt_id == receipt.id).group_by(ReturnItem.sku)).all())
    instructions = []
    for item in items:
        sku, qty, disposition = item["sku"], int(item["qty"]), item["disposition"]
        if disposition not in DISPOSITIONS:
            raise Invalid(f"disposition: choose one of {', '.join(DISPOSITIONS)}", "invalid_disposition")
        if qty <= 0:
            raise Invalid("qty: at least one unit", "invalid_qty")
        condition = str(item.get("condition") or "").strip()[:100]
        if not condition:  # what was seen decides restock or not, and answers the buyer's claim later
            raise Invalid(f"{sku}: record its condition first ({', '.join(CONDITION_LABELS.values())}, "
                          "or in words)", "condition_required")
        item["condition"] = condition
        catalog.get_sku(uow, sku)
        if case is not None:
            left = allowed.get(sku, 0) - int(done.get(sku, 0))
            if qty > left:
                raise Conflict(f"only {left} of {sku} were claimed on {case.code} and not yet inspected", "over_inspect")
        done[sku] = int(done.get(sku, 0)) + qty
        if disposition == "restock":
            target = ledger.find_bin(uow, item["bin"]) if item.get("bin") else _old_bin(uow, order.order_no if order else None, sku)
            if target is None:
                raise Conflict(f"no bin known for {sku}: give one", "no_bin")
        else:
            target = ledger.special_bin(uow, disposition)
        ref = f"case:{case.code}" if case else f"return:{receipt.id}"
        ledger.move(uow, target, sku, qty, DISPOSITIONS[disposition], actor, ref=ref, reason=item.get("condition"))
        uow.session.add(ReturnItem(receipt_id=receipt.id, sku=sku, qty=qty, disposition=disposition,  # type: ignore[arg-type]
                                   bin_id=target.id, condition=item.get("condition")))
        instructions.append({"sku": sku, "qty": qty, "disposition": disposition, "bin": target.code,
                             "instruction": f"put {qty} × {sku} into {target.code}",
                             "condition": condition, "condition_label": CONDITION_LABELS.get(condition, condition),
                             "disposition_label": DISPOSITION_LABELS[disposition]})
    if case is not None and all(done.get(s, 0) >= q for s, q in allowed.items()):
        case.status = "inspected" if case.status != "closed" else case.status
        uow.session.add(case)
    uow.session.flush()
    if case is not None:
        apply_replacement_gate(uow, case, actor)  # a buyer-fault exchange ships once its return is inspected
    if instructions and any(i["disposition"] == "restock" for i in instructions):
        intake.retry_waiting_orders(uow, {i["sku"] for i in instructions if i["disposition"] == "restock"}, actor)
    return instructions


def return_rates(uow: UnitOfWork) -> dict[str, list[dict[str, Any]]]:
    """Returned units over shipped units, by SKU, by reason and by carrier.

    Only units that physically came back and were inspected count: a refused case, a case still
    waiting for its parcel, or a refund without a return is not a return."""
    shipped = dict(uow.session.exec(select(OrderLine.sku, func.sum(OrderLine.packed)).group_by(OrderLine.sku)).all())
    rows = uow.session.exec(select(ReturnItem.sku, ReturnItem.qty, AfterSalesCase.reason, Parcel.carrier)
                            .join(ReturnReceipt, ReturnReceipt.id == ReturnItem.receipt_id)  # type: ignore[arg-type]
                            .outerjoin(AfterSalesCase, AfterSalesCase.id == ReturnReceipt.case_id)  # type: ignore[arg-type]
                            .outerjoin(Parcel, Parcel.tracking_no == ReturnReceipt.tracking_no)).all()  # type: ignore[arg-type]
    by: dict[str, dict[str, int]] = {"sku": {}, "reason": {}, "carrier": {}}
    for sku, qty, reason, carrier in rows:
        for key, value in (("sku", sku), ("reason", reason or "unidentified"), ("carrier", carrier or "?")):
            by[key][value] = by[key].get(value, 0) + qty
    total = sum(int(v or 0) for v in shipped.values()) or 1
    return {
        "by_sku": [{"sku": s, "returned": n, "shipped": int(shipped.get(s) or 0),
                    "rate": round(n / max(1, int(shipped.get(s) or 0)), 4)} for s, n in sorted(by["sku"].items())],
        "by_reason": [{"reason": r, "returned": n, "rate": round(n / total, 4)} for r, n in sorted(by["reason"].items())],
        "by_carrier": [{"carrier": c, "returned": n} for c, n in sorted(by["carrier"].items())],
    }


def to_csv(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return ""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return "\ufeff" + buf.getvalue()
