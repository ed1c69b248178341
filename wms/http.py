"""What the API (`wms.api`) and the pages (`wms.web`) both stand on: one unit of work per
request, and the name of the cookie the pages log in with (the API reads it too)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request

from wms.adapters.db.uow import UnitOfWork

TOKEN_COOKIE = "wms_token"


async def get_uow(request: Request) -> AsyncIterator[UnitOfWork]:
    """One unit of work per request; GETs read without taking the SQLite write lock.

    Async only so FastAPI does not hop threads to open it: opening touches no database, and
    closing returns the connection (rolling back what the route did not commit).
    """
    with UnitOfWork(request.app.state.engine, read_only=request.method in ("GET", "HEAD")) as uow:
        yield uow


UowDep = Annotated[UnitOfWork, Depends(get_uow)]
