"""Access control checked from outside: every route in /openapi.json is called with no token,
a bad token, an expired token and each role's token, and each answer is compared with the one
table of who may do what (wms.access). A route the table does not list fails here, and is
refused to everyone at run time (default deny)."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select
from starlette.routing import Mount

from wms import access
from wms.adapters.db.tables import ApiToken
from wms.adapters.db.types import utcnow
from wms.adapters.db.uow import UnitOfWork
from wms.services.people.auth import ROLES, create_token

REPO = Path(__file__).resolve().parents[2]
METHODS = ("get", "post", "put", "patch", "delete")


def _app_routes(app) -> set[tuple[str, str]]:
    """(method, path template) of every route the app serves, the included routers' too."""
    try:  # FastAPI >= 0.16x keeps included routers as routers; iter_route_contexts flattens them
        from fastapi.routing import iter_route_contexts
        routes = list(iter_route_contexts(app.routes))
    except ImportError:
        routes = app.routes
    found = set()
    for route in routes:
        if isinstance(getattr(route, "original_route", route), Mount):
            continue  # /static: files, no rule needed
        path = route.path_format or route.path
        for method in route.methods or ():
            if method != "HEAD":
                found.add((method, path))
    return found


def _fill(template: str, spec: dict) -> str:
    """A concrete URL for the template: made-up ids (numbers where the schema wants one)."""
    kinds = {p["name"]: p.get("schema", {}).get("type") for p in spec.get("parameters", []) if p["in"] == "path"}
    return re.sub(r"\{(\w+)\}", lambda m: "987654" if kinds.get(m.group(1)) == "integer" else "nope-x1",
                  template)


def _query(spec: dict) -> dict[str, str]:
    """Required query parameters, with a value of their type (so a 422 does not hide the check)."""
    values = {"integer": "1", "number": "1", "boolean": "false"}
    return {p["name"]: values.get(p.get("schema", {}).get("type"), "x") for p in spec.get("parameters", [])
            if p["in"] == "query" and p.get("required")}


@pytest.fixture
def expired_token(engine) -> str:
    with UnitOfWork(engine) as uow:
        token = create_token(uow, "admin", "expired-admin", lifetime_s=60)
        row = uow.session.exec(select(ApiToken).where(ApiToken.name == "expired-admin")).one()
        row.expires_at = utcnow() - timedelta(days=2)  # past the refresh grace too
        uow.session.add(row)
        uow.commit()
    return token


def test_every_route_the_app_serves_has_exactly_one_rule_in_the_table(client):
    served = _app_routes(client.app)
    table = set(access.API) | set(access.PAGES) | set(access.SIGNED)
    assert served - table == set(), "routes without an access rule (add them to wms/access.py)"
    assert table - served == set(), "rules for routes that do not exist (stale entries in wms/access.py)"
    assert not set(access.API) & set(access.PAGES)


def test_a_route_missing_from_the_table_is_refused_to_every_role(client, tokens):
    from fastapi import APIRouter, Depends

    from wms.api.deps import Caller, authorize

    extra = APIRouter(prefix="/api", dependencies=[Depends(authorize)])

    @extra.get("/not-in-the-table")
    def sneaky(who: Caller) -> dict:
        return {"secret": True}

    client.app.include_router(extra)
    for role in ROLES:
        r = client.get("/api/not-in-the-table", headers={"Authorization": f"Bearer {tokens[role]}"})
        assert r.status_code == 403 and r.json()["error"] == "forbidden", role


def test_every_route_answers_each_caller_as_the_table_says(client, engine, tokens, expired_token):
    spec = client.get("/openapi.json").json()
    callers: dict[str, str | None] = {"no token": None, "bad token": "wms_not_a_real_token",
                                      "expired token": expired_token, **{r: tokens[r] for r in ROLES}}
    checked, routes, problems = 0, 0, []
    operations = [(m.upper(), path, op) for path, item in spec["paths"].items() for m, op in item.items()
                  if m in METHODS]
    assert len(operations) == len(access.API), "openapi.json and the table list different routes"
    for method, template, op in operations:
        roles = access.API[(method, template)]
        url, params = _fill(template, op), _query(op)
        routes += 1
        for who, token in callers.items():
            if (method, template) == access.REFRESH and who in ROLES:
                with UnitOfWork(engine) as uow:  # refreshing ends the token: use one of its own
                    token = create_token(uow, who, f"walk-{who}", lifetime_s=600)
                    uow.commit()
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            r = client.request(method, url, params=params, headers=headers)
            checked += 1
            status, body = r.status_code, _json(r)
            want = _expected(roles, who)
            where = f"{method} {template} as {who}: {status} {r.text[:120]}"
            if status >= 500:
                problems.append(where)
            elif want == "allowed" and status in (401, 403):
                problems.append(where + " (should be allowed)")
            elif want != "allowed" and status != want:
                problems.append(where + f" (should be {want})")
            elif status >= 400 and not (isinstance(body, dict) and {"error", "message"} <= set(body)):
                problems.append(where + " (no {error, message} body)")
            elif who == "expired token" and want == 401 and body.get("error") != "token_expired":
                problems.append(where + " (should say token_expired)")
    (REPO / "test-output").mkdir(exist_ok=True)
    (REPO / "test-output" / "access-walk.json").write_text(json.dumps(
        {"routes": routes, "callers": len(callers), "checked": checked, "problems": problems}, indent=1))
    print(f"\naccess walk: {routes} routes x {len(callers)} callers = {checked} requests checked")
    assert not problems, "\n".join(problems)
    assert checked == len(access.API) * len(callers)


def _expected(roles: access.Roles, who: str) -> int | str:
    if not roles:  # public
        return "allowed"
    if who in ("no token", "bad token", "expired token"):
        return 401
    return "allowed" if who in roles else 403


def _json(r):
    try:
        return r.json()
    except ValueError:
        return None


@pytest.mark.parametrize("method, path", sorted(k for k, v in access.PAGES.items() if v and k[0] == "GET"))
def test_every_page_lets_in_only_the_roles_of_the_table(client, tokens, method, path):
    url = path.replace("{tracking_no}", "SF-NOPE")
    params = {"station": "PK-01"} if path == "/station/state" else {}
    client.cookies.clear()
    r = client.get(url, params=params, follow_redirects=False)
    assert r.status_code in (303, 401)
    for role in ROLES:
        client.cookies.clear()
        client.cookies.set("wms_token", tokens[role])
        r = client.get(url, params=params, follow_redirects=False)
        if role in access.PAGES[(method, path)]:
            assert r.status_code not in (401, 403), (role, r.status_code)
        else:
            assert r.status_code == 403, (role, r.status_code)
