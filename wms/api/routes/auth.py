"""Signing in and keeping a token alive: password or badge login (locked after repeated failures),
refresh (how a station agent keeps working past its token's lifetime), and who am I."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import Field

from wms.adapters.db.uow import UnitOfWork
from wms.api.deps import Caller, bearer_token
from wms.api.schemas import Body
from wms.http import client_address
from wms.services.people import auth, login_guard

router = APIRouter(tags=["auth"])


class LoginIn(Body):
    username: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=200)


def _token_answer(token: str, who: auth.Principal) -> dict:
    return {"token": token, "name": who.name, "role": who.role,
            "expires_at": who.expires_at.isoformat() if who.expires_at else None}


@router.post("/auth/login")
def api_login(body: LoginIn, request: Request) -> dict:
    """A user name and password for a bearer token; 401 bad_credentials, 429 login_locked
    (with Retry-After) after repeated failures for the name or from the address."""
    settings = request.app.state.settings
    with UnitOfWork(request.app.state.engine) as uow:
        token, who = login_guard.sign_in(uow, body.username, body.password, client_address(request),
                                         login_guard.Limits.of(settings))
        uow.commit()
    return _token_answer(token, who)


class BadgeIn(Body):
    badge: str = Field(min_length=1, max_length=80)


@router.post("/auth/badge")
def api_badge_login(body: BadgeIn, request: Request) -> dict:
    """A scanned badge (`wms user badge`) for a bearer token; 401 bad_badge, 429 login_locked
    after repeated failures from the address."""
    settings = request.app.state.settings
    with UnitOfWork(request.app.state.engine) as uow:
        token, who = login_guard.sign_in_with_badge(uow, body.badge, client_address(request),
                                                    login_guard.Limits.of(settings))
        uow.commit()
    return _token_answer(token, who)


@router.post("/auth/refresh")
def refresh(request: Request) -> dict:
    """A new token for the one sent (still valid, or expired within WMS_TOKEN_REFRESH_GRACE_S);
    the old one stops working a minute later. 401 token_expired past the grace."""
    token, _ = bearer_token(request)
    settings = request.app.state.settings
    with UnitOfWork(request.app.state.engine) as uow:
        new, who = auth.refresh_token(uow, token, lifetime_s=settings.token_lifetime_s,
                                      grace_s=settings.token_refresh_grace_s)
        uow.commit()
    request.app.state.principals.forget(token)
    return _token_answer(new, who)


@router.get("/auth/me")
def me(who: Caller) -> dict:
    """Who the token belongs to and when it expires."""
    return {"name": who.name, "role": who.role,
            "expires_at": who.expires_at.isoformat() if who.expires_at else None}
