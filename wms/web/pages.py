"""Server-rendered pages for the people on the floor: sign-in, the overview board, and the
routers of the pack station, after-sales and returns pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from wms.http import TOKEN_COOKIE, UowDep
from wms.services import overview as board
from wms.services.auth import authenticate, login
from wms.services.stations import all_stations, station_view
from wms.web import pages_aftersales, pages_returns, pages_station
from wms.web.common import current_user, gate, home_for, render, safe_next, templates

__all__ = ["router", "templates"]

router = APIRouter(include_in_schema=False)
router.include_router(pages_station.router)
router.include_router(pages_aftersales.router)
router.include_router(pages_returns.router)

COOKIE_MAX_AGE = 12 * 3600  # one shift; the bench signs in again the next day


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, uow: UowDep, next: str | None = None) -> HTMLResponse:
    return render(request, "login.html", current_user(request, uow), next=safe_next(next) or "")


@router.post("/login", response_class=HTMLResponse)
def login_submit(
    request: Request,
    uow: UowDep,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    """Either a pasted token (from `wms token create`) or a user name and password."""
    if token.strip():
        who = authenticate(uow, token.strip())
        value = token.strip()
        problem = "That token is not known or was revoked. 令牌无效。"
    elif username.strip():
        found = login(uow, username.strip(), password)
        who, value = (found[1], found[0]) if found else (None, "")
        problem = "Wrong user name or password. 用户名或密码错误。"
    else:
        who, value, problem = None, "", "Enter a user name and password, or paste a token. 请输入账号密码或令牌。"
    if who is None:
        return render(request, "login.html", None, status_code=401, error=problem,
                      username=username.strip(), next=safe_next(next) or "")
    answer = RedirectResponse(safe_next(next) or home_for(who), status_code=303)
    answer.set_cookie(TOKEN_COOKIE, value, max_age=COOKIE_MAX_AGE, path="/", httponly=True,
                      samesite="strict", secure=request.url.scheme == "https")
    return answer


@router.api_route("/logout", methods=["GET", "POST"])
def logout(request: Request) -> Response:
    """Sign out: the token behind the cookie is revoked, then the cookie cleared."""
    from wms.adapters.db.uow import UnitOfWork
    from wms.services.auth import revoke_token

    token = request.cookies.get(TOKEN_COOKIE)
    if token:
        request.app.state.principals.forget(token)
        with UnitOfWork(request.app.state.engine) as uow:
            revoke_token(uow, token)
    answer = RedirectResponse("/login", status_code=303)
    answer.delete_cookie(TOKEN_COOKIE, path="/", httponly=True, samesite="strict")
    return answer


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, uow: UowDep) -> Response:
    who = gate(request, uow, "overview")
    if isinstance(who, Response):
        return who
    return render(
        request, "overview.html", who,
        c=board.warehouse_counts(uow),
        warehouse=board.warehouse_name(uow),
        today=board.mismatch_rate_today(uow),
        waves=board.waves_in_progress(uow),
        stations=[station_view(s) for s in all_stations(uow)],
        printers=board.printer_status(uow),
        queue=board.print_queue_waiting(uow),
        low=board.low_stock(uow),
        low_at=board.LOW_STOCK_AT,
    )
