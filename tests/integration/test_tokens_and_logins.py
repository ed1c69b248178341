"""Tokens expire and are refreshed, sign-ins are locked after repeated failures, page forms
and cookie-signed API calls need the CSRF value, and every cookie is HttpOnly + SameSite."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlmodel import select

from tests.integration.conftest import page_form
from wms.adapters.db.tables import ApiToken, LoginFailure
from wms.adapters.db.types import utcnow
from wms.adapters.db.uow import UnitOfWork
from wms.app import create_app
from wms.config import Settings
from wms.services.people.auth import create_token, create_user

PASSWORD = "right-pass-1"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def short(engine, monkeypatch) -> Iterator[TestClient]:
    """The service with settings from the environment, as `wms serve` reads them."""
    monkeypatch.setenv("WMS_TOKEN_LIFETIME_S", "2")
    monkeypatch.setenv("WMS_TOKEN_REFRESH_GRACE_S", "600")
    monkeypatch.setenv("WMS_LOGIN_MAX_FAILURES", "3")
    monkeypatch.setenv("WMS_LOGIN_ADDRESS_MAX_FAILURES", "6")
    monkeypatch.setenv("WMS_LOGIN_LOCKOUT_S", "300")
    with UnitOfWork(engine) as uow:
        create_user(uow, "wang", PASSWORD, "packer")
        uow.commit()
        create_user(uow, "li", PASSWORD, "supervisor")
        uow.commit()
    with TestClient(create_app(engine, Settings(_env_file=None)), raise_server_exceptions=False) as c:  # type: ignore[call-arg]
        yield c


def expire(engine, token_name: str, ago: timedelta) -> None:
    with UnitOfWork(engine) as uow:
        uow.session.execute(update(ApiToken).where(ApiToken.name == token_name)  # type: ignore[arg-type]
                            .values(expires_at=utcnow() - ago))
        uow.commit()


# ---------------------------------------------------------------- expiry and refresh


def test_a_token_stops_working_at_the_end_of_its_configured_lifetime_even_when_cached(short):
    r = short.post("/api/auth/login", json={"username": "wang", "password": PASSWORD})
    assert r.status_code == 200, r.text
    token, expires = r.json()["token"], r.json()["expires_at"]
    assert short.get("/api/stations", headers=bearer(token)).status_code == 200  # now in the cache (30 s)
    assert short.get("/api/auth/me", headers=bearer(token)).json()["expires_at"] == expires
    time.sleep(2.1)
    r = short.get("/api/stations", headers=bearer(token))
    assert r.status_code == 401 and r.json()["error"] == "token_expired" and r.json()["message"]


def test_refreshing_gives_a_new_token_and_ends_the_old_one_a_minute_later(client, engine, tokens):
    old = tokens["packer"]
    r = client.post("/api/auth/refresh", headers=bearer(old))
    assert r.status_code == 200, r.text
    new = r.json()["token"]
    assert new != old and r.json()["role"] == "packer" and r.json()["name"] == "test-packer"
    assert client.get("/api/stations", headers=bearer(new)).status_code == 200
    assert client.get("/api/stations", headers=bearer(old)).status_code == 200, "requests on their way still pass"
    with UnitOfWork(engine) as uow:
        rows = {r.refreshed_at is None: r for r in uow.session.exec(
            select(ApiToken).where(ApiToken.name == "test-packer")).all()}
    assert rows[False].expires_at <= utcnow() + timedelta(seconds=61)  # the old one: a minute more at most
    assert rows[True].expires_at > utcnow() + timedelta(minutes=59)  # the new one: a full lifetime


def test_a_token_expired_within_the_grace_can_be_refreshed_and_one_expired_long_ago_cannot(client, engine, tokens):
    expire(engine, "test-packer", timedelta(minutes=30))  # grace is an hour
    r = client.get("/api/stations", headers=bearer(tokens["packer"]))
    assert r.status_code == 401 and r.json()["error"] == "token_expired"
    r = client.post("/api/auth/refresh", headers=bearer(tokens["packer"]))
    assert r.status_code == 200 and client.get("/api/stations", headers=bearer(r.json()["token"])).status_code == 200

    expire(engine, "test-after_sales", timedelta(hours=2))
    r = client.post("/api/auth/refresh", headers=bearer(tokens["after_sales"]))
    assert r.status_code == 401 and r.json()["error"] == "token_expired"


def test_a_token_is_exchanged_once_and_a_made_up_one_never(client, engine, tokens):
    first = client.post("/api/auth/refresh", headers=bearer(tokens["admin"]))
    again = client.post("/api/auth/refresh", headers=bearer(tokens["admin"]))  # the first answer was lost
    assert first.status_code == again.status_code == 200
    with UnitOfWork(engine) as uow:
        uow.session.execute(update(ApiToken).where(ApiToken.refreshed_at.is_not(None))  # type: ignore[union-attr]
                            .values(refreshed_at=utcnow() - timedelta(minutes=2), expires_at=utcnow() + timedelta(hours=1)))
        uow.commit()
    r = client.post("/api/auth/refresh", headers=bearer(tokens["admin"]))
    assert r.status_code == 401 and r.json()["error"] == "token_refreshed"
    r = client.post("/api/auth/refresh", headers=bearer("wms_made_up"))
    assert r.status_code == 401 and r.json()["error"] == "unauthorized"
    assert client.post("/api/auth/refresh").status_code == 401


def test_an_expired_cookie_sends_the_browser_to_sign_in(client, engine, tokens):
    expire(engine, "test-packer", timedelta(seconds=1))
    client.cookies.set("wms_token", tokens["packer"])
    r = client.get("/station", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_wms_token_create_takes_a_lifetime(engine):
    with UnitOfWork(engine) as uow:
        create_token(uow, "packer", "PK-09", lifetime_s=90)
        uow.commit()
        row = uow.session.exec(select(ApiToken).where(ApiToken.name == "PK-09")).one()
    assert utcnow() + timedelta(seconds=85) < row.expires_at <= utcnow() + timedelta(seconds=90)


# ---------------------------------------------------------------- lock-out


def test_a_name_is_locked_after_repeated_failures_even_for_the_right_password(short):
    for _ in range(3):
        r = short.post("/api/auth/login", json={"username": "wang", "password": "guess"})
        assert r.status_code == 401 and r.json()["error"] == "bad_credentials"
    r = short.post("/api/auth/login", json={"username": "wang", "password": PASSWORD})
    assert r.status_code == 429 and r.json()["error"] == "login_locked" and r.json()["message"]
    assert 0 < int(r.headers["retry-after"]) <= 300
    assert short.post("/api/auth/login", json={"username": "li", "password": PASSWORD}).status_code == 200, \
        "another name from the same address is not locked"


def test_the_lock_lifts_when_the_failures_age_out_of_the_window(short, engine):
    for _ in range(3):
        short.post("/api/auth/login", json={"username": "wang", "password": "guess"})
    assert short.post("/api/auth/login", json={"username": "wang", "password": PASSWORD}).status_code == 429
    with UnitOfWork(engine) as uow:
        uow.session.execute(update(LoginFailure).values(at=utcnow() - timedelta(seconds=301)))
        uow.commit()
    assert short.post("/api/auth/login", json={"username": "wang", "password": PASSWORD}).status_code == 200


def test_a_success_clears_the_names_failures(short):
    for _ in range(2):
        short.post("/api/auth/login", json={"username": "wang", "password": "guess"})
    assert short.post("/api/auth/login", json={"username": "wang", "password": PASSWORD}).status_code == 200
    for _ in range(2):
        short.post("/api/auth/login", json={"username": "wang", "password": "guess"})
    assert short.post("/api/auth/login", json={"username": "wang", "password": PASSWORD}).status_code == 200


def test_an_address_trying_many_names_is_locked(short):
    for n in range(6):
        short.post("/api/auth/login", json={"username": f"nobody{n}", "password": "guess"})
    r = short.post("/api/auth/login", json={"username": "li", "password": PASSWORD})
    assert r.status_code == 429 and r.json()["error"] == "login_locked" and "address" in r.json()["message"]


def test_the_sign_in_page_is_locked_the_same_way_and_says_so(short):
    for _ in range(3):
        r = short.post("/login", data=page_form(short, username="wang", password="guess"), follow_redirects=False)
        assert r.status_code == 401
    r = short.post("/login", data=page_form(short, username="wang", password=PASSWORD), follow_redirects=False)
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    assert 'data-error="login_locked"' in r.text and "wms_token=" not in r.headers.get("set-cookie", "")


def test_pasted_tokens_count_against_the_address(short):
    for _ in range(6):
        assert short.post("/login", data=page_form(short, token="wms_guess"), follow_redirects=False).status_code == 401
    r = short.post("/login", data=page_form(short, username="li", password=PASSWORD), follow_redirects=False)
    assert r.status_code == 429


# ---------------------------------------------------------------- CSRF and cookies


def test_a_page_form_without_its_csrf_value_is_refused(client, engine, tokens):
    with UnitOfWork(engine) as uow:
        create_user(uow, "wang", PASSWORD, "packer")
        uow.commit()
    for data in ({"username": "wang", "password": PASSWORD}, {"username": "wang", "password": PASSWORD,
                                                               "csrf_token": "forged"}):
        client.get("/login")  # the browser has the cookie; the forged form lacks the value
        r = client.post("/login", data=data, follow_redirects=False)
        assert r.status_code == 403 and 'data-error="csrf_failed"' in r.text
        assert "wms_token=" not in r.headers.get("set-cookie", "")

    client.cookies.set("wms_token", tokens["admin"])
    r = client.post("/logout", follow_redirects=False)
    assert r.status_code == 403 and r.json()["error"] == "csrf_failed"
    assert client.get("/api/stations", headers=bearer(tokens["admin"])).status_code == 200, "not signed out"


def test_a_cookie_signed_api_call_needs_the_csrf_header_and_a_bearer_call_does_not(client, tokens):
    body = {"order_no": "NOPE", "station": "PK-01"}
    client.cookies.set("wms_token", tokens["packer"])
    csrf = page_form(client, "/station")["csrf_token"]
    assert client.get("/api/stations").status_code == 200, "reading needs no CSRF value"
    r = client.post("/api/pack/sessions", json=body)
    assert r.status_code == 403 and r.json()["error"] == "csrf_failed"
    r = client.post("/api/pack/sessions", json=body, headers={"X-CSRF-Token": "forged"})
    assert r.status_code == 403 and r.json()["error"] == "csrf_failed"
    r = client.post("/api/pack/sessions", json=body, headers={"X-CSRF-Token": csrf})
    assert r.status_code not in (401, 403), r.text
    client.cookies.clear()
    r = client.post("/api/pack/sessions", json=body, headers=bearer(tokens["packer"]))
    assert r.status_code not in (401, 403), r.text


def test_every_cookie_the_service_sets_is_httponly_and_samesite(client, engine):
    with UnitOfWork(engine) as uow:
        create_user(uow, "wang", PASSWORD, "packer")
        uow.commit()
    first = client.get("/login")
    signed_in = client.post("/login", data=page_form(client, username="wang", password=PASSWORD),
                            follow_redirects=False)
    cookies = first.headers.get_list("set-cookie") + signed_in.headers.get_list("set-cookie")
    assert {c.split("=", 1)[0] for c in cookies} == {"wms_csrf", "wms_token"}
    for cookie in cookies:
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie, cookie
