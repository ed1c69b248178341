"""The lead's figures: per packer and picker for a warehouse day (JSON and CSV)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Query, Response

from wms.adapters.db.types import utcnow
from wms.api.deps import Caller
from wms.domain.incoming import BEIJING
from wms.http import UowDep
from wms.services.board import per_person

router = APIRouter(tags=["reports"])


def _day(day: date | None) -> date:
    return day or utcnow().astimezone(BEIJING).date()


@router.get("/reports/people")
def people_figures(uow: UowDep, who: Caller, day: date | None = Query(default=None),
                   shift: str | None = Query(default=None, max_length=20, description="HH:MM-HH:MM")) -> dict:
    """Per packer (parcels, units, wrong scans and weight mismatches caught, overrides) and per
    picker (lines, units), with hours active and the rate; `day` (YYYY-MM-DD, China time), default
    today; `shift` a part of it ("08:00-20:00"; "20:00-08:00" runs into the next morning)."""
    return per_person.figures(uow, _day(day), shift)


@router.get("/reports/people.csv", response_class=Response)
def people_csv(uow: UowDep, who: Caller, day: date | None = Query(default=None),
               shift: str | None = Query(default=None, max_length=20)) -> Response:
    """The same figures as CSV (UTF-8 with BOM, for Excel)."""
    view = per_person.figures(uow, _day(day), shift)
    return Response(per_person.figures_csv(view), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="people-{view["day"]}.csv"'})
