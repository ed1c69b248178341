"""Server-rendered pages for the people on the floor."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from wms.api.deps import UowDep
from wms.services.overview import warehouse_counts
from wms.services.stock import default_warehouse

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, uow: UowDep) -> HTMLResponse:
    counts = warehouse_counts(uow)
    name = default_warehouse(uow).name
    return templates.TemplateResponse(request, "overview.html", {"c": counts, "warehouse": name})
