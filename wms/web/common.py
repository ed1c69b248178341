"""What every page shares: the templates, who is signed in, and the gate that lets a role use
a page by the table in `wms.access`."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from wms import access
from wms.adapters.db.uow import UnitOfWork
from wms.http import CSRF_FIELD, TOKEN_COOKIE, csrf_value, set_csrf_cookie
from wms.services.people.auth import Principal, authenticate

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))

# The pages in the navigation bar: key: (path, title); who may open each is wms.access.PAGES.
PAGES: dict[str, tuple[str, str]] = {
    "overview": ("/", "Overview 总览"),
    "station": ("/station", "Pack station 打包台"),
    "after_sales": ("/after-sales", "After-sales 售后"),
    "returns": ("/returns", "Returns 退货"),
}

ROLE_NAMES = {"packer": "packer 打包员", "supervisor": "supervisor 主管",
              "after_sales": "after-sales 售后", "admin": "admin 管理员"}


def current_user(request: Request, uow: UnitOfWork) -> Principal | None:
    """The person behind the page's cookie (or an Authorization header), if the token is valid."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if not header:
        scheme, token = "bearer", request.cookies.get(TOKEN_COOKIE, "")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return authenticate(uow, token.strip())


def may_open(who: Principal, page: str) -> bool:
    return who.role in (access.page_roles("GET", PAGES[page][0]) or ())


def _route_roles(request: Request) -> access.Roles:
    """Who may use the page route that matched (nobody, if wms.access.PAGES lacks it)."""
    return access.page_roles(request.method, getattr(request.scope.get("route"), "path", "")) or frozenset()


def home_for(who: Principal) -> str:
    """Where a role lands after signing in: the page it works on all day."""
    if who.role == "packer":
        return "/station"
    if who.role == "after_sales":
        return "/after-sales"
    return "/"


def safe_next(target: str | None) -> str | None:
    """Only a local path may be a post-login target (no open redirect to another site)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in target):
        return None  # browsers drop tabs and newlines: "/\t/evil.example" would become "//evil.example"
    return target


def render(request: Request, template: str, who: Principal | None, status_code: int = 200,
           **context: Any) -> HTMLResponse:
    """A page from its template. Every page carries the CSRF value (`csrf`: the forms' hidden
    field and the <meta> the scripts send back); Jinja escapes every value put in the page."""
    nav = [(key, path, title) for key, (path, title) in PAGES.items() if who and may_open(who, key)]
    answer = templates.TemplateResponse(
        request, template, {"me": who, "nav": nav, "role_name": ROLE_NAMES.get(who.role, who.role) if who else "",
                            "csrf": csrf_value(request), "csrf_field": CSRF_FIELD, **context},
        status_code=status_code,
    )
    set_csrf_cookie(request, answer)
    return answer


def gate(request: Request, uow: UnitOfWork, page: str) -> Principal | Response:
    """The signed-in principal if wms.access.PAGES lets its role use the matched page route;
    otherwise the answer to send instead: a redirect to /login for nobody, a page saying why
    for a role that may not. `page` names the page's title."""
    who = current_user(request, uow)
    if who is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)
    roles = _route_roles(request)
    if who.role not in roles:
        return render(request, "forbidden.html", who, status_code=403, page_title=PAGES[page][1],
                      needs=[ROLE_NAMES.get(r, r) for r in access.ROLES if r in roles])
    return who


def gate_json(request: Request, uow: UnitOfWork) -> Principal | Response:
    """Like `gate`, for the small JSON and image helpers the pages fetch: 401/403 bodies, no
    redirects."""
    who = current_user(request, uow)
    if who is None:
        return JSONResponse({"error": "unauthorized", "message": "sign in again"}, status_code=401)
    if who.role not in _route_roles(request):
        return JSONResponse({"error": "forbidden", "message": f"role {who.role} may not use this"},
                            status_code=403)
    return who
