"""What every page shares: the templates, who is signed in, and which pages a role may use."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from wms.adapters.db.uow import UnitOfWork
from wms.http import TOKEN_COOKIE
from wms.services.auth import Principal, authenticate

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))

# Which roles may open each page (Principal.may: admin may use all, supervisor also packs).
PAGES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    # key: (path, title, roles); an empty roles tuple means anyone signed in.
    "overview": ("/", "Overview 总览", ()),
    "station": ("/station", "Pack station 打包台", ("packer",)),
    "after_sales": ("/after-sales", "After-sales 售后", ("after_sales", "supervisor")),
    "returns": ("/returns", "Returns 退货", ("after_sales", "supervisor")),
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
    roles = PAGES[page][2]
    return not roles or who.may(*roles)


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
    nav = [(key, path, title) for key, (path, title, _) in PAGES.items() if who and may_open(who, key)]
    return templates.TemplateResponse(
        request, template, {"me": who, "nav": nav, "role_name": ROLE_NAMES.get(who.role, who.role) if who else "",
                            **context},
        status_code=status_code,
    )


def gate(request: Request, uow: UnitOfWork, page: str) -> Principal | Response:
    """The signed-in principal if it may use `page`; otherwise the answer to send instead:
    a redirect to /login for nobody, a page saying why for a role that may not."""
    who = current_user(request, uow)
    if who is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)
    if not may_open(who, page):
        path, title, roles = PAGES[page]
        return render(request, "forbidden.html", who, status_code=403, page_title=title,
                      needs=[ROLE_NAMES.get(r, r) for r in roles] + [ROLE_NAMES["admin"]])
    return who


def gate_json(request: Request, uow: UnitOfWork, page: str) -> Principal | Response:
    """Like `gate`, for the small JSON helpers the pages poll: 401/403 bodies, no redirects."""
    who = current_user(request, uow)
    if who is None:
        return JSONResponse({"error": "unauthorized", "message": "sign in again"}, status_code=401)
    if not may_open(who, page):
        return JSONResponse({"error": "forbidden", "message": f"role {who.role} may not use this page"},
                            status_code=403)
    return who
