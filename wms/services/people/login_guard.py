"""Signing in with a password, a badge (or a pasted token) under a lock-out: guessing is slowed to a
handful of tries per user name and per client address in each window.

Failures are rows in `login_failure`, so every process and instance of the service counts the
same ones. A user name is locked once `max_failures` failed sign-ins fall within the window,
an address once `address_max_failures` do; either lifts when enough of those failures are older
than the window (the answer says how long: 429 with Retry-After). While locked even the right
password is refused, else the lock would only slow guessing down, not stop it. A successful
sign-in clears the name's failures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import col, select

from wms.adapters.db.tables import LoginFailure
from wms.adapters.db.types import utcnow
from wms.adapters.db.uow import UnitOfWork
from wms.config import Settings
from wms.domain.errors import Forbidden, TooManyAttempts, Unauthorized
from wms.services.people.auth import Principal, authenticate, badge_holder, login, login_with_badge


@dataclass(frozen=True)
class Limits:
    max_failures: int = 5
    address_max_failures: int = 20
    window_s: int = 900
    lifetime_s: float = 12 * 3600  # of the token a sign-in gives

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        """From the service's Settings (`WMS_LOGIN_*`, `WMS_TOKEN_LIFETIME_S`)."""
        return cls(settings.login_max_failures, settings.login_address_max_failures,
                   settings.login_lockout_s, settings.token_lifetime_s)


def sign_in(uow: UnitOfWork, username: str, password: str, address: str, limits: Limits) -> tuple[str, Principal]:
    """A new token for the user; Unauthorized `bad_credentials`, or TooManyAttempts `login_locked`."""
    username, address = username.strip()[:80], (address or "unknown")[:64]
    _refuse_if_locked(uow, username, address, limits)
    found = login(uow, username, password, lifetime_s=limits.lifetime_s)
    if found is None:
        _fail(uow, username, address)
        raise Unauthorized("Wrong user name or password. 用户名或密码错误。", "bad_credentials")
    uow.session.execute(delete(LoginFailure).where(col(LoginFailure.username) == username))
    return found


def sign_in_with_token(uow: UnitOfWork, token: str, address: str, limits: Limits) -> Principal:
    """A pasted token (from `wms token create`), counted against the address like a password."""
    address = (address or "unknown")[:64]
    _refuse_if_locked(uow, "", address, limits)
    who = authenticate(uow, token.strip())
    if who is None:
        _fail(uow, "", address)
        raise Unauthorized("That token is not known or was revoked, or it has expired. 令牌无效。", "bad_credentials")
    return who


def sign_in_with_badge(uow: UnitOfWork, badge: str, address: str, limits: Limits) -> tuple[str, Principal]:
    """A new token for the badge's holder, counted against the address like a password."""
    address = (address or "unknown")[:64]
    _refuse_if_locked(uow, "", address, limits)
    found = login_with_badge(uow, badge, lifetime_s=limits.lifetime_s)
    if found is None:
        _fail(uow, "", address)
        raise Unauthorized("That badge is not known, was replaced, or its holder is disabled. 工牌无效。",
                           "bad_badge")
    return found


def vouch_by_badge(uow: UnitOfWork, badge: str, address: str, limits: Limits, grant: str) -> Principal:
    """The holder of a badge scanned at someone else's screen (a supervisor's override at a
    packer's station): no token is made, and the screen's own sign-in stays as it was.
    Forbidden `bad_badge` for a badge nobody holds (counted like a failed sign-in), and
    `badge_not_allowed` for one whose holder may not do this."""
    address = (address or "unknown")[:64]
    _refuse_if_locked(uow, "", address, limits)
    who = badge_holder(uow, badge)
    if who is None:
        _fail(uow, "", address)
        raise Forbidden("That badge is not known or was replaced. 工牌无效。", "bad_badge")
    if not who.may(grant):
        raise Forbidden(f"{who.name}'s badge ({who.role}) may not do this; a {grant}'s badge is needed. "
                        "需要主管工牌。", "badge_not_allowed")
    return who


def _fail(uow: UnitOfWork, username: str, address: str) -> None:
    """A failed sign-in on record, committed here: it must outlive the 401 that follows."""
    now = utcnow()
    uow.session.add(LoginFailure(username=username, address=address, at=now))
    uow.session.execute(delete(LoginFailure).where(col(LoginFailure.at) < now - timedelta(days=1)))
    uow.commit()


def _refuse_if_locked(uow: UnitOfWork, username: str, address: str, limits: Limits) -> None:
    now = utcnow()
    since = now - timedelta(seconds=limits.window_s)
    checks = [(col(LoginFailure.address) == address, limits.address_max_failures, "this address")]
    if username:
        checks.insert(0, (col(LoginFailure.username) == username, limits.max_failures, f"user {username}"))
    for where, limit, who in checks:
        times = list(uow.session.exec(select(LoginFailure.at).where(where, col(LoginFailure.at) > since)
                                      .order_by(col(LoginFailure.at))).all())
        if len(times) >= limit:
            wait = _until(times[len(times) - limit], limits.window_s, now)
            raise TooManyAttempts(f"too many failed sign-ins for {who}; try again in {wait} s",
                                  "login_locked", retry_after_s=wait)


def _until(oldest_that_counts: datetime, window_s: int, now: datetime) -> int:
    """Seconds until that failure leaves the window (and the count drops under the limit)."""
    left = (oldest_that_counts + timedelta(seconds=window_s) - now).total_seconds()
    return max(1, math.ceil(left))
