"""Figures per person for a warehouse day (China Standard Time): what each packer and picker did,
and the mistakes the checks caught at their hands, from what is on record anyway (weighings,
station scans, overrides, the stock ledger's picks). Nothing is counted twice: a parcel is a
passing outbound weighing that got its number, a unit an accepted scan or a picked unit."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import case, func
from sqlmodel import select

from wms.adapters.db.tables import LedgerEntry, Override, PackScan, Weighing
from wms.adapters.db.uow import UnitOfWork
from wms.domain.errors import Invalid
from wms.domain.incoming import BEIJING

MISTAKES = ("wrong_item", "over_scan")
COLUMNS = ("role", "person", "parcels", "units", "wrong_scans", "weight_mismatches", "overrides", "lines",
           "first", "last", "hours", "per_hour")


def _window(day: date, shift: str | None) -> tuple[datetime, datetime]:
    """The day (China time), or a shift of it: "08:00-20:00"; a night shift "20:00-08:00" ends the
    next morning."""
    if not shift:
        start = datetime.combine(day, time.min, BEIJING)
        return start, start + timedelta(days=1)
    try:
        begins, ends = (time.fromisoformat(part.strip()) for part in shift.split("-"))
    except ValueError:
        raise Invalid(f"shift: {shift!r} is not HH:MM-HH:MM", "invalid_shift") from None
    start, end = datetime.combine(day, begins, BEIJING), datetime.combine(day, ends, BEIJING)
    return start, end if end > start else end + timedelta(days=1)


def figures(uow: UnitOfWork, day: date, shift: str | None = None) -> dict[str, Any]:
    """Packers and pickers of `day` (or of a shift of it), busiest first."""
    start, end = _window(day, shift)
    packers: dict[str, dict[str, Any]] = {}

    def packer(name: str) -> dict[str, Any]:
        return packers.setdefault(name, {"role": "packer", "person": name, "parcels": 0, "units": 0, "wrong_scans": 0,
                                         "weight_mismatches": 0, "overrides": 0, "first": None, "last": None})

    for name, parcels, mismatches, first, last in uow.session.exec(
            select(Weighing.operator,
                   func.sum(case((Weighing.tracking_no.is_not(None), 1), else_=0)),  # type: ignore[union-attr]
                   func.sum(case((Weighing.verdict.in_(("underweight", "overweight")), 1), else_=0)),  # type: ignore[attr-defined]
                   func.min(Weighing.at), func.max(Weighing.at))
            .where(Weighing.kind == "outbound", Weighing.at >= start, Weighing.at < end)
            .group_by(Weighing.operator)).all():
        row = packer(name)
        row.update(parcels=int(parcels or 0), weight_mismatches=int(mismatches or 0))
        _span(row, first, last)
    for name, units, wrong, first, last in uow.session.exec(
            select(PackScan.operator,
                   func.sum(case((PackScan.outcome == "accepted", 1), else_=0)),
                   func.sum(case((PackScan.outcome.in_(MISTAKES), 1), else_=0)),  # type: ignore[attr-defined]
                   func.min(PackScan.at), func.max(PackScan.at))
            .where(PackScan.at >= start, PackScan.at < end).group_by(PackScan.operator)).all():
        row = packer(name)
        row.update(units=int(units or 0), wrong_scans=int(wrong or 0))
        _span(row, first, last)
    for name, n in uow.session.exec(select(Override.by, func.count()).where(Override.at >= start, Override.at < end)
                                    .group_by(Override.by)).all():
        packer(name)["overrides"] = int(n)
    pickers = []
    for name, lines, units, first, last in uow.session.exec(
            select(LedgerEntry.operator, func.count(), func.sum(-LedgerEntry.delta), func.min(LedgerEntry.at),
                   func.max(LedgerEntry.at))
            .where(LedgerEntry.kind == "pick", LedgerEntry.at >= start, LedgerEntry.at < end,
                   LedgerEntry.ref.not_like("order:%"))  # type: ignore[union-attr]  # taken at packing, not picked
            .group_by(LedgerEntry.operator)).all():
        row = {"role": "picker", "person": name or "?", "lines": int(lines), "units": int(units or 0),
               "first": None, "last": None}
        _span(row, first, last)
        pickers.append(_rate(row, "units"))
    return {"day": day.isoformat(), "shift": shift,
            "packers": sorted((_rate(r, "parcels") for r in packers.values()), key=lambda r: (-r["parcels"], r["person"])),
            "pickers": sorted(pickers, key=lambda r: (-r["units"], r["person"]))}


def _span(row: dict[str, Any], first: datetime | None, last: datetime | None) -> None:
    """Widen the person's first and last activity of the day."""
    if first is not None:
        row["first"] = first if row["first"] is None else min(row["first"], first)
    if last is not None:
        row["last"] = last if row["last"] is None else max(row["last"], last)


def _rate(row: dict[str, Any], what: str) -> dict[str, Any]:
    """Hours between the first and the last activity (at least a quarter of an hour) and `what` per hour."""
    first, last = row["first"], row["last"]
    hours = max(0.25, (last - first).total_seconds() / 3600) if first and last else 0.0
    row["hours"] = round(hours, 2)
    row["per_hour"] = round(row[what] / hours, 1) if hours else 0.0
    for key in ("first", "last"):
        row[key] = row[key].astimezone(BEIJING).strftime("%H:%M") if row[key] else None
    return row


def figures_csv(view: dict[str, Any]) -> str:
    """Both tables in one CSV (UTF-8 with BOM, as Excel on Chinese Windows opens it)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.DictWriter(out, fieldnames=COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for row in view["packers"] + view["pickers"]:
        writer.writerow(row)
    return out.getvalue()
