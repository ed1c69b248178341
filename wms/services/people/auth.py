"""Bearer tokens with roles. Only a SHA-256 of each token is kept in the database.

Every token expires (`WMS_TOKEN_LIFETIME_S`); `refresh_token` exchanges one that still works, or
expired within `WMS_TOKEN_REFRESH_GRACE_S`, for a new one, which is how a station agent that runs
for weeks keeps its access without a person creating tokens. The old token keeps working for
REFRESH_OVERLAP at most, so requests already on their way with it are not refused.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import select

from wms.adapters.db.tables import ApiToken, UserAccount
from wms.adapters.db.types import utcnow
from wms.adapters.db.uow import UnitOfWork
from wms.domain.errors import Conflict, Invalid, NotFound, Unauthorized

ROLES = ("packer", "supervisor", "after_sales", "admin")

# What each role may do beyond its own name; admin may do everything.
_GRANTS: dict[str, frozenset[str]] = {
    "packer": frozenset({"packer"}),
    "supervisor": frozenset({"packer", "supervisor"}),
    "after_sales": frozenset({"after_sales"}),
    "admin": frozenset(ROLES),
}


REFRESH_OVERLAP = timedelta(seconds=60)


@dataclass(frozen=True)
class Principal:
    name: str
    role: str
    expires_at: datetime | None = field(default=None, compare=False)  # of the token it came with

    def may(self, *roles: str) -> bool:
        """True if this principal's role grants any of `roles`."""
        return bool(_GRANTS.get(self.role, frozenset()) & set(roles))


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(uow: UnitOfWork, role: str, name: str, *, lifetime_s: float) -> str:
    if role not in ROLES:
        raise Invalid(f"unknown role {role!r}; choose one of {', '.join(ROLES)}", "unknown_role")
    if not name.strip():
        raise Invalid("a token needs a name (who uses it)", "missing_name")
    if lifetime_s <= 0:
        raise Invalid("a token's lifetime must be more than 0 seconds", "bad_lifetime")
    token, _ = _issue(uow, name.strip(), role, lifetime_s)
    return token


def _issue(uow: UnitOfWork, name: str, role: str, lifetime_s: float) -> tuple[str, Principal]:
    token = "wms_" + secrets.token_urlsafe(24)
    expires = utcnow() + timedelta(seconds=lifetime_s)
    uow.session.add(ApiToken(token_hash=_hash(token), name=name, role=role, expires_at=expires))
    return token, Principal(name, role, expires)


class PrincipalCache:
    """Recently checked tokens, so a scan does not pay a database round trip to say who is calling.

    Only valid tokens are kept, for `ttl_s` seconds and never past the token's own expiry. A
    logout or refresh through this service forgets its token at once; a token revoked elsewhere
    (another service instance, the database by hand) keeps working here for at most `ttl_s`
    seconds. `ttl_s=0` checks every request.
    """
    def __init__(self, ttl_s: float = 30.0) -> None:
        self.ttl_s = ttl_s
        self._known: dict[str, tuple[Principal, float, float]] = {}
        self._lock = threading.Lock()

    def get(self, token: str) -> Principal | None:
        hit = self._known.get(_hash(token))
        if hit is None or hit[1] < time.monotonic() or hit[2] <= time.time():
            return None
        return hit[0]

    def put(self, token: str, principal: Principal) -> None:
        if self.ttl_s <= 0:
            return
        expires = principal.expires_at.timestamp() if principal.expires_at else 0.0
        with self._lock:
            if len(self._known) > 10_000:  # a flood of distinct tokens must not grow memory
                self._known.clear()
            self._known[_hash(token)] = (principal, time.monotonic() + self.ttl_s, expires)

    def forget(self, token: str) -> None:
        with self._lock:
            self._known.pop(_hash(token), None)


def check_token(uow: UnitOfWork, token: str) -> Principal:
    """Who the token belongs to; Unauthorized `unauthorized` (unknown, revoked) or
    `token_expired`."""
    row = _token_row(uow, token)
    if row.expires_at is None or row.expires_at <= utcnow():
        raise Unauthorized("the token has expired; refresh it (POST /api/auth/refresh) or sign in again",
                           "token_expired")
    return Principal(name=row.name, role=row.role, expires_at=row.expires_at)


def authenticate(uow: UnitOfWork, token: str) -> Principal | None:
    """Like check_token, with None for a token that does not work."""
    try:
        return check_token(uow, token)
    except Unauthorized:
        return None


def _token_row(uow: UnitOfWork, token: str) -> ApiToken:
    row = uow.session.exec(select(ApiToken).where(ApiToken.token_hash == _hash(token))).first()
    if row is None or row.revoked_at is not None:
        raise Unauthorized("the token is not known or was revoked", "unauthorized")
    return row


def refresh_token(uow: UnitOfWork, token: str, *, lifetime_s: float, grace_s: float) -> tuple[str, Principal]:
    """A new token for the same name and role, in exchange for `token`, which must still work or
    have expired less than `grace_s` ago, and may be exchanged once (again within
    REFRESH_OVERLAP, for a caller whose first answer was lost). It then works REFRESH_OVERLAP
    longer at most."""
    row = _token_row(uow, token)
    now = utcnow()
    if row.expires_at is None or row.expires_at + timedelta(seconds=grace_s) <= now:
        raise Unauthorized("the token expired too long ago to be refreshed; create or sign in for a new one",
                           "token_expired")
    if row.refreshed_at is not None and row.refreshed_at + REFRESH_OVERLAP <= now:
        raise Unauthorized("the token was exchanged for a new one already", "token_refreshed")
    new, principal = _issue(uow, row.name, row.role, lifetime_s)
    row.refreshed_at = row.refreshed_at or now
    row.expires_at = min(row.expires_at, now + REFRESH_OVERLAP)
    uow.session.add(row)
    return new, principal


_PBKDF2_ROUNDS = 200_000


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, _PBKDF2_ROUNDS)
    return f"pbkdf2_sha256${_PBKDF2_ROUNDS}${salt.hex()}${digest.hex()}"


def _check_password(password: str, stored: str) -> bool:
    try:
        _, rounds, salt, digest = stored.split("$")
    except ValueError:
        return False
    got = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), bytes.fromhex(salt), int(rounds))
    return secrets.compare_digest(got.hex(), digest)


def create_user(uow: UnitOfWork, username: str, password: str, role: str) -> None:

    if role not in ROLES:
        raise Invalid(f"unknown role {role!r}; choose one of {', '.join(ROLES)}", "unknown_role")
    if len(password) < 8:
        raise Invalid("a password needs at least 8 characters", "weak_password")
    if uow.session.exec(select(UserAccount).where(UserAccount.username == username)).first():
        raise Conflict(f"user {username} exists already", "duplicate_user")
    uow.session.add(UserAccount(username=username, password_hash=hash_password(password), role=role))


def login(uow: UnitOfWork, username: str, password: str, *, lifetime_s: float) -> tuple[str, Principal] | None:
    """A user name and password become a fresh bearer token (the pages keep it in a cookie).
    Callers go through `wms.services.people.login_guard.sign_in`, which locks out guessing."""
    user = uow.session.exec(select(UserAccount).where(UserAccount.username == username)).first()
    if user is None or user.disabled_at is not None or not _check_password(password, user.password_hash):
        return None
    return _issue(uow, user.username, user.role, lifetime_s)


BADGE_PREFIX = "WMSB"  # the station and the sign-in page tell a badge from an item by it
_BADGE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: a badge may be read aloud


def is_badge(code: str) -> bool:
    return code.strip().upper().startswith(BADGE_PREFIX)


def issue_badge(uow: UnitOfWork, username: str) -> str:
    """A new badge code for the user (Code 128 on the card); the one they had stops working.
    Only its hash is kept, so a lost badge is replaced, never looked up."""
    user = uow.session.exec(select(UserAccount).where(UserAccount.username == username)).first()
    if user is None:
        raise NotFound(f"no user {username}", "unknown_user")
    if user.disabled_at is not None:
        raise Conflict(f"user {username} is disabled", "user_disabled")
    code = BADGE_PREFIX + "".join(secrets.choice(_BADGE_ALPHABET) for _ in range(16))  # 80 bits
    user.badge_hash = _hash(code)
    user.badge_issued_at = utcnow()
    uow.session.add(user)
    return code


def revoke_badge(uow: UnitOfWork, username: str) -> bool:
    """A lost badge stops working; False if the user had none."""
    user = uow.session.exec(select(UserAccount).where(UserAccount.username == username)).first()
    if user is None:
        raise NotFound(f"no user {username}", "unknown_user")
    had = user.badge_hash is not None
    user.badge_hash, user.badge_issued_at = None, None
    uow.session.add(user)
    return had


def badge_holder(uow: UnitOfWork, code: str) -> Principal | None:
    """Whose badge this is (name and role), None for an unknown, replaced or disabled one.
    Scanners send what they read; case and surrounding blanks are not part of the code."""
    code = code.strip().upper()
    if not is_badge(code):
        return None
    user = uow.session.exec(select(UserAccount).where(UserAccount.badge_hash == _hash(code))).first()
    if user is None or user.disabled_at is not None:
        return None
    return Principal(user.username, user.role)


def login_with_badge(uow: UnitOfWork, code: str, *, lifetime_s: float) -> tuple[str, Principal] | None:
    """A scanned badge becomes a fresh bearer token, as a password would.
    Callers go through `login_guard.sign_in_with_badge`, which locks out guessing."""
    who = badge_holder(uow, code)
    if who is None:
        return None
    return _issue(uow, who.name, who.role, lifetime_s)


def revoke_token(uow: UnitOfWork, token: str) -> bool:
    """Logging out ends the token itself, not just the browser's copy of it."""
    row = uow.session.exec(select(ApiToken).where(ApiToken.token_hash == _hash(token))).first()
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    uow.session.add(row)
    return True
