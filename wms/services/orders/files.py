"""Order files from the shops' exports (CSV, one row per order line; or JSON), imported row-safe.

A bad row is reported with its row number and reason and its order is left out; every
other order imports. `order_no` is the key, so importing the same file twice adds nothing.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from typing import Any

from charset_normalizer import from_bytes

from wms.adapters.db.uow import UnitOfWork
from wms.domain.errors import Invalid
from wms.services.orders import bulk

CSV_COLUMNS = ("order_no", "channel", "order_type", "cod_amount", "recipient_name", "phone", "province",
               "city", "district", "address", "sku", "qty", "remark")


@dataclass
class ImportReport:
    imported: list[str] = field(default_factory=list)
    already_present: list[str] = field(default_factory=list)
    on_hold: list[str] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    encoding: str = "utf-8"  # what the file was read as (GBK files are read as GB18030, its superset)

    def as_dict(self) -> dict[str, Any]:
        return {"imported": len(self.imported), "already_present": len(self.already_present),
                "on_hold": self.on_hold, "errors": self.errors, "encoding": self.encoding}


# The encodings order files come in: UTF-8 (with or without BOM), Excel's "Unicode text"
# (UTF-16 with BOM) and what Excel on Chinese Windows saves a CSV as (GBK, read as GB18030,
# which contains it). Big5 is left out on purpose: a short GBK file of a few Chinese words
# is often also valid Big5, and mainland sellers' files are GBK.
FILE_ENCODINGS = ["utf_8", "utf_16", "gb18030"]
_NAMES = {"utf_8": "utf-8", "utf_16": "utf-16", "gb18030": "gb18030"}


def read_text(raw: bytes) -> tuple[str, str]:
    """An order file's text and the encoding it was read with (charset-normalizer decides)."""
    if raw.startswith(b"PK\x03\x04") or raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise Invalid("this is an Excel workbook, not a CSV: in Excel choose Save As, "
                      "CSV (comma delimited) or Unicode Text", "bad_encoding")
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise Invalid("the file starts as UTF-16 but does not decode as it", "bad_encoding") from None
    try:
        text, encoding = raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        best = from_bytes(raw, cp_isolation=FILE_ENCODINGS).best()
        if best is None:
            raise Invalid("the file is not text in UTF-8, UTF-16 or GBK/GB18030; save it from Excel as "
                          "CSV (comma delimited) or CSV UTF-8", "bad_encoding") from None
        text, encoding = str(best), _NAMES.get(best.encoding, best.encoding)
    if "\x00" in text:
        raise Invalid("the file holds NUL bytes: it is not a text CSV or JSON file", "bad_encoding")
    return text, encoding


def import_file(uow: UnitOfWork, raw: bytes, filename: str, actor: str, as_json: bool = False) -> ImportReport:
    """An order file as it arrives (bytes in whatever encoding the seller's Excel used)."""
    text, encoding = read_text(raw)
    report = import_orders(uow, text, "json" if as_json else detect_format(filename, text), actor)
    report.encoding = encoding
    return report


def _csv_orders(text: str, report: ImportReport) -> list[tuple[list[int], dict[str, Any]]]:
    header = text.split("\n", 1)[0]
    delimiter = "\t" if header.count("\t") > header.count(",") else ","  # Excel's "Unicode text" is tab-separated
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    missing = [c for c in ("order_no", "sku", "qty") if c not in (reader.fieldnames or [])]
    if missing:
        raise Invalid(f"the CSV lacks the column(s) {', '.join(missing)}", "bad_file")
    grouped: dict[str, tuple[list[int], dict[str, Any]]] = {}
    bad: set[str] = set()
    for number, row in enumerate(reader, start=2):  # row 1 is the header
        order_no = (row.get("order_no") or "").strip()
        if not order_no:
            report.errors.append({"row": number, "code": "missing_order_no", "reason": "order_no is empty"})
            continue
        try:
            qty = int((row.get("qty") or "").strip())
        except ValueError:
            report.errors.append({"row": number, "order_no": order_no, "code": "invalid_qty",
                                  "reason": f"qty {row.get('qty')!r} is not a whole number"})
            bad.add(order_no)
            continue
        rows, data = grouped.setdefault(order_no, ([], {
            "order_no": order_no, "channel": row.get("channel") or "import",
            "order_type": row.get("order_type") or None, "cod_amount": row.get("cod_amount") or None,
            "paid_amount": row.get("paid_amount") or None,
            "remark": row.get("remark") or None, "paid_at": row.get("paid_at") or None,
            "carrier": (row.get("carrier") or "").strip() or None,
            "merge_consent": (row.get("merge_consent") or "").strip().lower() in ("1", "true", "yes", "y", "是"),
            **{k: row.get(k) or None for k in ("shop", "buyer_message", "seller_memo", "seller_flag", "ship_by")},
            "recipient": {"name": row.get("recipient_name", ""), "phone": row.get("phone", ""),
                          "province": row.get("province", ""), "city": row.get("city", ""),
                          "district": row.get("district", ""), "address": row.get("address", "")},
            "lines": []}))
        if data["recipient"]["phone"] != row.get("phone", "") or data["recipient"]["address"] != row.get("address", ""):
            report.errors.append({"row": number, "order_no": order_no, "code": "recipient_differs",
                                  "reason": "recipient differs from the order's first row"})
            bad.add(order_no)
            continue
        rows.append(number)
        data["lines"].append({"sku": (row.get("sku") or "").strip(), "qty": qty})
    for order_no in bad:
        grouped.pop(order_no, None)
    return list(grouped.values())


def _json_orders(text: str, report: ImportReport) -> list[tuple[list[int], dict[str, Any]]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise Invalid(f"the file is not JSON: {exc.msg} at line {exc.lineno}", "bad_file") from None
    except RecursionError:
        raise Invalid("the file is JSON nested too deep to be an order file", "bad_file") from None
    if isinstance(data, dict) and "orders" in data:
        data = data["orders"]
    if not isinstance(data, list):
        raise Invalid("a JSON order file is a list of orders (or {\"orders\": [...]})", "bad_file")
    out = []
    for number, item in enumerate(data, start=1):
        if not isinstance(item, dict) or not str(item.get("order_no") or "").strip():
            report.errors.append({"row": number, "code": "not_an_order", "reason": "not an order object with an order_no"})
            continue
        lines = item.get("lines")
        if not isinstance(lines, list) or not all(isinstance(l, dict) for l in lines):
            report.errors.append({"row": number, "order_no": item["order_no"], "code": "invalid_lines",
                                  "reason": "lines must be a list of {sku, qty}"})
            continue
        try:
            for l in lines:
                l["qty"] = int(l.get("qty"))
        except (TypeError, ValueError):
            report.errors.append({"row": number, "order_no": item["order_no"], "code": "invalid_qty",
                                  "reason": "a line's qty is not a whole number"})
            continue
        out.append(([number], item))
    return out


def import_orders(uow: UnitOfWork, text: str, fmt: str, actor: str) -> ImportReport:
    """Every good order of the file in, reviewed and reserved (wms.services.bulk_intake:
    batched statements and commits, each order still all or nothing); bad rows reported."""
    report = ImportReport()
    parsed = _csv_orders(text, report) if fmt == "csv" else _json_orders(text, report)

    def refused(rows: list[int], data: dict[str, Any], reason: str, code: str) -> None:
        report.errors.append({"row": rows[0], "order_no": data.get("order_no"), "code": code, "reason": reason})

    outcome = bulk.take_in(uow, parsed, actor, refused)
    report.already_present += outcome.already_present
    for order in outcome.created:
        report.imported.append(order.order_no)
        if order.status == "on_hold":
            report.on_hold.append(f"{order.order_no}: {order.hold_reason}")
    report.errors.sort(key=lambda e: e["row"])
    return report


def detect_format(filename: str, text: str) -> str:
    if filename.lower().endswith(".json") or text.lstrip().startswith(("[", "{")):
        return "json"
    return "csv"
