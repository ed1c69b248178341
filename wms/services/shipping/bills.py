"""Couriers' bills (对账单) checked against our outbound weighings and the carriers' rate tables.

A bill comes as CSV (Excel's GBK or UTF-8) or an Excel workbook, one parcel a row: tracking
number, billed weight (kg unless the header says grams) and fee. Each row is judged by
`wms.domain.freight` against the parcel's outbound weighing, the evidence of what it weighed
when it left; overcharges are listed with that evidence and exported as a claim sheet.
The caller commits; a bill that cannot be read is refused whole, nothing kept.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlmodel import func, select

from wms.adapters.db.tables import Carrier, CarrierRate, CourierBill, CourierBillLine, OrderRow, Parcel, Weighing
from wms.adapters.db.uow import UnitOfWork
from wms.domain import freight
from wms.domain.errors import Invalid, NotFound
from wms.services.orders.files import read_text
from wms.services.shipping import rate_cache

TRACKING = ("运单号", "快递单号", "单号", "面单号", "tracking_no", "tracking", "waybill")
WEIGHT = ("计费重量", "结算重量", "计费重", "重量", "billed_weight", "weight")
FEE = ("运费", "结算金额", "金额", "费用", "fee", "amount")
MAX_ROWS = 200_000


def set_rate(uow: UnitOfWork, carrier: str, region: str, first_g: int, first_fee: Any, step_g: int,
             step_fee: Any) -> CarrierRate:
    """A carrier's rate for a region (a province, or "*"): first weight and fee, then per step."""
    code = carrier.strip().upper()
    if uow.session.get(Carrier, code) is None:
        raise NotFound(f"unknown carrier {carrier}", "unknown_carrier")
    region = (region or "").strip() or "*"
    if not 0 < first_g <= 1_000_000 or not 0 < step_g <= 1_000_000:
        raise Invalid("first_g and step_g: 1 to 1000000 grams", "invalid_weight")
    fees = [_money(first_fee, "first_fee"), _money(step_fee, "step_fee")]
    row = uow.session.exec(select(CarrierRate).where(CarrierRate.carrier == code, CarrierRate.region == region)).first()
    row = row or CarrierRate(carrier=code, region=region)
    row.first_g, row.first_fee, row.step_g, row.step_fee = first_g, fees[0], step_g, fees[1]
    uow.session.add(row)
    uow.session.flush()
    rate_cache.forget(code)
    return row


def import_bill(uow: UnitOfWork, carrier: str, raw: bytes, filename: str, actor: str) -> CourierBill:
    """Read a bill and judge every row; the bill and its lines, ready to commit."""
    code = carrier.strip().upper()
    if uow.session.get(Carrier, code) is None:
        raise NotFound(f"unknown carrier {carrier}", "unknown_carrier")
    rows = _rows(raw, filename)
    table = rate_cache.read_rates(uow, code)
    billed_before = set(uow.session.exec(select(CourierBillLine.tracking_no).join(
        CourierBill, CourierBill.id == CourierBillLine.bill_id).where(CourierBill.carrier == code)).all())  # type: ignore[arg-type]
    bill = CourierBill(carrier=code, filename=filename[:200], imported_by=actor)
    uow.session.add(bill)
    uow.session.flush()  # its id, for the lines
    seen: set[str] = set()
    for n, tracking_no, grams, fee in rows:
        line = CourierBillLine(bill_id=bill.id, row=n, tracking_no=tracking_no, billed_g=grams, billed_fee=fee,
                               verdict="", claim=Decimal("0.00"))
        judged = _judge(uow, line, table, tracking_no in seen or tracking_no in billed_before)
        line.verdict, line.expected_fee, line.claim = judged.verdict, judged.expected_fee, judged.claim
        seen.add(tracking_no)
        uow.session.add(line)
        bill.lines += 1
        bill.billed_total += fee
        bill.claim_total += judged.claim
    uow.session.add(bill)
    uow.session.flush()
    return bill


def _judge(uow: UnitOfWork, line: CourierBillLine, table: list[freight.Rate], again: bool) -> freight.Judgement:
    if again:
        return freight.whole_fee(freight.DUPLICATE, line.billed_fee)
    found = uow.session.exec(select(Parcel, OrderRow).join(OrderRow, OrderRow.id == Parcel.order_id)  # type: ignore[arg-type]
                             .where(Parcel.tracking_no == line.tracking_no)).first()
    if found is None:
        return freight.whole_fee(freight.NOT_OURS, line.billed_fee)
    parcel, order = found
    if parcel.status == "voided":
        return freight.whole_fee(freight.VOIDED, line.billed_fee)
    weighing = uow.session.exec(select(Weighing).where(Weighing.tracking_no == line.tracking_no,
                                                       Weighing.kind == "outbound")
                                .order_by(Weighing.id.desc())).first()  # type: ignore[union-attr]
    line.our_g = weighing.grams if weighing else parcel.weight_g
    line.weighing_id = weighing.id if weighing else None
    return freight.judge_line(line.billed_g, line.billed_fee, line.our_g or 0, freight.rate_for(table, order.province))


def _rows(raw: bytes, filename: str) -> list[tuple[int, str, int, Decimal]]:
    table = _xlsx_rows(raw) if raw.startswith(b"PK\x03\x04") else _csv_rows(raw)
    if not table:
        raise Invalid("the bill is empty", "empty_file")
    header = [str(h or "").strip() for h in table[0]]
    at = {name: _column(header, names) for name, names in (("tracking", TRACKING), ("weight", WEIGHT), ("fee", FEE))}
    missing = [name for name, i in at.items() if i is None]
    if missing:
        raise Invalid(f"the bill's header lacks a column for {', '.join(missing)} (looked for 运单号, 计费重量, "
                      f"运费 and the like; found {', '.join(h for h in header if h) or 'nothing'})", "missing_column")
    in_grams = any(mark in header[at["weight"]] for mark in ("(g)", "（g）", "克", "grams"))  # type: ignore[index]
    out = []
    for n, cells in enumerate(table[1:MAX_ROWS + 1], start=2):
        values = [str(c).strip() if c is not None else "" for c in cells]
        if not any(values):
            continue
        tracking_no, weight_text, fee_text = (_cell(values, at[k]) for k in ("tracking", "weight", "fee"))
        if not tracking_no or len(tracking_no) > 40:
            raise Invalid(f"row {n}: {tracking_no[:60]!r} is not a tracking number", "invalid_row")
        weight = _number(weight_text, f"row {n}: weight")
        grams = int((weight if in_grams else weight * 1000).to_integral_value())
        out.append((n, tracking_no, grams, _money(fee_text, f"row {n}: fee")))
    return out


def _cell(values: list[str], at: int | None) -> str:
    return values[at] if at is not None and at < len(values) else ""


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    for name in names:
        for i, h in enumerate(header):
            if h.lower().startswith(name.lower()):
                return i
    return None


def _csv_rows(raw: bytes) -> list[list[str]]:
    text, _ = read_text(raw)
    return list(csv.reader(io.StringIO(text)))


def _xlsx_rows(raw: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # a damaged or foreign workbook: openpyxl raises many kinds
        raise Invalid(f"the workbook cannot be read ({type(exc).__name__}): save it again from Excel",
                      "bad_workbook") from None
    sheet = book.worksheets[0]
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def _number(text: str, what: str) -> Decimal:
    try:
        value = Decimal(text.replace(",", "").replace("kg", "").replace("KG", "").strip())
    except InvalidOperation:
        raise Invalid(f"{what}: {text!r} is not a number", "invalid_row") from None
    if not value.is_finite() or not 0 <= value < 100_000:
        raise Invalid(f"{what}: {text!r} is out of range", "invalid_row")
    return value


def _money(value: Any, what: str) -> Decimal:
    return _number(str(value if value is not None else "").replace("¥", "").replace("元", ""), what).quantize(
        freight.CENT)


def get_bill(uow: UnitOfWork, bill_id: int) -> CourierBill:
    bill = uow.session.get(CourierBill, bill_id)
    if bill is None:
        raise NotFound(f"no courier bill {bill_id}", "unknown_bill")
    return bill


def bill_view(uow: UnitOfWork, bill: CourierBill, claims_only: bool = False) -> dict[str, Any]:
    """The bill, the count per verdict, and its lines (with the weighing each rests on)."""
    stmt = select(CourierBillLine, Weighing).join(Weighing, Weighing.id == CourierBillLine.weighing_id,  # type: ignore[arg-type]
                                                  isouter=True).where(CourierBillLine.bill_id == bill.id)
    if claims_only:
        stmt = stmt.where(CourierBillLine.claim > 0)
    lines = uow.session.exec(stmt.order_by(CourierBillLine.row)).all()
    counts = dict(uow.session.exec(select(CourierBillLine.verdict, func.count()).where(
        CourierBillLine.bill_id == bill.id).group_by(CourierBillLine.verdict)).all())
    return {"bill_id": bill.id, "carrier": bill.carrier, "filename": bill.filename, "lines": bill.lines,
            "billed_total": str(bill.billed_total), "claim_total": str(bill.claim_total),
            "imported_by": bill.imported_by, "imported_at": bill.imported_at.isoformat(), "verdicts": counts,
            "rows": [_line_view(line, w) for line, w in lines]}


def _line_view(line: CourierBillLine, weighing: Weighing | None) -> dict[str, Any]:
    return {"row": line.row, "tracking_no": line.tracking_no, "billed_g": line.billed_g,
            "billed_fee": str(line.billed_fee), "our_g": line.our_g,
            "expected_fee": str(line.expected_fee) if line.expected_fee is not None else None,
            "verdict": line.verdict, "claim": str(line.claim),
            "evidence": {"weighing_id": weighing.id, "grams": weighing.grams, "at": weighing.at.isoformat(),
                         "station": weighing.station, "scale_id": weighing.scale_id, "operator": weighing.operator}
            if weighing else None}


CLAIM_HEADER = ["运单号", "账单重量(g)", "账单运费", "出库称重(g)", "称重时间", "称重工位", "电子秤", "应收运费",
                "判定", "索赔金额"]


def claims_csv(view: dict[str, Any]) -> str:
    """The claim sheet (索赔单): every line with something to claim, with our weighing as evidence."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CLAIM_HEADER)
    for r in view["rows"]:
        if Decimal(r["claim"]) <= 0:
            continue
        e = r["evidence"] or {}
        writer.writerow([r["tracking_no"], r["billed_g"], r["billed_fee"], r["our_g"] if r["our_g"] is not None else "",
                         e.get("at", ""), e.get("station", ""), e.get("scale_id", ""), r["expected_fee"] or "",
                         r["verdict"], r["claim"]])
    writer.writerow(["合计", "", view["billed_total"], "", "", "", "", "", "", view["claim_total"]])
    return out.getvalue()
