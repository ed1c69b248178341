"""The API's request dependencies: who is calling, and whether `wms.access` lets that role
call the route (the unit of work per request is `wms.http.UowDep`, shared with the pages)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.engine import Engine
from starlette.concurrency import run_in_threadpool

from wms import access
from wms.adapters.db.uow import UnitOfWork
from wms.api.errors import ApiError
from wms.domain.errors import Unauthorized
from wms.http import CSRF_HEADER, SAFE_METHODS, TOKEN_COOKIE, csrf_ok
from wms.services.people.auth import Principal, check_token

_BEARER = {"WWW-Authenticate": "Bearer"}


def bearer_token(request: Request) -> tuple[str, bool]:
    """The token the request carries and whether it came in the pages' cookie (then the request
    must also pass the CSRF check); ApiError 401 if there is none."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    from_cookie = not header and bool(request.cookies.get(TOKEN_COOKIE))
    if from_cookie:
        scheme, token = "bearer", request.cookies[TOKEN_COOKIE]
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "unauthorized", "send Authorization: Bearer <token>", _BEARER)
    return token.strip(), from_cookie


async def get_principal(request: Request) -> Principal:
    """Who is calling; looked up in a read-only unit of work of its own, so a writing request
    does not hold the SQLite write lock while its token is being checked. Tokens checked in the
    last seconds come from the app's cache (see PrincipalCache) without leaving the event loop;
    a database look-up goes to the thread pool, so the loop never waits on a connection."""
    token, _ = bearer_token(request)
    cache = request.app.state.principals
    principal = cache.get(token)
    if principal is None:
        try:
            principal = await run_in_threadpool(_look_up, request.app.state.engine, token)
        except Unauthorized as exc:
            raise ApiError(401, exc.code, exc.message, _BEARER) from None
        cache.put(token, principal)
    return principal


def _look_up(engine: Engine, token: str) -> Principal:
    with UnitOfWork(engine, read_only=True) as uow:
        return check_token(uow, token)


async def authorize(request: Request) -> None:
    """The API router's own dependency, run before every route: the caller's role must be one
    that `wms.access.API` lists for the matched route (a route it does not list: nobody), and
    a request signed by the pages' cookie must carry the CSRF header."""
    key = access.api_key(request.method, getattr(request.scope.get("route"), "path", ""))
    roles = access.API.get(key)
    if roles is None:
        raise ApiError(403, "forbidden", "this route has no access rule, so nobody may call it")
    if not roles:
        return  # PUBLIC
    _, from_cookie = bearer_token(request)
    if from_cookie and request.method not in SAFE_METHODS and not csrf_ok(request, request.headers.get(CSRF_HEADER)):
        raise ApiError(403, "csrf_failed", "the page is out of date: reload it (a request signed by the "
                                          "page's cookie needs its X-CSRF-Token header)")
    if key == access.REFRESH:
        return  # the route checks the token itself: one that expired a moment ago may be exchanged
    principal = await get_principal(request)
    if principal.role not in roles:
        raise ApiError(403, "forbidden",
                       f"role {principal.role} may not do this (allowed: {', '.join(sorted(roles))})")
    request.state.principal = principal


async def caller(request: Request) -> Principal:
    """The principal `authorize` let through (a route outside the API router has none: 403)."""
    principal = getattr(request.state, "principal", None)
    if principal is None:
        raise ApiError(403, "forbidden", "this route has no access rule, so nobody may call it")
    return principal


Caller = Annotated[Principal, Depends(caller)]
