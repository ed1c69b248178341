"""API tokens with roles (only a hash of each token is stored), users, and failed logins."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from wms.adapters.db.tables._fields import created_at, optional_time


class ApiToken(SQLModel, table=True):
    """A bearer token; it stops working at `expires_at` (a row without one has expired)."""

    __tablename__ = "api_token"
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True, max_length=128)
    name: str = Field(max_length=80)
    role: str = Field(max_length=20)
    created_at: datetime = created_at()
    revoked_at: datetime | None = optional_time()
    expires_at: datetime | None = optional_time()
    refreshed_at: datetime | None = optional_time()  # exchanged for a new token then (once)


class UserAccount(SQLModel, table=True):
    """A person who logs in to the pages with a user name and password (PBKDF2 hash), or by
    scanning a badge (only a hash of its code is kept; issuing a new one ends the old)."""

    __tablename__ = "user_account"
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True, max_length=80)
    password_hash: str = Field(max_length=200)
    role: str = Field(max_length=20)
    created_at: datetime = created_at()
    disabled_at: datetime | None = optional_time()
    badge_hash: str | None = Field(default=None, unique=True, index=True, max_length=128)  # SHA-256 of the badge's code
    badge_issued_at: datetime | None = optional_time()


class LoginFailure(SQLModel, table=True):
    """One failed sign-in, kept for the lock-out window: counted per user name and per address,
    in the database so that every service process and instance counts the same attempts."""

    __tablename__ = "login_failure"
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=80, index=True)
    address: str = Field(max_length=64, index=True)
    at: datetime = created_at()
