"""The API's request dependencies: who is calling, with which role (the unit of work per
request is `wms.http.UowDep`, shared with the pages)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.engine import Engine
from starlette.concurrency import run_in_threadpool

from wms.adapters.db.uow import UnitOfWork
from wms.api.errors import ApiError
from wms.http import TOKEN_COOKIE
from wms.services.auth import Principal, authenticate


async def get_principal(request: Request) -> Principal:
    """Who is calling; looked up in a read-only unit of work of its own, so a writing request
    does not hold the SQLite write lock while its token is being checked. Tokens checked in the
    last seconds come from the app's cache (see PrincipalCache) without leaving the event loop;
    a database look-up goes to the thread pool, so the loop never waits on a connection."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if not header and request.cookies.get(TOKEN_COOKIE):
        scheme, token = "bearer", request.cookies[TOKEN_COOKIE]  # the pages log in with a cookie
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "unauthorized", "send Authorization: Bearer <token>",
                       {"WWW-Authenticate": "Bearer"})
    cache = request.app.state.principals
    principal = cache.get(token.strip())
    if principal is None:
        principal = await run_in_threadpool(_look_up, request.app.state.engine, token.strip())
        if principal is not None:
            cache.put(token.strip(), principal)
    if principal is None:
        raise ApiError(401, "unauthorized", "the token is not known or was revoked",
                       {"WWW-Authenticate": "Bearer"})
    return principal


def _look_up(engine: Engine, token: str) -> Principal | None:
    with UnitOfWork(engine, read_only=True) as uow:
        return authenticate(uow, token)


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require(*roles: str) -> Callable[[Principal], Principal]:
    """A dependency that lets through only principals whose role grants one of `roles`."""

    async def _check(principal: PrincipalDep) -> Principal:  # async: no thread hop for a comparison
        if not principal.may(*roles):
            raise ApiError(403, "forbidden",
                           f"role {principal.role} may not do this (needs {' or '.join(roles)})")
        return principal

    return _check


Admin = Annotated[Principal, Depends(require("admin"))]
Packer = Annotated[Principal, Depends(require("packer"))]
Supervisor = Annotated[Principal, Depends(require("supervisor"))]
AfterSales = Annotated[Principal, Depends(require("after_sales", "supervisor"))]
Anyone = PrincipalDep
