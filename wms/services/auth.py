"""Bearer tokens with roles. Only a SHA-256 of each token is kept in the database."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from dataclasses import dataclass

from sqlmodel import select

from wms.adapters.db.tables import ApiToken
from wms.adapters.db.uow import UnitOfWork
from wms.domain.errors import Invalid

ROLES = ("packer", "supervisor", "after_sales", "admin")

# What each role may do beyond its own name; admin may do everything.
_GRANTS: dict[str, frozenset[str]] = {
    "packer": frozenset({"packer"}),
    "supervisor": frozenset({"packer", "supervisor"}),
    "after_sales": frozenset({"after_sales"}),
    "admin": frozenset(ROLES),
}


@dataclass(frozen=True)
class Principal:
    name: str
    role: str

    def may(self, *roles: str) -> bool:
        """True if this principal's role grants any of `roles`."""
        return bool(_GRANTS.get(self.role, frozenset()) & set(roles))


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(uow: UnitOfWork, role: str, name: str) -> str:
    if role not in ROLES:
        raise Invalid(f"unknown role {role!r}; choose one of {', '.join(ROLES)}", "unknown_role")
    if not name.strip():
        raise Invalid("a token needs a name (who uses it)", "missing_name")
    token = "wms_" + secrets.token_urlsafe(24)
    uow.session.add(ApiToken(token_hash=_hash(token), name=name.strip(), role=role))
    uow.commit()
    return token


class PrincipalCache:
    """Recently checked tokens, so a scan does not pay a database round trip to say who is calling.

    Only valid tokens are kept, for `ttl_s` seconds. A logout through this service forgets its
    token at once; a token revoked elsewhere (another service instance, the database by hand)
    keeps working here for at most `ttl_s` seconds. `ttl_s=0` checks every request.
    """

    def __init__(self, ttl_s: float = 30.0) -> None:
        self.ttl_s = ttl_s
        self._known: dict[str, tuple[Principal, float]] = {}
        self._lock = threading.Lock()

    def get(self, token: str) -> Principal | None:
        hit = self._known.get(_hash(token))
        if hit is None or hit[1] < time.monotonic():
            return None
        return hit[0]

    def put(self, token: str, principal: Principal) -> None:
        if self.ttl_s <= 0:
            return
        with self._lock:
            if len(self._known) > 10_000:  # a flood of distinct tokens must not grow memory
                self._known.clear()
            self._known[_hash(token)] = (principal, time.monotonic() + self.ttl_s)

    def forget(self, token: str) -> None:
        with self._lock:
            self._known.pop(_hash(token), None)


def authenticate(uow: UnitOfWork, token: str) -> Principal | None:
    row = uow.session.exec(select(ApiToken).where(ApiToken.token_hash == _hash(token))).first()
    if row is None or row.revoked_at is not None:
        return None
    return Principal(name=row.name, role=row.role)


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
    from wms.adapters.db.tables import UserAccount
    from wms.domain.errors import Conflict

    if role not in ROLES:
        raise Invalid(f"unknown role {role!r}; choose one of {', '.join(ROLES)}", "unknown_role")
    if len(password) < 8:
        raise Invalid("a password needs at least 8 characters", "weak_password")
    if uow.session.exec(select(UserAccount).where(UserAccount.username == username)).first():
        raise Conflict(f"user {username} exists already", "duplicate_user")
    uow.session.add(UserAccount(username=username, password_hash=hash_password(password), role=role))
    uow.commit()


def login(uow: UnitOfWork, username: str, password: str) -> tuple[str, Principal] | None:
    """A user name and password become a fresh bearer token for the pages (cookie)."""
    from wms.adapters.db.tables import UserAccount

    user = uow.session.exec(select(UserAccount).where(UserAccount.username == username)).first()
    if user is None or user.disabled_at is not None or not _check_password(password, user.password_hash):
        return None
    token = "wms_" + secrets.token_urlsafe(24)
    uow.session.add(ApiToken(token_hash=_hash(token), name=user.username, role=user.role))
    uow.commit()
    return token, Principal(user.username, user.role)


def revoke_token(uow: UnitOfWork, token: str) -> bool:
    """Logging out ends the token itself, not just the browser's copy of it."""
    from wms.adapters.db.types import utcnow

    row = uow.session.exec(select(ApiToken).where(ApiToken.token_hash == _hash(token))).first()
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    uow.session.add(row)
    uow.commit()
    return True
