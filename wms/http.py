"""What the API (`wms.api`) and the pages (`wms.web`) both stand on: one unit of work per
request, the cookie the pages log in with (the API reads it too), and the CSRF check of
requests that cookie signs."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request, Response

from wms.adapters.db.uow import UnitOfWork

TOKEN_COOKIE = "wms_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# CSRF, double submit: the pages get a random value in the wms_csrf cookie (HttpOnly, SameSite)
# and the same value in the page itself (a hidden form field, and a <meta> the page's scripts
# send as the X-CSRF-Token header). A request the browser signs with its cookie is taken only
# with both, equal: another site can make the browser send the cookie, never read the value.
CSRF_COOKIE = "wms_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
CSRF_MAX_AGE = 7 * 24 * 3600  # outlives a sign-in, so a page left open (or restored) still posts


async def get_uow(request: Request) -> AsyncIterator[UnitOfWork]:
    """One unit of work per request; GETs read without taking the SQLite write lock.

    Async only so FastAPI does not hop threads to open it: opening touches no database, and
    closing returns the connection (rolling back what the route did not commit).
    """
    with UnitOfWork(request.app.state.engine, read_only=request.method in ("GET", "HEAD")) as uow:
        yield uow


UowDep = Annotated[UnitOfWork, Depends(get_uow)]


def csrf_value(request: Request) -> str:
    """The value this browser's pages carry: its cookie's, or a new one (`set_cookies` sets it)."""
    value = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "csrf_new", None)
    if not value:
        value = request.state.csrf_new = secrets.token_urlsafe(24)
    return value


def csrf_ok(request: Request, sent: str | None) -> bool:
    cookie = request.cookies.get(CSRF_COOKIE, "")
    return bool(cookie) and bool(sent) and secrets.compare_digest(cookie.encode(), (sent or "").encode())


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int | None = None) -> None:
    """Every cookie the service sets: HttpOnly, SameSite=Strict, Secure over https."""
    response.set_cookie(name, value, max_age=max_age, path="/", httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")


def set_csrf_cookie(request: Request, response: Response) -> None:
    """Sends the CSRF cookie if `csrf_value` made a new one for this answer."""
    value = getattr(request.state, "csrf_new", None)
    if value:
        set_cookie(request, response, CSRF_COOKIE, value, max_age=CSRF_MAX_AGE)


def client_address(request: Request) -> str:
    """The peer's address, as sign-in failures are counted (a proxy in front: its address)."""
    return request.client.host if request.client else "unknown"
