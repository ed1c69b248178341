"""Server-rendered pages for the people on the floor: sign-in, the overview board, and the
routers of the pack station, after-sales and returns pages."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from wms.adapters.db.types import utcnow
from wms.domain.errors import Forbidden, TooManyAttempts, Unauthorized
from wms.domain.incoming import BEIJING
from wms.http import TOKEN_COOKIE, UowDep, client_address, csrf_ok, set_cookie
from wms.services import local_time
from wms.services.board import overview as board
from wms.services.board import per_person
from wms.services.orders import ship_clock
from wms.services.packing.heartbeats import all_stations, station_view
from wms.services.people import login_guard
from wms.web import pages_aftersales, pages_returns, pages_station
from wms.web.charts import hourly_bars_svg
from wms.web.common import current_user, gate, home_for, render, safe_next, templates

__all__ = ["router", "templates"]

router = APIRouter(include_in_schema=False)
router.include_router(pages_station.router)
router.include_router(pages_aftersales.router)
router.include_router(pages_returns.router)


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
    badge: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """A scanned badge, a pasted token (from `wms token create`) or a user name and password;
    all are locked out after repeated failures (login_guard), and the form must carry its CSRF
    value."""
    settings = request.app.state.settings
    limits = login_guard.Limits.of(settings)
    who, value, problem = None, "", None
    try:
        if not csrf_ok(request, csrf_token):
            problem = Forbidden("The form has expired; sign in again. 表单已过期，请重新登录。", "csrf_failed")
        elif badge.strip():
            value, who = login_guard.sign_in_with_badge(uow, badge, client_address(request), limits)
            uow.commit()
        elif token.strip():
            who = login_guard.sign_in_with_token(uow, token, client_address(request), limits)
            value = token.strip()
        elif username.strip():
            value, who = login_guard.sign_in(uow, username, password, client_address(request), limits)
            uow.commit()
        else:
            problem = Unauthorized("Scan your badge, enter a user name and password, or paste a token. "
                                   "请扫工牌, 或输入账号密码或令牌。",
                                   "bad_credentials")
    except (Unauthorized, TooManyAttempts) as exc:
        problem = exc
    if who is None:
        assert problem is not None
        page = render(request, "login.html", None, status_code=problem.status, error=problem.message, error_code=problem.code, username=username.strip()[:80],
            next=safe_next(next) or "")
        if isinstance(problem, TooManyAttempts):
            page.headers["Retry-After"] = str(problem.retry_after_s)
        return page
    answer = RedirectResponse(safe_next(next) or home_for(who), status_code=303)
    lifetime = (who.expires_at - utcnow()).total_seconds() if who.expires_at else settings.token_lifetime_s
    set_cookie(request, answer, TOKEN_COOKIE, value, max_age=max(1, int(lifetime)))
    return answer


@router.api_route("/logout", methods=["GET", "POST"])
def logout(request: Request, csrf_token: Annotated[str, Form()] = "") -> Response:
    """Sign out: the token behind the cookie is revoked, then the cookie cleared. A POST (the
    pages' button) must carry the form's CSRF value; a GET comes only from this site's own
    links, since the SameSite cookie is not sent from another site's."""
    from wms.adapters.db.uow import UnitOfWork
    from wms.services.people.auth import revoke_token

    if request.method == "POST" and not csrf_ok(request, csrf_token):
        return JSONResponse({"error": "csrf_failed", "message": "the sign-out form has expired; reload the page"},
                            status_code=403)
    token = request.cookies.get(TOKEN_COOKIE)
    if token:
        request.app.state.principals.forget(token)
        with UnitOfWork(request.app.state.engine) as uow:
            revoke_token(uow, token)
            uow.commit()
    answer = RedirectResponse("/login", status_code=303)
    answer.delete_cookie(TOKEN_COOKIE, path="/", httponly=True, samesite="strict")
    return answer


def _order_desk(uow: UowDep, who: object, status: str | None, hold_reason: str | None, shop: str | None,
                ship_by_before: str | None) -> dict:
    """The overview's order list: held orders by default, filtered as the lead asks."""
    from wms.domain import incoming
    from wms.domain.errors import DomainError
    from wms.domain.orders import STATUSES
    from wms.services.orders import records

    f = {"status": status if status is not None else "on_hold", "hold_reason": hold_reason, "shop": shop,
         "ship_by_before": ship_by_before}
    rows, error = [], None
    try:
        before = incoming.parse_time(ship_by_before, "ship by before") if ship_by_before else None
        found = records.list_orders(uow, f["status"] or None, hold_reason or None, shop or None, before, limit=100)
        rows = [records.summary(o, mask=True) for o in found]
    except DomainError as exc:
        error = exc.message
    can_fix = getattr(who, "role", None) in ("supervisor", "admin")  # the release and edit APIs are theirs
    return {"f": f, "order_rows": rows, "order_error": error, "order_statuses": STATUSES, "can_fix": can_fix}


DUE_HOURS = 6  # the board's countdown looks this far ahead


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, uow: UowDep, status: str | None = None, hold_reason: str | None = None,
             shop: str | None = None, ship_by_before: str | None = None, wall: bool = False) -> Response:
    """The lead's board; `?wall=1` is the wall display: no order desk, larger, refreshing every 15 s."""
    who = gate(request, uow, "overview")
    if isinstance(who, Response):
        return who
    now = utcnow()
    due = ship_clock.due_within(uow, DUE_HOURS, now=now, limit=12)
    for d in due:
        d["countdown"] = board.countdown((datetime.fromisoformat(d["ship_by"]) - now).total_seconds() / 3600)
        d["ship_by_local"] = local_time.local(d["ship_by"], "%m-%d %H:%M")
    hours = board.parcels_per_hour(uow)
    queue = board.print_queue_waiting(uow)
    return render(
        request, "overview.html", who,
        c=board.warehouse_counts(uow),
        warehouse=board.warehouse_name(uow),
        today=board.mismatch_rate_today(uow),
        waves=board.waves_in_progress(uow),
        stations=[station_view(s) for s in all_stations(uow)],
        printers=board.printer_status(uow),
        queue=queue,
        print_failures=[j for j in queue if j["status"] == "failed"],
        sync_errors=board.platform_sync_errors(uow),
        due=due, due_hours=DUE_HOURS, wall=wall,
        hourly_chart=hourly_bars_svg(hours), parcels_today=sum(h["parcels"] for h in hours),
        now_local=local_time.local(utcnow(), "%Y-%m-%d %H:%M"), time_zone=local_time.zone_name(),
        low=board.low_stock(uow),
        low_at=board.LOW_STOCK_AT,
        pool_warnings=board.tracking_number_warnings(uow, request.app.state.settings.tracking_pool_low_water),
        outbox=board.outbox_problems(uow),
        people=per_person.figures(uow, utcnow().astimezone(BEIJING).date()),
        **_order_desk(uow, who, status, hold_reason, shop, ship_by_before),
    )
