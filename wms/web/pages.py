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


def _order_desk(uow: UowDep, who: object, status: str | None, hold_reason: str | None, shop: str | None,
                ship_by_before: str | None) -> dict:
    """The overview's order list: held orders by default, filtered as the lead asks."""
    from wms.domain.errors import DomainError
    from wms.domain.orders import STATUSES
    from wms.services import orders

    f = {"status": status if status is not None else "on_hold", "hold_reason": hold_reason, "shop": shop,
         "ship_by_before": ship_by_before}
    rows, error = [], None
    try:
        before = orders.parse_time(ship_by_before, "ship by before") if ship_by_before else None
        found = orders.list_orders(uow, f["status"] or None, hold_reason or None, shop or None, before, limit=100)
        rows = [orders.summary(o, mask=True) for o in found]
    except DomainError as exc:
        error = exc.message
    return {"f": f, "order_rows": rows, "order_error": error, "order_statuses": STATUSES}


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, uow: UowDep, status: str | None = None, hold_reason: str | None = None,
             shop: str | None = None, ship_by_before: str | None = None) -> Response:
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
        **_order_desk(uow, who, status, hold_reason, shop, ship_by_before),
    )
